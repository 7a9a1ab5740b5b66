// Whatever random damage a partition's files take, `kq-compact --repair
// --truncate-corrupt` must bring it back: afterwards it opens for writing,
// --verify finds nothing, and every record left is one that was written, at
// its offset. Repair may drop records (it says so); it must not invent or
// change any.
#include <doctest/doctest.h>

#include <fmt/format.h>

#include <map>
#include <random>

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

TEST_CASE("repair fuzz: any damage is repaired into a partition that opens, verifies and holds only written records") {
  std::mt19937 rng(5);
  int records_dropped = 0;
  for (int round = 0; round < kRounds; ++round) {
    io::MemEnv env;
    std::map<int64_t, std::string> written;  // offset -> value
    {
      auto w = log::Partition::Open(kDir, testing::MaintOptions(&env, kSegmentBytes), log::OpenMode::kWrite);
      REQUIRE(w.ok());
      const int batches = 5 + static_cast<int>(rng() % 30);
      testing::AppendRemembered(**w, batches, 5, "", &written);
      if (round % 2 == 0) REQUIRE((*w)->Close().ok());
    }
    const std::string what = testing::DamageRandomFiles(env, kDir, rng);
    CAPTURE(round);
    CAPTURE(what);

    maint::RepairOptions o;
    o.env = &env;
    o.topic = "t";
    o.truncate_corrupt = true;
    maint::RepairReport report;
    Status repaired = maint::RepairPartition(kDir, o, &report);
    REQUIRE_MESSAGE(repaired.ok(), repaired.ToString());

    maint::VerifyOptions vo;
    vo.env = &env;
    vo.topic = "t";
    maint::VerifyReport verified;
    std::string problems;
    REQUIRE(maint::VerifyPartition(kDir, vo, [&](const maint::VerifyProblem& p) {
      if (!p.note) problems += p.file + ": " + p.message + "\n";
    }, &verified).ok());
    CHECK_MESSAGE(problems.empty(), problems);

    auto p = log::Partition::Open(kDir, testing::MaintOptions(&env, kSegmentBytes), log::OpenMode::kWrite);
    REQUIRE_MESSAGE(p.ok(), p.status().ToString());
    auto all = testing::ReadAll(**p);
    REQUIRE_MESSAGE(all.ok(), all.status().ToString());
    for (const auto& r : *all) {
      auto it = written.find(r.offset);
      REQUIRE_MESSAGE(it != written.end(), "offset " << r.offset << " was never written");
      REQUIRE_MESSAGE(it->second == r.value, "offset " << r.offset << " reads back changed");
    }
    records_dropped += static_cast<int>(written.size() - all->size());
  }
  MESSAGE(records_dropped << " records dropped by repairs over " << kRounds << " rounds");
}

}  // namespace
}  // namespace kq
