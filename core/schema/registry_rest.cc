#include "schema/registry_rest.h"

#include <charconv>
#include <map>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace kq::schema {
namespace {

using nlohmann::json;

std::string PercentDecode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      unsigned v = 0;
      auto [end, ec] = std::from_chars(s.data() + i + 1, s.data() + i + 3, v, 16);
      if (ec == std::errc() && end == s.data() + i + 3) {
        out.push_back(static_cast<char>(v));
        i += 2;
        continue;
      }
    }
    out.push_back(s[i]);
  }
  return out;
}

struct Request {
  std::string method;
  std::vector<std::string> path;  // decoded segments
  std::map<std::string, std::string> query;
  std::string_view body;

  bool Flag(const std::string& name) const {
    auto it = query.find(name);
    return it != query.end() && it->second == "true";
  }
};

Request Parse(std::string_view method, std::string_view target, std::string_view body) {
  Request r{std::string(method), {}, {}, body};
  std::string_view path = target;
  std::string_view query;
  if (const size_t q = target.find('?'); q != std::string_view::npos) {
    path = target.substr(0, q);
    query = target.substr(q + 1);
  }
  while (!path.empty()) {
    const size_t slash = path.find('/');
    std::string_view seg = path.substr(0, slash);
    if (!seg.empty()) r.path.push_back(PercentDecode(seg));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  while (!query.empty()) {
    const size_t amp = query.find('&');
    std::string_view kv = query.substr(0, amp);
    const size_t eq = kv.find('=');
    r.query[PercentDecode(kv.substr(0, eq))] =
        eq == std::string_view::npos ? "" : PercentDecode(kv.substr(eq + 1));
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return r;
}

RestResponse Ok(const json& j) {
  return {200, j.dump(-1, ' ', false, json::error_handler_t::replace)};
}

RestResponse Error(int code, std::string_view message) {
  const int status = code >= 10000 ? code / 100 : code;
  return {status, json{{"error_code", code}, {"message", message}}.dump(
                      -1, ' ', false, json::error_handler_t::replace)};
}

// The registry's error code for a failed call, else `fallback`.
RestResponse Failed(Registry& registry, const Status& status, int fallback = kStoreError) {
  int code = registry.error_code() != 0 ? registry.error_code() : fallback;
  return Error(code, status.message());
}

struct SchemaBody {
  SchemaType type = SchemaType::kAvro;
  std::string schema;
  json references = json::array();
};

Result<SchemaBody> ParseSchemaBody(std::string_view body) {
  Result<json> j = ParseJsonText(body, "request body");
  if (!j.ok()) return j.status();
  if (!j->is_object() || !j->contains("schema") || !(*j)["schema"].is_string()) {
    return Status::InvalidArgument("request body needs a \"schema\" string");
  }
  SchemaBody out;
  out.schema = (*j)["schema"].get<std::string>();
  if (j->contains("schemaType") && (*j)["schemaType"].is_string()) {
    KQ_ASSIGN_OR_RETURN(out.type, ParseSchemaType((*j)["schemaType"].get<std::string>()));
  }
  if (j->contains("references") && (*j)["references"].is_array())
    out.references = (*j)["references"];
  return out;
}

std::optional<int32_t> VersionArg(const std::string& v) {
  if (v == "latest" || v == "-1") return -1;
  int32_t n = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc() || end != v.data() + v.size() || n < 1) return std::nullopt;
  return n;
}

json RecordJson(const SchemaRecord& r) {
  json j = {{"subject", r.subject}, {"version", r.version}, {"id", r.id}, {"schema", r.schema}};
  if (r.type != SchemaType::kAvro) j["schemaType"] = SchemaTypeName(r.type);
  return j;
}

RestResponse InvalidVersion(const std::string& v) {
  return Error(kInvalidVersion,
               fmt::format("The specified version '{}' is not a valid version id. Allowed values "
                           "are between [1, 2^31-1] and the string \"latest\"",
                           v));
}

RestResponse HandleSubjects(Registry& registry, const Request& r) {
  const auto& p = r.path;
  if (p.size() == 1 && r.method == "GET") {
    auto subjects = registry.Subjects(r.Flag("deleted"));
    return subjects.ok() ? Ok(*subjects) : Failed(registry, subjects.status());
  }
  const std::string& subject = p[1];
  if (p.size() == 2 && r.method == "POST") {  // look up
    auto body = ParseSchemaBody(r.body);
    if (!body.ok()) return Error(kInvalidSchema, body.status().message());
    auto found = registry.Lookup(subject, body->type, body->schema);
    return found.ok() ? Ok(RecordJson(*found)) : Failed(registry, found.status());
  }
  if (p.size() == 2 && r.method == "DELETE") {
    auto deleted = registry.DeleteSubject(subject, r.Flag("permanent"));
    return deleted.ok() ? Ok(*deleted) : Failed(registry, deleted.status());
  }
  if (p.size() < 3 || p[2] != "versions") return Error(404, "Not Found");
  if (p.size() == 3 && r.method == "GET") {
    auto versions = registry.Versions(subject, r.Flag("deleted"));
    return versions.ok() ? Ok(*versions) : Failed(registry, versions.status());
  }
  if (p.size() == 3 && r.method == "POST") {
    auto body = ParseSchemaBody(r.body);
    if (!body.ok()) return Error(kInvalidSchema, body.status().message());
    auto registered = registry.Register(subject, body->type, body->schema, body->references);
    return registered.ok() ? Ok(json{{"id", registered->id}})
                           : Failed(registry, registered.status());
  }
  auto version = VersionArg(p[3]);
  if (!version) return InvalidVersion(p[3]);
  if (r.method == "DELETE" && p.size() == 4) {
    auto deleted = registry.DeleteVersion(subject, *version, r.Flag("permanent"));
    return deleted.ok() ? Ok(*deleted) : Failed(registry, deleted.status());
  }
  if (r.method != "GET") return Error(405, "Method Not Allowed");
  auto record = registry.Get(subject, *version, r.Flag("deleted"));
  if (!record.ok()) return Failed(registry, record.status());
  if (p.size() == 5 && p[4] == "schema") return {200, record->schema};
  if (p.size() == 4) return Ok(RecordJson(*record));
  return Error(404, "Not Found");
}

RestResponse HandleSchemas(Registry& registry, const Request& r) {
  const auto& p = r.path;
  if (r.method != "GET") return Error(405, "Method Not Allowed");
  if (p.size() == 2 && p[1] == "types") return Ok(json::array({"JSON", "AVRO"}));
  if (p.size() < 3 || p[1] != "ids") return Error(404, "Not Found");
  int32_t id = 0;
  auto [end, ec] = std::from_chars(p[2].data(), p[2].data() + p[2].size(), id);
  if (ec != std::errc() || end != p[2].data() + p[2].size()) {
    return Error(kSchemaNotFound, fmt::format("Schema {} not found", p[2]));
  }
  if (p.size() == 4 && p[3] == "versions") {
    auto holders = registry.SubjectVersionsOf(id);
    if (!holders.ok()) return Failed(registry, holders.status());
    json out = json::array();
    for (const auto& [s, v] : *holders) out.push_back({{"subject", s}, {"version", v}});
    return Ok(out);
  }
  auto record = registry.GetById(id);
  if (!record.ok()) return Failed(registry, record.status());
  if (p.size() == 4 && p[3] == "schema") return {200, record->schema};
  if (p.size() != 3) return Error(404, "Not Found");
  json j = {{"schema", record->schema}};
  if (record->type != SchemaType::kAvro) j["schemaType"] = SchemaTypeName(record->type);
  return Ok(j);
}

RestResponse HandleCompatibility(Registry& registry, const Request& r) {
  const auto& p = r.path;
  if (r.method != "POST") return Error(405, "Method Not Allowed");
  if (p.size() < 4 || p[1] != "subjects" || p[3] != "versions") return Error(404, "Not Found");
  int32_t version = -2;  // every version the level names
  if (p.size() == 5) {
    auto v = VersionArg(p[4]);
    if (!v) return InvalidVersion(p[4]);
    version = *v;
  }
  auto body = ParseSchemaBody(r.body);
  if (!body.ok()) return Error(kInvalidSchema, body.status().message());
  if (version == -1) {
    auto latest = registry.Get(p[2], -1);
    if (!latest.ok()) return Failed(registry, latest.status());
    version = latest->version;
  }
  auto problems =
      registry.CheckCompatibility(p[2], body->type, body->schema, version < 0 ? -1 : version);
  if (!problems.ok()) return Failed(registry, problems.status());
  json out = {{"is_compatible", problems->empty()}};
  if (r.Flag("verbose")) out["messages"] = *problems;
  return Ok(out);
}

RestResponse HandleConfig(Registry& registry, const Request& r) {
  std::optional<std::string> subject;
  if (r.path.size() == 2) subject = r.path[1];
  if (r.path.size() > 2) return Error(404, "Not Found");
  if (r.method == "GET") {
    auto level = registry.GetCompatibility(subject, !subject || r.Flag("defaultToGlobal"));
    if (!level.ok()) {
      return Error(40408, fmt::format("Subject '{}' does not have subject-level compatibility "
                                      "configured",
                                      *subject));
    }
    return Ok(json{{"compatibilityLevel", CompatibilityName(*level)}});
  }
  if (r.method != "PUT") return Error(405, "Method Not Allowed");
  Result<json> body = ParseJsonText(r.body, "request body");
  if (!body.ok() || !body->is_object() || !body->contains("compatibility") ||
      !(*body)["compatibility"].is_string()) {
    return Error(kInvalidCompatibilityLevel, "request body needs a \"compatibility\" string");
  }
  auto level = ParseCompatibility((*body)["compatibility"].get<std::string>());
  if (!level.ok()) return Error(kInvalidCompatibilityLevel, level.status().message());
  if (Status s = registry.SetCompatibility(subject, *level); !s.ok()) return Failed(registry, s);
  return Ok(json{{"compatibility", CompatibilityName(*level)}});
}

}  // namespace

RestResponse HandleRegistryRequest(Registry& registry, std::string_view method,
                                   std::string_view target, std::string_view body) {
  const Request r = Parse(method, target, body);
  if (r.path.empty()) return Ok(json::object());
  const std::string& root = r.path[0];
  if (root == "subjects") return HandleSubjects(registry, r);
  if (root == "schemas") return HandleSchemas(registry, r);
  if (root == "compatibility") return HandleCompatibility(registry, r);
  if (root == "config") return HandleConfig(registry, r);
  return Error(404, "Not Found");
}

}  // namespace kq::schema
