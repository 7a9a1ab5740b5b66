// RecordBatch v2 against bytes a real Kafka client (librdkafka 2.0.2) sent.
#include <doctest/doctest.h>

#include "format/compression.h"
#include "format/record.h"
#include "format/record_batch.h"
#include "format/record_batch_builder.h"
#include "support/batch_builders.h"
#include "support/golden.h"

namespace kq::format {
namespace {

std::vector<testing::GoldenBatch> Golden() {
  auto batches = testing::LoadGoldenBatches();
  REQUIRE_MESSAGE(batches.ok(), batches.status().ToString());
  REQUIRE(batches->size() >= 5);
  return std::move(batches).value();
}

std::optional<std::string_view> View(const std::optional<std::string>& s) {
  return s ? std::optional<std::string_view>(*s) : std::nullopt;
}

void CheckHeader(const BatchHeader& got, const BatchHeader& want) {
  CHECK(got.base_offset == want.base_offset);
  CHECK(got.batch_length == want.batch_length);
  CHECK(got.partition_leader_epoch == want.partition_leader_epoch);
  CHECK(got.magic == want.magic);
  CHECK(got.crc == want.crc);
  CHECK(got.attributes == want.attributes);
  CHECK(got.last_offset_delta == want.last_offset_delta);
  CHECK(got.base_timestamp == want.base_timestamp);
  CHECK(got.max_timestamp == want.max_timestamp);
  CHECK(got.producer_id == want.producer_id);
  CHECK(got.producer_epoch == want.producer_epoch);
  CHECK(got.base_sequence == want.base_sequence);
  CHECK(got.records_count == want.records_count);
}

TEST_CASE("golden: every librdkafka batch validates and decodes to its listed records") {
  for (const testing::GoldenBatch& g : Golden()) {
    CAPTURE(g.name);
    REQUIRE(ValidateBatch(g.bytes).ok());
    auto h = DecodeBatchHeader(g.bytes);
    REQUIRE(h.ok());
    CheckHeader(*h, g.header);

    size_t i = 0;
    std::string scratch;
    const Status s = ForEachRecord(g.bytes, &scratch, [&](const RecordView& r) {
      REQUIRE(i < g.records.size());
      const testing::GoldenRecord& want = g.records[i];
      CAPTURE(i);
      CHECK(r.offset_delta == want.offset_delta);
      CHECK(r.offset == g.header.base_offset + want.offset_delta);
      CHECK(r.timestamp == want.timestamp);
      CHECK(r.key == View(want.key));
      CHECK(r.value == View(want.value));
      REQUIRE(r.headers.size() == want.headers.size());
      for (size_t k = 0; k < want.headers.size(); ++k) {
        CHECK(r.headers[k].key == want.headers[k].key);
        CHECK(r.headers[k].value == View(want.headers[k].value));
      }
      ++i;
      return Status::Ok();
    });
    REQUIRE_MESSAGE(s.ok(), s.ToString());
    CHECK(i == g.records.size());
  }
}

TEST_CASE("golden: uncompressed librdkafka batches are rebuilt byte for byte") {
  int rebuilt = 0;
  for (const testing::GoldenBatch& g : Golden()) {
    if (g.header.compression() != Compression::kNone) continue;
    CAPTURE(g.name);
    RecordBatchBuilder builder({.base_offset = g.header.base_offset,
                                .partition_leader_epoch = g.header.partition_leader_epoch,
                                .producer_id = g.header.producer_id,
                                .producer_epoch = g.header.producer_epoch,
                                .base_sequence = g.header.base_sequence});
    std::vector<HeaderView> headers;
    for (const testing::GoldenRecord& r : g.records) {
      headers.clear();
      for (const auto& h : r.headers) headers.push_back({h.key, View(h.value)});
      builder.Add(r.timestamp, View(r.key), View(r.value), headers);
    }
    auto batch = builder.Finish();
    REQUIRE(batch.ok());
    CHECK(testing::HexEncode(*batch) == testing::HexEncode(g.bytes));
    ++rebuilt;
  }
  CHECK(rebuilt >= 4);
}

TEST_CASE("golden: the zstd batch is one zstd frame and re-encodes to the same records") {
  for (const testing::GoldenBatch& g : Golden()) {
    if (g.header.compression() != Compression::kZstd) continue;
    CAPTURE(g.name);
    // Decompressing the section directly: 50 records, larger than the input.
    std::string plain;
    const std::string_view section = std::string_view(g.bytes).substr(kRecordsPos);
    REQUIRE(DecompressRecords(Compression::kZstd, section, 1 << 20, &plain).ok());
    CHECK(plain.size() > section.size());

    // Our own zstd batch of the same records decodes to the same records
    // (the compressed bytes need not match: encoder versions differ).
    std::vector<testing::TestRecord> records;
    for (const auto& r : g.records) {
      records.push_back({.offset_delta = r.offset_delta, .timestamp = r.timestamp, .key = r.key,
                         .value = r.value});
    }
    const std::string ours = testing::MakeBatch(
        records, {.compression = Compression::kZstd, .partition_leader_epoch = 0});
    CHECK(testing::DecodeBatch(ours) == testing::DecodeBatch(g.bytes));
    CHECK(testing::DecodeBatch(g.bytes) == records);
  }
}

}  // namespace
}  // namespace kq::format
