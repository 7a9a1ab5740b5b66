#include "client/log_record_source.h"

#include <algorithm>
#include <memory>
#include <vector>

#include <fmt/format.h>

#include "client/group_session.h"
#include "log/follow_watcher.h"

namespace kq::client {
namespace {

// How often a group member re-checks membership and commits (a dead
// member's partitions move within 3 s).
constexpr int64_t kGroupPollMs = 500;
// How often a follower outside a group looks for partitions added to its
// topics (a change in the topics directory also wakes it).
constexpr int64_t kDiscoveryMs = 200;

int64_t SteadyMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

// One Read: the consumer, the watcher and the group session it set up.
class LogRecordSource::Run {
 public:
  Run(LogRecordSource& source, const ReadRequest& r, const ReadCallbacks& cb)
      : source_(source), o_(source.options_), r_(r), cb_(cb) {}
  ~Run() { source_.watcher_.store(nullptr); }

  Status Go() {
    KQ_RETURN_IF_ERROR(Setup());
    Status s = Loop();
    Status flushed = Flush();
    if (s.ok()) s = flushed;
    if (group_ != nullptr) {
      // Commit only what left the caller (its flush error is its own).
      Status left = group_->Leave(/*commit=*/flushed.ok());
      if (s.ok()) s = left;
    }
    return s;
  }

 private:
  Status Flush() { return cb_.flush ? cb_.flush() : Status::Ok(); }
  void Note(std::string_view text) {
    if (cb_.note) cb_.note(text);
  }

  Status Setup() {
    ConsumerOptions o;
    o.env = o_.env;
    o.log_dir = o_.log_dir;
    o.follow = r_.follow;
    o.ordered = r_.ordered;
    o.end_timestamp_ms = r_.end_timestamp_ms;
    o.on_skipped = cb_.on_skipped;
    KQ_ASSIGN_OR_RETURN(consumer_, Consumer::Open(o));
    KQ_ASSIGN_OR_RETURN(std::vector<TopicPartition> tps, consumer_->Resolve(r_.selections));
    if (r_.follow) {
      KQ_ASSIGN_OR_RETURN(watcher_,
                          log::FollowWatcher::Create({.poll_interval = o_.poll_interval}));
      if (o_.hangup_fd >= 0) (void)watcher_->WatchHangup(o_.hangup_fd);  // a file: nothing to watch
      // Added partitions rewrite a topic's metadata: wake up for them too.
      (void)watcher_->Watch(consumer_->TopicsPath());
      source_.watcher_.store(watcher_.get());
      if (source_.stop_.load()) watcher_->Interrupt();  // Stop() came before the watcher
    }
    if (r_.group.empty()) {
      for (const auto& tp : tps) KQ_RETURN_IF_ERROR(consumer_->Assign(tp, r_.start));
    } else {
      std::vector<std::string> topics;
      for (const auto& tp : tps) topics.push_back(tp.topic);
      KQ_ASSIGN_OR_RETURN(group_, GroupSession::Join(o_.env, o_.log_dir, r_.group, topics,
                                                     consumer_.get(), r_.start));
      KQ_RETURN_IF_ERROR(Rebalance());
    }
    return SyncWatches();
  }

  Status Rebalance() {
    KQ_RETURN_IF_ERROR(Flush());  // commit only what left the caller
    KQ_ASSIGN_OR_RETURN(bool changed, group_->Rebalance());
    next_group_poll_ = SteadyMs() + kGroupPollMs;
    if (changed && cb_.note) {
      std::string parts;
      for (const auto& tp : consumer_->Assignment()) {
        parts += fmt::format("{}{}:{}", parts.empty() ? "" : " ", tp.topic, tp.partition);
      }
      Note(fmt::format("member {} of group '{}' owns: {}", group_->member_id(), r_.group,
                       parts.empty() ? "(nothing)" : parts));
    }
    return changed ? SyncWatches() : Status::Ok();
  }

  Status SyncWatches() {
    if (watcher_ == nullptr) return Status::Ok();
    std::vector<std::string> dirs = consumer_->PartitionDirs();
    for (const std::string& d : watched_) {
      if (std::find(dirs.begin(), dirs.end(), d) == dirs.end()) watcher_->Unwatch(d);
    }
    for (const std::string& d : dirs) {
      if (Status s = watcher_->Watch(d); !s.ok()) {
        Note(
            fmt::format("{} (polling every {} ms instead)", s.message(), o_.poll_interval.count()));
      }
    }
    watched_ = std::move(dirs);
    return Status::Ok();
  }

  Status Sink(const ConsumedRecord& record) {
    KQ_RETURN_IF_ERROR(cb_.sink(record));
    ++delivered_;
    if (r_.max_records.has_value() && delivered_ >= *r_.max_records) consumer_->RequestStop();
    return Status::Ok();
  }

  Status Loop() {
    const RecordSink sink = [this](const ConsumedRecord& r) { return Sink(r); };
    if (r_.max_records.has_value() && *r_.max_records == 0) return Status::Ok();
    while (!source_.stop_.load()) {
      auto state = consumer_->Poll(sink);
      if (!state.ok()) {
        (void)Flush();  // records before a bad batch go out first
        return state.status();
      }
      if (*state == PollState::kStopped || *state == PollState::kFinished) return Status::Ok();
      if (*state == PollState::kCaughtUp) {
        KQ_RETURN_IF_ERROR(Flush());
        if (!r_.follow) return Status::Ok();
        KQ_RETURN_IF_ERROR(WaitForChange());
      }
      if (group_ != nullptr && r_.follow && SteadyMs() >= next_group_poll_) {
        KQ_RETURN_IF_ERROR(Rebalance());
      }
      // A group finds added partitions in Rebalance; a lone follower here,
      // at most every kDiscoveryMs. A wake too soon after the last look
      // leaves one pending, so that the wait ends when it is due.
      if (group_ == nullptr && r_.follow) {
        discovery_pending_ = SteadyMs() < next_discovery_;
        if (!discovery_pending_) KQ_RETURN_IF_ERROR(DiscoverPartitions());
      }
      if (r_.follow) KQ_RETURN_IF_ERROR(consumer_->Refresh());
    }
    return Status::Ok();
  }

  // Every record of a partition added while following is newer than the
  // start, so it is read from its beginning. A topic deleted meanwhile is
  // not an error here: its readers report what they find.
  Status DiscoverPartitions() {
    next_discovery_ = SteadyMs() + kDiscoveryMs;
    auto added = consumer_->AssignNew(r_.selections, StartPosition::Beginning());
    if (!added.ok()) {
      Note(added.status().message());
      return Status::Ok();
    }
    if (added->empty()) return Status::Ok();
    for (const auto& tp : *added) {
      Note(fmt::format("following new partition {}:{}", tp.topic, tp.partition));
    }
    return SyncWatches();
  }

  Status WaitForChange() {
    int64_t timeout = o_.poll_interval.count();
    if (group_ != nullptr) timeout = std::clamp<int64_t>(next_group_poll_ - SteadyMs(), 0, timeout);
    if (discovery_pending_) timeout = std::clamp<int64_t>(next_discovery_ - SteadyMs(), 0, timeout);
    KQ_ASSIGN_OR_RETURN(log::WakeReason why, watcher_->Wait(std::chrono::milliseconds(timeout)));
    if (why == log::WakeReason::kHangup) return Status::BrokenPipe("broken pipe");
    return Status::Ok();
  }

  LogRecordSource& source_;
  const LogRecordSourceOptions& o_;
  const ReadRequest& r_;
  const ReadCallbacks& cb_;
  std::unique_ptr<Consumer> consumer_;
  std::unique_ptr<log::FollowWatcher> watcher_;
  std::unique_ptr<GroupSession> group_;
  std::vector<std::string> watched_;
  uint64_t delivered_ = 0;
  int64_t next_group_poll_ = 0;
  int64_t next_discovery_ = 0;
  bool discovery_pending_ = false;
};

Status LogRecordSource::Read(const ReadRequest& request, const ReadCallbacks& callbacks) {
  if (options_.env == nullptr)
    return Status::InvalidArgument("LogRecordSourceOptions.env is not set");
  if (!callbacks.sink) return Status::InvalidArgument("ReadCallbacks.sink is not set");
  Run run(*this, request, callbacks);
  return run.Go();
}

void LogRecordSource::Stop() {
  stop_.store(true);
  if (log::FollowWatcher* w = watcher_.load()) w->Interrupt();
}

}  // namespace kq::client
