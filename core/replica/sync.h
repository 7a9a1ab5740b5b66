// The sync engine: makes a log directory a byte-identical follower of any
// Source (a directory, a Kafka server, a replication stream): the same
// topics, partition counts and configs, and per partition the same batches at
// the same offsets with the same leader epochs, byte for byte.
//
// Per partition, each run:
//   1. creates the topic when DEST lacks it (the source's partition count and
//      config overrides), adds missing partitions, and aligns the configs;
//   2. divergence (divergence.h): asks the source where DEST's latest epoch
//      ends and truncates DEST to the last offset both agree on (counted in
//      `truncations`);
//   3. log start: when the source's log start is past DEST's end (retention or
//      DeleteRecords removed what DEST never copied), DEST restarts empty at
//      the source's log start (follower_log.h RestartAt; counted in
//      `restarts`); when it is only past DEST's log start, DEST advances its
//      log start to match;
//   4. fetches from DEST's end and appends with Partition::AppendAsFollower,
//      after checking each batch's framing and CRC on arrival (a bad one is
//      Corruption naming the source, partition and offset, and nothing of
//      that fetch is appended). A compacted source (cleanup.policy has
//      compact) may skip offsets; DEST keeps what it already has below.
// A source partition that shrank below DEST's end without an epoch answer is
// followed by offsets: DEST is truncated to the source's end.
//
// Resumable and idempotent: every step starts from what DEST holds, so a run
// killed at any moment is finished by the next one, and a second run on an
// unchanged source copies nothing. Durability: each partition is synced
// (fdatasync) when it has caught up and at the end.
//
// Thread safety: one Sync call at a time per DEST; other processes must not
// write to DEST's replicated topics.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "log/log_dir.h"
#include "replica/source.h"

namespace kq::replica {

// Where one partition stands after a fetch round.
struct PartitionLag {
  std::string topic;
  PartitionId partition{0};
  Offset dest_end{0};
  Offset source_end{0};
  int64_t lag() const { return source_end > dest_end ? source_end - dest_end : 0; }
};

struct SyncSummary {
  int64_t topics_created = 0;
  int64_t partitions = 0;         // partitions followed
  int64_t batches = 0;            // batches appended
  int64_t bytes = 0;              // bytes appended
  int64_t truncations = 0;        // partitions cut back by the divergence rule
  int64_t restarts = 0;           // partitions restarted at the source's log start
  std::vector<PartitionLag> lag;  // per partition, after the last round
  int64_t total_lag() const {
    int64_t n = 0;
    for (const PartitionLag& l : lag) n += l.lag();
    return n;
  }
};

struct SyncOptions {
  // Topic names or globs (fnmatch: *, ?, [..]); empty: every topic.
  std::vector<std::string> topics;
  // 8 MiB rounds: each round costs a metadata check, a refresh and an epoch
  // checkpoint read per partition, so 1 MiB rounds spent a fifth of the
  // system calls of a 1 GiB sync on them; memory stays under 8 MiB per
  // partition in flight.
  size_t max_bytes_per_partition = size_t{8} << 20;
  // Keep syncing until stop() returns true, waiting up to max_wait for the
  // source to grow; new source topics are picked up between rounds, and a
  // topic deleted at the source stops being followed (DEST keeps its copy).
  bool follow = false;
  std::chrono::milliseconds max_wait{500};
  std::function<bool()> stop;
  // Called after every fetch round with the totals so far (progress, lag).
  std::function<void(const SyncSummary&)> on_round;
  // Hears one line per truncation and restart (for -v).
  std::function<void(std::string_view)> note;
};

// True when `topic` is selected by `globs` (empty: every topic).
bool TopicSelected(const std::vector<std::string>& globs, const std::string& topic);

Result<SyncSummary> Sync(Source& source, const log::LogDir& dest, const SyncOptions& options);

}  // namespace kq::replica
