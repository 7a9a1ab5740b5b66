// Simulated power loss: a fault-injecting Env drops everything written since
// the last successful sync at random moments; after each cut the partition
// opens and every append acknowledged under the fsync policy (Append, then a
// successful Sync) is present exactly once with contiguous offsets.
#include <doctest/doctest.h>

#include <map>
#include <random>
#include <set>

#include <fmt/format.h>

#include "format/record_batch_builder.h"
#include "io/fault_env.h"
#include "log/partition.h"
#include "support/log_helpers.h"

using namespace kq;

namespace {

std::string Batch(std::mt19937& rng, int* next_id, int count) {
  format::RecordBatchBuilder builder;
  std::uniform_int_distribution<int> pad(0, 200);
  for (int i = 0; i < count; ++i) {
    const int id = (*next_id)++;
    builder.Add(1000 + id, std::nullopt, fmt::format("id{}:{}", id, std::string(pad(rng), 'p')));
  }
  return *builder.Finish();
}

int IdOf(const std::string& value) { return std::atoi(value.c_str() + 2); }

}  // namespace

TEST_CASE("power loss: every acknowledged append survives exactly once") {
  std::mt19937 rng(20261123);
  io::FaultEnv env;
  const std::string dir = "/data/crash-0";
  int next_id = 0;
  std::set<int> acked;
  int cuts = 0;
  for (int round = 0; round < 150; ++round) {
    auto options = kq::testing::SmallOptions(&env, 1 + rng() % 8192);
    options.recovery_point_interval_ms = (rng() % 2) ? 0 : 1'000'000;
    auto opened = log::Partition::Open(dir, options, log::OpenMode::kWrite);
    REQUIRE_MESSAGE(opened.ok(), opened.status().ToString());
    auto& p = **opened;
    std::set<int> pending;
    const int steps = 1 + static_cast<int>(rng() % 40);
    for (int step = 0; step < steps; ++step) {
      const int first = next_id;
      std::string b = Batch(rng, &next_id, 1 + static_cast<int>(rng() % 20));
      REQUIRE(p.Append(b).ok());
      for (int id = first; id < next_id; ++id) pending.insert(id);
      if (rng() % 3 == 0) {
        REQUIRE(p.Sync().ok());
        acked.insert(pending.begin(), pending.end());
        pending.clear();
      }
    }
    if (rng() % 5 == 0) {
      REQUIRE(p.Close().ok());
      acked.insert(pending.begin(), pending.end());
    }
    opened->reset();
    env.DropUnsyncedData();
    ++cuts;

    auto reopened = log::Partition::Open(dir, options, log::OpenMode::kWrite);
    REQUIRE_MESSAGE(reopened.ok(), reopened.status().ToString());
    auto all = kq::testing::ReadAll(**reopened);
    REQUIRE_MESSAGE(all.ok(), all.status().ToString());
    std::map<int, int> seen;
    for (size_t i = 0; i < all->size(); ++i) {
      REQUIRE((*all)[i].offset == static_cast<int64_t>(i));
      ++seen[IdOf((*all)[i].value)];
    }
    for (const auto& [id, count] : seen)
      REQUIRE_MESSAGE(count == 1, "id ", id, " seen ", count, " times");
    for (int id : acked)
      REQUIRE_MESSAGE(seen.count(id) == 1, "acknowledged id ", id, " lost in round ", round);
    // Survivors that were never acknowledged are now durable too: keep them
    // in the expected set so later rounds check them as well.
    for (const auto& [id, count] : seen) acked.insert(id);
  }
  CHECK(cuts == 150);
  CHECK(acked.size() > 100);
}

// The same rounds, but the power goes in the middle of the work (after a
// random mutating call: between a data write and its index write, between a
// checkpoint write and its sync, inside a roll) and the disk is left in one
// of the states FaultEnv::Crash allows: a prefix of the unsynced writes, the
// next one torn, zeroed or garbage, renames and creations kept or lost.
// Recovery must cut what is torn and keep every acknowledged record.
TEST_CASE(
    "power loss: a cut in the middle of appends, syncs and rolls keeps every acknowledged record") {
  std::mt19937 rng(20261129);
  io::FaultEnv env;
  const std::string dir = "/data/crash-1";
  int next_id = 0;
  std::set<int> acked;
  uint64_t truncated = 0;
  int cuts_mid_work = 0;
  for (int round = 0; round < 150; ++round) {
    CAPTURE(round);
    auto options = kq::testing::SmallOptions(&env, 1 + rng() % 8192);
    options.recovery_point_interval_ms = (rng() % 2) ? 0 : 1'000'000;
    auto opened = log::Partition::Open(dir, options, log::OpenMode::kWrite);
    REQUIRE_MESSAGE(opened.ok(), opened.status().ToString());
    truncated += (*opened)->recovery_report().bytes_truncated;
    auto& p = **opened;
    env.CrashAfter(rng() % 60);
    bool stopped = false;
    std::set<int> pending;
    const int steps = 1 + static_cast<int>(rng() % 40);
    for (int step = 0; step < steps && !stopped; ++step) {
      const int first = next_id;
      std::string b = Batch(rng, &next_id, 1 + static_cast<int>(rng() % 20));
      if (!p.Append(b).ok()) {
        stopped = true;
        break;
      }
      for (int id = first; id < next_id; ++id) pending.insert(id);
      if (rng() % 3 == 0) {
        if (!p.Sync().ok()) {
          stopped = true;
          break;
        }
        acked.insert(pending.begin(), pending.end());
        pending.clear();
      }
    }
    if (!stopped && rng() % 5 == 0 && p.Close().ok()) acked.insert(pending.begin(), pending.end());
    if (stopped) ++cuts_mid_work;
    opened->reset();
    const std::string state = env.Crash(rng());
    CAPTURE(state);

    auto reopened = log::Partition::Open(dir, options, log::OpenMode::kWrite);
    REQUIRE_MESSAGE(reopened.ok(), reopened.status().ToString());
    truncated += (*reopened)->recovery_report().bytes_truncated;
    auto all = kq::testing::ReadAll(**reopened);
    REQUIRE_MESSAGE(all.ok(), all.status().ToString());
    std::map<int, int> seen;
    for (size_t i = 0; i < all->size(); ++i) {
      REQUIRE((*all)[i].offset == static_cast<int64_t>(i));
      ++seen[IdOf((*all)[i].value)];
    }
    for (const auto& [id, count] : seen)
      REQUIRE_MESSAGE(count == 1, "id ", id, " seen ", count, " times");
    for (int id : acked)
      REQUIRE_MESSAGE(seen.count(id) == 1, "acknowledged id ", id, " lost in round ", round);
    for (const auto& [id, count] : seen) acked.insert(id);
  }
  MESSAGE(cuts_mid_work, " cuts in the middle of the work; recovery truncated ", truncated,
          " bytes");
  CHECK(cuts_mid_work > 50);
  CHECK(truncated > 0);
  CHECK(acked.size() > 100);
}
