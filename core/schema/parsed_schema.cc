#include "schema/parsed_schema.h"

#include <fmt/format.h>

#include "schema/avro_schema.h"
#include "schema/json_schema.h"

namespace kq::schema {
namespace {

// Nesting depth of `text` by a scan that skips strings: iterative, so a
// document of a million '[' is refused without a deep recursion anywhere.
Status CheckDepth(std::string_view text, std::string_view what) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > kMaxJsonDepth) {
        return Status::InvalidArgument(
            fmt::format("{}: nested deeper than {} levels at byte {}", what, kMaxJsonDepth, i));
      }
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return Status::Ok();
}

}  // namespace

std::string_view SchemaTypeName(SchemaType type) {
  return type == SchemaType::kAvro ? "AVRO" : "JSON";
}

Result<SchemaType> ParseSchemaType(std::string_view name) {
  std::string upper(name);
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (upper == "AVRO") return SchemaType::kAvro;
  if (upper == "JSON") return SchemaType::kJson;
  if (upper == "PROTOBUF") {
    return Status::NotSupported("schema type PROTOBUF is not supported (only AVRO and JSON)");
  }
  return Status::InvalidArgument(
      fmt::format("unknown schema type '{}' (expected AVRO or JSON)", name));
}

Result<nlohmann::json> ParseJsonText(std::string_view text, std::string_view what) {
  KQ_RETURN_IF_ERROR(CheckDepth(text, what));
  try {
    return nlohmann::json::parse(text.begin(), text.end());
  } catch (const nlohmann::json::parse_error& e) {
    // e.byte is 1-based; say where as a byte position.
    std::string reason = e.what();
    // "[json.exception.parse_error.101] parse error at line 1, column 2:
    // syntax error ...": the position is said by byte below.
    if (auto colon = reason.find(": "); colon != std::string::npos) reason.erase(0, colon + 2);
    return Status::InvalidArgument(
        fmt::format("{}: invalid JSON at byte {}: {}", what, e.byte == 0 ? 0 : e.byte - 1, reason));
  }
}

std::string JoinPath(std::string_view parent, std::string_view field) {
  return fmt::format("{}.{}", parent, field);
}

std::string IndexPath(std::string_view parent, size_t index) {
  return fmt::format("{}[{}]", parent, index);
}

Result<std::unique_ptr<ParsedSchema>> ParseSchema(SchemaType type, std::string_view text) {
  if (text.size() > kMaxSchemaBytes) {
    return Status::InvalidArgument(
        fmt::format("schema is {} bytes; the limit is {}", text.size(), kMaxSchemaBytes));
  }
  if (type == SchemaType::kAvro) return ParseAvroSchema(text);
  return ParseJsonSchema(text);
}

}  // namespace kq::schema
