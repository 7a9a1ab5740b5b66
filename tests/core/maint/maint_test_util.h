// Shared helpers for the maint tests: a compacted partition with many
// updates per key, and a reader that keeps null values apart from empty ones.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <doctest/doctest.h>
#include <fmt/format.h>

#include "format/record.h"
#include "format/record_batch_builder.h"
#include "io/env.h"
#include "log/log_dir.h"
#include "log/partition.h"
#include "log/topic_config.h"
#include "support/log_helpers.h"

namespace kq::testing {

struct Rec {
  std::optional<std::string> key;
  std::optional<std::string> value;
  bool operator==(const Rec&) const = default;
};
using RecMap = std::map<int64_t, Rec>;  // offset -> record

inline log::PartitionOptions MaintOptions(io::Env* env, uint64_t segment_bytes) {
  log::PartitionOptions o = SmallOptions(env, segment_bytes);
  o.index_interval_bytes = 512;
  return o;
}

// The log directory holding a test's partition folder (ROOT/t-0), adopted
// as it is (its .kq/ metadata created when missing), so compaction and
// repair open the partition through LogDir::OpenPartition.
inline log::LogDir ParentLogDir(io::Env* env, const std::string& partition_dir) {
  auto dir = log::LogDir::Open(env, partition_dir.substr(0, partition_dir.rfind('/')), true);
  REQUIRE_MESSAGE(dir.ok(), dir.status().ToString());
  return std::move(*dir);
}

// Topic "t" of one partition with `config`, as the tests' t-0 folders are.
inline log::TopicInfo TopicT(log::TopicConfig config = {}) { return {"t", 1, std::move(config)}; }

inline log::TopicConfig CompactConfig(int32_t segment_bytes, int64_t delete_retention_ms) {
  log::TopicConfig c;
  REQUIRE(c.Set("cleanup.policy", "compact").ok());
  REQUIRE(c.Set("segment.bytes", std::to_string(segment_bytes)).ok());
  REQUIRE(c.Set("delete.retention.ms", std::to_string(delete_retention_ms)).ok());
  REQUIRE(c.Set("index.interval.bytes", "512").ok());
  return c;
}

// Appends one batch that updates `keys` to their values for `round`
// ("value-K-ROUND"), a tombstone where tomb(k). Every fourth batch (counted
// in *batch_no) is zstd-compressed; every 97th record (counted in *n) has no
// key instead.
template <typename Tomb>
inline void AppendUpdateBatch(io::Env* env, log::Partition& p, std::span<const int> keys, int round,
                              Tomb tomb, int* batch_no, int* n) {
  format::RecordBatchBuilder::Options o;
  if ((*batch_no)++ % 4 == 3) o.compression = format::Compression::kZstd;
  format::RecordBatchBuilder b(o);
  for (int k : keys) {
    const std::string key = fmt::format("key-{}", k);
    const std::string value = fmt::format("value-{}-{}", k, round);
    if (++*n % 97 == 0) {
      b.Add(env->NowMs(), std::nullopt, "keyless");
    } else {
      b.Add(env->NowMs(), key,
            tomb(k) ? std::optional<std::string_view>() : std::optional<std::string_view>(value));
    }
  }
  auto batch = b.Finish();
  REQUIRE(batch.ok());
  REQUIRE(p.Append(*batch).ok());
}

// `keys` keys updated `updates` times, round by round, in batches of
// `per_batch`; in the last round every tenth key gets a tombstone. Every
// fourth batch is zstd-compressed; every 97th record has no key.
inline void WriteUpdates(io::Env* env, const std::string& dir, uint64_t segment_bytes, int keys,
                         int updates, int per_batch = 50) {
  auto p = log::Partition::Open(dir, MaintOptions(env, segment_bytes), log::OpenMode::kWrite);
  REQUIRE(p.ok());
  int batch_no = 0;
  int n = 0;
  for (int round = 0; round < updates; ++round) {
    const auto tomb = [&](int k) { return round == updates - 1 && k % 10 == 0; };
    for (int first = 0; first < keys; first += per_batch) {
      std::vector<int> batch_keys;
      for (int i = first; i < std::min(keys, first + per_batch); ++i) batch_keys.push_back(i);
      AppendUpdateBatch(env, **p, batch_keys, round, tomb, &batch_no, &n);
    }
  }
  REQUIRE((*p)->Close().ok());
}

// Every record of the partition (opened for writing: it must open).
inline RecMap ReadRecords(io::Env* env, const std::string& dir, uint64_t segment_bytes,
                          log::OpenMode mode = log::OpenMode::kWrite) {
  auto opened = log::Partition::Open(dir, MaintOptions(env, segment_bytes), mode);
  REQUIRE_MESSAGE(opened.ok(), opened.status().ToString());
  log::Partition& p = **opened;
  RecMap out;
  Offset at = p.log_start_offset();
  std::string scratch;
  while (at < p.log_end_offset()) {
    auto chunk = p.Read(at, 1 << 20);
    REQUIRE_MESSAGE(chunk.ok(), chunk.status().ToString());
    if (chunk->bytes.empty()) break;
    std::string_view rest = chunk->bytes;
    while (!rest.empty()) {
      auto probe = format::ProbeFrame(rest);
      REQUIRE(probe.state == format::FrameState::kComplete);
      Status s = format::ForEachRecord(
          rest.substr(0, probe.size), &scratch, [&](const format::RecordView& r) {
            if (r.offset >= at.value()) {
              out[r.offset] = {r.key ? std::optional<std::string>(*r.key) : std::nullopt,
                               r.value ? std::optional<std::string>(*r.value) : std::nullopt};
            }
            return Status::Ok();
          });
      REQUIRE_MESSAGE(s.ok(), s.ToString());
      rest.remove_prefix(probe.size);
    }
    at = chunk->next_offset;
  }
  return out;
}

// The latest record of each key below `end` (keyless records excluded);
// with live_only, tombstones are left out.
inline RecMap LatestPerKey(const RecMap& all, int64_t end, bool live_only) {
  std::map<std::string, int64_t> latest;
  for (const auto& [offset, r] : all) {
    if (offset < end && r.key) latest[*r.key] = offset;
  }
  RecMap out;
  for (const auto& [key, offset] : latest) {
    const Rec& r = all.at(offset);
    if (live_only && !r.value) continue;
    out[offset] = r;
  }
  return out;
}

inline RecMap Below(const RecMap& all, int64_t end) {
  RecMap out;
  for (const auto& [o, r] : all) {
    if (o < end) out[o] = r;
  }
  return out;
}

inline RecMap AtOrAbove(const RecMap& all, int64_t from) {
  RecMap out;
  for (const auto& [o, r] : all) {
    if (o >= from) out[o] = r;
  }
  return out;
}

}  // namespace kq::testing
