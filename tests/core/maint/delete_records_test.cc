#include "maint/delete_records.h"

#include <doctest/doctest.h>

#include "io/mem_env.h"
#include "log/partition_stats.h"
#include "support/log_helpers.h"

namespace kq {
namespace {

using maint::DeleteBefore;

constexpr int64_t kFirstTs = 1'000'000;

// Topic "t" with two partitions; partition 0 holds ten batches of ten
// records (offsets 0..99), batch b stamped kFirstTs + b * 1000, three batches
// per segment; partition 1 is empty.
log::LogDir TenBatches(io::MemEnv* env) {
  auto dir = log::LogDir::Open(env, "/kq", true);
  REQUIRE(dir.ok());
  log::TopicConfig config;
  const uint64_t batch_size = testing::MakeBatch("b0-", 10).size();
  REQUIRE(config.Set("segment.bytes", std::to_string(3 * batch_size)).ok());
  REQUIRE(dir->CreateTopic("t", 2, config).ok());
  auto p = dir->OpenPartition("t", PartitionId(0), log::OpenMode::kWrite);
  REQUIRE(p.ok());
  for (int b = 0; b < 10; ++b) {
    std::string batch = testing::MakeBatch(fmt::format("b{}-", b), 10, kFirstTs + b * 1000);
    REQUIRE((*p)->Append(batch).ok());
  }
  REQUIRE((*p)->Segments().size() == 4);
  REQUIRE((*p)->Close().ok());
  return *dir;
}

// What a fresh reader of partition 0 sees.
struct View {
  Offset log_start;
  Offset log_end;
  uint64_t records = 0;
  size_t segments = 0;
  int64_t first_offset = -1;
};

View Look(const log::LogDir& dir) {
  auto p = dir.OpenPartition("t", PartitionId(0), log::OpenMode::kRead);
  REQUIRE(p.ok());
  auto stats = log::ComputePartitionStats(dir.env(), **p);
  REQUIRE(stats.ok());
  auto records = testing::ReadAll(**p);
  REQUIRE_MESSAGE(records.ok(), records.status().ToString());
  return {(*p)->log_start_offset(), (*p)->log_end_offset(), stats->records, (*p)->Segments().size(),
          records->empty() ? -1 : records->front().offset};
}

maint::DeleteRecordsResult DeleteOne(const log::LogDir& dir, DeleteBefore before,
                                     PartitionId partition = PartitionId(0)) {
  const maint::DeleteRecordsRequest request{"t", partition, before};
  auto results = maint::DeleteRecords(dir, std::span(&request, 1), {.count_records = true});
  REQUIRE(results.size() == 1);
  CHECK(results[0].topic == "t");
  CHECK(results[0].partition == partition);
  return results[0];
}

TEST_CASE("delete records: an offset inside a batch becomes the low watermark") {
  io::MemEnv env;
  log::LogDir dir = TenBatches(&env);
  const auto r = DeleteOne(dir, DeleteBefore::AtOffset(Offset(65)));
  REQUIRE_MESSAGE(r.status.ok(), r.status.ToString());
  CHECK(r.previous_low_watermark == Offset(0));
  CHECK(r.low_watermark == Offset(65));
  CHECK(r.high_watermark == Offset(100));
  CHECK(r.records_deleted == 65);
  const View v = Look(dir);
  CHECK(v.log_start == Offset(65));
  CHECK(v.records == 35);
  CHECK(v.first_offset == 65);
  // Segments [0, 30) and [30, 60) lie wholly below 65 and are gone.
  CHECK(v.segments == 2);
}

TEST_CASE("delete records: below the low watermark nothing changes; the log end is allowed") {
  io::MemEnv env;
  log::LogDir dir = TenBatches(&env);
  REQUIRE(DeleteOne(dir, DeleteBefore::AtOffset(Offset(40))).status.ok());
  const auto below = DeleteOne(dir, DeleteBefore::AtOffset(Offset(10)));
  REQUIRE(below.status.ok());
  CHECK(below.previous_low_watermark == Offset(40));
  CHECK(below.low_watermark == Offset(40));
  CHECK(below.records_deleted == 0);
  const auto all = DeleteOne(dir, DeleteBefore::AtOffset(Offset(100)));
  REQUIRE(all.status.ok());
  CHECK(all.low_watermark == Offset(100));
  CHECK(all.records_deleted == 60);
  const View v = Look(dir);
  CHECK(v.log_start == Offset(100));
  CHECK(v.log_end == Offset(100));
  CHECK(v.records == 0);
}

TEST_CASE("delete records: past the high watermark is OutOfRange and changes nothing") {
  io::MemEnv env;
  log::LogDir dir = TenBatches(&env);
  auto pending =
      maint::PrepareDeleteRecords(dir, {"t", PartitionId(0), DeleteBefore::AtOffset(Offset(101))});
  CHECK(pending.status().IsOutOfRange());
  CHECK(pending.status().message() == "partition t-0 ends at offset 100");
  const auto r = DeleteOne(dir, DeleteBefore::AtOffset(Offset(101)));
  CHECK(r.status.IsOutOfRange());
  CHECK(r.status.message() == "delete records before offset 101: partition t-0 ends at offset 100");
  const auto negative = DeleteOne(dir, DeleteBefore::AtOffset(Offset(-1)));
  CHECK(negative.status.IsInvalidArgument());
  CHECK(Look(dir).log_start == Offset(0));
  CHECK(Look(dir).records == 100);
}

TEST_CASE(
    "delete records: a time resolves through the time index to the first record at or after it") {
  io::MemEnv env;
  log::LogDir dir = TenBatches(&env);
  // Before every record: nothing goes.
  auto early = DeleteOne(dir, DeleteBefore::AtTime(kFirstTs - 1));
  REQUIRE(early.status.ok());
  CHECK(early.low_watermark == Offset(0));
  // Batch 4 is the first stamped at or after kFirstTs + 3500.
  auto mid = DeleteOne(dir, DeleteBefore::AtTime(kFirstTs + 3500));
  REQUIRE(mid.status.ok());
  CHECK(mid.low_watermark == Offset(40));
  CHECK(mid.records_deleted == 40);
  // Exactly batch 7's time: batch 7 stays.
  auto exact = DeleteOne(dir, DeleteBefore::AtTime(kFirstTs + 7000));
  REQUIRE(exact.status.ok());
  CHECK(exact.low_watermark == Offset(70));
  // After every record: everything goes.
  auto late = DeleteOne(dir, DeleteBefore::AtTime(kFirstTs + 60'000));
  REQUIRE(late.status.ok());
  CHECK(late.low_watermark == Offset(100));
  CHECK(Look(dir).records == 0);
}

TEST_CASE("delete records: keep the last N, or delete to the end") {
  io::MemEnv env;
  log::LogDir dir = TenBatches(&env);
  auto more = DeleteOne(dir, DeleteBefore::KeepLast(500));
  REQUIRE(more.status.ok());
  CHECK(more.low_watermark == Offset(0));
  auto keep = DeleteOne(dir, DeleteBefore::KeepLast(25));
  REQUIRE(keep.status.ok());
  CHECK(keep.low_watermark == Offset(75));
  CHECK(keep.records_deleted == 75);
  CHECK(Look(dir).records == 25);
  CHECK(DeleteOne(dir, DeleteBefore::KeepLast(-1)).status.IsInvalidArgument());
  auto end = DeleteOne(dir, DeleteBefore::End());
  REQUIRE(end.status.ok());
  CHECK(end.low_watermark == Offset(100));
  CHECK(end.records_deleted == 25);
  // On an empty partition the end is offset 0.
  auto empty = DeleteOne(dir, DeleteBefore::End(), PartitionId(1));
  REQUIRE(empty.status.ok());
  CHECK(empty.low_watermark == Offset(0));
}

TEST_CASE("delete records: one error per partition; the other partitions are done") {
  io::MemEnv env;
  log::LogDir dir = TenBatches(&env);
  const std::vector<maint::DeleteRecordsRequest> requests = {
      {"t", PartitionId(0), DeleteBefore::AtOffset(Offset(20))},
      {"t", PartitionId(2), DeleteBefore::AtOffset(Offset(0))},
      {"nope", PartitionId(0), DeleteBefore::End()},
      {"t", PartitionId(1), DeleteBefore::AtOffset(Offset(5))},
  };
  const auto results = maint::DeleteRecords(dir, requests);
  REQUIRE(results.size() == 4);
  CHECK(results[0].status.ok());
  CHECK(results[0].low_watermark == Offset(20));
  CHECK(results[0].records_deleted == 0);  // not asked to count
  CHECK(results[1].status.IsNotFound());
  CHECK(results[1].status.message() == "partition 2 of topic 't' does not exist (it has 2)");
  CHECK(results[2].topic == "nope");
  CHECK(results[2].status.IsNotFound());
  CHECK(results[2].status.message() == "topic 'nope' does not exist in /kq");
  CHECK(results[3].status.IsOutOfRange());
  CHECK(results[3].low_watermark == Offset(-1));
  CHECK(Look(dir).log_start == Offset(20));
  CHECK_FALSE(env.FileExists("/kq/t-2"));
}

TEST_CASE("delete records: preparing changes nothing until applied") {
  io::MemEnv env;
  log::LogDir dir = TenBatches(&env);
  auto pending = maint::PrepareDeleteRecords(
      dir, {"t", PartitionId(0), DeleteBefore::AtOffset(Offset(50))}, {.count_records = true});
  REQUIRE(pending.ok());
  CHECK(pending->new_log_start == Offset(50));
  CHECK(pending->records_before == 100);
  CHECK(Look(dir).log_start == Offset(0));
  CHECK(Look(dir).segments == 4);
  auto done = maint::ApplyDeleteRecords(*pending);
  REQUIRE(done.ok());
  CHECK(done->previous_low_watermark == Offset(0));
  CHECK(done->low_watermark == Offset(50));
  CHECK(done->records_deleted == 50);
  CHECK(Look(dir).log_start == Offset(50));
}

}  // namespace
}  // namespace kq
