// LogRecordSource: kq-consume's read loop over a log directory — reading to
// the end, -c, following appends and added partitions, Stop, groups that
// resume where they committed, and no commit after a failed flush.
#include "client/log_record_source.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <functional>
#include <optional>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "io/env.h"
#include "log/log_dir.h"
#include "log/partition.h"
#include "support/log_helpers.h"

using namespace kq;
using namespace kq::client;
using std::chrono::milliseconds;

namespace {

// A log directory on disk (the follower's inotify watches real files).
class Fixture {
 public:
  Fixture() {
    auto dir = log::LogDir::Open(env(), tmp_.path(), true);
    REQUIRE(dir.ok());
    dir_.emplace(std::move(*dir));
  }
  io::Env* env() { return io::Env::Default(); }
  log::LogDir& dir() { return *dir_; }
  const std::string& path() const { return tmp_.path(); }

  void CreateTopic(const std::string& name, int partitions) {
    REQUIRE(dir_->CreateTopic(name, partitions, {}).ok());
  }
  // Appends one batch of `count` records with values "<prefix><i>".
  void Append(const std::string& topic, int32_t p, const std::string& prefix, int count) {
    log::PartitionOptions o;
    o.env = env();
    o.topic = topic;
    o.partition = PartitionId(p);
    auto part =
        log::Partition::Open(dir_->PartitionPath(topic, PartitionId(p)), o, log::OpenMode::kWrite);
    REQUIRE(part.ok());
    std::string batch = testing::MakeBatch(prefix, count);
    REQUIRE((*part)->Append(batch).ok());
  }
  LogRecordSource Source() {
    return LogRecordSource(
        {.env = env(), .log_dir = path(), .poll_interval = milliseconds(50), .hangup_fd = -1});
  }

 private:
  testing::TempDir tmp_;
  std::optional<log::LogDir> dir_;
};

// What a read delivered, safe to look at from another thread.
struct Collected {
  std::mutex mu;
  std::vector<std::string> values;
  int flushes = 0;

  size_t size() {
    std::lock_guard<std::mutex> l(mu);
    return values.size();
  }
  ReadCallbacks Callbacks() {
    ReadCallbacks cb;
    cb.sink = [this](const ConsumedRecord& r) {
      std::lock_guard<std::mutex> l(mu);
      values.push_back(r.record->value ? std::string(*r.record->value) : "<null>");
      return Status::Ok();
    };
    cb.flush = [this] {
      std::lock_guard<std::mutex> l(mu);
      ++flushes;
      return Status::Ok();
    };
    return cb;
  }
};

bool WaitFor(const std::function<bool()>& done, milliseconds limit = milliseconds(5000)) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(milliseconds(5));
  }
  return true;
}

ReadRequest Whole(const std::string& topic) {
  ReadRequest r;
  r.selections.push_back({topic, std::nullopt});
  return r;
}

}  // namespace

TEST_CASE("log record source: reads to the end as it was, flushing when caught up") {
  Fixture f;
  f.CreateTopic("t", 2);
  f.Append("t", 0, "a", 3);
  f.Append("t", 1, "b", 2);
  Collected got;
  LogRecordSource source = f.Source();
  REQUIRE(source.Read(Whole("t"), got.Callbacks()).ok());
  CHECK(got.values.size() == 5);
  CHECK(got.flushes >= 1);

  SUBCASE("max_records stops after N") {
    Collected two;
    ReadRequest r = Whole("t");
    r.selections = {{"t", 0}};
    r.max_records = 2;
    REQUIRE(f.Source().Read(r, two.Callbacks()).ok());
    CHECK(two.values == std::vector<std::string>{"a0", "a1"});
  }
  SUBCASE("a missing topic is NotFound and nothing is delivered") {
    Collected none;
    Status s = f.Source().Read(Whole("absent"), none.Callbacks());
    CHECK(s.IsNotFound());
    CHECK(none.values.empty());
  }
  SUBCASE("the sink's error stops the read and is returned") {
    ReadCallbacks cb;
    int calls = 0;
    cb.sink = [&](const ConsumedRecord&) {
      ++calls;
      return Status::BrokenPipe("broken pipe");
    };
    CHECK(f.Source().Read(Whole("t"), cb).IsBrokenPipe());
    CHECK(calls == 1);
  }
}

TEST_CASE("log record source: a follower gets appends and added partitions, and Stop ends it") {
  Fixture f;
  f.CreateTopic("t", 1);
  f.Append("t", 0, "old", 2);
  Collected got;
  LogRecordSource source = f.Source();
  ReadRequest r = Whole("t");
  r.follow = true;
  Status result = Status::Internal("not run");
  std::thread reader([&] { result = source.Read(r, got.Callbacks()); });
  REQUIRE(WaitFor([&] { return got.size() == 2; }));
  f.Append("t", 0, "new", 1);
  REQUIRE(WaitFor([&] { return got.size() == 3; }));
  // A partition added while following is read from its beginning.
  REQUIRE(f.dir().AddPartitions("t", 2).ok());
  f.Append("t", 1, "p1-", 2);
  CHECK(WaitFor([&] { return got.size() == 5; }));
  source.Stop();
  reader.join();
  CHECK(result.ok());
  std::lock_guard<std::mutex> l(got.mu);
  CHECK(got.values[2] == "new0");
  CHECK(std::count(got.values.begin(), got.values.end(), "p1-0") == 1);
}

TEST_CASE("log record source: Stop before a follower starts waiting still ends it") {
  Fixture f;
  f.CreateTopic("t", 1);
  LogRecordSource source = f.Source();
  source.Stop();
  ReadRequest r = Whole("t");
  r.follow = true;
  Collected got;
  auto start = std::chrono::steady_clock::now();
  CHECK(source.Read(r, got.Callbacks()).ok());
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(2));
}

TEST_CASE("log record source: a group resumes where it committed; a failed flush commits nothing") {
  Fixture f;
  f.CreateTopic("t", 1);
  f.Append("t", 0, "v", 6);
  ReadRequest r = Whole("t");
  r.group = "g";
  r.max_records = 2;
  Collected first;
  REQUIRE(f.Source().Read(r, first.Callbacks()).ok());
  CHECK(first.values == std::vector<std::string>{"v0", "v1"});

  // The output fails: what was delivered did not leave the caller, so it is
  // not committed and the next member reads it again.
  Collected failing;
  ReadCallbacks cb = failing.Callbacks();
  cb.flush = [&] { return failing.size() > 0 ? Status::IoError("disk full") : Status::Ok(); };
  CHECK(f.Source().Read(r, cb).IsIoError());
  CHECK(failing.values == std::vector<std::string>{"v2", "v3"});

  r.max_records.reset();
  Collected rest;
  REQUIRE(f.Source().Read(r, rest.Callbacks()).ok());
  CHECK(rest.values == std::vector<std::string>{"v2", "v3", "v4", "v5"});
  Collected none;
  REQUIRE(f.Source().Read(r, none.Callbacks()).ok());
  CHECK(none.values.empty());

  // Without a commit, a group starts where the request says.
  ReadRequest fresh = Whole("t");
  fresh.group = "other";
  fresh.start = StartPosition::FromEnd(1);
  Collected last;
  REQUIRE(f.Source().Read(fresh, last.Callbacks()).ok());
  CHECK(last.values == std::vector<std::string>{"v5"});
}
