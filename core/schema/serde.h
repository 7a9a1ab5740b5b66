// Serializing and deserializing keys and values with the registry, as
// Confluent's serializers do, and the check behind the topic configs
// confluent.key.schema.validation / confluent.value.schema.validation.
//
//   KQ_ASSIGN_OR_RETURN(WireSchema s, ResolveSchemaSpec(registry, env, "orders-value:2",
//   "orders-value")); KQ_ASSIGN_OR_RETURN(std::string bytes, EncodeJsonText(s, R"({"id":7})")); //
//   magic, id, payload KQ_ASSIGN_OR_RETURN(std::string json, DecodeToJsonText(registry, bytes,
//   std::nullopt));
//
// Ownership: ParsedSchema pointers belong to the Registry and live as long
// as it. Thread safety: one thread at a time (the Registry's rule).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "base/result.h"
#include "io/env.h"
#include "schema/registry.h"

namespace kq::schema {

// Confluent's default subject naming (TopicNameStrategy).
inline std::string TopicSubject(std::string_view topic, bool is_key) {
  return std::string(topic) + (is_key ? "-key" : "-value");
}

struct WireSchema {
  int32_t id = 0;
  std::string subject;
  int32_t version = 0;
  const ParsedSchema* schema = nullptr;
};

// `spec` is a schema FILE (when a file of that name exists; .avsc is Avro,
// .json JSON Schema, anything else Avro when it parses as Avro, else JSON
// Schema), registered under `default_subject` as Confluent's serializers
// auto-register; or SUBJECT[:VERSION] (default: latest) of the registry.
Result<WireSchema> ResolveSchemaSpec(Registry& registry, io::Env* env, std::string_view spec,
                                     std::string_view default_subject);

// Parses `json_text`, encodes it with the schema (Avro binary or checked
// JSON) and frames it in the wire format. InvalidArgument names the path.
Result<std::string> EncodeJsonText(const WireSchema& schema, std::string_view json_text);

// Unframes `bytes`, finds the schema by id and decodes the payload to
// compact JSON text. `expect`: the schema must be of this type.
// InvalidArgument for bytes not in the wire format, an unknown id, or a
// payload that does not decode.
Result<std::string> DecodeToJsonText(Registry& registry, std::string_view bytes,
                                     std::optional<SchemaType> expect);

// The validation-on-write check: `bytes` is in the wire format, its id is a
// live version of `subject`, and its payload decodes with that schema. A
// null key or value (nullopt) passes. Results per (subject, id) are cached
// for the validator's life.
class WireValidator {
 public:
  explicit WireValidator(Registry* registry) : registry_(registry) {}
  Status Check(std::string_view subject, std::optional<std::string_view> bytes);

 private:
  Registry* registry_;
  std::map<std::pair<std::string, int32_t>, bool> registered_;
};

}  // namespace kq::schema
