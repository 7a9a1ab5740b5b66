#include "log/follow_watcher.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>

#include "io/env.h"
#include "support/log_helpers.h"

using namespace kq;
using namespace kq::log;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

namespace {

void AppendToFile(const std::string& path, std::string_view bytes) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  REQUIRE(fd >= 0);
  REQUIRE(::write(fd, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size()));
  ::close(fd);
}

std::unique_ptr<FollowWatcher> MakeWatcher(milliseconds poll = milliseconds(10000)) {
  auto w = FollowWatcher::Create({.poll_interval = poll});
  REQUIRE(w.ok());
  return std::move(*w);
}

}  // namespace

TEST_CASE("follow watcher: a write by another thread wakes the waiter within 100 ms") {
  testing::TempDir dir;
  auto w = MakeWatcher();
  REQUIRE(w->Watch(dir.path()).ok());
  const std::string file = dir.path() + "/00000000000000000000.log";
  for (int round = 0; round < 5; ++round) {
    Clock::time_point written;
    std::thread writer([&] {
      std::this_thread::sleep_for(milliseconds(30));
      written = Clock::now();
      AppendToFile(file, "x");
    });
    auto why = w->Wait(milliseconds(2000));
    const auto woke = Clock::now();
    writer.join();
    REQUIRE(why.ok());
    CHECK(*why == WakeReason::kChanged);
    CHECK(woke - written < milliseconds(100));
  }
}

TEST_CASE("follow watcher: a change before Wait is not lost") {
  testing::TempDir dir;
  auto w = MakeWatcher();
  REQUIRE(w->Watch(dir.path()).ok());
  AppendToFile(dir.path() + "/f", "x");
  const auto start = Clock::now();
  auto why = w->Wait(milliseconds(2000));
  REQUIRE(why.ok());
  CHECK(*why == WakeReason::kChanged);
  CHECK(Clock::now() - start < milliseconds(100));
}

TEST_CASE("follow watcher: timeout, poll fallback and interrupt") {
  testing::TempDir dir;
  SUBCASE("nothing happens: the timeout") {
    auto w = MakeWatcher();
    REQUIRE(w->Watch(dir.path()).ok());
    auto why = w->Wait(milliseconds(50));
    REQUIRE(why.ok());
    CHECK(*why == WakeReason::kTimeout);
  }
  SUBCASE("the fallback timer wakes the waiter without any event") {
    auto w = MakeWatcher(milliseconds(30));
    auto why = w->Wait(milliseconds(5000));
    REQUIRE(why.ok());
    CHECK(*why == WakeReason::kPoll);
  }
  SUBCASE("Interrupt from another thread") {
    auto w = MakeWatcher();
    std::thread t([&] {
      std::this_thread::sleep_for(milliseconds(20));
      w->Interrupt();
    });
    auto why = w->Wait(milliseconds(5000));
    t.join();
    REQUIRE(why.ok());
    CHECK(*why == WakeReason::kInterrupted);
  }
  SUBCASE("a missing directory is refused, naming it") {
    auto w = MakeWatcher();
    Status s = w->Watch(dir.path() + "/nope");
    CHECK(!s.ok());
    CHECK(s.message().find("nope") != std::string::npos);
  }
}

TEST_CASE("follow watcher: an unwatched directory no longer wakes the waiter") {
  testing::TempDir dir;
  auto w = MakeWatcher();
  REQUIRE(w->Watch(dir.path()).ok());
  w->Unwatch(dir.path());
  AppendToFile(dir.path() + "/f", "x");
  auto why = w->Wait(milliseconds(50));
  REQUIRE(why.ok());
  CHECK(*why == WakeReason::kTimeout);
}

TEST_CASE("follow watcher: the reader of a pipe going away wakes the waiter") {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  auto w = MakeWatcher();
  REQUIRE(w->WatchHangup(fds[1]).ok());
  auto idle = w->Wait(milliseconds(50));
  REQUIRE(idle.ok());
  CHECK(*idle == WakeReason::kTimeout);  // a writable pipe is not a wake
  std::thread t([&] {
    std::this_thread::sleep_for(milliseconds(20));
    ::close(fds[0]);
  });
  auto why = w->Wait(milliseconds(5000));
  t.join();
  REQUIRE(why.ok());
  CHECK(*why == WakeReason::kHangup);
  ::close(fds[1]);
}

TEST_CASE("follow watcher: watching a pipe for hang-up leaves its flags alone") {
  // The descriptor's file description is shared with the caller's shell and
  // pipeline: turning it non-blocking made writes to a slow reader fail.
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  const int before = ::fcntl(fds[1], F_GETFL);
  {
    auto w = MakeWatcher();
    REQUIRE(w->WatchHangup(fds[1]).ok());
    CHECK(::fcntl(fds[1], F_GETFL) == before);
    CHECK((::fcntl(fds[1], F_GETFL) & O_NONBLOCK) == 0);
  }
  CHECK(::fcntl(fds[1], F_GETFL) == before);
  ::close(fds[0]);
  ::close(fds[1]);
}

TEST_CASE("follow watcher: a regular file cannot be watched for hang-up") {
  testing::TempDir dir;
  const std::string path = io::JoinPath(dir.path(), "out");
  const int fd = ::open(path.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
  REQUIRE(fd >= 0);
  auto w = MakeWatcher();
  CHECK(w->WatchHangup(fd).code() == Status::Code::kNotSupported);
  ::close(fd);
}
