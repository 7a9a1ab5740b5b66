// Partition behaviour after failures the disk or the process limits cause:
// a failed append whose reload fails too, and segment.ms after truncation.
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <string>

#include "io/fault_env.h"
#include "io/mem_env.h"
#include "log/partition.h"
#include "support/log_helpers.h"

using namespace kq;
using kq::testing::MakeBatch;
using kq::testing::SmallOptions;

namespace {

// A FaultEnv whose OpenRandomAccess can be made to fail as a process out of
// descriptors does (FaultEnv itself never fails opens for reading).
class NoDescriptorsEnv final : public io::Env {
 public:
  io::FaultEnv& fault() { return base_; }
  void FailOpens(bool on) { fail_opens_ = on; }

  Result<std::unique_ptr<io::RandomAccessFile>> OpenRandomAccess(const std::string& path) override {
    if (fail_opens_) return Status::IoError(path + ": Too many open files");
    return base_.OpenRandomAccess(path);
  }
  Result<std::unique_ptr<io::AppendableFile>> OpenAppendable(const std::string& path) override {
    return base_.OpenAppendable(path);
  }
  Result<std::unique_ptr<io::AppendableFile>> CreateTruncated(const std::string& path) override {
    return base_.CreateTruncated(path);
  }
  bool FileExists(const std::string& path) override { return base_.FileExists(path); }
  bool IsDirectory(const std::string& path) override { return base_.IsDirectory(path); }
  Result<uint64_t> FileSize(const std::string& path) override { return base_.FileSize(path); }
  Result<std::vector<std::string>> ListDir(const std::string& dir) override {
    return base_.ListDir(dir);
  }
  Status CreateDir(const std::string& dir) override { return base_.CreateDir(dir); }
  Status RemoveFile(const std::string& path) override { return base_.RemoveFile(path); }
  Status RemoveDir(const std::string& dir) override { return base_.RemoveDir(dir); }
  Status Rename(const std::string& from, const std::string& to) override {
    return base_.Rename(from, to);
  }
  Status TruncateFile(const std::string& path, uint64_t size) override {
    return base_.TruncateFile(path, size);
  }
  Status SyncDir(const std::string& dir) override { return base_.SyncDir(dir); }
  Result<std::unique_ptr<io::FileLock>> LockFile(const std::string& path,
                                                 io::LockWait wait) override {
    return base_.LockFile(path, wait);
  }
  int64_t NowMs() override { return base_.NowMs(); }

 private:
  io::FaultEnv base_;
  std::atomic<bool> fail_opens_{false};
};

}  // namespace

TEST_CASE(
    "partition: after a failed append whose reload fails, every call refuses with that error") {
  NoDescriptorsEnv env;
  auto opened = log::Partition::Open("/d/t-0", SmallOptions(&env), log::OpenMode::kWrite);
  REQUIRE(opened.ok());
  log::Partition& p = **opened;
  std::string b = MakeBatch("a", 3);
  REQUIRE(p.Append(b).ok());
  // The write fails, and so does re-reading the segments after it.
  env.fault().FailAfter(1);
  env.FailOpens(true);
  b = MakeBatch("b", 3);
  auto failed = p.Append(b);
  REQUIRE(!failed.ok());
  REQUIRE(p.broken().IsIoError());
  CHECK(p.broken().message().find("Too many open files") != std::string::npos);
  CHECK(p.broken().message().find("unusable after a failed write") != std::string::npos);
  // Descriptors are back, but this object no longer knows the log: it
  // refuses (the bug was a null dereference here).
  env.FailOpens(false);
  b = MakeBatch("c", 3);
  auto again = p.Append(b);
  REQUIRE(!again.ok());
  CHECK(again.status().ToString() == p.broken().ToString());
  std::vector<std::string> follower = {b};
  CHECK(p.AppendAsFollower(follower).status().ToString() == p.broken().ToString());
  CHECK(p.TruncateTo(Offset(1)).ToString() == p.broken().ToString());
  CHECK(p.AdvanceLogStart(Offset(1)).ToString() == p.broken().ToString());
  CHECK(p.Read(Offset(0), 100).status().ToString() == p.broken().ToString());
  CHECK(p.Locate(Offset(0), 100).status().ToString() == p.broken().ToString());
  CHECK(p.OffsetForTimestamp(0).status().ToString() == p.broken().ToString());
  CHECK(p.Sync().ToString() == p.broken().ToString());
  CHECK(p.Refresh().ToString() == p.broken().ToString());
  // A new object opens the log: the acknowledged batch is there, the failed
  // one is not, and appends go on.
  auto reopened = log::Partition::Open("/d/t-0", SmallOptions(&env), log::OpenMode::kWrite);
  REQUIRE_MESSAGE(reopened.ok(), reopened.status().ToString());
  CHECK((*reopened)->log_end_offset() == Offset(3));
  b = MakeBatch("d", 2);
  auto r = (*reopened)->Append(b);
  REQUIRE(r.ok());
  CHECK(r->first_offset == Offset(3));
}

TEST_CASE("partition: a failed append whose reload works leaves the partition usable") {
  NoDescriptorsEnv env;
  auto opened = log::Partition::Open("/d/t-0", SmallOptions(&env), log::OpenMode::kWrite);
  REQUIRE(opened.ok());
  log::Partition& p = **opened;
  std::string b = MakeBatch("a", 3);
  REQUIRE(p.Append(b).ok());
  env.fault().TearAppendAfter(1, 20);
  b = MakeBatch("b", 3);
  REQUIRE(!p.Append(b).ok());
  CHECK(p.broken().ok());
  b = MakeBatch("c", 2);
  auto r = p.Append(b);
  REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  CHECK(r->first_offset == Offset(3));
  auto all = kq::testing::ReadAll(p);
  REQUIRE(all.ok());
  REQUIRE(all->size() == 5);
  CHECK((*all)[3].value == "c0");
}

TEST_CASE(
    "partition: segment.ms counts from the first batch written after a truncation to the start") {
  io::MemEnv env;
  auto options = SmallOptions(&env, 1 << 20);
  options.segment_ms = 10'000;
  auto opened = log::Partition::Open("/d/t-0", options, log::OpenMode::kWrite);
  REQUIRE(opened.ok());
  log::Partition& p = **opened;
  std::string old = MakeBatch("old", 2, 1'000);
  REQUIRE(p.Append(old).ok());
  REQUIRE(p.TruncateTo(Offset(0)).ok());
  REQUIRE(p.log_end_offset() == Offset(0));
  // Two batches a second apart, both long after the truncated one: one
  // segment, not a roll measured from the batch that is gone.
  std::vector<std::string> fresh = {MakeBatch("x", 2, 100'000), MakeBatch("y", 2, 101'000)};
  REQUIRE(p.Append(fresh).ok());
  CHECK(p.Segments().size() == 1);
  // And a batch past segment.ms from the new first one does roll.
  std::string late = MakeBatch("z", 1, 111'000);
  REQUIRE(p.Append(late).ok());
  CHECK(p.Segments().size() == 2);
}

TEST_CASE(
    "partition: a sync after truncating and writing back to the same end still reaches the disk") {
  // Sync skips the fdatasync when nothing was written since the last one,
  // judged by the log end; a truncation followed by appends can bring the end
  // back to the same offset with other bytes behind it.
  io::FaultEnv env;
  REQUIRE(env.CreateDir("/d").ok());
  {
    auto opened =
        log::Partition::Open("/d/t-0", SmallOptions(&env, 1 << 20), log::OpenMode::kWrite);
    REQUIRE(opened.ok());
    log::Partition& p = **opened;
    std::string first = MakeBatch("first", 2), second = MakeBatch("second", 2);
    REQUIRE(p.Append(first).ok());
    REQUIRE(p.Append(second).ok());
    REQUIRE(p.Sync().ok());
    REQUIRE(p.TruncateTo(Offset(2)).ok());
    std::string again = MakeBatch("again", 2);
    REQUIRE(p.Append(again).ok());
    REQUIRE(p.log_end_offset() == Offset(4));
    REQUIRE(p.Sync().ok());  // acknowledges "again"
  }
  env.DropUnsyncedData();
  auto reopened =
      log::Partition::Open("/d/t-0", SmallOptions(&env, 1 << 20), log::OpenMode::kWrite);
  REQUIRE(reopened.ok());
  CHECK((*reopened)->log_end_offset() == Offset(4));
  auto records = kq::testing::ReadAll(**reopened);
  REQUIRE(records.ok());
  REQUIRE(records->size() == 4);
  CHECK((*records)[2].value == "again0");
  CHECK((*records)[3].value == "again1");
}

namespace {

// The mutating calls FaultEnv logged that are syncs (of a file or a directory).
std::vector<std::string> SyncCalls(io::FaultEnv& env) {
  std::vector<std::string> syncs;
  for (const std::string& op : env.OpLog()) {
    if (op.find(" fdatasync ") != std::string::npos || op.find(" fsync ") != std::string::npos)
      syncs.push_back(op);
  }
  return syncs;
}

}  // namespace

TEST_CASE("partition: the flush policy os syncs nothing when it creates a partition") {
  io::FaultEnv env;
  REQUIRE(env.CreateDir("/d").ok());
  log::PartitionOptions o = SmallOptions(&env);
  SUBCASE("os: no sync from open to close") {
    o.flush = log::FlushPolicy::Kind::kOs;
    auto p = log::Partition::Open("/d/t-0", o, log::OpenMode::kWrite);
    REQUIRE(p.ok());
    std::string batch = MakeBatch("v", 3);
    REQUIRE((*p)->Append(batch).ok());  // records epoch 0 in leader-epoch-checkpoint
    REQUIRE((*p)->Close(log::Partition::CloseSync::kNoSync).ok());
    const std::vector<std::string> syncs = SyncCalls(env);
    for (const std::string& s : syncs) MESSAGE("sync: ", s);
    CHECK(syncs.empty());
    auto epochs = env.ReadFileToString("/d/t-0/leader-epoch-checkpoint");
    REQUIRE(epochs.ok());
    CHECK(*epochs == "0\n1\n0 0\n");
  }
  SUBCASE("fsync: the directory and the leader-epoch-checkpoint are synced") {
    auto p = log::Partition::Open("/d/t-0", o, log::OpenMode::kWrite);
    REQUIRE(p.ok());
    std::string batch = MakeBatch("v", 3);
    REQUIRE((*p)->Append(batch).ok());
    const std::vector<std::string> syncs = SyncCalls(env);
    auto synced = [&](std::string_view what) {
      return std::any_of(syncs.begin(), syncs.end(),
                         [&](const std::string& s) { return s.find(what) != std::string::npos; });
    };
    CHECK(synced("fsync directory /d/t-0"));
    CHECK(synced("fdatasync /d/t-0/leader-epoch-checkpoint"));
  }
}

TEST_CASE("partition: under the flush policy os an unreadable leader-epoch-checkpoint is rebuilt") {
  io::MemEnv env;
  log::PartitionOptions o = SmallOptions(&env);
  o.leader_epoch = 4;
  {
    auto p = log::Partition::Open("/d/t-0", o, log::OpenMode::kWrite);
    REQUIRE(p.ok());
    for (int i = 0; i < 3; ++i) {
      std::string batch = MakeBatch("v", 2);
      REQUIRE((*p)->Append(batch).ok());
    }
    REQUIRE((*p)->Close().ok());
  }
  // A rename that reached the disk before the data it names.
  const std::string path = "/d/t-0/leader-epoch-checkpoint";
  REQUIRE(env.WriteFileAtomic(path, std::string(9, '\0')).ok());
  o.leader_epoch = -1;
  SUBCASE("fsync: refused, as damage") {
    auto p = log::Partition::Open("/d/t-0", o, log::OpenMode::kWrite);
    REQUIRE_FALSE(p.ok());
    CHECK(p.status().IsCorruption());
    CHECK(p.status().message().find(path) != std::string::npos);
  }
  SUBCASE("os: rebuilt from the batches' leader epochs") {
    o.flush = log::FlushPolicy::Kind::kOs;
    auto p = log::Partition::Open("/d/t-0", o, log::OpenMode::kWrite);
    REQUIRE_MESSAGE(p.ok(), p.status().ToString());
    CHECK((*p)->leader_epoch() == Epoch(4));
    CHECK(*env.ReadFileToString(path) == "0\n1\n4 0\n");
  }
}
