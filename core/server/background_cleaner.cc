#include "server/background_cleaner.h"

#include <fmt/format.h>
#include <uv.h>

#include "maint/cleanup.h"
#include "server/server_log.h"

namespace kq::server {

// One round's work and outcome, owned by the uv_work_t while it runs.
struct BackgroundCleaner::Round {
  uv_work_t work;
  BackgroundCleaner* owner;
  log::LogDir log_dir;
  bool compact;
  // Filled on the worker thread, read on the loop thread after it.
  int partitions = 0;
  int segments_deleted = 0;
  uint64_t bytes_removed = 0;
  std::vector<std::string> errors;
};

BackgroundCleaner::BackgroundCleaner(uv_loop_s* loop, const log::LogDir& log_dir,
                                     int64_t interval_ms, bool compact)
    : loop_(loop),
      log_dir_(log_dir),
      interval_ms_(interval_ms),
      compact_(compact),
      timer_(new uv_timer_t) {
  uv_timer_init(loop_, timer_);
  timer_->data = this;
}

BackgroundCleaner::~BackgroundCleaner() {
  uv_timer_stop(timer_);
  uv_close(reinterpret_cast<uv_handle_t*>(timer_),
           [](uv_handle_t* h) { delete reinterpret_cast<uv_timer_t*>(h); });
  // The round's completion callback needs this object: let it finish first.
  while (running_) uv_run(loop_, UV_RUN_ONCE);
}

void BackgroundCleaner::Start() {
  uint64_t every = static_cast<uint64_t>(interval_ms_);
  uv_timer_start(
      timer_, [](uv_timer_t* t) { static_cast<BackgroundCleaner*>(t->data)->BeginRound(); }, every,
      every);
}

void BackgroundCleaner::BeginRound() {
  if (running_) return;  // the last round is still going: skip this tick
  running_ = true;
  auto* round = new Round{.work = {},
                          .owner = this,
                          .log_dir = log_dir_,
                          .compact = compact_,
                          .partitions = 0,
                          .segments_deleted = 0,
                          .bytes_removed = 0,
                          .errors = {}};
  round->work.data = round;
  uv_queue_work(
      loop_, &round->work,
      [](uv_work_t* w) {
        auto* r = static_cast<Round*>(w->data);
        auto topics = r->log_dir.ListTopics();
        if (!topics.ok()) {
          r->errors.push_back(topics.status().ToString());
          return;
        }
        for (const std::string& name : *topics) {
          auto topic = r->log_dir.DescribeTopic(name);
          if (!topic.ok()) {
            r->errors.push_back(topic.status().ToString());
            continue;
          }
          if (!r->compact) topic->config.cleanup_compact = false;
          if (!topic->config.cleanup_delete && !topic->config.cleanup_compact) continue;
          for (int32_t p = 0; p < topic->partitions; ++p) {
            maint::CleanupReport report;
            Status s = maint::CleanPartition(r->log_dir, *topic, PartitionId(p), {}, &report);
            ++r->partitions;
            // Another cleaner (kq-compact) at work on it is not an error.
            if (!s.ok() && !s.IsBusy()) r->errors.push_back(s.ToString());
            if (report.retention) {
              r->segments_deleted += static_cast<int>(report.retention->doomed.size());
              r->bytes_removed += report.retention->bytes;
            }
            if (report.compaction &&
                report.compaction->bytes_before > report.compaction->bytes_after)
              r->bytes_removed += report.compaction->bytes_before - report.compaction->bytes_after;
          }
        }
      },
      [](uv_work_t* w, int) {
        std::unique_ptr<Round> r(static_cast<Round*>(w->data));
        BackgroundCleaner* self = r->owner;
        self->running_ = false;
        ++self->rounds_;
        for (const auto& e : r->errors)
          LogEvent(LogLevel::kError, "cleanup_failed", {{"error", e}});
        if (r->segments_deleted > 0 || r->bytes_removed > 0)
          LogEvent(LogLevel::kInfo, "cleanup",
                   {{"partitions", std::to_string(r->partitions)},
                    {"segments_deleted", std::to_string(r->segments_deleted)},
                    {"bytes_removed", std::to_string(r->bytes_removed)}});
      });
}

}  // namespace kq::server
