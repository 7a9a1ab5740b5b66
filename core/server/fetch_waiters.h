// FetchWaiters: long-poll Fetch. A fetch that found less than min_bytes
// waits here until one of its partitions may have new data, or its
// max_wait_ms passes, whichever is first. New data is noticed two ways:
// appends through this server (Notify, at once) and appends by other
// processes on the directory (kq-produce -d: the LoopFollowWatcher's inotify
// events on the partition directories).
//
// A waiter's `retry` re-runs the fetch and returns true when it answered;
// `expire` answers with whatever there is. Either runs at most once, and the
// waiter is gone after.
//
// Thread safety: the loop thread only.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "base/result.h"
#include "log/follow_watcher.h"

struct uv_loop_s;
struct uv_timer_s;

namespace kq::server {

class FetchWaiters {
 public:
  static Result<std::unique_ptr<FetchWaiters>> Create(uv_loop_s* loop);
  ~FetchWaiters();

  void Park(const std::vector<std::string>& partition_dirs, int64_t max_wait_ms,
            std::function<bool()> retry, std::function<void()> expire);
  // Something was appended to the partition in `dir`.
  void Notify(const std::string& dir);
  // Answers every waiter now (shutdown).
  void ExpireAll();
  size_t waiting() const { return waiters_.size(); }

 private:
  struct Waiter;
  explicit FetchWaiters(uv_loop_s* loop);
  void Remove(uint64_t id);

  uv_loop_s* loop_;
  std::unique_ptr<log::LoopFollowWatcher> watcher_;
  uint64_t next_id_ = 1;
  std::map<uint64_t, std::unique_ptr<Waiter>> waiters_;
  std::map<std::string, std::set<uint64_t>> by_dir_;
};

}  // namespace kq::server
