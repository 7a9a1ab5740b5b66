#include "kq-sql/query_guard.h"

#include <pthread.h>
#include <signal.h>

#include <cerrno>
#include <chrono>
#include <ctime>

namespace kq::tools::sql {
namespace {

// SIGUSR1 only wakes the watcher when the query is over.
sigset_t GuardedSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGUSR1);
  return set;
}

}  // namespace

QueryGuard::QueryGuard(std::function<void()> stop, std::optional<int64_t> timeout_ms)
    : stop_(std::move(stop)) {
  sigset_t set = GuardedSignals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  watcher_ = std::thread([this, timeout_ms] { Watch(timeout_ms); });
}

QueryGuard::~QueryGuard() {
  done_ = true;
  pthread_kill(watcher_.native_handle(), SIGUSR1);
  watcher_.join();
  // A SIGUSR1 sent before the watcher waited may still be pending: take it.
  sigset_t usr1;
  sigemptyset(&usr1);
  sigaddset(&usr1, SIGUSR1);
  timespec zero{0, 0};
  while (sigtimedwait(&usr1, nullptr, &zero) == SIGUSR1) {
  }
  sigset_t set = GuardedSignals();
  pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
}

void QueryGuard::Watch(std::optional<int64_t> timeout_ms) {
  using Clock = std::chrono::steady_clock;
  const auto deadline =
      timeout_ms ? Clock::now() + std::chrono::milliseconds(*timeout_ms) : Clock::time_point::max();
  sigset_t set = GuardedSignals();
  while (!done_) {
    timespec wait{1, 0};
    if (timeout_ms) {
      auto left = std::chrono::duration_cast<std::chrono::nanoseconds>(deadline - Clock::now());
      if (left.count() <= 0) {
        reason_ = Reason::kTimeout;
        stop_();
        return;
      }
      wait.tv_sec = static_cast<time_t>(left.count() / 1000000000);
      wait.tv_nsec = static_cast<long>(left.count() % 1000000000);
    }
    const int sig = timeout_ms ? sigtimedwait(&set, nullptr, &wait) : sigwaitinfo(&set, nullptr);
    if (sig == SIGINT || sig == SIGTERM) {
      signal_ = sig;
      reason_ = Reason::kSignal;
      stop_();
      return;
    }
    // SIGUSR1 (done_), EAGAIN (the deadline: checked above) or EINTR: loop.
  }
}

}  // namespace kq::tools::sql
