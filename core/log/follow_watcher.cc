#include "log/follow_watcher.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <map>
#include <vector>

#include <sys/epoll.h>
#include <unistd.h>

#include <fmt/format.h>
#include <uv.h>

namespace kq::log {
namespace {

Status UvError(std::string_view what, int rc) {
  return Status::IoError(fmt::format("{}: {}", what, uv_strerror(rc)));
}

class UvLoopFollowWatcher final : public LoopFollowWatcher {
 public:
  UvLoopFollowWatcher(uv_loop_t* loop, const FollowWatcherOptions& options, Callback on_wake)
      : loop_(loop), options_(options), on_wake_(std::move(on_wake)) {}

  ~UvLoopFollowWatcher() override {
    for (auto& [dir, watch] : watches_) Close(watch);
    watches_.clear();
    if (poll_timer_ != nullptr) {
      uv_close(reinterpret_cast<uv_handle_t*>(poll_timer_),
               [](uv_handle_t* h) { delete reinterpret_cast<uv_timer_t*>(h); });
    }
  }

  void Init() {
    if (options_.poll_interval.count() <= 0) return;
    poll_timer_ = new uv_timer_t;
    uv_timer_init(loop_, poll_timer_);
    poll_timer_->data = this;
    const auto interval = static_cast<uint64_t>(options_.poll_interval.count());
    uv_timer_start(
        poll_timer_,
        [](uv_timer_t* t) {
          auto* self = static_cast<UvLoopFollowWatcher*>(t->data);
          // A copy: on_wake may watch or unwatch directories.
          std::vector<std::string> dirs;
          for (const auto& [dir, watch] : self->watches_) dirs.push_back(dir);
          for (const std::string& dir : dirs) {
            if (self->watches_.count(dir) != 0) self->on_wake_(dir, WakeReason::kPoll);
          }
        },
        interval, interval);
  }

  Status Watch(const std::string& dir) override {
    if (watches_.count(dir) != 0) return Status::Ok();
    auto* watch = new DirWatch{{}, this, dir};
    uv_fs_event_init(loop_, &watch->handle);
    watch->handle.data = watch;
    int rc = uv_fs_event_start(
        &watch->handle,
        [](uv_fs_event_t* h, const char*, int, int) {
          auto* w = static_cast<DirWatch*>(h->data);
          w->owner->on_wake_(w->dir, WakeReason::kChanged);
        },
        dir.c_str(), 0);
    if (rc != 0) {
      Close(watch);
      return UvError(fmt::format("watch {}", dir), rc);
    }
    watches_[dir] = watch;
    return Status::Ok();
  }

  void Unwatch(const std::string& dir) override {
    auto it = watches_.find(dir);
    if (it == watches_.end()) return;
    Close(it->second);
    watches_.erase(it);
  }

  size_t watched() const override { return watches_.size(); }

 private:
  struct DirWatch {
    uv_fs_event_t handle;
    UvLoopFollowWatcher* owner;
    std::string dir;
  };

  // Freed by the loop once closed; no callback of it runs after this.
  static void Close(DirWatch* watch) {
    uv_close(reinterpret_cast<uv_handle_t*>(&watch->handle),
             [](uv_handle_t* h) { delete static_cast<DirWatch*>(h->data); });
  }

  uv_loop_t* loop_;
  FollowWatcherOptions options_;
  Callback on_wake_;
  std::map<std::string, DirWatch*> watches_;
  uv_timer_t* poll_timer_ = nullptr;
};

class UvFollowWatcher final : public FollowWatcher {
 public:
  explicit UvFollowWatcher(const FollowWatcherOptions& options) : options_(options) {}

  ~UvFollowWatcher() override {
    if (!initialized_) return;
    dirs_.reset();
    if (hangup_ != nullptr) Close(reinterpret_cast<uv_handle_t*>(hangup_));
    Close(reinterpret_cast<uv_handle_t*>(&poll_timer_));
    Close(reinterpret_cast<uv_handle_t*>(&wait_timer_));
    Close(reinterpret_cast<uv_handle_t*>(&async_));
    uv_run(&loop_, UV_RUN_DEFAULT);  // runs the close callbacks
    uv_loop_close(&loop_);
    if (hangup_set_ >= 0) ::close(hangup_set_);
  }

  Status Init() {
    if (int rc = uv_loop_init(&loop_); rc != 0) return UvError("uv_loop_init", rc);
    initialized_ = true;
    uv_timer_init(&loop_, &poll_timer_);
    uv_timer_init(&loop_, &wait_timer_);
    // The directories are watched by the callback form on our own loop; the
    // poll timer stays here (it must wake Wait even with nothing watched).
    dirs_ = std::make_unique<UvLoopFollowWatcher>(
        &loop_, FollowWatcherOptions{.poll_interval = std::chrono::milliseconds(0)},
        [this](const std::string&, WakeReason why) { Fire(why); });
    uv_async_init(&loop_, &async_, [](uv_async_t* a) {
      static_cast<UvFollowWatcher*>(a->data)->Fire(WakeReason::kInterrupted);
    });
    for (uv_handle_t* h :
         {reinterpret_cast<uv_handle_t*>(&poll_timer_),
          reinterpret_cast<uv_handle_t*>(&wait_timer_), reinterpret_cast<uv_handle_t*>(&async_)}) {
      h->data = this;
    }
    // The fallback: Wait returns at least this often, and the caller re-reads.
    const auto interval = static_cast<uint64_t>(options_.poll_interval.count());
    uv_timer_start(
        &poll_timer_,
        [](uv_timer_t* t) { static_cast<UvFollowWatcher*>(t->data)->Fire(WakeReason::kPoll); },
        interval, interval);
    return Status::Ok();
  }

  Status Watch(const std::string& dir) override { return dirs_->Watch(dir); }

  // libuv's uv_poll_init would make `fd` itself non-blocking, and that flag
  // belongs to the file description the caller shares with its shell and the
  // other programs of a pipeline: writes would then fail with EAGAIN whenever
  // the reader is slower, and a terminal would be left non-blocking after
  // exit. So `fd` goes into an epoll set of our own, which changes nothing
  // about it, and libuv polls that set.
  Status WatchHangup(int fd) override {
    if (hangup_ != nullptr) return Status::Ok();
    const int set = ::epoll_create1(EPOLL_CLOEXEC);
    if (set < 0) return Status::IoError(fmt::format("epoll_create1: {}", std::strerror(errno)));
    // No events asked: a pipe's write end is nearly always writable, and
    // EPOLLERR/EPOLLHUP (the reader closed) are reported whatever is asked.
    epoll_event event{};
    if (::epoll_ctl(set, EPOLL_CTL_ADD, fd, &event) != 0) {
      const int err = errno;  // EPERM for regular files: nothing to watch
      ::close(set);
      return Status::NotSupported(
          fmt::format("watch fd {} for hangup: {}", fd, std::strerror(err)));
    }
    auto* handle = new uv_poll_t;
    if (int rc = uv_poll_init(&loop_, handle, set); rc != 0) {
      delete handle;  // never registered with the loop
      ::close(set);
      return UvError(fmt::format("watch fd {} for hangup", fd), rc);
    }
    handle->data = this;
    int rc = uv_poll_start(handle, UV_READABLE, [](uv_poll_t* h, int, int) {
      auto* self = static_cast<UvFollowWatcher*>(h->data);
      uv_poll_stop(h);  // level-triggered: report it once
      self->Fire(WakeReason::kHangup);
    });
    if (rc != 0) {
      Close(reinterpret_cast<uv_handle_t*>(handle));
      ::close(set);
      return UvError(fmt::format("watch fd {} for hangup", fd), rc);
    }
    hangup_ = handle;
    hangup_set_ = set;
    return Status::Ok();
  }

  void Unwatch(const std::string& dir) override { dirs_->Unwatch(dir); }

  Result<WakeReason> Wait(std::chrono::milliseconds timeout) override {
    if (interrupted_.exchange(false)) return WakeReason::kInterrupted;
    woken_ = false;
    // Events already queued (inotify, a fired timer) are handled first.
    uv_run(&loop_, UV_RUN_NOWAIT);
    if (!woken_) {
      uv_timer_start(
          &wait_timer_,
          [](uv_timer_t* t) { static_cast<UvFollowWatcher*>(t->data)->Fire(WakeReason::kTimeout); },
          static_cast<uint64_t>(std::max<int64_t>(timeout.count(), 0)), 0);
      while (!woken_) uv_run(&loop_, UV_RUN_ONCE);
      uv_timer_stop(&wait_timer_);
    }
    if (interrupted_.exchange(false)) return WakeReason::kInterrupted;
    return reason_;
  }

  void Interrupt() override {
    interrupted_.store(true);
    uv_async_send(&async_);
  }

 private:
  void Fire(WakeReason why) {
    // A change outranks a timer that fired in the same loop turn.
    if (!woken_ || why == WakeReason::kChanged || why == WakeReason::kInterrupted ||
        why == WakeReason::kHangup) {
      reason_ = why;
    }
    woken_ = true;
  }

  static void Close(uv_handle_t* h) {
    if (uv_is_closing(h)) return;
    uv_close_cb cb = nullptr;
    if (h->type == UV_POLL) {
      cb = [](uv_handle_t* x) { delete reinterpret_cast<uv_poll_t*>(x); };
    }
    uv_close(h, cb);
  }

  FollowWatcherOptions options_;
  bool initialized_ = false;
  uv_loop_t loop_{};
  uv_timer_t poll_timer_{};
  uv_timer_t wait_timer_{};
  uv_async_t async_{};
  std::unique_ptr<UvLoopFollowWatcher> dirs_;
  uv_poll_t* hangup_ = nullptr;
  int hangup_set_ = -1;  // the epoll set WatchHangup's descriptor is in
  bool woken_ = false;
  WakeReason reason_ = WakeReason::kTimeout;
  std::atomic<bool> interrupted_{false};
};

}  // namespace

Result<std::unique_ptr<LoopFollowWatcher>> LoopFollowWatcher::Create(
    uv_loop_s* loop, const FollowWatcherOptions& options, Callback on_wake) {
  if (loop == nullptr) return Status::InvalidArgument("LoopFollowWatcher needs a loop");
  if (!on_wake) return Status::InvalidArgument("LoopFollowWatcher needs a callback");
  auto w = std::make_unique<UvLoopFollowWatcher>(loop, options, std::move(on_wake));
  w->Init();
  return std::unique_ptr<LoopFollowWatcher>(std::move(w));
}

Result<std::unique_ptr<FollowWatcher>> FollowWatcher::Create(const FollowWatcherOptions& options) {
  auto w = std::make_unique<UvFollowWatcher>(options);
  KQ_RETURN_IF_ERROR(w->Init());
  return std::unique_ptr<FollowWatcher>(std::move(w));
}

}  // namespace kq::log
