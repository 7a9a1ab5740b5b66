// The records of the registry topic `_schemas`, in Confluent Schema
// Registry's own layout, so a `_schemas` topic copied from a Confluent
// deployment reads here and the other way round. Keys and values are JSON
// text (keys written in Confluent's field order):
//
//   key   {"keytype":"SCHEMA","subject":S,"version":V,"magic":1}
//   value {"subject":S,"version":V,"id":ID,"schemaType":"JSON",
//          "references":[...],"schema":TEXT,"deleted":false}
//         (schemaType omitted for AVRO, references when empty);
//         null (a tombstone): the version is deleted permanently
//   key   {"keytype":"CONFIG","subject":S|null,"magic":0}
//   value {"compatibilityLevel":LEVEL} (+ "subject" when not global); null: unset
//   key   {"keytype":"DELETE_SUBJECT","subject":S,"magic":0}
//   value {"subject":S,"version":V}: every version up to V is soft-deleted
//   NOOP, MODE, CLEAR_SUBJECT, CONTEXT keys are read and ignored.
//
// Pure functions; thread safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "base/result.h"
#include "schema/parsed_schema.h"

namespace kq::schema {

enum class KeyType { kSchema, kConfig, kDeleteSubject, kOther };

struct RegistryKey {
  KeyType type = KeyType::kOther;
  std::string keytype;                 // as written ("SCHEMA", "NOOP", ...)
  std::optional<std::string> subject;  // nullopt: global (CONFIG) or none
  int32_t version = 0;                 // SCHEMA keys
};

struct SchemaRecord {
  std::string subject;
  int32_t version = 0;
  int32_t id = 0;
  SchemaType type = SchemaType::kAvro;
  std::string schema;  // the schema text as registered
  bool deleted = false;
  nlohmann::json references = nlohmann::json::array();
};

std::string EncodeSchemaKey(std::string_view subject, int32_t version);
std::string EncodeConfigKey(const std::optional<std::string>& subject);
std::string EncodeDeleteSubjectKey(std::string_view subject);
std::string EncodeSchemaValue(const SchemaRecord& record);
std::string EncodeConfigValue(const std::optional<std::string>& subject, std::string_view level);
std::string EncodeDeleteSubjectValue(std::string_view subject, int32_t version);

// InvalidArgument for text that is not a registry key or value.
Result<RegistryKey> DecodeRegistryKey(std::string_view bytes);
Result<SchemaRecord> DecodeSchemaValue(std::string_view bytes);
// The compatibilityLevel of a CONFIG value.
Result<std::string> DecodeConfigValue(std::string_view bytes);
// The version of a DELETE_SUBJECT value.
Result<int32_t> DecodeDeleteSubjectValue(std::string_view bytes);

}  // namespace kq::schema
