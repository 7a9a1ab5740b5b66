#include "schema/serde.h"

#include <charconv>

#include <fmt/format.h>

#include "schema/wire_format.h"

namespace kq::schema {
namespace {

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

Result<WireSchema> FromFile(Registry& registry, io::Env* env, const std::string& path,
                            std::string_view subject) {
  KQ_ASSIGN_OR_RETURN(std::string text, env->ReadFileToString(path));
  SchemaType type = SchemaType::kAvro;
  if (EndsWith(path, ".json")) {
    type = SchemaType::kJson;
  } else if (!EndsWith(path, ".avsc") && !ParseSchema(SchemaType::kAvro, text).ok()) {
    type = SchemaType::kJson;
  }
  Result<Registered> registered = registry.Register(subject, type, text);
  if (!registered.ok()) {
    return registered.status().WithPrefix(
        fmt::format("registering {} under subject '{}'", path, subject));
  }
  KQ_ASSIGN_OR_RETURN(const ParsedSchema* parsed, registry.ParsedById(registered->id));
  return WireSchema{registered->id, std::string(subject), registered->version, parsed};
}

}  // namespace

Result<WireSchema> ResolveSchemaSpec(Registry& registry, io::Env* env, std::string_view spec,
                                     std::string_view default_subject) {
  const std::string path(spec);
  if (env->FileExists(path)) return FromFile(registry, env, path, default_subject);
  std::string_view subject = spec;
  int32_t version = -1;
  if (const size_t colon = spec.rfind(':'); colon != std::string_view::npos) {
    const std::string_view v = spec.substr(colon + 1);
    int32_t n = 0;
    auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (v == "latest") {
      subject = spec.substr(0, colon);
    } else if (ec == std::errc() && end == v.data() + v.size() && n >= 1) {
      subject = spec.substr(0, colon);
      version = n;
    }
  }
  Result<SchemaRecord> record = registry.Get(subject, version);
  if (!record.ok()) {
    return record.status().WithPrefix(
        fmt::format("'{}' is neither a schema file nor a registered subject[:version]", spec));
  }
  KQ_ASSIGN_OR_RETURN(const ParsedSchema* parsed, registry.ParsedById(record->id));
  return WireSchema{record->id, record->subject, record->version, parsed};
}

Result<std::string> EncodeJsonText(const WireSchema& schema, std::string_view json_text) {
  KQ_ASSIGN_OR_RETURN(nlohmann::json value, ParseJsonText(json_text, "$"));
  KQ_ASSIGN_OR_RETURN(std::string payload, schema.schema->Encode(value));
  return EncodeWire(schema.id, payload);
}

Result<std::string> DecodeToJsonText(Registry& registry, std::string_view bytes,
                                     std::optional<SchemaType> expect) {
  KQ_ASSIGN_OR_RETURN(WireValue wire, DecodeWire(bytes));
  Result<const ParsedSchema*> schema = registry.ParsedById(wire.schema_id);
  if (!schema.ok()) {
    return Status::InvalidArgument(
        fmt::format("schema id {}: {}", wire.schema_id, schema.status().message()));
  }
  if (expect && (*schema)->type() != *expect) {
    return Status::InvalidArgument(fmt::format("schema id {} is {}, not {}", wire.schema_id,
                                               SchemaTypeName((*schema)->type()),
                                               SchemaTypeName(*expect)));
  }
  Result<nlohmann::json> value = (*schema)->Decode(wire.payload);
  if (!value.ok()) {
    return Status::InvalidArgument(
        fmt::format("schema id {}: {}", wire.schema_id, value.status().message()));
  }
  return value->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Status WireValidator::Check(std::string_view subject, std::optional<std::string_view> bytes) {
  if (!bytes) return Status::Ok();
  KQ_ASSIGN_OR_RETURN(WireValue wire, DecodeWire(*bytes));
  const auto key = std::make_pair(std::string(subject), wire.schema_id);
  auto it = registered_.find(key);
  if (it == registered_.end()) {
    bool found = false;
    Result<std::vector<std::pair<std::string, int32_t>>> holders =
        registry_->SubjectVersionsOf(wire.schema_id);
    if (holders.ok()) {
      for (const auto& [s, v] : *holders) found = found || s == subject;
    } else if (!holders.status().IsNotFound()) {
      return holders.status();
    }
    it = registered_.emplace(key, found).first;
  }
  if (!it->second) {
    return Status::InvalidArgument(
        fmt::format("schema id {} is not registered under subject '{}'", wire.schema_id, subject));
  }
  KQ_ASSIGN_OR_RETURN(const ParsedSchema* schema, registry_->ParsedById(wire.schema_id));
  Result<nlohmann::json> value = schema->Decode(wire.payload);
  if (!value.ok()) {
    return Status::InvalidArgument(fmt::format("payload does not decode with schema id {}: {}",
                                               wire.schema_id, value.status().message()));
  }
  return Status::Ok();
}

}  // namespace kq::schema
