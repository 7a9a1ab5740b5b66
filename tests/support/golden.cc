#include "support/golden.h"

#include <fstream>
#include <sstream>

#include <fmt/format.h>

namespace kq::testing {

namespace {

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Result<std::optional<std::string>> NullableHex(const nlohmann::json& j) {
  if (j.is_null()) return std::optional<std::string>();
  KQ_ASSIGN_OR_RETURN(std::string bytes, HexDecode(j.get<std::string>()));
  return std::optional<std::string>(std::move(bytes));
}

format::BatchHeader ParseHeader(const nlohmann::json& j) {
  format::BatchHeader h;
  h.base_offset = j.at("base_offset").get<int64_t>();
  h.batch_length = j.at("batch_length").get<int32_t>();
  h.partition_leader_epoch = j.at("partition_leader_epoch").get<int32_t>();
  h.magic = static_cast<int8_t>(j.at("magic").get<int>());
  h.crc = j.at("crc32c").get<uint32_t>();
  h.attributes = j.at("attributes").get<int16_t>();
  h.last_offset_delta = j.at("last_offset_delta").get<int32_t>();
  h.base_timestamp = j.at("base_timestamp").get<int64_t>();
  h.max_timestamp = j.at("max_timestamp").get<int64_t>();
  h.producer_id = j.at("producer_id").get<int64_t>();
  h.producer_epoch = j.at("producer_epoch").get<int16_t>();
  h.base_sequence = j.at("base_sequence").get<int32_t>();
  h.records_count = j.at("record_count").get<int32_t>();
  return h;
}

Result<GoldenRecord> ParseRecord(const nlohmann::json& j) {
  GoldenRecord r;
  r.offset_delta = j.at("offset_delta").get<int32_t>();
  r.timestamp = j.at("timestamp").get<int64_t>();
  KQ_ASSIGN_OR_RETURN(r.key, NullableHex(j.at("key_hex")));
  KQ_ASSIGN_OR_RETURN(r.value, NullableHex(j.at("value_hex")));
  for (const auto& h : j.at("headers")) {
    GoldenHeader header;
    header.key = h.at(0).get<std::string>();  // header names are text in the file
    KQ_ASSIGN_OR_RETURN(header.value, NullableHex(h.at(1)));
    r.headers.push_back(std::move(header));
  }
  return r;
}

}  // namespace

Result<std::string> HexDecode(std::string_view hex) {
  if (hex.size() % 2 != 0) {
    return Status::InvalidArgument(fmt::format("hex string has odd length {}", hex.size()));
  }
  std::string out(hex.size() / 2, '\0');
  for (size_t i = 0; i < out.size(); ++i) {
    const int hi = HexDigit(hex[2 * i]);
    const int lo = HexDigit(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) {
      return Status::InvalidArgument(fmt::format("non-hex digit at position {}", 2 * i));
    }
    out[i] = static_cast<char>(hi * 16 + lo);
  }
  return out;
}

std::string HexEncode(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (const char c : bytes) {
    const auto u = static_cast<unsigned char>(c);
    out.push_back(kDigits[u >> 4]);
    out.push_back(kDigits[u & 15]);
  }
  return out;
}

Result<nlohmann::json> LoadGoldenJson(std::string_view file_name) {
  const std::string path = fmt::format("{}/{}", KQ_GOLDEN_DIR, file_name);
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound(fmt::format("cannot open golden file {}", path));
  std::stringstream text;
  text << in.rdbuf();
  nlohmann::json j = nlohmann::json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Status::Corruption(fmt::format("golden file {} is not JSON", path));
  return j;
}

Result<std::vector<GoldenBatch>> LoadGoldenBatches() {
  KQ_ASSIGN_OR_RETURN(nlohmann::json j, LoadGoldenJson("librdkafka-batches.json"));
  std::vector<GoldenBatch> batches;
  try {
    for (const auto& c : j) {
      GoldenBatch b;
      b.name = c.at("name").get<std::string>();
      KQ_ASSIGN_OR_RETURN(b.bytes, HexDecode(c.at("batch_hex").get<std::string>()));
      b.header = ParseHeader(c.at("header"));
      for (const auto& r : c.at("records")) {
        KQ_ASSIGN_OR_RETURN(GoldenRecord record, ParseRecord(r));
        b.records.push_back(std::move(record));
      }
      batches.push_back(std::move(b));
    }
  } catch (const nlohmann::json::exception& e) {
    return Status::Corruption(
        fmt::format("golden batches file has an unexpected shape: {}", e.what()));
  }
  return batches;
}

}  // namespace kq::testing
