// Random damage to any file of a partition (a log segment, an index, a
// checkpoint): opening for reading or writing and reading everything back
// must never crash or hang, and every record delivered must be one that was
// written, at its offset. Failing with a clear error is always allowed.
// (support/damage.h says which damage no format can detect; offsets that go
// backwards or leave their segment's range are caught.)
#include <doctest/doctest.h>

#include <fmt/format.h>

#include <map>
#include <random>

#include "io/mem_env.h"
#include "log/partition.h"
#include "support/damage.h"
#include "support/log_helpers.h"

namespace kq {
namespace {

const std::string kDir = "/d/t-0";

log::PartitionOptions Options(io::Env* env) {
  log::PartitionOptions o = testing::SmallOptions(env, 1024);
  o.index_interval_bytes = 128;
  return o;
}

TEST_CASE("damage fuzz: open and read never crash and never deliver records that were not written") {
  std::mt19937 rng(20261123);
  int opened = 0, refused = 0, read_failed = 0;
  for (int round = 0; round < 1000; ++round) {
    io::MemEnv env;
    std::map<int64_t, std::string> written;  // offset -> value
    {
      auto w = log::Partition::Open(kDir, Options(&env), log::OpenMode::kWrite);
      REQUIRE(w.ok());
      const int batches = 5 + static_cast<int>(rng() % 20);
      testing::AppendRemembered(**w, batches, 3, fmt::format("r{}-", round), &written);
      // Half the rounds close (the recovery point is the log end), half
      // leave it behind, as a crash would.
      if (round % 2 == 0) REQUIRE((*w)->Close().ok());
    }
    const std::string what = testing::DamageRandomFiles(env, kDir, rng);
    CAPTURE(round);
    CAPTURE(what);
    for (log::OpenMode mode : {log::OpenMode::kRead, log::OpenMode::kWrite}) {
      auto p = log::Partition::Open(kDir, Options(&env), mode);
      if (!p.ok()) {
        CHECK_FALSE(p.status().message().empty());
        ++refused;
        continue;
      }
      ++opened;
      auto all = testing::ReadAll(**p);
      if (!all.ok()) {
        CHECK_FALSE(all.status().message().empty());
        ++read_failed;
        continue;
      }
      for (const auto& r : *all) {
        auto it = written.find(r.offset);
        REQUIRE_MESSAGE(it != written.end(), "offset " << r.offset << " was never written");
        REQUIRE_MESSAGE(it->second == r.value, "offset " << r.offset << " reads back changed");
      }
    }
  }
  MESSAGE(opened << " opened, " << refused << " refused, " << read_failed << " failed reads");
}

}  // namespace
}  // namespace kq
