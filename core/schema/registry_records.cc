#include "schema/registry_records.h"

#include <fmt/format.h>

namespace kq::schema {
namespace {

using nlohmann::ordered_json;

Status Bad(std::string_view what, std::string_view why) {
  return Status::InvalidArgument(fmt::format("registry {}: {}", what, why));
}

}  // namespace

std::string EncodeSchemaKey(std::string_view subject, int32_t version) {
  ordered_json k;
  k["keytype"] = "SCHEMA";
  k["subject"] = subject;
  k["version"] = version;
  k["magic"] = 1;
  return k.dump();
}

std::string EncodeConfigKey(const std::optional<std::string>& subject) {
  ordered_json k;
  k["keytype"] = "CONFIG";
  k["subject"] = subject ? ordered_json(*subject) : ordered_json(nullptr);
  k["magic"] = 0;
  return k.dump();
}

std::string EncodeDeleteSubjectKey(std::string_view subject) {
  ordered_json k;
  k["keytype"] = "DELETE_SUBJECT";
  k["subject"] = subject;
  k["magic"] = 0;
  return k.dump();
}

std::string EncodeSchemaValue(const SchemaRecord& r) {
  ordered_json v;
  v["subject"] = r.subject;
  v["version"] = r.version;
  v["id"] = r.id;
  if (r.type != SchemaType::kAvro) v["schemaType"] = SchemaTypeName(r.type);
  if (r.references.is_array() && !r.references.empty()) {
    v["references"] = ordered_json::parse(r.references.dump());
  }
  v["schema"] = r.schema;
  v["deleted"] = r.deleted;
  return v.dump();
}

std::string EncodeConfigValue(const std::optional<std::string>& subject, std::string_view level) {
  ordered_json v;
  if (subject) v["subject"] = *subject;
  v["compatibilityLevel"] = level;
  return v.dump();
}

std::string EncodeDeleteSubjectValue(std::string_view subject, int32_t version) {
  ordered_json v;
  v["subject"] = subject;
  v["version"] = version;
  return v.dump();
}

Result<RegistryKey> DecodeRegistryKey(std::string_view bytes) {
  KQ_ASSIGN_OR_RETURN(nlohmann::json k, ParseJsonText(bytes, "registry key"));
  if (!k.is_object() || !k.contains("keytype") || !k["keytype"].is_string()) {
    return Bad("key", "no keytype");
  }
  RegistryKey key;
  key.keytype = k["keytype"].get<std::string>();
  if (k.contains("subject") && k["subject"].is_string())
    key.subject = k["subject"].get<std::string>();
  if (key.keytype == "SCHEMA") {
    if (!key.subject || !k.contains("version") || !k["version"].is_number_integer()) {
      return Bad("SCHEMA key", "needs subject and version");
    }
    key.type = KeyType::kSchema;
    key.version = k["version"].get<int32_t>();
  } else if (key.keytype == "CONFIG") {
    key.type = KeyType::kConfig;
  } else if (key.keytype == "DELETE_SUBJECT") {
    if (!key.subject) return Bad("DELETE_SUBJECT key", "needs a subject");
    key.type = KeyType::kDeleteSubject;
  }
  return key;
}

Result<SchemaRecord> DecodeSchemaValue(std::string_view bytes) {
  KQ_ASSIGN_OR_RETURN(nlohmann::json v, ParseJsonText(bytes, "registry schema value"));
  if (!v.is_object() || !v.contains("subject") || !v["subject"].is_string() ||
      !v.contains("version") || !v["version"].is_number_integer() || !v.contains("id") ||
      !v["id"].is_number_integer() || !v.contains("schema") || !v["schema"].is_string()) {
    return Bad("schema value", "needs subject, version, id and schema");
  }
  SchemaRecord r;
  r.subject = v["subject"].get<std::string>();
  r.version = v["version"].get<int32_t>();
  r.id = v["id"].get<int32_t>();
  r.schema = v["schema"].get<std::string>();
  r.deleted = v.value("deleted", false);
  if (v.contains("schemaType") && v["schemaType"].is_string()) {
    Result<SchemaType> type = ParseSchemaType(v["schemaType"].get<std::string>());
    if (!type.ok()) return type.status();
    r.type = *type;
  }
  if (v.contains("references") && v["references"].is_array()) r.references = v["references"];
  return r;
}

Result<std::string> DecodeConfigValue(std::string_view bytes) {
  KQ_ASSIGN_OR_RETURN(nlohmann::json v, ParseJsonText(bytes, "registry config value"));
  if (!v.is_object() || !v.contains("compatibilityLevel") || !v["compatibilityLevel"].is_string()) {
    return Bad("config value", "needs compatibilityLevel");
  }
  return v["compatibilityLevel"].get<std::string>();
}

Result<int32_t> DecodeDeleteSubjectValue(std::string_view bytes) {
  KQ_ASSIGN_OR_RETURN(nlohmann::json v, ParseJsonText(bytes, "registry delete-subject value"));
  if (!v.is_object() || !v.contains("version") || !v["version"].is_number_integer()) {
    return Bad("delete-subject value", "needs version");
  }
  return v["version"].get<int32_t>();
}

}  // namespace kq::schema
