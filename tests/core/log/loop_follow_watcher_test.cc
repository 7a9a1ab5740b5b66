// LoopFollowWatcher: many partitions on one caller's libuv loop, woken by
// appends from another thread, each callback naming its directory.
#include <doctest/doctest.h>
#include <uv.h>

#include <chrono>
#include <map>
#include <set>
#include <string>
#include <thread>

#include <fmt/format.h>

#include "log/follow_watcher.h"
#include "log/partition.h"
#include "support/log_helpers.h"

using namespace kq;
using kq::testing::MakeBatch;
using kq::testing::SmallOptions;
using kq::testing::TempDir;
using std::chrono::milliseconds;

namespace {

// A loop with a deadline: uv_run returns when the test stops it or after
// `limit` (then *timed_out is set).
struct TestLoop {
  uv_loop_t loop{};
  uv_timer_t deadline{};
  bool timed_out = false;

  TestLoop() { REQUIRE(uv_loop_init(&loop) == 0); }
  void Run(milliseconds limit) {
    uv_timer_init(&loop, &deadline);
    deadline.data = this;
    uv_timer_start(
        &deadline,
        [](uv_timer_t* t) {
          auto* self = static_cast<TestLoop*>(t->data);
          self->timed_out = true;
          uv_stop(&self->loop);
        },
        static_cast<uint64_t>(limit.count()), 0);
    uv_run(&loop, UV_RUN_DEFAULT);
    uv_close(reinterpret_cast<uv_handle_t*>(&deadline), nullptr);
  }
  // Runs the close callbacks; every handle must be gone by then.
  void Close() {
    uv_run(&loop, UV_RUN_DEFAULT);
    CHECK(uv_loop_close(&loop) == 0);
  }
};

std::unique_ptr<log::Partition> OpenPartition(const std::string& dir, log::OpenMode mode) {
  auto p = log::Partition::Open(dir, SmallOptions(io::Env::Default()), mode);
  REQUIRE_MESSAGE(p.ok(), p.status().ToString());
  return std::move(*p);
}

}  // namespace

TEST_CASE(
    "loop follow watcher: appends from another thread wake the right partitions on one loop") {
  TempDir tmp;
  const int kPartitions = 4;
  std::vector<std::string> dirs;
  std::map<std::string, std::unique_ptr<log::Partition>> readers;
  for (int i = 0; i < kPartitions; ++i) {
    dirs.push_back(fmt::format("{}/t-{}", tmp.path(), i));
    OpenPartition(dirs.back(), log::OpenMode::kWrite);  // creates it
    readers[dirs.back()] = OpenPartition(dirs.back(), log::OpenMode::kRead);
  }
  TestLoop loop;
  std::map<std::string, int> changes;
  std::set<std::string> caught_up;  // partitions whose reader saw all 3 batches
  auto w = log::LoopFollowWatcher::Create(&loop.loop, {.poll_interval = milliseconds(0)},
                                          [&](const std::string& dir, log::WakeReason why) {
                                            CHECK(why == log::WakeReason::kChanged);
                                            ++changes[dir];
                                            auto& reader = *readers.at(dir);
                                            REQUIRE(reader.Refresh().ok());
                                            if (reader.log_end_offset() == Offset(6))
                                              caught_up.insert(dir);
                                            if (caught_up.size() == 2) uv_stop(&loop.loop);
                                          });
  REQUIRE(w.ok());
  for (const std::string& dir : dirs) REQUIRE((*w)->Watch(dir).ok());
  CHECK((*w)->watched() == kPartitions);
  // Partitions 1 and 3 get appends; 0 and 2 must stay quiet.
  std::thread writer([&] {
    std::this_thread::sleep_for(milliseconds(50));
    for (int i : {1, 3}) {
      auto p = OpenPartition(dirs[i], log::OpenMode::kWrite);
      for (int b = 0; b < 3; ++b) {
        std::string batch = MakeBatch(fmt::format("p{}-", i), 2);
        REQUIRE(p->Append(batch).ok());
        std::this_thread::sleep_for(milliseconds(10));
      }
    }
  });
  loop.Run(milliseconds(5000));
  writer.join();
  CHECK_FALSE(loop.timed_out);
  CHECK(caught_up == std::set<std::string>{dirs[1], dirs[3]});
  CHECK(changes.count(dirs[0]) == 0);
  CHECK(changes.count(dirs[2]) == 0);
  w->reset();
  loop.Close();
}

TEST_CASE(
    "loop follow watcher: the poll wakes every watched directory; unwatching inside a callback is "
    "safe") {
  TempDir tmp;
  const std::string a = tmp.path() + "/a", b = tmp.path() + "/b";
  REQUIRE(io::Env::Default()->CreateDir(a).ok());
  REQUIRE(io::Env::Default()->CreateDir(b).ok());
  TestLoop loop;
  std::map<std::string, int> polls;
  log::LoopFollowWatcher* self = nullptr;
  auto w = log::LoopFollowWatcher::Create(&loop.loop, {.poll_interval = milliseconds(10)},
                                          [&](const std::string& dir, log::WakeReason why) {
                                            REQUIRE(why == log::WakeReason::kPoll);
                                            if (++polls[dir] == 3 && dir == a) self->Unwatch(a);
                                            if (polls[b] == 8) uv_stop(&loop.loop);
                                          });
  REQUIRE(w.ok());
  self = w->get();
  REQUIRE((*w)->Watch(a).ok());
  REQUIRE((*w)->Watch(b).ok());
  REQUIRE((*w)->Watch(a).ok());  // idempotent
  loop.Run(milliseconds(5000));
  CHECK_FALSE(loop.timed_out);
  CHECK(polls[a] == 3);
  CHECK(polls[b] == 8);
  CHECK((*w)->watched() == 1);
  w->reset();
  loop.Close();
}

TEST_CASE("loop follow watcher: a directory that does not exist is an error naming it") {
  TestLoop loop;
  auto w =
      log::LoopFollowWatcher::Create(&loop.loop, {}, [](const std::string&, log::WakeReason) {});
  REQUIRE(w.ok());
  Status s = (*w)->Watch("/nonexistent/kq-dir");
  CHECK(s.IsIoError());
  CHECK(s.message().find("watch /nonexistent/kq-dir") != std::string::npos);
  CHECK((*w)->watched() == 0);
  CHECK_FALSE(
      log::LoopFollowWatcher::Create(nullptr, {}, [](const std::string&, log::WakeReason) {}).ok());
  w->reset();
  loop.Close();
}
