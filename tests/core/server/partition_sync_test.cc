// Partition's split sync (BeginSync, SyncJob::Run, FinishSync), which
// FlushQueue runs across the loop and the thread pool: what a job covers,
// and what FinishSync may record (partition.h).
#include <doctest/doctest.h>

#include <thread>

#include "io/fault_env.h"
#include "log/partition.h"
#include "support/batch_builders.h"
#include "support/log_helpers.h"

namespace kq::log {
namespace {

std::unique_ptr<Partition> OpenWrite(io::Env* env) {
  auto p = Partition::Open("/d/t-0", testing::SmallOptions(env, 1 << 20), OpenMode::kWrite);
  REQUIRE_MESSAGE(p.ok(), p.status().ToString());
  return std::move(*p);
}

void Append(Partition& p, int count) {
  std::string batch = testing::MakeSimpleBatch(0, count);
  REQUIRE(p.Append(batch).ok());
}

TEST_CASE("a sync job covers the log end at BeginSync, on another thread") {
  io::FaultEnv env;
  auto p = OpenWrite(&env);
  Append(*p, 10);
  auto job = p->BeginSync();
  REQUIRE(job.ok());
  REQUIRE(job->file != nullptr);
  CHECK(job->end == Offset(10));
  // Appends and even the object's end do not disturb the running job.
  Append(*p, 5);
  Status run;
  std::thread([&] { run = job->Run(); }).join();
  REQUIRE(run.ok());
  REQUIRE(p->FinishSync(*job).ok());
  // The 5 appended after BeginSync are not covered: the next job syncs.
  auto next = p->BeginSync();
  REQUIRE(next.ok());
  CHECK(next->file != nullptr);
  CHECK(next->end == Offset(15));
  REQUIRE(next->Run().ok());
  REQUIRE(p->FinishSync(*next).ok());
  auto none = p->BeginSync();
  REQUIRE(none.ok());
  CHECK(none->file == nullptr);  // nothing left to sync
  // A power cut keeps everything the jobs synced.
  p.reset();
  env.DropUnsyncedData();
  auto reopened = OpenWrite(&env);
  CHECK(reopened->log_end_offset() == Offset(15));
}

TEST_CASE("a failed sync job records nothing") {
  io::FaultEnv env;
  auto p = OpenWrite(&env);
  Append(*p, 3);
  auto job = p->BeginSync();
  REQUIRE(job.ok());
  env.FailAfter(1);
  CHECK_FALSE(job->Run().ok());
  // FlushQueue does not call FinishSync then: the next job syncs again.
  auto again = p->BeginSync();
  REQUIRE(again.ok());
  CHECK(again->file != nullptr);
  CHECK(again->end == Offset(3));
}

TEST_CASE("a job outlives its partition object; another object ignores it") {
  io::FaultEnv env;
  auto p = OpenWrite(&env);
  Append(*p, 4);
  auto job = p->BeginSync();
  REQUIRE(job.ok());
  REQUIRE(p->Close(Partition::CloseSync::kNoSync).ok());
  p.reset();
  REQUIRE(job->Run().ok());  // its own handle: the object is gone
  // The partition deleted and made again, to the same end with new bytes.
  REQUIRE(env.RemoveTree("/d/t-0").ok());
  auto reopened = OpenWrite(&env);
  Append(*reopened, 4);
  REQUIRE(reopened->FinishSync(*job).ok());
  // Not recorded by the new object: its own sync still has work to do.
  auto own = reopened->BeginSync();
  REQUIRE(own.ok());
  CHECK(own->file != nullptr);
}

TEST_CASE("a truncation during a sync job keeps its end from being recorded") {
  io::FaultEnv env;
  auto p = OpenWrite(&env);
  Append(*p, 10);
  auto job = p->BeginSync();
  REQUIRE(job.ok());
  REQUIRE(job->Run().ok());
  // Same end, other bytes, after the job began.
  REQUIRE(p->TruncateTo(Offset(0)).ok());
  Append(*p, 10);
  REQUIRE(p->FinishSync(*job).ok());
  auto next = p->BeginSync();
  REQUIRE(next.ok());
  CHECK(next->file != nullptr);
}

}  // namespace
}  // namespace kq::log
