#include "log/partition_stats.h"

#include <doctest/doctest.h>

#include "io/mem_env.h"
#include "support/batch_builders.h"
#include "support/log_helpers.h"

using namespace kq;

namespace {
const std::string kDir = "/d/t-0";

std::unique_ptr<log::Partition> OpenWrite(io::Env* env, uint64_t segment_bytes = 4096) {
  auto p =
      log::Partition::Open(kDir, testing::SmallOptions(env, segment_bytes), log::OpenMode::kWrite);
  REQUIRE_MESSAGE(p.ok(), p.status().ToString());
  return std::move(*p);
}

void Append(log::Partition& p, std::string batch) {
  auto r = p.Append(batch);
  REQUIRE_MESSAGE(r.ok(), r.status().ToString());
}

log::PartitionStats Stats(io::Env* env, const log::Partition& p) {
  auto s = log::ComputePartitionStats(env, p);
  REQUIRE_MESSAGE(s.ok(), s.status().ToString());
  return *s;
}
}  // namespace

TEST_CASE("partition stats: an empty partition has no records and one empty segment") {
  io::MemEnv env;
  auto p = OpenWrite(&env);
  log::PartitionStats s = Stats(&env, *p);
  CHECK(s.records == 0);
  CHECK(s.bytes == 0);
  CHECK(s.segments == 1);
  CHECK(s.log_start_offset == Offset(0));
  CHECK(s.log_end_offset == Offset(0));
}

TEST_CASE("partition stats: records are summed over batches and segments") {
  io::MemEnv env;
  auto p = OpenWrite(&env, 1024);
  for (int i = 0; i < 40; ++i) Append(*p, testing::MakeBatch("v", 5));
  log::PartitionStats s = Stats(&env, *p);
  CHECK(s.records == 200);
  CHECK(s.log_end_offset == Offset(200));
  CHECK(s.segments > 1);
  CHECK(s.bytes == p->size_bytes());
}

TEST_CASE("partition stats: a compacted batch counts its records, not its offset span") {
  io::MemEnv env;
  auto p = OpenWrite(&env);
  // Offsets 0, 3 and 9 survive compaction; the batch spans ten offsets.
  format::RecordBatchBuilder::Options options;
  options.last_offset_delta = 9;
  Append(*p, testing::MakeBatch({{.offset_delta = 0, .value = "a"},
                                 {.offset_delta = 3, .value = "b"},
                                 {.offset_delta = 9, .value = "c"}},
                                options));
  log::PartitionStats s = Stats(&env, *p);
  CHECK(s.log_end_offset == Offset(10));
  CHECK(s.records == 3);
}

TEST_CASE("partition stats: a log start inside a batch counts only the records after it") {
  io::MemEnv env;
  auto p = OpenWrite(&env, 1 << 20);
  Append(*p, testing::MakeBatch("a", 10));                                        // 0..9
  Append(*p, testing::MakeSimpleBatch(0, 10, 1000, format::Compression::kZstd));  // 10..19
  Append(*p, testing::MakeBatch("c", 10));                                        // 20..29

  SUBCASE("in an uncompressed batch") {
    REQUIRE(p->AdvanceLogStart(Offset(4)).ok());
    CHECK(Stats(&env, *p).records == 26);
  }
  SUBCASE("in a compressed batch") {
    REQUIRE(p->AdvanceLogStart(Offset(17)).ok());
    CHECK(Stats(&env, *p).records == 13);
  }
  SUBCASE("on a batch boundary") {
    REQUIRE(p->AdvanceLogStart(Offset(20)).ok());
    CHECK(Stats(&env, *p).records == 10);
  }
  SUBCASE("at the log end") {
    REQUIRE(p->AdvanceLogStart(Offset(30)).ok());
    log::PartitionStats s = Stats(&env, *p);
    CHECK(s.records == 0);
    CHECK(s.log_start_offset == Offset(30));
  }
}

TEST_CASE("partition stats: a reader sees what another handle appended after Refresh") {
  io::MemEnv env;
  auto writer = OpenWrite(&env);
  auto reader = log::Partition::Open(kDir, testing::SmallOptions(&env), log::OpenMode::kRead);
  REQUIRE(reader.ok());
  Append(*writer, testing::MakeBatch("a", 7));
  REQUIRE((*reader)->Refresh().ok());
  CHECK(Stats(&env, **reader).records == 7);
}
