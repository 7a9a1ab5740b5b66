// LogRecordSource: RecordSource (client/record_source.h) over a log
// directory. It is kq-consume's read loop without the printing: a Consumer
// delivers what is there; a follower then sleeps in FollowWatcher::Wait
// until a partition directory (or the topics' metadata, for partitions added
// meanwhile) changes, refreshes and reads again. With a group, a
// GroupSession owns the assignment and commits after each flush.
//
//   LogRecordSource source({.env = io::Env::Default(), .log_dir = dir});
//   KQ_RETURN_IF_ERROR(source.Read(request, {.sink = print, .flush = flush}));
//
// Policy kept here, so every front end follows the same way:
//   - a follower outside a group looks for partitions added to its topics at
//     most every 200 ms and reads them from their beginning (Kafka's
//     auto.offset.reset=earliest: all their records are newer than the start);
//   - a group member re-checks membership and commits every 500 ms while
//     following, so a dead member's partitions move within seconds;
//   - flush comes before every commit, and a failed flush commits nothing.
//
// Thread safety: as RecordSource. The Env must outlive the source.
#pragma once

#include <atomic>
#include <chrono>
#include <string>

#include "client/record_source.h"
#include "io/env.h"

namespace kq::log {
class FollowWatcher;
}

namespace kq::client {

struct LogRecordSourceOptions {
  io::Env* env = nullptr;  // required
  std::string log_dir;     // required; must exist
  // A follower re-checks the log at least this often without a file-system
  // event (file systems without inotify).
  std::chrono::milliseconds poll_interval{1000};
  // When >= 0 and following: Read returns BrokenPipe once the reader of this
  // pipe goes away (a follower writing to `| head -1` ends without waiting
  // for the next record).
  int hangup_fd = -1;
};

class LogRecordSource final : public RecordSource {
 public:
  explicit LogRecordSource(LogRecordSourceOptions options) : options_(std::move(options)) {}

  Status Read(const ReadRequest& request, const ReadCallbacks& callbacks) override;
  void Stop() override;

 private:
  class Run;

  LogRecordSourceOptions options_;
  std::atomic<bool> stop_{false};
  std::atomic<log::FollowWatcher*> watcher_{nullptr};  // while a follower waits
};

}  // namespace kq::client
