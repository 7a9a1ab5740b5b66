// Consumer: a reader of many partitions of a log directory, the engine of
// kq-consume. It resolves TOPIC[:PARTITION] selections, positions each
// partition (StartPosition), and delivers records to a sink:
//
//   ConsumerOptions o{.env = env, .log_dir = dir};
//   KQ_ASSIGN_OR_RETURN(auto c, Consumer::Open(o));
//   KQ_ASSIGN_OR_RETURN(auto tps, c->Resolve(selections));
//   for (auto& tp : tps) KQ_RETURN_IF_ERROR(c->Assign(tp, StartPosition::FromEnd(10)));
//   while (true) {
//     KQ_ASSIGN_OR_RETURN(PollState s, c->Poll(sink));
//     if (s == PollState::kFinished) break;
//     ...  // kCaughtUp: wait for a change (FollowWatcher), c->Refresh(), again
//   }
//
// Without `follow`, each partition stops at its log end as it was when it was
// assigned (like cat: later appends are not waited for). With `ordered`, the
// records of all partitions come out in timestamp order (ties by topic, then
// partition); a follower merges what is available at the time.
//
// Record views passed to the sink are valid during the call only.
// Thread safety: one thread at a time. The Env must outlive the consumer.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/status.h"
#include "client/consumer_partition.h"
#include "format/record.h"
#include "groups/topic_partition.h"
#include "io/env.h"
#include "log/log_dir.h"

namespace kq::client {

using groups::TopicPartition;

// "orders" (every partition) or "orders:3" (one).
struct TopicSelection {
  std::string topic;
  std::optional<int32_t> partition;
};

// Parses TOPIC[:PARTITION]. Topic names cannot hold ':', so the last ':'
// splits. InvalidArgument for an empty topic or a bad partition number.
Result<TopicSelection> ParseTopicSelection(std::string_view text);

struct ConsumerOptions {
  io::Env* env = nullptr;  // required
  std::string log_dir;     // required; must exist
  // Keep reading past the log end as it was at Assign (no end snapshot).
  bool follow = false;
  // Merge partitions by record timestamp.
  bool ordered = false;
  // Every partition stops at its first record with timestamp >= this.
  std::optional<int64_t> end_timestamp_ms;
  // Bytes per partition read.
  size_t read_bytes = size_t{1} << 20;
  // Told when records a partition was to deliver next are gone.
  SkippedFn on_skipped;
};

// One record for the sink.
struct ConsumedRecord {
  std::string_view topic;
  int32_t partition = 0;
  bool log_append_time = false;  // the batch's timestamp type
  const format::RecordView* record = nullptr;
};

// Returns non-OK to stop Poll with that status (e.g. a broken pipe).
using RecordSink = std::function<Status(const ConsumedRecord&)>;

enum class PollState {
  kMore,      // stopped early to let the caller flush, poll a group, ...: call again
  kCaughtUp,  // every partition is at its log end as of the last Refresh
  kFinished,  // every partition reached its stop (never while following)
  kStopped,   // RequestStop was called
};

class Consumer {
 public:
  static Result<std::unique_ptr<Consumer>> Open(const ConsumerOptions& options);

  // The partitions the selections name, sorted, without duplicates. An empty
  // topic list is InvalidArgument; a missing topic is NotFound
  // ("topic 'x' does not exist in DIR"); a partition outside the topic is
  // InvalidArgument.
  Result<std::vector<TopicPartition>> Resolve(std::span<const TopicSelection> selections) const;
  // Every partition of `topics` (NotFound for a missing topic).
  Result<std::vector<TopicPartition>> PartitionsOf(std::span<const std::string> topics) const;

  // Starts reading `tp` at `start`; without follow, records end at the log
  // end as it is now. Assigning an assigned partition re-positions it.
  Status Assign(const TopicPartition& tp, const StartPosition& start);
  // Assigns, at `start`, the partitions of `selections` that are not assigned
  // yet: a follower picks up partitions added to its topics. A partition
  // whose directory does not exist yet is left for a later call. Returns the
  // partitions assigned.
  Result<std::vector<TopicPartition>> AssignNew(std::span<const TopicSelection> selections,
                                                const StartPosition& start);
  // Stops reading `tp` (no-op when not assigned).
  void Unassign(const TopicPartition& tp);
  std::vector<TopicPartition> Assignment() const;
  // The next offset to deliver per assigned partition, and the leader epoch
  // of the last delivered batch: what a group commits.
  struct Position {
    int64_t offset = 0;
    int32_t leader_epoch = -1;
  };
  std::map<TopicPartition, Position> Positions() const;

  // Picks up appends by other processes on every assigned partition.
  Status Refresh();
  // Where topic metadata lives (a follower watches it for added partitions).
  std::string TopicsPath() const { return dir_.TopicsPath(); }
  // The directories of the assigned partitions (what a follower watches).
  std::vector<std::string> PartitionDirs() const;

  // Delivers available records to `sink` in order, until caught up, finished,
  // stopped, or about `max_records` delivered (kMore). A failing sink stops
  // Poll and its status is returned; the record it refused stays undelivered.
  Result<PollState> Poll(const RecordSink& sink, size_t max_records = 1 << 16);
  // Makes Poll return kStopped after the record being delivered; callable
  // from inside the sink (e.g. after -c N records).
  void RequestStop() { stop_requested_ = true; }

 private:
  explicit Consumer(const ConsumerOptions& options, log::LogDir dir)
      : options_(options), dir_(std::move(dir)) {}

  Result<PollState> PollUnordered(const RecordSink& sink, size_t max_records);
  Result<PollState> PollOrdered(const RecordSink& sink, size_t max_records);
  PollState Finished() const;
  // Delivers the pending records of `r` from the front while `keep_going`.
  Status Deliver(PartitionReader& r, const RecordSink& sink, size_t* budget);

  ConsumerOptions options_;
  log::LogDir dir_;
  std::map<TopicPartition, std::unique_ptr<PartitionReader>> readers_;
  size_t next_reader_ = 0;  // round-robin start for unordered polls
  bool stop_requested_ = false;
};

}  // namespace kq::client
