#include "server/fetch_waiters.h"

#include <uv.h>

namespace kq::server {

struct FetchWaiters::Waiter {
  uint64_t id = 0;
  FetchWaiters* owner = nullptr;
  std::vector<std::string> dirs;
  std::function<bool()> retry;
  std::function<void()> expire;
  uv_timer_t* timer = nullptr;
};

FetchWaiters::FetchWaiters(uv_loop_s* loop) : loop_(loop) {}

Result<std::unique_ptr<FetchWaiters>> FetchWaiters::Create(uv_loop_s* loop) {
  std::unique_ptr<FetchWaiters> w(new FetchWaiters(loop));
  log::FollowWatcherOptions options;
  FetchWaiters* raw = w.get();
  KQ_ASSIGN_OR_RETURN(
      w->watcher_,
      log::LoopFollowWatcher::Create(
          loop, options, [raw](const std::string& dir, log::WakeReason) { raw->Notify(dir); }));
  return w;
}

FetchWaiters::~FetchWaiters() { ExpireAll(); }

void FetchWaiters::Park(const std::vector<std::string>& partition_dirs, int64_t max_wait_ms,
                        std::function<bool()> retry, std::function<void()> expire) {
  auto waiter = std::make_unique<Waiter>();
  waiter->id = next_id_++;
  waiter->owner = this;
  waiter->dirs = partition_dirs;
  waiter->retry = std::move(retry);
  waiter->expire = std::move(expire);
  waiter->timer = new uv_timer_t;
  uv_timer_init(loop_, waiter->timer);
  waiter->timer->data = waiter.get();
  uv_timer_start(
      waiter->timer,
      [](uv_timer_t* t) {
        auto* w = static_cast<Waiter*>(t->data);
        auto expire = std::move(w->expire);
        w->owner->Remove(w->id);
        expire();
      },
      static_cast<uint64_t>(std::max<int64_t>(max_wait_ms, 0)), 0);
  for (const auto& dir : partition_dirs) {
    auto& ids = by_dir_[dir];
    // A watch failure leaves the poll timer and Notify: not fatal.
    if (ids.empty()) (void)watcher_->Watch(dir);
    ids.insert(waiter->id);
  }
  waiters_.emplace(waiter->id, std::move(waiter));
}

void FetchWaiters::Remove(uint64_t id) {
  auto it = waiters_.find(id);
  if (it == waiters_.end()) return;
  Waiter* w = it->second.get();
  for (const auto& dir : w->dirs) {
    auto d = by_dir_.find(dir);
    if (d == by_dir_.end()) continue;
    d->second.erase(id);
    if (d->second.empty()) {
      watcher_->Unwatch(dir);
      by_dir_.erase(d);
    }
  }
  uv_timer_stop(w->timer);
  w->timer->data = nullptr;
  uv_close(reinterpret_cast<uv_handle_t*>(w->timer),
           [](uv_handle_t* h) { delete reinterpret_cast<uv_timer_t*>(h); });
  waiters_.erase(it);
}

void FetchWaiters::Notify(const std::string& dir) {
  auto d = by_dir_.find(dir);
  if (d == by_dir_.end()) return;
  std::vector<uint64_t> ids(d->second.begin(), d->second.end());
  for (uint64_t id : ids) {
    auto it = waiters_.find(id);
    if (it == waiters_.end()) continue;
    // A retry that answered is done; one that found nothing new keeps waiting.
    auto retry = it->second->retry;
    if (retry()) {
      Remove(id);
    }
  }
}

void FetchWaiters::ExpireAll() {
  while (!waiters_.empty()) {
    auto it = waiters_.begin();
    auto expire = std::move(it->second->expire);
    Remove(it->first);
    expire();
  }
}

}  // namespace kq::server
