// Framing and integrity of RecordBatch v2: ProbeFrame, ValidateBatch, CRC.
#include <doctest/doctest.h>

#include "base/crc32c.h"
#include "base/encoding.h"
#include "format/record.h"
#include "format/record_batch.h"
#include "format/record_batch_builder.h"
#include "support/batch_builders.h"
#include "support/golden.h"

namespace kq::format {
namespace {

std::string SmallBatch() { return testing::MakeSimpleBatch(100, 3); }

TEST_CASE("record batch: ProbeFrame sees a complete frame and its size") {
  const std::string batch = SmallBatch();
  const FrameProbe p = ProbeFrame(batch);
  CHECK(p.state == FrameState::kComplete);
  CHECK(p.size == batch.size());
  // Followed by more bytes (the next batch), still complete with the same size.
  const FrameProbe q = ProbeFrame(batch + "trailing");
  CHECK(q.state == FrameState::kComplete);
  CHECK(q.size == batch.size());
}

TEST_CASE("record batch: ProbeFrame reports a short prefix as incomplete, never corrupt") {
  const std::string batch = SmallBatch();
  for (size_t n = 0; n < batch.size(); ++n) {
    CAPTURE(n);
    const FrameProbe p = ProbeFrame(std::string_view(batch).substr(0, n));
    CHECK(p.state == FrameState::kIncomplete);
    if (n >= kFramePrefixSize) CHECK(p.size == batch.size());
  }
}

TEST_CASE("record batch: ProbeFrame rejects impossible lengths") {
  std::string batch = SmallBatch();
  SUBCASE("below the header size") {
    EncodeFixed32BE(batch.data() + kBatchLengthPos, kMinBatchLength - 1);
    const FrameProbe p = ProbeFrame(batch);
    CHECK(p.state == FrameState::kCorrupt);
    CHECK(p.problem.find("below the minimum") != std::string::npos);
  }
  SUBCASE("negative") {
    EncodeFixed32BE(batch.data() + kBatchLengthPos, static_cast<uint32_t>(-5));
    CHECK(ProbeFrame(batch).state == FrameState::kCorrupt);
  }
  SUBCASE("above the caller's limit") {
    EncodeFixed32BE(batch.data() + kBatchLengthPos, 0x7fffffff);
    const FrameProbe p = ProbeFrame(batch, 1 << 20);
    CHECK(p.state == FrameState::kCorrupt);
    CHECK(p.problem.find("exceeds the limit") != std::string::npos);
  }
}

TEST_CASE("record batch: ProbeFrame rejects a magic other than 2") {
  std::string batch = SmallBatch();
  for (int magic : {0, 1, 3, -1}) {
    CAPTURE(magic);
    batch[kMagicPos] = static_cast<char>(magic);
    const FrameProbe p = ProbeFrame(batch);
    CHECK(p.state == FrameState::kCorrupt);
    CHECK(p.problem.find("magic") != std::string::npos);
  }
}

TEST_CASE("record batch: ForEachRecord refuses a legacy magic even with a matching CRC") {
  std::string batch = SmallBatch();
  batch[kMagicPos] = 1;  // outside the CRC
  std::string scratch;
  const Status s = ForEachRecord(batch, &scratch, [](const RecordView&) { return Status::Ok(); });
  CHECK(s.IsCorruption());
  CHECK(s.message().find("magic") != std::string::npos);
}

TEST_CASE("record batch: ValidateBatch accepts built batches and rejects a wrong length") {
  const std::string batch = SmallBatch();
  CHECK(ValidateBatch(batch).ok());
  CHECK(ValidateBatch(batch + "x").IsCorruption());
}

TEST_CASE("record batch: truncation at every byte is reported, never a crash") {
  auto golden = testing::LoadGoldenBatches();
  REQUIRE(golden.ok());
  std::vector<std::string> batches = {SmallBatch(),
                                      testing::MakeSimpleBatch(0, 20, 5, Compression::kZstd)};
  for (const auto& g : *golden) batches.push_back(g.bytes);
  std::string scratch;
  for (const std::string& batch : batches) {
    // Large batches are sampled; every prefix of the small ones is tried.
    const size_t step = batch.size() > 4096 ? 97 : 1;
    for (size_t n = 0; n < batch.size(); n += step) {
      CAPTURE(n);
      const std::string_view prefix = std::string_view(batch).substr(0, n);
      CHECK(ProbeFrame(prefix).state == FrameState::kIncomplete);
      CHECK(ValidateBatch(prefix).IsCorruption());
      const Status s =
          ForEachRecord(prefix, &scratch, [](const RecordView&) { return Status::Ok(); });
      CHECK(s.IsCorruption());
    }
  }
}

TEST_CASE("record batch: every single-bit flip from attributes to the end fails the CRC") {
  auto golden = testing::LoadGoldenBatches();
  REQUIRE(golden.ok());
  std::vector<std::string> batches = {SmallBatch(),
                                      testing::MakeSimpleBatch(0, 20, 5, Compression::kZstd)};
  for (const auto& g : *golden) {
    if (g.bytes.size() < 4096) batches.push_back(g.bytes);
  }
  for (std::string batch : batches) {
    REQUIRE(ValidateBatch(batch).ok());
    for (size_t byte = kAttributesPos; byte < batch.size(); ++byte) {
      for (int bit = 0; bit < 8; ++bit) {
        batch[byte] ^= static_cast<char>(1 << bit);
        const Status s = ValidateBatch(batch);
        if (s.ok()) FAIL_CHECK("undetected flip at byte " << byte << " bit " << bit);
        batch[byte] ^= static_cast<char>(1 << bit);
      }
    }
    // The CRC field itself.
    batch[kCrcPos] ^= 1;
    CHECK(ValidateBatch(batch).message().find("CRC mismatch") != std::string::npos);
  }
}

TEST_CASE("record batch: fields outside the CRC can be patched without invalidating it") {
  std::string batch = SmallBatch();
  SetBaseOffset(batch.data(), 123456789);
  SetPartitionLeaderEpoch(batch.data(), 42);
  CHECK(ValidateBatch(batch).ok());
  auto h = DecodeBatchHeader(batch);
  REQUIRE(h.ok());
  CHECK(h->base_offset == 123456789);
  CHECK(h->partition_leader_epoch == 42);
  CHECK(h->last_offset() == 123456789 + 2);
  CHECK(h->next_offset() == 123456789 + 3);
}

// Inverts the 32 shift steps CRC-32C applies to one 32-bit word, so that
// four chosen bytes can force any CRC.
uint32_t UnshiftCrc32c(uint32_t reg) {
  constexpr uint32_t kPoly = 0x82F63B78;
  for (int i = 0; i < 32; ++i) {
    reg = (reg & 0x80000000u) ? ((reg ^ kPoly) << 1) | 1 : reg << 1;
  }
  return reg;
}

TEST_CASE("record batch: a batch whose CRC is 0 is valid") {
  // The last 4 bytes of the batch are a header value chosen so that the
  // CRC over [attributes, end) comes out as 0.
  const std::vector<HeaderView> headers = {{"pad", std::string_view("\0\0\0\0", 4)}};
  RecordBatchBuilder b;
  b.Add(1000, "k", "v", headers);
  auto built = b.Finish();
  REQUIRE(built.ok());
  std::string batch = *built;
  const size_t tail = batch.size() - 4;
  const uint32_t reg =
      ~crc32c::Value(std::string_view(batch).substr(kAttributesPos, tail - kAttributesPos));
  const uint32_t word = UnshiftCrc32c(0xFFFFFFFFu) ^ reg;
  for (int i = 0; i < 4; ++i) batch[tail + i] = static_cast<char>(word >> (8 * i));
  REQUIRE(ComputeBatchCrc(batch) == 0);
  EncodeFixed32BE(batch.data() + kCrcPos, 0);
  CHECK(ValidateBatch(batch).ok());
  const auto records = testing::DecodeBatch(batch);
  REQUIRE(records.size() == 1);
  CHECK(records[0].headers[0].second->size() == 4);
}

}  // namespace
}  // namespace kq::format
