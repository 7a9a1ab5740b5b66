// ParsedSchema: one schema (Avro or JSON Schema) parsed and ready to check
// values against, encode them to a payload and decode payloads back.
//
//   KQ_ASSIGN_OR_RETURN(auto s, ParseSchema(SchemaType::kAvro, text));
//   KQ_ASSIGN_OR_RETURN(std::string payload, s->Encode(json_value));   // Avro binary
//   KQ_ASSIGN_OR_RETURN(nlohmann::json back, s->Decode(payload));
//
// Values are nlohmann::json documents. For Avro they follow Avro's JSON
// encoding (a union value is {"branch": value} or null; bytes and fixed are
// strings of code points 0..255); Encode also takes a bare value for a union
// when exactly the first branch it fits is meant, as most tools write them.
// For JSON Schema the payload is the value's compact JSON text.
//
// Errors name the JSON path of the offending field ("$.address.zip: expected
// long, got string"). Protobuf is not supported (NotSupported).
//
// Thread safety: a ParsedSchema is immutable after ParseSchema; Encode and
// Decode may be called from one thread at a time (avro-c values are reused).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "base/result.h"
#include "base/status.h"

namespace kq::schema {

enum class SchemaType { kAvro, kJson };

// "AVRO" or "JSON", as the registry's schemaType field spells them.
std::string_view SchemaTypeName(SchemaType type);
// "avro"/"AVRO" or "json"/"JSON"; "PROTOBUF" is NotSupported, anything else
// InvalidArgument.
Result<SchemaType> ParseSchemaType(std::string_view name);

// Deepest nesting of objects and arrays accepted in a schema or a value:
// deeper documents are refused before any recursive walk.
inline constexpr int kMaxJsonDepth = 128;
// Largest schema text accepted (a registry record must fit a batch).
inline constexpr size_t kMaxSchemaBytes = size_t{1} << 20;

class ParsedSchema {
 public:
  virtual ~ParsedSchema() = default;
  virtual SchemaType type() const = 0;
  // The form two schemas are compared in to tell whether they are the same:
  // Avro's Parsing Canonical Form; for JSON Schema the compact JSON text.
  virtual const std::string& canonical() const = 0;
  // The schema as parsed JSON (for Avro: names made full, namespaces
  // resolved; see avro_schema.h).
  virtual const nlohmann::json& document() const = 0;
  // OK when `value` fits the schema, else InvalidArgument naming the path.
  virtual Status Validate(const nlohmann::json& value) const = 0;
  virtual Result<std::string> Encode(const nlohmann::json& value) const = 0;
  // InvalidArgument for a payload that does not decode (truncated, trailing
  // bytes, a value the schema refuses).
  virtual Result<nlohmann::json> Decode(std::string_view payload) const = 0;
};

// Parses and checks `text` (at most kMaxSchemaBytes, nesting at most
// kMaxJsonDepth). InvalidArgument says what is wrong with it.
Result<std::unique_ptr<ParsedSchema>> ParseSchema(SchemaType type, std::string_view text);

// Parses JSON text with a clear error ("line 3, column 5: ...") and the depth
// limit; for schemas, values and registry records alike.
Result<nlohmann::json> ParseJsonText(std::string_view text, std::string_view what);

// "$", "$.a", "$.a[3]" paths for error messages.
std::string JoinPath(std::string_view parent, std::string_view field);
std::string IndexPath(std::string_view parent, size_t index);

}  // namespace kq::schema
