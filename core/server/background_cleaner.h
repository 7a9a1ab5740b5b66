// BackgroundCleaner: retention and compaction inside kq-serve, the same code
// kq-compact runs (maint/cleanup.h), every log.retention.check.interval.ms.
// A round runs on libuv's thread pool, never on the loop: the loop keeps
// serving while segments are rewritten, and the log's own locks keep the
// cleaner and the server's appends apart (as with kq-compact beside a
// writer). Readers see the result through Partition::Refresh. One round at a
// time; log.cleaner.enable=false leaves compaction out (retention still
// runs, as in Kafka).
//
// Thread safety: Start and the destructor on the loop thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "log/log_dir.h"

struct uv_loop_s;
struct uv_timer_s;

namespace kq::server {

class BackgroundCleaner {
 public:
  BackgroundCleaner(uv_loop_s* loop, const log::LogDir& log_dir, int64_t interval_ms, bool compact);
  // Waits for a round in progress (it runs the loop until the round ends).
  ~BackgroundCleaner();

  void Start();
  // Rounds finished so far (tests and metrics).
  uint64_t rounds() const { return rounds_; }

 private:
  struct Round;
  void BeginRound();

  uv_loop_s* loop_;
  log::LogDir log_dir_;
  int64_t interval_ms_;
  bool compact_;
  uv_timer_s* timer_;
  bool running_ = false;
  uint64_t rounds_ = 0;
};

}  // namespace kq::server
