#include "schema/avro_values.h"

#include <cmath>
#include <limits>

#include <fmt/format.h>

namespace kq::schema {
namespace {

using nlohmann::json;

std::string JsonKind(const json& v) {
  if (v.is_number_integer()) return "integer";
  if (v.is_number_float()) return "number";
  return v.type_name();
}

Status Mismatch(std::string_view path, std::string_view expected, const json& v) {
  return Status::InvalidArgument(
      fmt::format("{}: expected {}, got {}", path, expected, JsonKind(v)));
}

Status AvroFailed(std::string_view path, std::string_view what) {
  return Status::InvalidArgument(fmt::format("{}: {}: {}", path, what, avro_strerror()));
}

// Avro's JSON encoding of bytes and fixed: one code point 0..255 per byte.
Result<std::string> LatinBytes(const json& v, std::string_view path) {
  if (!v.is_string()) return Mismatch(path, "a string of bytes", v);
  const std::string& s = v.get_ref<const std::string&>();
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      out.push_back(static_cast<char>(c));
    } else if ((c & 0xe0) == 0xc0 && i + 1 < s.size()) {
      const unsigned cp = ((c & 0x1fu) << 6) | (static_cast<unsigned char>(s[++i]) & 0x3fu);
      if (cp > 0xff) {
        return Status::InvalidArgument(
            fmt::format("{}: bytes are written as code points 0..255; found U+{:04X}", path, cp));
      }
      out.push_back(static_cast<char>(cp));
    } else {
      return Status::InvalidArgument(
          fmt::format("{}: bytes are written as code points 0..255; found a wider one", path));
    }
  }
  return out;
}

json BytesToJson(const void* data, size_t size) {
  std::string s;
  const auto* p = static_cast<const unsigned char*>(data);
  for (size_t i = 0; i < size; ++i) {
    if (p[i] < 0x80) {
      s.push_back(static_cast<char>(p[i]));
    } else {
      s.push_back(static_cast<char>(0xc0 | (p[i] >> 6)));
      s.push_back(static_cast<char>(0x80 | (p[i] & 0x3f)));
    }
  }
  return s;
}

Status RecordToAvro(const json& value, const json& def, const AvroNames& names, avro_value_t* out,
                    std::string_view path) {
  if (!value.is_object())
    return Mismatch(path, fmt::format("record {}", def["name"].get<std::string>()), value);
  const json& fields = def["fields"];
  for (const auto& [key, unused] : value.items()) {
    bool known = false;
    for (const json& f : fields) known = known || f["name"] == key;
    if (!known) {
      return Status::InvalidArgument(fmt::format("{}: record {} has no field '{}'", path,
                                                 def["name"].get<std::string>(), key));
    }
  }
  for (size_t i = 0; i < fields.size(); ++i) {
    const json& f = fields[i];
    const std::string& name = f["name"].get_ref<const std::string&>();
    const std::string child_path = JoinPath(path, name);
    avro_value_t child;
    if (avro_value_get_by_index(out, i, &child, nullptr) != 0)
      return AvroFailed(child_path, "field");
    auto it = value.find(name);
    if (it != value.end()) {
      KQ_RETURN_IF_ERROR(JsonToAvro(*it, f["type"], names, &child, child_path));
    } else if (f.contains("default")) {
      // A union's default is a value of its first branch, written bare.
      const json& t = ResolveAvroType(f["type"], names);
      if (t.is_array() && !t.empty()) {
        avro_value_t branch;
        if (avro_value_set_branch(&child, 0, &branch) != 0) return AvroFailed(child_path, "union");
        KQ_RETURN_IF_ERROR(JsonToAvro(f["default"], t[0], names, &branch, child_path));
      } else {
        KQ_RETURN_IF_ERROR(JsonToAvro(f["default"], f["type"], names, &child, child_path));
      }
    } else {
      return Status::InvalidArgument(
          fmt::format("{}: missing field (required: it has no default)", child_path));
    }
  }
  return Status::Ok();
}

Status UnionToAvro(const json& value, const json& branches, const AvroNames& names,
                   avro_value_t* out, std::string_view path) {
  auto set = [&](size_t i, const json& v) -> Status {
    avro_value_t branch;
    if (avro_value_set_branch(out, static_cast<int>(i), &branch) != 0) {
      return AvroFailed(path, "union");
    }
    return JsonToAvro(v, branches[i], names, &branch, path);
  };
  // Avro's JSON encoding: {"branch name": value}.
  if (value.is_object() && value.size() == 1) {
    for (size_t i = 0; i < branches.size(); ++i) {
      if (AvroBranchName(branches[i], names) == value.begin().key()) {
        return set(i, value.begin().value());
      }
    }
  }
  // A bare value: the first branch it fits.
  std::vector<std::string> tried;
  for (size_t i = 0; i < branches.size(); ++i) {
    Status s = set(i, value);
    if (s.ok()) return s;
    tried.push_back(AvroBranchName(branches[i], names));
  }
  return Status::InvalidArgument(fmt::format("{}: {} fits no branch of the union [{}]", path,
                                             JsonKind(value), fmt::join(tried, ", ")));
}

}  // namespace

Status JsonToAvro(const json& value, const json& type, const AvroNames& names, avro_value_t* out,
                  std::string_view path) {
  const json& def = ResolveAvroType(type, names);
  if (def.is_array()) return UnionToAvro(value, def, names, out, path);
  const std::string kind = AvroKind(def);
  int rc = 0;
  if (kind == "null") {
    if (!value.is_null()) return Mismatch(path, "null", value);
    rc = avro_value_set_null(out);
  } else if (kind == "boolean") {
    if (!value.is_boolean()) return Mismatch(path, "boolean", value);
    rc = avro_value_set_boolean(out, value.get<bool>() ? 1 : 0);
  } else if (kind == "int" || kind == "long") {
    if (!value.is_number_integer()) return Mismatch(path, kind, value);
    if (value.is_number_unsigned() && value.get<uint64_t>() > uint64_t{INT64_MAX}) {
      return Status::InvalidArgument(
          fmt::format("{}: {} is out of range for {}", path, value.dump(), kind));
    }
    const int64_t n = value.get<int64_t>();
    if (kind == "int") {
      if (n < INT32_MIN || n > INT32_MAX) {
        return Status::InvalidArgument(fmt::format("{}: {} is out of range for int", path, n));
      }
      rc = avro_value_set_int(out, static_cast<int32_t>(n));
    } else {
      rc = avro_value_set_long(out, n);
    }
  } else if (kind == "float" || kind == "double") {
    if (!value.is_number()) return Mismatch(path, kind, value);
    rc = kind == "float" ? avro_value_set_float(out, value.get<float>())
                         : avro_value_set_double(out, value.get<double>());
  } else if (kind == "string") {
    if (!value.is_string()) return Mismatch(path, "string", value);
    const std::string& s = value.get_ref<const std::string&>();
    rc = avro_value_set_string_len(out, s.c_str(), s.size() + 1);
  } else if (kind == "bytes") {
    KQ_ASSIGN_OR_RETURN(std::string bytes, LatinBytes(value, path));
    rc = avro_value_set_bytes(out, bytes.data(), bytes.size());
  } else if (kind == "fixed") {
    KQ_ASSIGN_OR_RETURN(std::string bytes, LatinBytes(value, path));
    const auto size = def["size"].get<size_t>();
    if (bytes.size() != size) {
      return Status::InvalidArgument(fmt::format("{}: fixed {} takes {} bytes, got {}", path,
                                                 def["name"].get<std::string>(), size,
                                                 bytes.size()));
    }
    rc = avro_value_set_fixed(out, bytes.data(), bytes.size());
  } else if (kind == "enum") {
    if (!value.is_string()) return Mismatch(path, "an enum symbol", value);
    const json& symbols = def["symbols"];
    for (size_t i = 0; i < symbols.size(); ++i) {
      if (symbols[i] == value)
        return avro_value_set_enum(out, static_cast<int>(i)) == 0 ? Status::Ok()
                                                                  : AvroFailed(path, "enum");
    }
    return Status::InvalidArgument(fmt::format("{}: '{}' is not a symbol of enum {} ({})", path,
                                               value.get<std::string>(),
                                               def["name"].get<std::string>(), symbols.dump()));
  } else if (kind == "array") {
    if (!value.is_array()) return Mismatch(path, "array", value);
    for (size_t i = 0; i < value.size(); ++i) {
      avro_value_t child;
      if (avro_value_append(out, &child, nullptr) != 0) return AvroFailed(path, "array");
      KQ_RETURN_IF_ERROR(JsonToAvro(value[i], def["items"], names, &child, IndexPath(path, i)));
    }
  } else if (kind == "map") {
    if (!value.is_object()) return Mismatch(path, "map (a JSON object)", value);
    for (const auto& [key, item] : value.items()) {
      avro_value_t child;
      if (avro_value_add(out, key.c_str(), &child, nullptr, nullptr) != 0) {
        return AvroFailed(path, "map");
      }
      KQ_RETURN_IF_ERROR(JsonToAvro(item, def["values"], names, &child, JoinPath(path, key)));
    }
  } else if (kind == "record") {
    return RecordToAvro(value, def, names, out, path);
  } else {
    return Status::InvalidArgument(fmt::format("{}: unsupported Avro type '{}'", path, kind));
  }
  return rc == 0 ? Status::Ok() : AvroFailed(path, kind);
}

Result<json> AvroToJson(avro_value_t* in, const json& type, const AvroNames& names,
                        std::string_view path) {
  const json& def = ResolveAvroType(type, names);
  auto failed = [&](std::string_view what) { return AvroFailed(path, what); };
  if (def.is_array()) {
    int disc = 0;
    avro_value_t branch;
    if (avro_value_get_discriminant(in, &disc) != 0 ||
        avro_value_get_current_branch(in, &branch) != 0 || disc < 0 ||
        static_cast<size_t>(disc) >= def.size()) {
      return failed("union");
    }
    const json& bt = def[static_cast<size_t>(disc)];
    KQ_ASSIGN_OR_RETURN(json inner, AvroToJson(&branch, bt, names, path));
    if (AvroKind(ResolveAvroType(bt, names)) == "null") return json(nullptr);
    return json{{AvroBranchName(bt, names), std::move(inner)}};
  }
  const std::string kind = AvroKind(def);
  if (kind == "null") return json(nullptr);
  if (kind == "boolean") {
    int b = 0;
    if (avro_value_get_boolean(in, &b) != 0) return failed(kind);
    return json(b != 0);
  }
  if (kind == "int") {
    int32_t n = 0;
    if (avro_value_get_int(in, &n) != 0) return failed(kind);
    return json(n);
  }
  if (kind == "long") {
    int64_t n = 0;
    if (avro_value_get_long(in, &n) != 0) return failed(kind);
    return json(n);
  }
  if (kind == "float") {
    float f = 0;
    if (avro_value_get_float(in, &f) != 0) return failed(kind);
    return json(static_cast<double>(f));
  }
  if (kind == "double") {
    double d = 0;
    if (avro_value_get_double(in, &d) != 0) return failed(kind);
    return json(d);
  }
  if (kind == "string") {
    const char* s = nullptr;
    size_t size = 0;
    if (avro_value_get_string(in, &s, &size) != 0) return failed(kind);
    std::string text(s, size > 0 ? size - 1 : 0);  // size counts the NUL
    return json(std::move(text));
  }
  if (kind == "bytes" || kind == "fixed") {
    const void* p = nullptr;
    size_t size = 0;
    const int rc =
        kind == "bytes" ? avro_value_get_bytes(in, &p, &size) : avro_value_get_fixed(in, &p, &size);
    if (rc != 0) return failed(kind);
    return BytesToJson(p, size);
  }
  if (kind == "enum") {
    int i = 0;
    if (avro_value_get_enum(in, &i) != 0 || i < 0 ||
        static_cast<size_t>(i) >= def["symbols"].size()) {
      return failed(kind);
    }
    return def["symbols"][static_cast<size_t>(i)];
  }
  if (kind == "array") {
    size_t n = 0;
    if (avro_value_get_size(in, &n) != 0) return failed(kind);
    json out = json::array();
    for (size_t i = 0; i < n; ++i) {
      avro_value_t child;
      if (avro_value_get_by_index(in, i, &child, nullptr) != 0) return failed(kind);
      KQ_ASSIGN_OR_RETURN(json item, AvroToJson(&child, def["items"], names, IndexPath(path, i)));
      out.push_back(std::move(item));
    }
    return out;
  }
  if (kind == "map") {
    size_t n = 0;
    if (avro_value_get_size(in, &n) != 0) return failed(kind);
    json out = json::object();
    for (size_t i = 0; i < n; ++i) {
      avro_value_t child;
      const char* key = nullptr;
      if (avro_value_get_by_index(in, i, &child, &key) != 0) return failed(kind);
      KQ_ASSIGN_OR_RETURN(json item, AvroToJson(&child, def["values"], names, JoinPath(path, key)));
      out[key] = std::move(item);
    }
    return out;
  }
  if (kind == "record") {
    json out = json::object();
    const json& fields = def["fields"];
    for (size_t i = 0; i < fields.size(); ++i) {
      const std::string& name = fields[i]["name"].get_ref<const std::string&>();
      avro_value_t child;
      if (avro_value_get_by_index(in, i, &child, nullptr) != 0) return failed(kind);
      KQ_ASSIGN_OR_RETURN(out[name],
                          AvroToJson(&child, fields[i]["type"], names, JoinPath(path, name)));
    }
    return out;
  }
  return Status::InvalidArgument(fmt::format("{}: unsupported Avro type '{}'", path, kind));
}

}  // namespace kq::schema
