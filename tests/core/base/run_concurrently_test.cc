#include "base/run_concurrently.h"

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <string>
#include <thread>

using namespace kq;

TEST_CASE("RunConcurrently: every index runs exactly once, on up to max_threads threads") {
  for (size_t threads : {1u, 2u, 16u}) {
    CAPTURE(threads);
    std::vector<std::atomic<int>> runs(1000);
    std::mutex mu;
    std::set<std::thread::id> ids;
    Status s = RunConcurrently(runs.size(), threads, [&](size_t i) {
      runs[i].fetch_add(1);
      std::lock_guard<std::mutex> l(mu);
      ids.insert(std::this_thread::get_id());
      return Status::Ok();
    });
    CHECK(s.ok());
    for (auto& r : runs) CHECK(r.load() == 1);
    CHECK(ids.size() <= threads);
  }
}

TEST_CASE("RunConcurrently: waits overlap") {
  // 16 waits of 50 ms take about 50 ms together, not 800 ms one after another.
  const auto start = std::chrono::steady_clock::now();
  Status s = RunConcurrently(16, 16, [](size_t) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    return Status::Ok();
  });
  const auto took = std::chrono::steady_clock::now() - start;
  CHECK(s.ok());
  CHECK(took < std::chrono::milliseconds(600));
}

TEST_CASE("RunConcurrently: every call runs after a failure, and the lowest failing index wins") {
  std::atomic<int> calls{0};
  Status s = RunConcurrently(100, 8, [&](size_t i) {
    calls.fetch_add(1);
    if (i == 90) return Status::IoError("ninety");
    if (i == 7) return Status::IoError("seven");
    return Status::Ok();
  });
  CHECK(calls.load() == 100);
  CHECK(s.IsIoError());
  CHECK(s.message() == "seven");
}

TEST_CASE("RunConcurrently: nothing to do is OK") {
  CHECK(RunConcurrently(0, 4, [](size_t) { return Status::IoError("never"); }).ok());
}
