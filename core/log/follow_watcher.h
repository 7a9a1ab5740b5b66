// FollowWatcher: wakes a follower (kq-consume -F) when a partition directory
// changes, instead of a sleep loop (DESIGN.md, "Concurrency between
// processes"). Each watched directory gets a libuv uv_fs_event (inotify on
// Linux: appends to a segment, new segments, index writes); a repeating
// uv_timer is the fallback for file systems that do not deliver events
// (NFS, some containers). Either way the caller re-checks the log
// (Partition::Refresh) after every wake: a wake says "maybe", never "what".
//
//   KQ_ASSIGN_OR_RETURN(auto w, FollowWatcher::Create({}));
//   KQ_RETURN_IF_ERROR(w->Watch(partition_dir));
//   while (running) {
//     refresh and read everything available;
//     KQ_ASSIGN_OR_RETURN(WakeReason why, w->Wait(std::chrono::milliseconds(500)));
//   }
//
// No lost wakeups: a change that happens after Wait returned and before the
// next Wait makes that next Wait return at once, because inotify queues the
// event until the loop reads it.
//
// Thread safety: Watch/Unwatch/Wait from one thread. Interrupt() may be
// called from any thread and from a signal handler (uv_async_send is
// async-signal-safe).
//
// LoopFollowWatcher (below) is the same watching in callback form, on a loop
// the caller runs: a server waits on many partitions and its sockets at once.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "base/result.h"
#include "base/status.h"

struct uv_loop_s;  // uv_loop_t, from <uv.h>

namespace kq::log {

enum class WakeReason {
  kChanged,      // a watched directory changed
  kPoll,         // the fallback timer fired
  kTimeout,      // Wait's own timeout passed
  kInterrupted,  // Interrupt() was called
  kHangup,       // the descriptor given to WatchHangup was closed at the other end
};

struct FollowWatcherOptions {
  // The fallback poll: a wake at least this often while waiting.
  std::chrono::milliseconds poll_interval{1000};
};

class FollowWatcher {
 public:
  static Result<std::unique_ptr<FollowWatcher>> Create(const FollowWatcherOptions& options);
  virtual ~FollowWatcher() = default;

  // Starts watching `dir` (idempotent). IoError naming the directory when
  // the kernel refuses; the poll timer still covers it then, so callers may
  // treat that as a warning.
  virtual Status Watch(const std::string& dir) = 0;
  // Stops watching `dir` (no-op when not watched).
  virtual void Unwatch(const std::string& dir) = 0;

  // Also wakes the waiter when the reader of pipe `fd` goes away (a follower
  // writing to `| head -1` must exit without waiting for the next record).
  // NotSupported for descriptors that cannot be polled (regular files).
  virtual Status WatchHangup(int fd) = 0;

  // Blocks until a watched directory changes, the poll timer fires,
  // `timeout` passes or Interrupt() is called, whichever comes first. A change
  // or interrupt that arrived before the call returns at once.
  virtual Result<WakeReason> Wait(std::chrono::milliseconds timeout) = 0;

  // Makes the current or next Wait return kInterrupted. Async-signal-safe.
  virtual void Interrupt() = 0;
};

// Watches partition directories on the caller's libuv loop and calls back
// instead of blocking:
//
//   auto w = LoopFollowWatcher::Create(loop, {}, [&](const std::string& dir, WakeReason why) {
//     refresh the partition in `dir` and serve the fetches waiting on it;
//   });
//   w->Watch(dir_a); w->Watch(dir_b);   // as many as the server follows
//   uv_run(loop, UV_RUN_DEFAULT);
//
// on_wake(dir, kChanged) runs for a change in a watched directory; with a
// poll_interval above zero, on_wake(dir, kPoll) also runs for every watched
// directory each interval (the fallback for file systems without events).
// As with FollowWatcher, a wake says "maybe": re-check the log.
//
// Ownership and threads: `loop` must outlive the watcher. Create, Watch,
// Unwatch and destruction happen on the loop's thread (libuv handles are not
// thread-safe); on_wake runs there, inside uv_run. on_wake may call Watch and
// Unwatch, but must not destroy the watcher. The destructor closes its
// handles; libuv frees them on the loop's next turn, so run the loop at
// least once more before uv_loop_close (as for any closed handle).
class LoopFollowWatcher {
 public:
  using Callback = std::function<void(const std::string& dir, WakeReason why)>;

  static Result<std::unique_ptr<LoopFollowWatcher>> Create(uv_loop_s* loop,
                                                           const FollowWatcherOptions& options,
                                                           Callback on_wake);
  virtual ~LoopFollowWatcher() = default;

  // As FollowWatcher::Watch/Unwatch.
  virtual Status Watch(const std::string& dir) = 0;
  virtual void Unwatch(const std::string& dir) = 0;
  virtual size_t watched() const = 0;
};

}  // namespace kq::log
