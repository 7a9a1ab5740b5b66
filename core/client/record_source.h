// RecordSource: the consume verb, one interface with two backends, chosen
// once from where the records are: a log directory (LogRecordSource,
// client/log_record_source.h) or a Kafka cluster (kafka::ClusterRecordSource,
// kafka/cluster_record_source.h). kq-consume calls it for -d and -b alike.
//
//   ReadRequest r{.selections = {{"orders", std::nullopt}}, .follow = true};
//   Status s = source->Read(r, {.sink = print, .flush = flush_stdout});
//
// What Read promises on both backends:
//   - records come in offset order per partition; record views are valid
//     during the sink call only;
//   - without follow, Read returns OK once every partition reached its log
//     end as it was when reading it started (like cat), or max_records;
//   - `flush` is called when the reader has caught up and before every group
//     commit, so what a group commits has left the caller (a killed consumer
//     reads again, never loses);
//   - a failing sink or flush stops Read with its status; with a group, what
//     was delivered and flushed before it is committed first.
//
// Thread safety: Read runs on the caller's thread and calls the callbacks
// from it. Stop() may be called from any thread and from a signal handler.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "client/consumer.h"
#include "client/consumer_partition.h"

namespace kq::client {

struct ReadRequest {
  std::vector<TopicSelection> selections;  // at least one
  // Where each partition starts; with a group, where it has no commit.
  StartPosition start;
  // Each partition stops at its first record with timestamp >= this.
  std::optional<int64_t> end_timestamp_ms;
  bool follow = false;                  // keep waiting at the end of the log
  bool ordered = false;                 // merge partitions by timestamp (log directories only)
  std::optional<uint64_t> max_records;  // stop after this many records
  std::string group;                    // consumer group; empty: none
};

struct ReadCallbacks {
  RecordSink sink;                // required
  std::function<Status()> flush;  // may be empty
  // Records a partition was to deliver next are gone (log directories).
  SkippedFn on_skipped;
  // Detail for a verbose user: assignments, added partitions, fallbacks.
  std::function<void(std::string_view)> note;
};

class RecordSource {
 public:
  virtual ~RecordSource() = default;
  // Reads as the request says; see the promises above. Errors name what
  // failed: NotFound for a missing topic, InvalidArgument for a bad
  // selection, IoError for an unreachable cluster or a failed read.
  virtual Status Read(const ReadRequest& request, const ReadCallbacks& callbacks) = 0;
  // Makes a running (or the next) Read end soon as if the end had been
  // reached, after a last flush and commit. Async-signal-safe.
  virtual void Stop() = 0;
};

}  // namespace kq::client
