// RecordBatchBuilder: header fields, overrides for compaction, reuse.
#include <doctest/doctest.h>

#include "format/record.h"
#include "format/record_batch.h"
#include "format/record_batch_builder.h"
#include "support/batch_builders.h"

namespace kq::format {
namespace {

BatchHeader HeaderOf(const std::string& batch) {
  REQUIRE(ValidateBatch(batch).ok());
  auto h = DecodeBatchHeader(batch);
  REQUIRE(h.ok());
  return *h;
}

std::string FinishOk(RecordBatchBuilder* b) {
  auto r = b->Finish();
  REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  return std::move(r).value();
}

TEST_CASE("builder: defaults are a producer's batch: no compression, no producer state") {
  RecordBatchBuilder b;
  CHECK(b.empty());
  b.Add(500, "a", "1");
  b.Add(400, std::nullopt, "2");
  b.Add(700, "c", std::nullopt);
  CHECK(b.record_count() == 3);
  CHECK(!b.empty());
  const size_t estimate = b.size_bytes();
  const std::string batch = FinishOk(&b);
  CHECK(batch.size() == estimate);
  const BatchHeader h = HeaderOf(batch);
  CHECK(h.base_offset == 0);
  CHECK(h.partition_leader_epoch == -1);
  CHECK(h.attributes == 0);
  CHECK(h.last_offset_delta == 2);
  CHECK(h.base_timestamp == 500);  // the first record's, not the smallest
  CHECK(h.max_timestamp == 700);
  CHECK(h.producer_id == -1);
  CHECK(h.producer_epoch == -1);
  CHECK(h.base_sequence == -1);
  CHECK(h.records_count == 3);
  const auto records = testing::DecodeBatch(batch);
  REQUIRE(records.size() == 3);
  CHECK(records[1].timestamp == 400);
  CHECK(!records[1].key.has_value());
  CHECK(!records[2].value.has_value());
}

TEST_CASE("builder: options set the header fields and attribute bits") {
  RecordBatchBuilder b({.compression = Compression::kZstd,
                        .base_offset = 77,
                        .partition_leader_epoch = 5,
                        .producer_id = 9001,
                        .producer_epoch = 3,
                        .base_sequence = 42,
                        .is_control = true,
                        .is_transactional = true});
  b.Add(1, std::string("\0\0\0\1", 4), std::string("\0\0\0\0\0\7", 6));
  const BatchHeader h = HeaderOf(FinishOk(&b));
  CHECK(h.base_offset == 77);
  CHECK(h.partition_leader_epoch == 5);
  CHECK(h.producer_id == 9001);
  CHECK(h.producer_epoch == 3);
  CHECK(h.base_sequence == 42);
  CHECK(h.compression() == Compression::kZstd);
  CHECK(h.is_control());
  CHECK(h.is_transactional());
  CHECK(!h.is_log_append_time());
  CHECK(!h.has_delete_horizon());
}

TEST_CASE("builder: a control batch decodes like any other batch") {
  RecordBatchBuilder b({.is_control = true, .is_transactional = true});
  b.Add(10, std::string("\0\0\0\1", 4), std::string("\0\0\0\0\0\0", 6));
  const auto records = testing::DecodeBatch(FinishOk(&b));
  REQUIRE(records.size() == 1);
  CHECK(records[0].key == std::string("\0\0\0\1", 4));
}

TEST_CASE("builder: LogAppendTime batches give every record the batch max timestamp") {
  RecordBatchBuilder b({.log_append_time = true});
  b.Add(100, "a", "1");
  b.Add(300, "b", "2");
  b.Add(200, "c", "3");
  const std::string batch = FinishOk(&b);
  CHECK(HeaderOf(batch).is_log_append_time());
  for (const auto& r : testing::DecodeBatch(batch)) CHECK(r.timestamp == 300);
}

TEST_CASE("builder: AddWithOffsetDelta keeps gaps and refuses deltas that do not increase") {
  RecordBatchBuilder b({.base_offset = 1000});
  REQUIRE(b.AddWithOffsetDelta(2, 10, "a", "1").ok());
  REQUIRE(b.AddWithOffsetDelta(7, 11, "b", "2").ok());
  CHECK(b.AddWithOffsetDelta(7, 12, "c", "3").IsInvalidArgument());
  CHECK(b.AddWithOffsetDelta(1, 12, "c", "3").IsInvalidArgument());
  CHECK(b.record_count() == 2);
  b.Add(13, "d", "4");  // continues after the last delta
  const std::string batch = FinishOk(&b);
  CHECK(HeaderOf(batch).last_offset_delta == 8);
  std::vector<int64_t> offsets;
  std::string scratch;
  REQUIRE(ForEachRecord(batch, &scratch, [&](const RecordView& r) {
            offsets.push_back(r.offset);
            return Status::Ok();
          }).ok());
  CHECK(offsets == std::vector<int64_t>{1002, 1007, 1008});
}

TEST_CASE("builder: a compactor keeps the original lastOffsetDelta") {
  RecordBatchBuilder b({.last_offset_delta = 9});
  REQUIRE(b.AddWithOffsetDelta(4, 10, "k", "v").ok());
  const BatchHeader h = HeaderOf(FinishOk(&b));
  CHECK(h.last_offset_delta == 9);
  CHECK(h.records_count == 1);
  CHECK(h.next_offset() == 10);

  RecordBatchBuilder low({.last_offset_delta = 3});
  REQUIRE(low.AddWithOffsetDelta(4, 10, "k", "v").ok());
  CHECK(low.Finish().status().IsInvalidArgument());
}

TEST_CASE("builder: a delete horizon becomes baseTimestamp and record times stay exact") {
  const int64_t horizon = 1'800'000'000'000;
  RecordBatchBuilder b({.base_timestamp = horizon, .delete_horizon = true});
  b.Add(1'700'000'000'000, "gone", std::nullopt);
  b.Add(1'700'000'000'500, "kept", "v");
  const std::string batch = FinishOk(&b);
  const BatchHeader h = HeaderOf(batch);
  CHECK(h.has_delete_horizon());
  CHECK(h.base_timestamp == horizon);
  CHECK(h.max_timestamp == 1'700'000'000'500);
  const auto records = testing::DecodeBatch(batch);
  REQUIRE(records.size() == 2);
  CHECK(records[0].timestamp == 1'700'000'000'000);
  CHECK(records[1].timestamp == 1'700'000'000'500);

  RecordBatchBuilder missing({.delete_horizon = true});
  missing.Add(1, "k", "v");
  CHECK(missing.Finish().status().IsInvalidArgument());
}

TEST_CASE("builder: an empty batch is valid and keeps an overridden lastOffsetDelta") {
  for (Compression c : {Compression::kNone, Compression::kGzip, Compression::kSnappy,
                        Compression::kLz4, Compression::kZstd}) {
    RecordBatchBuilder b(
        {.compression = c, .base_offset = 50, .last_offset_delta = 4, .base_timestamp = 123});
    const std::string batch = FinishOk(&b);
    const BatchHeader h = HeaderOf(batch);
    CHECK(h.records_count == 0);
    CHECK(h.last_offset_delta == 4);
    CHECK(h.base_timestamp == 123);
    CHECK(h.max_timestamp == 123);
    CHECK(testing::DecodeBatch(batch).empty());
  }
  RecordBatchBuilder plain;
  const BatchHeader h = HeaderOf(FinishOk(&plain));
  CHECK(h.last_offset_delta == 0);
  CHECK(h.base_timestamp == -1);
  CHECK(h.batch_length == kMinBatchLength);
}

TEST_CASE("builder: Finish resets the builder for the next batch; Reset drops records") {
  RecordBatchBuilder b({.base_offset = 10});
  b.Add(1, "a", "1");
  const std::string first = FinishOk(&b);
  CHECK(b.empty());
  CHECK(b.size_bytes() == kBatchHeaderSize);
  b.Add(2, "b", "2");
  const std::string second = FinishOk(&b);
  CHECK(HeaderOf(second).base_offset == 10);
  CHECK(HeaderOf(second).base_timestamp == 2);
  CHECK(HeaderOf(second).records_count == 1);

  b.Add(3, "c", "3");
  b.Reset({.base_offset = 20});
  CHECK(b.empty());
  b.Add(4, "d", "4");
  CHECK(HeaderOf(FinishOk(&b)).base_offset == 20);
}

TEST_CASE("builder: codec numbers Kafka does not define fail in Finish, naming the number") {
  RecordBatchBuilder b({.compression = static_cast<Compression>(5)});
  b.Add(1, "k", "v");
  const Status s = b.Finish().status();
  CHECK(s.IsCorruption());
  CHECK(s.message() ==
        "cannot build batch: batch has unknown compression codec 5 in its attributes");
}

TEST_CASE("builder: headers are kept in order with duplicates and null values") {
  RecordBatchBuilder b;
  const std::vector<HeaderView> headers = {
      {"h", "1"}, {"h", "2"}, {"", std::nullopt}, {"x", std::string_view()}};
  b.Add(1, "k", "v", headers);
  const auto records = testing::DecodeBatch(FinishOk(&b));
  REQUIRE(records.size() == 1);
  REQUIRE(records[0].headers.size() == 4);
  CHECK(records[0].headers[1].second == "2");
  CHECK(!records[0].headers[2].second.has_value());
  CHECK(records[0].headers[3].second == "");
}

}  // namespace
}  // namespace kq::format
