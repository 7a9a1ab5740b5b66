// Data generator for bench/compact_bench.sh: a kq log directory with one
// compacted topic holding about TOTAL_MB of 100-byte records spread over
// KEYS keys (each key updated again and again, in a scrambled order).
//
//   compact_bench DIR [TOTAL_MB] [KEYS] [SEGMENT_MB]
//
// Records are written through log::Partition in batches of 1,000, page cache
// only (the benchmark measures compaction, not this).
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "format/record_batch_builder.h"
#include "io/env.h"
#include "log/log_dir.h"
#include "log/partition.h"

using namespace kq;

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: compact_bench DIR [TOTAL_MB] [KEYS] [SEGMENT_MB]\n");
    return 2;
  }
  const std::string dir = argv[1];
  const uint64_t total = (argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 1024) << 20;
  const uint64_t keys = argc > 3 ? std::strtoull(argv[3], nullptr, 10) : 100000;
  const uint64_t segment_mb = argc > 4 ? std::strtoull(argv[4], nullptr, 10) : 128;
  io::Env* env = io::Env::Default();
  auto logdir = log::LogDir::Open(env, dir, true);
  if (!logdir.ok()) return std::fprintf(stderr, "%s\n", logdir.status().ToString().c_str()), 1;
  log::TopicConfig config;
  (void)config.Set("cleanup.policy", "compact");
  (void)config.Set("segment.bytes", std::to_string(segment_mb << 20));
  (void)config.Set("flush", "os");
  if (Status s = logdir->CreateTopic("bench", 1, config); !s.ok()) {
    return std::fprintf(stderr, "%s\n", s.ToString().c_str()), 1;
  }
  log::PartitionOptions o;
  o.env = env;
  o.topic = "bench";
  o.segment_bytes = segment_mb << 20;
  auto p = log::Partition::Open(logdir->PartitionPath("bench", PartitionId(0)), o,
                                log::OpenMode::kWrite);
  if (!p.ok()) return std::fprintf(stderr, "%s\n", p.status().ToString().c_str()), 1;
  // A 100-byte record: "key-NNNNNN" (10 bytes) + 90-byte value, plus ~8
  // bytes of record framing.
  std::string value(90, 'v');
  format::RecordBatchBuilder builder;
  uint64_t written = 0, n = 0;
  const int64_t ts = env->NowMs();
  while (written < total) {
    for (int i = 0; i < 1000; ++i, ++n) {
      const uint64_t k = (n * 7919) % keys;
      const std::string key = fmt::format("key-{:06}", k);
      std::snprintf(value.data(), 20, "%019llu", static_cast<unsigned long long>(n));
      builder.Add(ts, key, value);
    }
    auto batch = builder.Finish();
    if (!batch.ok()) return 1;
    written += batch->size();
    if (auto r = (*p)->Append(*batch); !r.ok()) {
      return std::fprintf(stderr, "%s\n", r.status().ToString().c_str()), 1;
    }
  }
  if (Status s = (*p)->Close(); !s.ok()) return 1;
  std::printf("%llu records, %llu bytes\n", static_cast<unsigned long long>(n),
              static_cast<unsigned long long>(written));
  return 0;
}
