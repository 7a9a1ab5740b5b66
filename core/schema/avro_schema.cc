#include "schema/avro_schema.h"

#include <set>

#include <avro.h>
#include <fmt/format.h>

#include "schema/avro_values.h"

namespace kq::schema {
namespace {

using nlohmann::json;

constexpr std::string_view kPrimitives[] = {"null",  "boolean", "int",   "long",
                                            "float", "double",  "bytes", "string"};

struct Scope {
  std::set<std::string, std::less<>> defined;
};

std::string FullName(std::string_view name, std::string_view ns) {
  if (name.find('.') != std::string_view::npos || ns.empty()) return std::string(name);
  return fmt::format("{}.{}", ns, name);
}

std::string NamespaceOf(std::string_view full) {
  const size_t dot = full.rfind('.');
  return dot == std::string_view::npos ? "" : std::string(full.substr(0, dot));
}

Result<json> Normalize(const json& in, const std::string& ns, Scope& scope, std::string_view path);

Result<json> NormalizeNamed(const json& in, const std::string& type, const std::string& ns,
                            Scope& scope, std::string_view path) {
  if (!in.contains("name") || !in["name"].is_string()) {
    return Status::InvalidArgument(fmt::format("{}: {} has no name", path, type));
  }
  std::string inner_ns = ns;
  if (in.contains("namespace") && in["namespace"].is_string()) inner_ns = in["namespace"];
  const std::string full = FullName(in["name"].get<std::string>(), inner_ns);
  if (!scope.defined.insert(full).second) {
    return Status::InvalidArgument(fmt::format("{}: type {} is defined twice", path, full));
  }
  inner_ns = NamespaceOf(full);
  json out = {{"type", type == "error" ? "record" : type}, {"name", full}};
  if (in.contains("aliases") && in["aliases"].is_array()) {
    json aliases = json::array();
    for (const json& a : in["aliases"]) {
      if (a.is_string()) aliases.push_back(FullName(a.get<std::string>(), inner_ns));
    }
    out["aliases"] = std::move(aliases);
  }
  if (type == "record" || type == "error") {
    json fields = json::array();
    for (const json& f : in.value("fields", json::array())) {
      const std::string fname = f.value("name", "");
      KQ_ASSIGN_OR_RETURN(json ft, Normalize(f["type"], inner_ns, scope, JoinPath(path, fname)));
      json nf = {{"name", fname}, {"type", std::move(ft)}};
      if (f.contains("default")) nf["default"] = f["default"];
      if (f.contains("aliases")) nf["aliases"] = f["aliases"];
      fields.push_back(std::move(nf));
    }
    out["fields"] = std::move(fields);
  } else if (type == "enum") {
    out["symbols"] = in["symbols"];
    if (in.contains("default")) out["default"] = in["default"];
  } else {  // fixed
    out["size"] = in["size"];
  }
  return out;
}

Result<json> Normalize(const json& in, const std::string& ns, Scope& scope, std::string_view path) {
  if (in.is_string()) {
    const std::string& name = in.get_ref<const std::string&>();
    if (IsAvroPrimitive(name)) return in;
    const std::string full = FullName(name, ns);
    if (scope.defined.count(full)) return json(full);
    if (scope.defined.count(name)) return json(name);
    return Status::InvalidArgument(fmt::format("{}: unknown type name '{}'", path, name));
  }
  if (in.is_array()) {
    json out = json::array();
    for (const json& branch : in) {
      KQ_ASSIGN_OR_RETURN(json b, Normalize(branch, ns, scope, path));
      out.push_back(std::move(b));
    }
    return out;
  }
  if (!in.is_object() || !in.contains("type")) {
    return Status::InvalidArgument(
        fmt::format("{}: a type must be a name, a union or an object "
                    "with \"type\"",
                    path));
  }
  const json& t = in["type"];
  if (!t.is_string()) return Normalize(t, ns, scope, path);
  const std::string& type = t.get_ref<const std::string&>();
  if (type == "record" || type == "error" || type == "enum" || type == "fixed") {
    return NormalizeNamed(in, type, ns, scope, path);
  }
  if (type == "array") {
    KQ_ASSIGN_OR_RETURN(json items, Normalize(in["items"], ns, scope, JoinPath(path, "items")));
    return json{{"type", "array"}, {"items", std::move(items)}};
  }
  if (type == "map") {
    KQ_ASSIGN_OR_RETURN(json values, Normalize(in["values"], ns, scope, JoinPath(path, "values")));
    return json{{"type", "map"}, {"values", std::move(values)}};
  }
  if (IsAvroPrimitive(type)) {
    json out = in;
    out.erase("namespace");
    return out.size() == 1 ? json(type) : out;
  }
  return Normalize(t, ns, scope, path);  // {"type": "com.example.Named"}
}

void CollectNames(const json& node, AvroNames& names) {
  if (node.is_array()) {
    for (const json& b : node) CollectNames(b, names);
    return;
  }
  if (!node.is_object()) return;
  const std::string type = node.value("type", "");
  if (type == "record" || type == "enum" || type == "fixed") names[node["name"]] = node;
  if (type == "record") {
    for (const json& f : node["fields"]) CollectNames(f["type"], names);
  } else if (type == "array") {
    CollectNames(node["items"], names);
  } else if (type == "map") {
    CollectNames(node["values"], names);
  }
}

// Avro's Parsing Canonical Form of a normalized document: names full,
// only name/type/fields/symbols/items/values/size kept, in that order,
// primitives as bare strings, no whitespace. A named type written a second
// time (a reference) is its name alone.
std::string Canonical(const json& node) {
  if (node.is_string()) return json(node).dump();
  if (node.is_array()) {
    std::string out = "[";
    for (size_t i = 0; i < node.size(); ++i) out += (i ? "," : "") + Canonical(node[i]);
    return out + "]";
  }
  const std::string type = node.value("type", "");
  if (IsAvroPrimitive(type)) return json(type).dump();
  std::string out = "{";
  if (node.contains("name")) out += "\"name\":" + node["name"].dump() + ",";
  out += "\"type\":" + json(type).dump();
  if (type == "record") {
    out += ",\"fields\":[";
    const json& fields = node["fields"];
    for (size_t i = 0; i < fields.size(); ++i) {
      out += (i ? "," : "");
      out += "{\"name\":" + fields[i]["name"].dump() + ",\"type\":" + Canonical(fields[i]["type"]) +
             "}";
    }
    out += "]";
  } else if (type == "enum") {
    out += ",\"symbols\":" + node["symbols"].dump();
  } else if (type == "array") {
    out += ",\"items\":" + Canonical(node["items"]);
  } else if (type == "map") {
    out += ",\"values\":" + Canonical(node["values"]);
  } else if (type == "fixed") {
    out += ",\"size\":" + node["size"].dump();
  }
  return out + "}";
}

class AvroSchemaImpl final : public AvroSchema {
 public:
  AvroSchemaImpl(avro_schema_t schema, avro_value_iface_t* iface, json doc, AvroNames names)
      : schema_(schema), iface_(iface), doc_(std::move(doc)), names_(std::move(names)) {
    canonical_ = Canonical(doc_);
    avro_generic_value_new(iface_, &value_);
  }
  ~AvroSchemaImpl() override {
    avro_value_decref(&value_);
    avro_value_iface_decref(iface_);
    avro_schema_decref(schema_);
  }

  SchemaType type() const override { return SchemaType::kAvro; }
  const std::string& canonical() const override { return canonical_; }
  const json& document() const override { return doc_; }
  const AvroNames& names() const override { return names_; }

  Status Validate(const json& value) const override { return Encode(value).status(); }

  Result<std::string> Encode(const json& value) const override {
    avro_value_reset(&value_);
    KQ_RETURN_IF_ERROR(JsonToAvro(value, doc_, names_, &value_, "$"));
    size_t size = 0;
    if (avro_value_sizeof(&value_, &size) != 0) {
      return Status::Internal(fmt::format("avro: sizing a value: {}", avro_strerror()));
    }
    std::string out(size, '\0');
    avro_writer_t writer = avro_writer_memory(out.data(), static_cast<int64_t>(size));
    const int rc = avro_value_write(writer, &value_);
    avro_writer_free(writer);
    if (rc != 0) return Status::Internal(fmt::format("avro: encoding: {}", avro_strerror()));
    return out;
  }

  Result<json> Decode(std::string_view payload) const override {
    avro_value_reset(&value_);
    avro_reader_t reader = avro_reader_memory(payload.data(), static_cast<int64_t>(payload.size()));
    const int rc = avro_value_read(reader, &value_);
    char extra = 0;
    const bool trailing = rc == 0 && avro_read(reader, &extra, 1) == 0;
    avro_reader_free(reader);
    if (rc != 0) {
      return Status::InvalidArgument(
          fmt::format("Avro payload of {} bytes does not decode with the schema (truncated or not "
                      "this schema's data): {}",
                      payload.size(), avro_strerror()));
    }
    if (trailing) {
      size_t used = 0;
      avro_value_sizeof(&value_, &used);
      return Status::InvalidArgument(
          fmt::format("Avro payload of {} bytes has trailing bytes after the value ({} bytes)",
                      payload.size(), used));
    }
    return AvroToJson(&value_, doc_, names_, "$");
  }

 private:
  avro_schema_t schema_;
  avro_value_iface_t* iface_;
  mutable avro_value_t value_;
  json doc_;
  AvroNames names_;
  std::string canonical_;
};

}  // namespace

bool IsAvroPrimitive(std::string_view name) {
  for (std::string_view p : kPrimitives) {
    if (p == name) return true;
  }
  return false;
}

const json& ResolveAvroType(const json& node, const AvroNames& names) {
  if (node.is_string()) {
    auto it = names.find(node.get_ref<const std::string&>());
    return it == names.end() ? node : it->second;
  }
  if (node.is_object() && node.contains("type") && node["type"].is_string() &&
      IsAvroPrimitive(node["type"].get_ref<const std::string&>())) {
    return node["type"];
  }
  return node;
}

std::string AvroKind(const json& resolved) {
  if (resolved.is_array()) return "union";
  if (resolved.is_string()) return resolved.get<std::string>();
  const std::string type = resolved.value("type", "");
  return type == "error" ? "record" : type;
}

std::string AvroBranchName(const json& node, const AvroNames& names) {
  const json& def = ResolveAvroType(node, names);
  if (def.is_object() && def.contains("name")) return def["name"];
  return AvroKind(def);
}

Result<std::unique_ptr<ParsedSchema>> ParseAvroSchema(std::string_view text) {
  KQ_ASSIGN_OR_RETURN(json doc, ParseJsonText(text, "Avro schema"));
  avro_schema_t schema = nullptr;
  // avro-c wants a NUL-terminated copy for its error positions.
  const std::string copy(text);
  if (avro_schema_from_json_length(copy.c_str(), copy.size(), &schema) != 0) {
    std::string why = avro_strerror();
    while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
    return Status::InvalidArgument(fmt::format("invalid Avro schema: {}", why));
  }
  Scope scope;
  Result<json> normalized = Normalize(doc, "", scope, "$");
  if (!normalized.ok()) {
    avro_schema_decref(schema);
    return normalized.status().WithPrefix("invalid Avro schema");
  }
  avro_value_iface_t* iface = avro_generic_class_from_schema(schema);
  if (iface == nullptr) {
    avro_schema_decref(schema);
    return Status::InvalidArgument(fmt::format("invalid Avro schema: {}", avro_strerror()));
  }
  AvroNames names;
  CollectNames(*normalized, names);
  return std::unique_ptr<ParsedSchema>(
      new AvroSchemaImpl(schema, iface, std::move(*normalized), std::move(names)));
}

}  // namespace kq::schema
