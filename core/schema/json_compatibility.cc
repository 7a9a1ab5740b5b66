// JSON Schema compatibility: Confluent's rules for the common changes, named
// as Confluent names them. The reader must accept every document the writer
// accepts:
//   TYPE_NARROWED                a writer type the reader's "type" lacks
//                                (integer -> number is widening: allowed)
//   ENUM_ARRAY_NARROWED          an enum added, or writer values removed
//   MAX_*_ADDED / _DECREASED     maxLength, maximum, maxItems, maxProperties
//   MIN_*_ADDED / _INCREASED     minLength, minimum, minItems, minProperties
//   PATTERN_ADDED / _CHANGED     a pattern added or changed
//   REQUIRED_ATTRIBUTE_ADDED     a property the writer does not require
//   PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL  a writer property the reader
//                                lacks while the reader has
//                                additionalProperties: false
//   PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL  a reader property with a schema
//                                (not {}) the writer lacks while the writer
//                                accepts additional properties
//   ADDITIONAL_PROPERTIES_REMOVED  the writer accepts additional properties,
//                                the reader does not
// Properties in both are checked recursively, as are "items" (one schema)
// and additionalProperties schemas. Not covered (never reported): $ref
// targets, allOf/anyOf/oneOf/not, if/then/else, dependencies,
// patternProperties, tuple items, formats; document these limits in the man
// page.
#include <set>

#include <fmt/format.h>

#include "schema/compatibility.h"

namespace kq::schema {
namespace {

using nlohmann::json;

std::set<std::string> TypesOf(const json& node) {
  std::set<std::string> types;
  if (!node.is_object() || !node.contains("type")) return types;
  const json& t = node["type"];
  if (t.is_string()) types.insert(t.get<std::string>());
  if (t.is_array()) {
    for (const json& x : t) {
      if (x.is_string()) types.insert(x.get<std::string>());
    }
  }
  return types;
}

bool IsOpen(const json& node) {
  return !(node.contains("additionalProperties") && node["additionalProperties"] == false);
}

bool AcceptsAnything(const json& node) {
  return node == true || (node.is_object() && node.empty());
}

std::string RuleName(std::string_view keyword) {
  std::string out;
  for (char c : keyword) {
    if (std::isupper(static_cast<unsigned char>(c))) out.push_back('_');
    out.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  }
  return out;
}

class JsonChecker {
 public:
  explicit JsonChecker(std::vector<std::string>* problems) : problems_(problems) {}

  void Check(const json& r, const json& w, const std::string& path) {
    if (w == false || AcceptsAnything(r) || r == w) return;
    if (r == false || !r.is_object() || !w.is_object()) {
      return Add(path, "TYPE_NARROWED", "the reader accepts nothing the writer writes");
    }
    CheckTypes(r, w, path);
    CheckEnum(r, w, path);
    for (const char* k : {"maxLength", "maximum", "maxItems", "maxProperties"}) {
      CheckBound(r, w, path, k, /*upper=*/true);
    }
    for (const char* k : {"minLength", "minimum", "minItems", "minProperties"}) {
      CheckBound(r, w, path, k, /*upper=*/false);
    }
    if (r.contains("pattern") && r["pattern"] != w.value("pattern", json())) {
      Add(path, w.contains("pattern") ? "PATTERN_CHANGED" : "PATTERN_ADDED",
          fmt::format("the reader requires pattern {}", r["pattern"].dump()));
    }
    CheckObject(r, w, path);
    if (r.contains("items") && r["items"].is_object()) {
      Check(r["items"], w.value("items", json::object()), path + "[]");
    }
  }

 private:
  void CheckTypes(const json& r, const json& w, const std::string& path) {
    const std::set<std::string> rt = TypesOf(r);
    if (rt.empty()) return;
    std::set<std::string> wt = TypesOf(w);
    if (wt.empty()) {
      return Add(path, "TYPE_NARROWED",
                 fmt::format("the writer allows any type, the reader only {}", r["type"].dump()));
    }
    for (const std::string& t : wt) {
      if (rt.count(t) || (t == "integer" && rt.count("number"))) continue;
      Add(path, "TYPE_NARROWED",
          fmt::format("the writer's type {} is not among the reader's {}", t, r["type"].dump()));
    }
  }

  void CheckEnum(const json& r, const json& w, const std::string& path) {
    if (!r.contains("enum")) return;
    if (!w.contains("enum")) {
      return Add(path, "ENUM_ARRAY_NARROWED", "the reader adds an enum the writer does not have");
    }
    for (const json& v : w["enum"]) {
      bool found = false;
      for (const json& x : r["enum"]) found = found || x == v;
      if (!found)
        Add(path, "ENUM_ARRAY_NARROWED", fmt::format("the reader's enum lacks {}", v.dump()));
    }
  }

  void CheckBound(const json& r, const json& w, const std::string& path, const char* key,
                  bool upper) {
    if (!r.contains(key) || !r[key].is_number()) return;
    if (!w.contains(key) || !w[key].is_number()) {
      return Add(path, RuleName(key) + "_ADDED",
                 fmt::format("the reader adds {} {}", key, r[key].dump()));
    }
    const double rv = r[key].get<double>();
    const double wv = w[key].get<double>();
    if (upper ? rv < wv : rv > wv) {
      Add(path, RuleName(key) + (upper ? "_DECREASED" : "_INCREASED"),
          fmt::format("{} is {} in the reader, {} in the writer", key, r[key].dump(),
                      w[key].dump()));
    }
  }

  void CheckObject(const json& r, const json& w, const std::string& path) {
    const json rp = r.value("properties", json::object());
    const json wp = w.value("properties", json::object());
    const json radd = r.value("additionalProperties", json(true));
    for (const auto& [name, wschema] : wp.items()) {
      const std::string p = JoinPath(path, name);
      if (rp.contains(name)) {
        Check(rp[name], wschema, p);
      } else if (!IsOpen(r)) {
        Add(p, "PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL",
            fmt::format("the writer's property '{}' is refused by the reader "
                        "(additionalProperties: false)",
                        name));
      } else if (radd.is_object()) {
        Check(radd, wschema, p);
      }
    }
    for (const auto& [name, rschema] : rp.items()) {
      if (wp.contains(name) || !IsOpen(w) || AcceptsAnything(rschema)) continue;
      Add(JoinPath(path, name), "PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL",
          fmt::format("property '{}' is new, and the writer may already write it with any value "
                      "(its additionalProperties are open)",
                      name));
    }
    std::set<std::string> wreq;
    for (const json& x : w.value("required", json::array())) wreq.insert(x.dump());
    for (const json& x : r.value("required", json::array())) {
      if (!wreq.count(x.dump()) && x.is_string()) {
        Add(JoinPath(path, x.get<std::string>()), "REQUIRED_ATTRIBUTE_ADDED",
            fmt::format("the reader requires '{}', the writer does not", x.get<std::string>()));
      }
    }
    if (IsOpen(w) && !IsOpen(r) && (w.contains("properties") || TypesOf(w).count("object"))) {
      Add(path, "ADDITIONAL_PROPERTIES_REMOVED",
          "the writer allows additional properties, the reader does not");
    }
  }

  void Add(const std::string& path, std::string_view rule, const std::string& detail) {
    problems_->push_back(fmt::format("{}: {}: {}", path, rule, detail));
  }

  std::vector<std::string>* problems_;
};

}  // namespace

void JsonReadProblems(const ParsedSchema& reader, const ParsedSchema& writer,
                      std::vector<std::string>* problems) {
  JsonChecker(problems).Check(reader.document(), writer.document(), "$");
}

}  // namespace kq::schema
