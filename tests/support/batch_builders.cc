#include "support/batch_builders.h"

#include <doctest/doctest.h>
#include <fmt/format.h>

namespace kq::testing {

std::string MakeBatch(const std::vector<TestRecord>& records,
                      const format::RecordBatchBuilder::Options& options) {
  format::RecordBatchBuilder builder(options);
  std::vector<format::HeaderView> headers;
  for (const TestRecord& r : records) {
    headers.clear();
    for (const auto& [k, v] : r.headers) {
      headers.push_back({k, v ? std::optional<std::string_view>(*v) : std::nullopt});
    }
    const Status s = builder.AddWithOffsetDelta(
        r.offset_delta, r.timestamp, r.key ? std::optional<std::string_view>(*r.key) : std::nullopt,
        r.value ? std::optional<std::string_view>(*r.value) : std::nullopt, headers);
    REQUIRE_MESSAGE(s.ok(), s.ToString());
  }
  Result<std::string> batch = builder.Finish();
  REQUIRE_MESSAGE(batch.ok(), batch.status().ToString());
  return std::move(batch).value();
}

std::string MakeSimpleBatch(int64_t base_offset, int count, int64_t first_timestamp,
                            format::Compression compression) {
  std::vector<TestRecord> records;
  for (int i = 0; i < count; ++i) {
    records.push_back(TestRecord{.offset_delta = i,
                                 .timestamp = first_timestamp + i,
                                 .key = fmt::format("k{}", base_offset + i),
                                 .value = fmt::format("v{}", base_offset + i)});
  }
  return MakeBatch(records, {.compression = compression, .base_offset = base_offset});
}

std::vector<TestRecord> DecodeBatch(std::string_view batch) {
  const Status valid = format::ValidateBatch(batch);
  REQUIRE_MESSAGE(valid.ok(), valid.ToString());
  std::vector<TestRecord> out;
  std::string scratch;
  const Status s = format::ForEachRecord(batch, &scratch, [&](const format::RecordView& r) {
    TestRecord t{.offset_delta = r.offset_delta, .timestamp = r.timestamp};
    if (r.key) t.key = std::string(*r.key);
    if (r.value) t.value = std::string(*r.value);
    for (const auto& h : r.headers) {
      t.headers.emplace_back(
          std::string(h.key),
          h.value ? std::optional<std::string>(std::string(*h.value)) : std::nullopt);
    }
    out.push_back(std::move(t));
    return Status::Ok();
  });
  REQUIRE_MESSAGE(s.ok(), s.ToString());
  return out;
}

std::string ReplaceRecords(std::string_view batch, std::string_view section,
                           int32_t records_count) {
  REQUIRE(batch.size() >= format::kBatchHeaderSize);
  std::string out(batch.substr(0, format::kBatchHeaderSize));
  out.append(section);
  auto h = format::DecodeBatchHeader(out);
  REQUIRE(h.ok());
  h->batch_length = static_cast<int32_t>(out.size() - format::kLogOverhead);
  h->records_count = records_count;
  format::EncodeBatchHeader(*h, out.data());
  format::FinishCrc(out.data(), out.size());
  return out;
}

}  // namespace kq::testing
