// RecordBatch v2 against bytes a real Kafka client (librdkafka 2.0.2) sent.
#include <doctest/doctest.h>

#include <map>
#include <set>

#include "base/encoding.h"
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

BatchHeader HeaderOf(std::string_view batch) {
  auto h = DecodeBatchHeader(batch);
  REQUIRE(h.ok());
  return *h;
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

TEST_CASE("golden: librdkafka's gzip, snappy, lz4 and zstd batches decode and re-encode") {
  // What each codec's section starts with, as librdkafka wrote it: the gzip
  // magic and deflate method; raw snappy (no xerial header), whose varint
  // length prefix is the decompressed size; the lz4 frame magic, then FLG
  // 0x60 and BD 0x40 (independent 64 KiB blocks, no checksums); the zstd
  // magic 0xFD2FB528 in little-endian order.
  const std::map<Compression, std::string> starts = {{Compression::kGzip, "1f8b08"},
                                                     {Compression::kSnappy, ""},
                                                     {Compression::kLz4, "04224d186040"},
                                                     {Compression::kZstd, "28b52ffd"}};
  std::set<Compression> seen;
  for (const testing::GoldenBatch& g : Golden()) {
    const Compression codec = g.header.compression();
    if (codec == Compression::kNone) continue;
    CAPTURE(g.name);
    seen.insert(codec);
    const std::string_view section = std::string_view(g.bytes).substr(kRecordsPos);
    CHECK(testing::HexEncode(section).starts_with(starts.at(codec)));
    // Decompressing the section directly: larger than the input.
    std::string plain;
    const Status s = DecompressRecords(codec, section, 1 << 20, &plain);
    REQUIRE_MESSAGE(s.ok(), s.ToString());
    CHECK(plain.size() > section.size());
    if (codec == Compression::kSnappy) {
      std::string prefix;
      PutUnsignedVarint64(&prefix, plain.size());
      CHECK(section.starts_with(prefix));
    }

    // Our own batch of the same records with the same codec decodes to the
    // same records (the compressed bytes need not match: encoders differ).
    std::vector<testing::TestRecord> records;
    for (const auto& r : g.records) {
      testing::TestRecord t{
          .offset_delta = r.offset_delta, .timestamp = r.timestamp, .key = r.key, .value = r.value};
      for (const auto& h : r.headers) t.headers.emplace_back(h.key, h.value);
      records.push_back(std::move(t));
    }
    const std::string ours =
        testing::MakeBatch(records, {.compression = codec, .partition_leader_epoch = 0});
    CHECK(HeaderOf(ours).compression() == codec);
    CHECK(testing::DecodeBatch(ours) == testing::DecodeBatch(g.bytes));
    CHECK(testing::DecodeBatch(g.bytes) == records);
  }
  CHECK(seen == std::set<Compression>{Compression::kGzip, Compression::kSnappy, Compression::kLz4,
                                      Compression::kZstd});
}

}  // namespace
}  // namespace kq::format
