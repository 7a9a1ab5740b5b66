#include "server/flush_queue.h"

#include <uv.h>

#include "server/server_log.h"

namespace kq::server {
namespace {

template <typename Handle>
void CloseAndDelete(Handle* h) {
  uv_close(reinterpret_cast<uv_handle_t*>(h),
           [](uv_handle_t* handle) { delete reinterpret_cast<Handle*>(handle); });
}

struct IntervalTimer {
  FlushQueue::Key key;
  PartitionManager* partitions;
  std::map<FlushQueue::Key, uv_timer_t*>* timers;
};

}  // namespace

FlushQueue::FlushQueue(uv_loop_s* loop, PartitionManager* partitions)
    : loop_(loop), partitions_(partitions), check_(new uv_check_t), idle_(new uv_idle_t) {
  uv_check_init(loop_, check_);
  uv_idle_init(loop_, idle_);
  check_->data = this;
}

FlushQueue::~FlushQueue() {
  FlushNow();
  for (auto& [key, timer] : interval_timers_) {
    delete static_cast<IntervalTimer*>(timer->data);
    CloseAndDelete(timer);
  }
  CloseAndDelete(check_);
  CloseAndDelete(idle_);
}

void FlushQueue::AfterSync(const Key& partition, std::function<void(Status)> done) {
  if (pending_.empty()) {
    uv_check_start(check_, [](uv_check_t* c) { static_cast<FlushQueue*>(c->data)->RunPending(); });
    uv_idle_start(idle_, [](uv_idle_t*) {});
  }
  pending_[partition].push_back(std::move(done));
}

void FlushQueue::RunPending() {
  uv_check_stop(check_);
  uv_idle_stop(idle_);
  auto pending = std::move(pending_);
  pending_.clear();
  for (auto& [key, callbacks] : pending) {
    Status s;
    auto p = partitions_->Get(key.first, key.second);
    if (!p.ok()) {
      s = p.status();
    } else {
      s = (*p)->Sync();
    }
    if (!s.ok())
      LogEvent(LogLevel::kError, "sync_failed",
               {{"topic", key.first},
                {"partition", std::to_string(key.second)},
                {"error", s.ToString()}});
    for (auto& done : callbacks) done(s);
  }
}

void FlushQueue::FlushNow() {
  if (!pending_.empty()) RunPending();
}

void FlushQueue::SyncWithin(const Key& partition, int64_t interval_ms) {
  uv_timer_t*& timer = interval_timers_[partition];
  if (timer == nullptr) {
    timer = new uv_timer_t;
    uv_timer_init(loop_, timer);
    timer->data = new IntervalTimer{partition, partitions_, &interval_timers_};
  }
  if (uv_is_active(reinterpret_cast<uv_handle_t*>(timer))) return;
  uv_timer_start(
      timer,
      [](uv_timer_t* t) {
        auto* it = static_cast<IntervalTimer*>(t->data);
        auto p = it->partitions->Get(it->key.first, it->key.second);
        Status s = p.ok() ? (*p)->Sync() : p.status();
        if (!s.ok())
          LogEvent(LogLevel::kError, "sync_failed",
                   {{"topic", it->key.first},
                    {"partition", std::to_string(it->key.second)},
                    {"error", s.ToString()}});
      },
      static_cast<uint64_t>(interval_ms), 0);
}

}  // namespace kq::server
