// Open-time benchmark: how long a large partition takes to open.
//
//   open_bench [DIR] [GIB] [SEGMENT_MIB]
//
// Writes GIB GiB of 1 KiB records in 1 MiB batches into one partition with
// SEGMENT_MIB MiB segments (default 10 GiB in Kafka's default 1 GiB
// segments), closes it, then times opening it for reading and for writing
// (recovery included: checkpoints, every segment's indexes, the tail past
// the recovery point) and closing it again, best of five. The reference, in
// the same run, is one read() pass over every segment file: the least a
// recovery that rescanned the log would cost, with the files in the page
// cache. Prints both and the ratio.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>

#include <fmt/format.h>

#include "format/record_batch_builder.h"
#include "io/env.h"
#include "log/partition.h"
#include "log/segment_name.h"

using namespace kq;
using Clock = std::chrono::steady_clock;

namespace {

double Seconds(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

int Fail(const Status& s) {
  fmt::print(stderr, "open_bench: {}\n", s.ToString());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string dir = argc > 1 ? argv[1] : "/tmp/kq-open-bench";
  const double gib = argc > 2 ? std::atof(argv[2]) : 10;
  const uint64_t segment_mib = argc > 3 ? std::strtoull(argv[3], nullptr, 10) : 1024;
  io::Env* env = io::Env::Default();
  (void)env->RemoveTree(dir);
  const std::string partition_dir = dir + "/bench-0";

  log::PartitionOptions options;
  options.env = env;
  options.topic = "bench";
  options.segment_bytes = segment_mib << 20;

  // One 1 MiB batch appended again and again: the partition gives each
  // copy its own offsets, and the CRC does not cover them.
  format::RecordBatchBuilder builder;
  for (int i = 0; i < 1000; ++i)
    builder.Add(1'700'000'000'000 + i, std::nullopt, std::string(1024, 'v'));
  auto batch = builder.Finish();
  if (!batch.ok()) return Fail(batch.status());
  const auto total = static_cast<uint64_t>(gib * double(uint64_t{1} << 30));
  {
    auto p = log::Partition::Open(partition_dir, options, log::OpenMode::kWrite);
    if (!p.ok()) return Fail(p.status());
    const auto start = Clock::now();
    for (uint64_t written = 0; written < total; written += batch->size()) {
      if (auto r = (*p)->Append(*batch); !r.ok()) return Fail(r.status());
    }
    if (Status s = (*p)->Close(); !s.ok()) return Fail(s);
    fmt::print("wrote {:.1f} GiB in {} segment(s) of {} MiB in {:.1f} s\n",
               double(total) / (1 << 30), (total + (segment_mib << 20) - 1) / (segment_mib << 20),
               segment_mib, Seconds(start));
  }

  auto time_open = [&](log::OpenMode mode) -> Result<double> {
    double best = 1e9;
    for (int run = 0; run < 5; ++run) {
      const auto start = Clock::now();
      KQ_ASSIGN_OR_RETURN(auto p, log::Partition::Open(partition_dir, options, mode));
      if (p->log_end_offset().value() == 0) return Status::Internal("opened an empty log");
      if (mode == log::OpenMode::kWrite) KQ_RETURN_IF_ERROR(p->Close());
      best = std::min(best, Seconds(start));
    }
    return best;
  };
  auto open_read = time_open(log::OpenMode::kRead);
  if (!open_read.ok()) return Fail(open_read.status());
  auto open_write = time_open(log::OpenMode::kWrite);
  if (!open_write.ok()) return Fail(open_write.status());

  // Reference: one pass of read() over every segment file.
  auto bases = log::ListSegmentBases(env, partition_dir);
  if (!bases.ok()) return Fail(bases.status());
  std::string buf(1 << 20, '\0');
  uint64_t scanned = 0;
  const auto start = Clock::now();
  for (Offset base : *bases) {
    const std::string path =
        partition_dir + "/" + log::MakeSegmentFileName(base, log::SegmentFileKind::kLog);
    const int fd = open(path.c_str(), O_RDONLY);
    if (fd < 0) return Fail(Status::IoError(path));
    for (ssize_t n; (n = read(fd, buf.data(), buf.size())) > 0;)
      scanned += static_cast<uint64_t>(n);
    close(fd);
  }
  const double full_read = Seconds(start);

  fmt::print("open for reading                 {:>9.2f} ms\n", *open_read * 1e3);
  fmt::print("open for writing + close         {:>9.2f} ms\n", *open_write * 1e3);
  fmt::print("read() of every segment ({:.1f} GiB) {:>9.2f} ms\n", double(scanned) / (1 << 30),
             full_read * 1e3);
  fmt::print("ratio open-for-writing / full read: {:.4f}\n", *open_write / full_read);
  (void)env->RemoveTree(dir);
  return 0;
}
