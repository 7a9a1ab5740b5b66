// Power loss in the middle of kq-compact's work: compaction and its swap,
// retention and repair, crashed after every mutating call (crash_driver.h).
// For compaction the reader's view (the newest record of every key, its
// tombstone while within the horizon) must be exactly what it was before, in
// every crash state; for retention and repair the partition invariants of
// crash_checks.h hold.
#include <doctest/doctest.h>

#include <random>

#include "core/maint/maint_test_util.h"
#include "format/record_batch_builder.h"
#include "io/fault_env.h"
#include "log/partition.h"
#include "maint/compactor.h"
#include "maint/repair.h"
#include "maint/retention.h"
#include "support/crash_checks.h"
#include "support/crash_driver.h"
#include "support/log_helpers.h"

using namespace kq;
using kq::testing::CrashPoint;
using kq::testing::Ledger;
using kq::testing::RecMap;

namespace {

const std::string kDir = "/data/t-0";
constexpr uint64_t kSegmentBytes = 700;

// Keys updated at random, so that the newest value of each key may sit in
// any segment, the oldest included; some updates are tombstones, a few
// records have no key. The last segment stays active.
void WriteSpreadUpdates(io::Env* env) {
  REQUIRE(env->CreateDir("/data").ok());
  auto p =
      log::Partition::Open(kDir, testing::MaintOptions(env, kSegmentBytes), log::OpenMode::kWrite);
  REQUIRE(p.ok());
  std::mt19937 rng(11);
  int n = 0;
  for (int b = 0; b < 40; ++b) {
    format::RecordBatchBuilder builder;
    for (int i = 0; i < 4; ++i, ++n) {
      // Keys 0..29; low keys are rarely updated after the first batches.
      const int key = b < 8 ? n % 30 : static_cast<int>(8 + rng() % 22);
      const std::string k = fmt::format("key-{}", key);
      const std::string v = fmt::format("value-{}-{}", key, n);
      if (n % 53 == 52) {
        builder.Add(env->NowMs(), std::nullopt, "keyless");
      } else if (rng() % 9 == 0) {
        builder.Add(env->NowMs(), k, std::nullopt);  // a tombstone
      } else {
        builder.Add(env->NowMs(), k, v);
      }
    }
    std::string batch = *builder.Finish();
    REQUIRE((*p)->Append(batch).ok());
  }
  REQUIRE((*p)->Close().ok());
}

// The reader's view: key -> (offset, value), tombstones included.
std::map<std::string, std::pair<int64_t, std::optional<std::string>>> View(const RecMap& all) {
  std::map<std::string, std::pair<int64_t, std::optional<std::string>>> view;
  for (const auto& [offset, r] : all) {
    if (r.key) view[*r.key] = {offset, r.value};
  }
  return view;
}

// Cleans t-0 of `dir` as a topic with segments three times the written ones.
Status Compact(const log::LogDir& dir, maint::CompactStats* stats) {
  return maint::CompactPartition(dir,
                                 testing::TopicT(testing::CompactConfig(
                                     static_cast<int32_t>(kSegmentBytes * 3), 24LL * 3600 * 1000)),
                                 PartitionId(0), maint::CompactOptions{}, stats);
}

}  // namespace

TEST_CASE("crash: compaction and its swap keep the reader's view in every crash state") {
  // The view before, computed once on a plain copy of the same data.
  io::FaultEnv reference;
  WriteSpreadUpdates(&reference);
  const RecMap before_all = testing::ReadRecords(&reference, kDir, kSegmentBytes);
  const auto before = View(before_all);
  const int64_t end = before_all.rbegin()->first + 1;
  {
    // The data must be worth the test: newest values in many segments.
    auto p = log::Partition::Open(kDir, testing::MaintOptions(&reference, kSegmentBytes),
                                  log::OpenMode::kRead);
    REQUIRE(p.ok());
    std::set<int64_t> segments_with_newest;
    for (const auto& [key, at] : before) {
      for (const auto& s : (*p)->Segments()) {
        if (at.first >= s.base_offset.value() && at.first < s.next_offset.value()) {
          segments_with_newest.insert(s.base_offset.value());
        }
      }
    }
    REQUIRE((*p)->Segments().size() >= 8);
    CHECK(segments_with_newest.size() >= (*p)->Segments().size() - 3);
  }
  kq::testing::ForEachCrashState("compaction", [&](io::FaultEnv& env, CrashPoint& crash) {
    WriteSpreadUpdates(&env);
    const log::LogDir dir = testing::ParentLogDir(&env, kDir);
    crash.Arm(env);
    maint::CompactStats stats;
    (void)Compact(dir, &stats);
    crash.Cut(env);
    const RecMap after = testing::ReadRecords(&env, kDir, kSegmentBytes);
    REQUIRE(View(after) == before);
    REQUIRE(after.rbegin()->first + 1 == end);
    // The next run finishes the job from whatever the crash left.
    maint::CompactStats again;
    Status s = Compact(dir, &again);
    REQUIRE_MESSAGE(s.ok(), s.ToString());
    REQUIRE(View(testing::ReadRecords(&env, kDir, kSegmentBytes)) == before);
    kq::testing::CheckVerifies(&env, kDir, "t", /*expect_contiguous=*/false);
  });
}

TEST_CASE("crash: retention") {
  int64_t new_start = -1;  // the plan, from the counting run (the same every time)
  kq::testing::ForEachCrashState("retention", [&](io::FaultEnv& env, CrashPoint& crash) {
    Ledger ledger;
    const auto o = testing::MaintOptions(&env, 500);
    REQUIRE(env.CreateDir("/data").ok());
    {
      auto p = log::Partition::Open(kDir, o, log::OpenMode::kWrite);
      REQUIRE(p.ok());
      for (int b = 0; b < 12; ++b) {
        // The first half is a day old, the rest fresh.
        const int64_t ts = env.NowMs() - (b < 6 ? 24LL * 3600 * 1000 : 0);
        std::string batch = ledger.NextBatch(3, ts, 30);
        auto r = (*p)->Append(batch);
        REQUIRE(r.ok());
        ledger.Written(r->first_offset.value());
      }
      REQUIRE((*p)->Close().ok());
      ledger.AckAll();
    }
    log::TopicConfig config;
    REQUIRE(config.Set("retention.ms", "3600000").ok());
    int64_t planned = -1;
    bool acked = false;
    crash.Arm(env);
    {
      auto p = log::Partition::Open(kDir, o, log::OpenMode::kWrite);
      if (p.ok()) {
        const maint::RetentionPlan plan =
            maint::PlanRetention((*p)->Segments(), config, env.NowMs());
        planned = plan.new_log_start.value();
        acked = maint::ApplyRetention(**p, plan).ok();
      }
    }
    crash.Cut(env);
    if (crash.counting()) new_start = planned;
    REQUIRE(new_start > 0);
    if (planned >= 0) REQUIRE(planned == new_start);
    ledger.RevokeBelow(new_start);
    kq::testing::CheckPartitionAfterCrash(env, kDir, o, ledger, {acked ? new_start : 0, new_start});
  });
}

// Repair's cut must make the removal of the later segments durable before
// it shortens the damaged one: a power cut that kept the truncation and lost
// the unlinks would bring the later segments back behind a gap in the
// offsets that the next repair does not see as damage (step 11 once said
// "offsets not contiguous: 12 where 9 was due").
TEST_CASE("crash: repair of a corrupt batch and a torn tail") {
  kq::testing::ForEachCrashState("repair", [&](io::FaultEnv& env, CrashPoint& crash) {
    Ledger ledger;
    const auto o = testing::MaintOptions(&env, 500);
    REQUIRE(env.CreateDir("/data").ok());
    {
      auto p = log::Partition::Open(kDir, o, log::OpenMode::kWrite);
      REQUIRE(p.ok());
      for (int b = 0; b < 12; ++b) {
        std::string batch = ledger.NextBatch(3, 1000 + b, 30);
        auto r = (*p)->Append(batch);
        REQUIRE(r.ok());
        ledger.Written(r->first_offset.value());
      }
      REQUIRE((*p)->Close().ok());
      ledger.AckAll();
    }
    // A bit flipped in the second batch of the second segment (inside the
    // CRC's range), and half a batch after the end, both durable.
    auto segments = env.ListDir(kDir);
    REQUIRE(segments.ok());
    std::vector<std::string> logs;
    for (const auto& name : *segments) {
      if (name.ends_with(".log")) logs.push_back(name);
    }
    std::sort(logs.begin(), logs.end());
    REQUIRE(logs.size() >= 3);
    const std::string damaged = kDir + "/" + logs[1];
    const int64_t damaged_base = std::stoll(logs[1]);
    auto bytes = env.ReadFileToString(damaged);
    REQUIRE(bytes.ok());
    const auto first = format::ProbeFrame(*bytes);
    REQUIRE(first.state == format::FrameState::kComplete);
    REQUIRE(bytes->size() > first.size + 100);
    (*bytes)[first.size + 80] ^= 0x10;
    REQUIRE(env.WriteFileAtomic(damaged, *bytes).ok());
    const std::string half = ledger.NextBatch(3, 5000, 30);
    {
      auto f = env.OpenAppendable(kDir + "/" + logs.back());
      REQUIRE(f.ok());
      REQUIRE((*f)->Append(half.substr(0, half.size() / 2)).ok());
      REQUIRE((*f)->Sync().ok());
    }
    // What repair may drop: the damaged batch and everything after it.
    const int64_t cut_from = damaged_base + 3;
    ledger.Revoke(cut_from);
    maint::RepairOptions ro;
    ro.truncate_corrupt = true;
    log::TopicConfig config;
    REQUIRE(config.Set("index.interval.bytes", std::to_string(o.index_interval_bytes)).ok());
    const log::TopicInfo topic = testing::TopicT(config);
    const log::LogDir dir = testing::ParentLogDir(&env, kDir);
    crash.Arm(env);
    maint::RepairReport report;
    const bool acked = maint::RepairPartition(dir, topic, PartitionId(0), ro, &report).ok();
    crash.Cut(env);
    if (crash.counting()) {
      REQUIRE(acked);
      CHECK(report.cut_from_offset == cut_from);
    }
    // Whatever the crash left, repair runs again and gets the same result.
    maint::RepairReport again;
    Status s = maint::RepairPartition(dir, topic, PartitionId(0), ro, &again);
    REQUIRE_MESSAGE(s.ok(), s.ToString());
    ledger.Forbid(cut_from);
    kq::testing::CheckPartitionAfterCrash(env, kDir, o, ledger);
    // And it dropped nothing below the damage.
    auto p = log::Partition::Open(kDir, o, log::OpenMode::kRead);
    REQUIRE(p.ok());
    CHECK((*p)->log_end_offset().value() == cut_from + 1);  // plus the check's own append
  });
}
