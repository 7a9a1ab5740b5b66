// Small helpers for tests that need RecordBatch v2 bytes (segments, indexes,
// compaction, replication) without spelling out a builder each time.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "format/record.h"
#include "format/record_batch_builder.h"

namespace kq::testing {

// An owned record, for building batches and for comparing decoded ones.
struct TestRecord {
  int32_t offset_delta = 0;
  int64_t timestamp = 0;
  std::optional<std::string> key = std::nullopt;
  std::optional<std::string> value = std::nullopt;
  std::vector<std::pair<std::string, std::optional<std::string>>> headers = {};

  bool operator==(const TestRecord&) const = default;
};

// Builds a batch from `records` with their offset deltas (gaps allowed).
// Fails the current test (doctest REQUIRE) if the builder refuses.
std::string MakeBatch(const std::vector<TestRecord>& records,
                      const format::RecordBatchBuilder::Options& options = {});

// `count` records with offsets base_offset.., timestamps first_timestamp,
// +1, ..., keys "k<i>" and values "v<i>" (i counted from base_offset).
std::string MakeSimpleBatch(int64_t base_offset, int count, int64_t first_timestamp = 1000,
                            format::Compression compression = format::Compression::kNone);

// Decodes every record of a batch (ValidateBatch first); fails the current
// test on any error.
std::vector<TestRecord> DecodeBatch(std::string_view batch);

// A copy of `batch` whose records section is `section` (raw bytes, stored as
// they are, whatever the codec) and whose recordsCount is `records_count`;
// batchLength and the CRC are fixed so the result passes ValidateBatch and
// exercises the record decoder itself.
std::string ReplaceRecords(std::string_view batch, std::string_view section, int32_t records_count);

}  // namespace kq::testing
