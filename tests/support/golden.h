// Golden bytes from librdkafka (KQ_GOLDEN_DIR, see its README.md): loaders
// for tests that check kq's codecs against an independent implementation.
//
// Test-only code: failures to find or parse the files are reported as Status
// so a test can REQUIRE on them with the message.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/result.h"
#include "format/record_batch.h"

namespace kq::testing {

// "00ff" -> "\x00\xff". InvalidArgument for odd lengths or non-hex digits.
Result<std::string> HexDecode(std::string_view hex);
// Lowercase hex of the bytes.
std::string HexEncode(std::string_view bytes);

// The parsed JSON of KQ_GOLDEN_DIR/<file_name> (e.g. "librdkafka-requests.json").
Result<nlohmann::json> LoadGoldenJson(std::string_view file_name);

struct GoldenHeader {
  std::string key;
  std::optional<std::string> value;  // nullopt = null header value
};

struct GoldenRecord {
  int32_t offset_delta = 0;
  int64_t timestamp = 0;              // absolute
  std::optional<std::string> key;     // nullopt = null
  std::optional<std::string> value;   // nullopt = null (tombstone)
  std::vector<GoldenHeader> headers;  // in batch order, duplicates kept
};

struct GoldenBatch {
  std::string name;            // e.g. "zstd-50"
  std::string bytes;           // the whole batch as sent
  format::BatchHeader header;  // as listed in the file (crc = "crc32c")
  std::vector<GoldenRecord> records;
};

// Every case of librdkafka-batches.json, in file order.
Result<std::vector<GoldenBatch>> LoadGoldenBatches();

}  // namespace kq::testing
