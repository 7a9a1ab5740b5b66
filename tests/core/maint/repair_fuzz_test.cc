// Whatever random damage a partition's files take, `kq-compact --repair
// --truncate-corrupt` must bring it back: afterwards it opens for writing,
// --verify finds nothing, and every record left is one that was written, at
// its offset. Repair may drop records (it says so), but only from the first
// damaged batch on (that batch, what follows it in its segment and the later
// segments): every record before the first damage is kept. It must not
// invent or change any.
#include <doctest/doctest.h>

#include <fmt/format.h>

#include <map>
#include <random>

#include "format/record_batch.h"
#include "io/mem_env.h"
#include "log/partition.h"
#include "maint/repair.h"
#include "maint/verifier.h"
#include "maint_test_util.h"
#include "support/damage.h"
#include "support/log_helpers.h"

namespace kq {
namespace {

const std::string kDir = "/kq/t-0";
constexpr uint64_t kSegmentBytes = 1500;
constexpr int kRounds = 300;

using Files = std::map<std::string, std::string>;  // .log name -> bytes

Files Logs(io::MemEnv& env) {
  Files logs;
  auto names = env.ListDir(kDir);
  REQUIRE(names.ok());
  for (const std::string& name : *names) {
    if (!name.ends_with(".log")) continue;
    auto bytes = env.ReadFileToString(kDir + "/" + name);
    REQUIRE(bytes.ok());
    logs[name] = *bytes;
  }
  return logs;
}

// The first offset repair may drop: the base offset of the first batch
// whose bytes the damage changed (or cut), in offset order; the end of the
// segment when only bytes past its last batch changed; INT64_MAX when no
// .log changed (damage to indexes or checkpoints costs no record).
int64_t FirstDamagedOffset(const Files& before, const Files& after) {
  for (const auto& [name, bytes] : before) {  // names sort in offset order
    auto it = after.find(name);
    const std::string now = it == after.end() ? std::string() : it->second;
    size_t diff = 0;
    while (diff < bytes.size() && diff < now.size() && bytes[diff] == now[diff]) ++diff;
    if (diff == bytes.size() && now.size() == bytes.size()) continue;  // unchanged
    int64_t next = std::stoll(name);
    for (size_t at = 0; at < bytes.size();) {
      const auto probe = format::ProbeFrame(std::string_view(bytes).substr(at));
      REQUIRE(probe.state == format::FrameState::kComplete);
      const auto h = format::DecodeBatchHeader(std::string_view(bytes).substr(at));
      REQUIRE(h.ok());
      if (diff < at + probe.size) return h->base_offset;
      next = h->next_offset();
      at += probe.size;
    }
    return next;  // only bytes past the last batch changed
  }
  return INT64_MAX;
}

TEST_CASE(
    "repair fuzz: any damage is repaired into a partition that opens, verifies and holds only "
    "written records") {
  std::mt19937 rng(5);
  int records_dropped = 0;
  for (int round = 0; round < kRounds; ++round) {
    io::MemEnv env;
    std::map<int64_t, std::string> written;  // offset -> value
    {
      auto w = log::Partition::Open(kDir, testing::MaintOptions(&env, kSegmentBytes),
                                    log::OpenMode::kWrite);
      REQUIRE(w.ok());
      const int batches = 5 + static_cast<int>(rng() % 30);
      testing::AppendRemembered(**w, batches, 5, "", &written);
      if (round % 2 == 0) REQUIRE((*w)->Close().ok());
    }
    const Files logs_before = Logs(env);
    const std::string what = testing::DamageRandomFiles(env, kDir, rng);
    const int64_t first_damaged = FirstDamagedOffset(logs_before, Logs(env));
    CAPTURE(round);
    CAPTURE(what);
    CAPTURE(first_damaged);

    maint::RepairOptions o;
    o.truncate_corrupt = true;
    maint::RepairReport report;
    Status repaired = maint::RepairPartition(testing::ParentLogDir(&env, kDir), testing::TopicT(),
                                             PartitionId(0), o, &report);
    REQUIRE_MESSAGE(repaired.ok(), repaired.ToString());

    maint::VerifyOptions vo;
    vo.env = &env;
    vo.topic = "t";
    maint::VerifyReport verified;
    std::string problems;
    REQUIRE(maint::VerifyPartition(
                kDir, vo,
                [&](const maint::VerifyProblem& p) {
                  if (!p.note) problems += p.file + ": " + p.message + "\n";
                },
                &verified)
                .ok());
    CHECK_MESSAGE(problems.empty(), problems);

    auto p = log::Partition::Open(kDir, testing::MaintOptions(&env, kSegmentBytes),
                                  log::OpenMode::kWrite);
    REQUIRE_MESSAGE(p.ok(), p.status().ToString());
    auto all = testing::ReadAll(**p);
    REQUIRE_MESSAGE(all.ok(), all.status().ToString());
    for (const auto& r : *all) {
      auto it = written.find(r.offset);
      REQUIRE_MESSAGE(it != written.end(), "offset " << r.offset << " was never written");
      REQUIRE_MESSAGE(it->second == r.value, "offset " << r.offset << " reads back changed");
    }
    // Nothing before the first damage was dropped.
    std::map<int64_t, std::string> kept;
    for (const auto& r : *all) kept[r.offset] = r.value;
    for (const auto& [offset, value] : written) {
      if (offset >= first_damaged) break;
      REQUIRE_MESSAGE(
          kept.count(offset),
          "offset " << offset << " dropped, before the first damage at offset " << first_damaged);
    }
    if (first_damaged == INT64_MAX) CHECK(all->size() == written.size());
    records_dropped += static_cast<int>(written.size() - all->size());
  }
  MESSAGE(records_dropped << " records dropped by repairs over " << kRounds << " rounds");
}

}  // namespace
}  // namespace kq
