// The Produce path's batch validation against librdkafka's own batches
// (tests/golden/), every truncation and bit flip of them, seeded random
// mutations, and the rules a client's batch must follow.
#include "server/batch_validation.h"

#include <doctest/doctest.h>

#include <random>

#include "format/record_batch.h"
#include "support/batch_builders.h"
#include "support/golden.h"

namespace kq::server {
namespace {

using protocol::ErrorCode;

constexpr size_t kLimit = 1 << 20;

std::optional<PartitionError> Validate(std::string_view records, bool compacted = false,
                                       size_t limit = kLimit) {
  std::vector<std::string> batches;
  std::vector<format::BatchHeader> headers;
  auto error = ValidateBatches(records, limit, compacted, &batches, &headers);
  if (!error) {
    // What passes is exactly the input, split into whole batches.
    std::string joined;
    for (const auto& b : batches) joined += b;
    CHECK(joined == records);
    CHECK(headers.size() == batches.size());
  }
  return error;
}

std::vector<testing::GoldenBatch> Golden() {
  auto golden = testing::LoadGoldenBatches();
  REQUIRE(golden.ok());
  REQUIRE(!golden->empty());
  return *golden;
}

}  // namespace

TEST_CASE("batch validation: librdkafka's batches pass, one or several in a request") {
  std::string all;
  for (const auto& g : Golden()) {
    INFO(g.name);
    CHECK_FALSE(Validate(g.bytes));
    all += g.bytes;
  }
  CHECK_FALSE(Validate(all));
}

TEST_CASE("batch validation: every truncation is refused, never read past the end") {
  for (const auto& g : Golden()) {
    for (size_t cut = 1; cut < g.bytes.size(); ++cut) {
      auto error = Validate(std::string_view(g.bytes).substr(0, cut));
      REQUIRE(error);
      CHECK(error->code == ErrorCode::kCorruptMessage);
      CHECK(error->message.rfind("batch at byte 0:", 0) == 0);
    }
  }
  CHECK(Validate("")->code == ErrorCode::kInvalidRecord);
}

TEST_CASE("batch validation: a flipped bit is caught unless it is outside the CRC") {
  // Base offset (0-7) and partition leader epoch (12-15) are not covered by
  // the CRC: the log assigns both, so a flip there is harmless.
  for (const auto& g : Golden()) {
    for (size_t byte = 0; byte < g.bytes.size(); ++byte) {
      std::string flipped = g.bytes;
      flipped[byte] ^= 0x10;
      auto error = Validate(flipped);
      bool outside_crc = byte < 8 || (byte >= 12 && byte < 16);
      INFO(g.name << " byte " << byte);
      CHECK(outside_crc == !error.has_value());
    }
  }
}

TEST_CASE("batch validation: seeded random mutations never crash") {
  std::mt19937 rng(20261129);
  auto golden = Golden();
  int refused = 0, total = 0;
  for (int round = 0; round < 20000; ++round) {
    std::string bytes = golden[rng() % golden.size()].bytes;
    int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits; ++e) {
      size_t at = rng() % bytes.size();
      switch (rng() % 3) {
        case 0:
          bytes[at] = static_cast<char>(rng());
          break;
        case 1:
          bytes.erase(at, 1 + rng() % 8);
          break;
        case 2:
          bytes.insert(at, std::string(1 + rng() % 8, static_cast<char>(rng())));
          break;
      }
      if (bytes.empty()) bytes = "x";
    }
    ++total;
    if (Validate(bytes)) ++refused;
  }
  // Nearly every mutation lands inside the CRC's range.
  CHECK(refused > total * 9 / 10);
}

TEST_CASE("batch validation: what a client may not send") {
  // A wrong record count with a correct CRC: the decoder counts.
  std::string batch = testing::MakeSimpleBatch(0, 3);
  auto header = format::DecodeBatchHeader(batch);
  REQUIRE(header.ok());
  std::string section = batch.substr(format::kBatchHeaderSize);
  auto error = Validate(testing::ReplaceRecords(batch, section, 4));
  REQUIRE(error);
  CHECK(error->code == ErrorCode::kCorruptMessage);

  // Over the size limit.
  error = Validate(batch, false, batch.size() - 1);
  REQUIRE(error);
  CHECK(error->code == ErrorCode::kMessageTooLarge);

  // Magic 1 (an old MessageSet).
  std::string old = batch;
  old[16] = 1;
  error = Validate(old);
  REQUIRE(error);
  CHECK(error->code == ErrorCode::kUnsupportedForMessageFormat);

  // Control and transactional batches.
  format::RecordBatchBuilder::Options control;
  control.is_control = true;
  error = Validate(testing::MakeBatch({{0, 1, std::string("\0\0\0\0", 4), std::nullopt}}, control));
  REQUIRE(error);
  CHECK(error->code == ErrorCode::kInvalidRecord);

  // A keyless record on a compacted topic; keyed is fine.
  std::string keyless = testing::MakeBatch({{0, 1, std::nullopt, std::string("v")}});
  CHECK_FALSE(Validate(keyless));
  error = Validate(keyless, /*compacted=*/true);
  REQUIRE(error);
  CHECK(error->code == ErrorCode::kInvalidRecord);
  CHECK_FALSE(Validate(testing::MakeSimpleBatch(0, 3), /*compacted=*/true));

  // A second batch that is bad is named by its position.
  std::string two = testing::MakeSimpleBatch(0, 2) + old;
  error = Validate(two);
  REQUIRE(error);
  CHECK(error->message.rfind("batch at byte " + std::to_string(two.size() - old.size()), 0) == 0);
}

TEST_CASE("batch validation: compressed batches are decoded through their codec") {
  for (auto codec : {format::Compression::kGzip, format::Compression::kSnappy,
                     format::Compression::kLz4, format::Compression::kZstd}) {
    std::string batch = testing::MakeSimpleBatch(0, 50, 1000, codec);
    CHECK_FALSE(Validate(batch));
    // Garbage in the compressed section, with a CRC that matches it.
    std::string section(batch.size() - format::kBatchHeaderSize, 'z');
    auto error = Validate(testing::ReplaceRecords(batch, section, 50));
    REQUIRE(error);
    CHECK(error->code == ErrorCode::kCorruptMessage);
  }
}

}  // namespace kq::server
