// The read-print loop of kq-consume: records go through RecordPrinter into
// one OutputWriter buffer; the buffer is flushed when full and whenever the
// reader catches up (so `kq-consume -F t | grep x` never stalls); a follower
// then sleeps in FollowWatcher::Wait until a partition directory changes.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <memory>

#include <fmt/format.h>

#include "client/consumer.h"
#include "common/exit_codes.h"
#include "common/output.h"
#include "io/env.h"
#include "kq-consume/cluster_mode.h"
#include "kq-consume/consume_settings.h"
#include "kq-consume/group_session.h"
#include "kq-consume/record_printer.h"
#include "log/follow_watcher.h"

namespace kq::tools::consume {
namespace {

constexpr std::string_view kTool = "consume";
// How often a group member re-checks membership and commits (issue 4: a dead
// member's partitions move within 3 s).
constexpr int64_t kGroupPollMs = 500;
// How often a follower outside a group looks for partitions added to its
// topics (a change in the topics directory also wakes it).
constexpr int64_t kDiscoveryMs = 200;

std::atomic<bool> g_stop{false};
std::atomic<log::FollowWatcher*> g_watcher{nullptr};

void OnStopSignal(int) {
  g_stop.store(true);
  if (log::FollowWatcher* w = g_watcher.load()) w->Interrupt();
}

int64_t SteadyMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

class ConsumeRun {
 public:
  explicit ConsumeRun(const ConsumeSettings& s)
      : s_(s), printer_(s), progress_(IsTerminal(2) && !IsTerminal(1) && !s.quiet) {}

  ~ConsumeRun() { g_watcher.store(nullptr); }

  Status Run() {
    KQ_RETURN_IF_ERROR(Setup());
    Status s = Loop();
    progress_.Clear();
    Status flushed = out_.Flush();
    if (s.ok()) s = flushed;
    if (group_ != nullptr) {
      // Commit only what reached the output (the writer's error is sticky).
      Status left = group_->Leave(/*commit=*/flushed.ok());
      if (s.ok()) s = left;
    }
    return s;
  }

 private:
  Status Setup() {
    client::ConsumerOptions o;
    o.env = io::Env::Default();
    o.log_dir = s_.dir;
    o.follow = s_.follow;
    o.ordered = s_.ordered;
    o.end_timestamp_ms = s_.offset.end_timestamp_ms;
    if (!s_.quiet) {
      o.on_skipped = [](std::string_view topic, int32_t partition, Offset wanted, Offset resumed_at) {
        fmt::print(stderr, "kq-consume: {}:{}: offsets {}..{} are gone (retention or trim); continuing at {}\n",
                   topic, partition, wanted.value(), resumed_at.value() - 1, resumed_at.value());
      };
    }
    KQ_ASSIGN_OR_RETURN(consumer_, client::Consumer::Open(o));
    KQ_ASSIGN_OR_RETURN(std::vector<client::TopicPartition> tps,
                        consumer_->Resolve(s_.selections));
    if (s_.follow) {
      KQ_ASSIGN_OR_RETURN(watcher_, log::FollowWatcher::Create(
                                        {.poll_interval = std::chrono::milliseconds(s_.poll_ms)}));
      (void)watcher_->WatchHangup(1);  // not pollable (a file): nothing to watch
      // Added partitions rewrite a topic's metadata: wake up for them too.
      (void)watcher_->Watch(consumer_->TopicsPath());
      g_watcher.store(watcher_.get());
      std::signal(SIGINT, OnStopSignal);
      std::signal(SIGTERM, OnStopSignal);
    }
    if (s_.group.empty()) {
      for (const auto& tp : tps) KQ_RETURN_IF_ERROR(consumer_->Assign(tp, StartFor(s_.offset)));
    } else {
      std::vector<std::string> topics;
      for (const auto& tp : tps) topics.push_back(tp.topic);
      KQ_ASSIGN_OR_RETURN(group_, GroupSession::Join(io::Env::Default(), s_.dir, s_.group,
                                                     topics, consumer_.get(), StartFor(s_.offset)));
      KQ_RETURN_IF_ERROR(Rebalance());
    }
    return SyncWatches();
  }

  Status Rebalance() {
    KQ_RETURN_IF_ERROR(out_.Flush());  // commit only what was printed
    KQ_ASSIGN_OR_RETURN(bool changed, group_->Rebalance());
    next_group_poll_ = SteadyMs() + kGroupPollMs;
    if (changed && s_.verbose > 0) {
      std::string parts;
      for (const auto& tp : consumer_->Assignment()) {
        parts += fmt::format("{}{}:{}", parts.empty() ? "" : " ", tp.topic, tp.partition);
      }
      fmt::print(stderr, "kq-consume: member {} of group '{}' owns: {}\n", group_->member_id(),
                 s_.group, parts.empty() ? "(nothing)" : parts);
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
      if (Status s = watcher_->Watch(d); !s.ok() && s_.verbose > 0) {
        fmt::print(stderr, "kq-consume: {} (polling every {} ms instead)\n", s.message(),
                   s_.poll_ms);
      }
    }
    watched_ = std::move(dirs);
    return Status::Ok();
  }

  Status Sink(const client::ConsumedRecord& r) {
    printer_.Print(r, out_.buffer());
    ++printed_;
    if (s_.count.has_value() && printed_ >= *s_.count) consumer_->RequestStop();
    if (progress_.Due()) progress_.Show(fmt::format("{} records", printed_));
    return out_.MaybeFlush();
  }

  Status Loop() {
    const client::RecordSink sink = [this](const client::ConsumedRecord& r) { return Sink(r); };
    while (!g_stop.load()) {
      auto state = consumer_->Poll(sink);
      if (!state.ok()) {
        (void)out_.Flush();  // records before a bad batch are printed first
        return state.status();
      }
      if (*state == client::PollState::kStopped || *state == client::PollState::kFinished) {
        return Status::Ok();
      }
      if (*state == client::PollState::kCaughtUp) {
        KQ_RETURN_IF_ERROR(out_.Flush());
        if (!s_.follow) return Status::Ok();
        KQ_RETURN_IF_ERROR(WaitForChange());
      }
      if (group_ != nullptr && s_.follow && SteadyMs() >= next_group_poll_) {
        KQ_RETURN_IF_ERROR(Rebalance());
      }
      // A group finds added partitions in Rebalance; a lone follower here,
      // at most every kDiscoveryMs. A wake too soon after the last look
      // leaves one pending, so that the wait ends when it is due.
      if (group_ == nullptr && s_.follow) {
        discovery_pending_ = SteadyMs() < next_discovery_;
        if (!discovery_pending_) KQ_RETURN_IF_ERROR(DiscoverPartitions());
      }
      if (s_.follow) KQ_RETURN_IF_ERROR(consumer_->Refresh());
    }
    return Status::Ok();
  }

  // Every record of a partition added while following is newer than the
  // start, so it is read from its beginning, as a Kafka consumer does with
  // auto.offset.reset=earliest. A topic deleted meanwhile is not an error
  // here: its readers report what they find.
  Status DiscoverPartitions() {
    next_discovery_ = SteadyMs() + kDiscoveryMs;
    auto added = consumer_->AssignNew(s_.selections, client::StartPosition::Beginning());
    if (!added.ok()) {
      if (s_.verbose > 0) fmt::print(stderr, "kq-consume: {}\n", added.status().message());
      return Status::Ok();
    }
    if (added->empty()) return Status::Ok();
    if (s_.verbose > 0) {
      for (const auto& tp : *added) {
        fmt::print(stderr, "kq-consume: following new partition {}:{}\n", tp.topic, tp.partition);
      }
    }
    return SyncWatches();
  }

  Status WaitForChange() {
    int64_t timeout = s_.poll_ms;
    if (group_ != nullptr) timeout = std::clamp<int64_t>(next_group_poll_ - SteadyMs(), 0, timeout);
    if (discovery_pending_) timeout = std::clamp<int64_t>(next_discovery_ - SteadyMs(), 0, timeout);
    KQ_ASSIGN_OR_RETURN(log::WakeReason why, watcher_->Wait(std::chrono::milliseconds(timeout)));
    if (why == log::WakeReason::kHangup) return BrokenPipeStatus();
    return Status::Ok();
  }

  const ConsumeSettings& s_;
  RecordPrinter printer_;
  OutputWriter out_;
  Progress progress_;
  std::unique_ptr<client::Consumer> consumer_;
  std::unique_ptr<log::FollowWatcher> watcher_;
  std::unique_ptr<GroupSession> group_;
  std::vector<std::string> watched_;
  int64_t printed_ = 0;
  int64_t next_group_poll_ = 0;
  int64_t next_discovery_ = 0;
  bool discovery_pending_ = false;
};

}  // namespace

int RunConsume(const CommonFlags& common, const ConsumeFlags& flags) {
  auto settings = CheckFlags(common, flags);
  if (!settings.ok()) {
    if (settings.status().IsInvalidArgument()) {
      return ReportUsageError(kTool, settings.status().message());
    }
    return ReportError(kTool, settings.status());
  }
  if (settings->use_cluster) return ReportError(kTool, ConsumeFromCluster(*settings));
  ConsumeRun run(*settings);
  return ReportError(kTool, run.Run());
}

}  // namespace kq::tools::consume
