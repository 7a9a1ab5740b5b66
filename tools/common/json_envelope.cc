#include "common/json_envelope.h"

#include <array>
#include <limits>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/base64.h"
#include "common/utf8.h"

namespace kq::tools {
namespace {

// 0: copy as is; otherwise the character after '\' ('u' for \u00XX).
constexpr std::array<char, 256> MakeEscapeTable() {
  std::array<char, 256> t{};
  for (int c = 0; c < 0x20; ++c) t[c] = 'u';
  t['\n'] = 'n';
  t['\t'] = 't';
  t['\r'] = 'r';
  t['\b'] = 'b';
  t['\f'] = 'f';
  t['"'] = '"';
  t['\\'] = '\\';
  return t;
}
constexpr std::array<char, 256> kEscape = MakeEscapeTable();

// "name":<string or null>, or "name_b64":"..." for bytes that are not UTF-8.
void AppendBytesField(std::string_view name, const std::optional<std::string_view>& bytes,
                      std::string* out) {
  out->push_back('"');
  out->append(name);
  if (!bytes) {
    out->append("\":null");
  } else if (IsValidUtf8(*bytes)) {
    out->append("\":");
    AppendJsonString(*bytes, out);
  } else {
    out->append("_b64\":\"");
    AppendBase64(*bytes, out);
    out->push_back('"');
  }
}

// A header name or value: string, null, or {"b64":"..."}.
void AppendHeaderItem(const std::optional<std::string_view>& bytes, std::string* out) {
  if (!bytes) {
    out->append("null");
  } else if (IsValidUtf8(*bytes)) {
    AppendJsonString(*bytes, out);
  } else {
    out->append("{\"b64\":\"");
    AppendBase64(*bytes, out);
    out->append("\"}");
  }
}

}  // namespace

void AppendJsonString(std::string_view bytes, std::string* out) {
  out->push_back('"');
  size_t run = 0;  // start of the bytes not yet copied
  for (size_t i = 0; i < bytes.size(); ++i) {
    char e = kEscape[static_cast<unsigned char>(bytes[i])];
    if (e == 0) continue;
    out->append(bytes.data() + run, i - run);
    run = i + 1;
    out->push_back('\\');
    out->push_back(e);
    if (e == 'u') {
      static constexpr char kHex[] = "0123456789abcdef";
      unsigned char c = static_cast<unsigned char>(bytes[i]);
      out->append("00");
      out->push_back(kHex[c >> 4]);
      out->push_back(kHex[c & 15]);
    }
  }
  out->append(bytes.data() + run, bytes.size() - run);
  out->push_back('"');
}

void EncodeJsonEnvelope(const FormattedRecord& r, std::string* out) {
  out->append("{\"topic\":");
  AppendHeaderItem(r.topic, out);
  out->append(",\"partition\":");
  AppendDecimal(r.partition, out);
  out->append(",\"offset\":");
  AppendDecimal(r.offset, out);
  out->append(",\"tstype\":\"");
  out->append(r.timestamp < 0 ? "unknown" : r.log_append_time ? "logappend" : "create");
  out->append("\",\"ts\":");
  AppendDecimal(r.timestamp < 0 ? -1 : r.timestamp, out);
  if (!r.headers.empty()) {
    out->append(",\"headers\":[");
    bool first = true;
    for (const HeaderView& h : r.headers) {
      if (!first) out->push_back(',');
      first = false;
      AppendHeaderItem(h.first, out);
      out->push_back(',');
      AppendHeaderItem(h.second, out);
    }
    out->push_back(']');
  }
  out->push_back(',');
  AppendBytesField("key", r.key, out);
  out->push_back(',');
  AppendBytesField("payload", r.value, out);
  out->push_back('}');
}

namespace {

using nlohmann::json;

Status FieldError(std::string_view field, std::string_view what) {
  return Status::InvalidArgument(fmt::format("field '{}': {}", field, what));
}

// A string, or {"b64": "..."} decoded. `field` names the place for errors.
Result<std::string> DecodeBytesItem(const json& item, std::string_view field) {
  if (item.is_string()) return item.get<std::string>();
  if (item.is_object() && item.size() == 1 && item.contains("b64") && item["b64"].is_string()) {
    Result<std::string> bytes = Base64Decode(item["b64"].get_ref<const std::string&>());
    if (!bytes.ok()) return bytes.status().WithPrefix(fmt::format("field '{}'", field));
    return bytes;
  }
  return FieldError(field, "expected a string or {\"b64\": \"...\"}");
}

// "key"/"key_b64" (or "payload"/"payload_b64") into *out; absent or null is nullopt.
Status DecodeBytesField(const json& doc, const std::string& name, std::optional<std::string>* out) {
  const std::string b64_name = name + "_b64";
  auto plain = doc.find(name);
  auto b64 = doc.find(b64_name);
  if (plain != doc.end() && b64 != doc.end()) {
    return Status::InvalidArgument(
        fmt::format("fields '{}' and '{}' both given: use one", name, b64_name));
  }
  if (plain != doc.end()) {
    if (plain->is_null()) return Status::Ok();
    if (!plain->is_string()) return FieldError(name, "expected a string or null");
    *out = plain->get<std::string>();
  } else if (b64 != doc.end()) {
    if (b64->is_null()) return Status::Ok();
    if (!b64->is_string()) return FieldError(b64_name, "expected a base64 string or null");
    Result<std::string> bytes = Base64Decode(b64->get_ref<const std::string&>());
    if (!bytes.ok()) return bytes.status().WithPrefix(fmt::format("field '{}'", b64_name));
    *out = std::move(*bytes);
  }
  return Status::Ok();
}

// kcat's object form {"name": value, ...}: one header per member. JSON
// objects have no order or duplicates to keep, so the parser's order
// (sorted by name) is used.
Status DecodeHeaderObject(const json& object, ParsedEnvelope* env) {
  for (const auto& [name, value] : object.items()) {
    std::optional<std::string> value_bytes;
    if (!value.is_null()) {
      KQ_ASSIGN_OR_RETURN(value_bytes, DecodeBytesItem(value, fmt::format("headers.{}", name)));
    }
    env->headers.emplace_back(name, std::move(value_bytes));
  }
  return Status::Ok();
}

Status DecodeHeaders(const json& doc, ParsedEnvelope* env) {
  auto it = doc.find("headers");
  if (it == doc.end() || it->is_null()) return Status::Ok();
  if (it->is_object()) return DecodeHeaderObject(*it, env);
  if (!it->is_array()) {
    return FieldError("headers", "expected an array [name, value, ...] or an object {name: value}");
  }
  if (it->size() % 2 != 0) {
    return FieldError("headers",
                      fmt::format("expected names and values in pairs, got {} items", it->size()));
  }
  for (size_t i = 0; i < it->size(); i += 2) {
    const json& name = (*it)[i];
    const json& value = (*it)[i + 1];
    KQ_ASSIGN_OR_RETURN(std::string name_bytes,
                        DecodeBytesItem(name, fmt::format("headers[{}]", i)));
    std::optional<std::string> value_bytes;
    if (!value.is_null()) {
      KQ_ASSIGN_OR_RETURN(value_bytes, DecodeBytesItem(value, fmt::format("headers[{}]", i + 1)));
    }
    env->headers.emplace_back(std::move(name_bytes), std::move(value_bytes));
  }
  return Status::Ok();
}

// An integer field within [lo, hi]; absent or null leaves *out unset.
template <typename T>
Status DecodeInt(const json& doc, const char* field, std::optional<T>* out) {
  auto it = doc.find(field);
  if (it == doc.end() || it->is_null()) return Status::Ok();
  if (!it->is_number_integer()) return FieldError(field, "expected an integer");
  if (it->is_number_unsigned()) {
    uint64_t v = it->get<uint64_t>();
    if (v > static_cast<uint64_t>(std::numeric_limits<T>::max())) {
      return FieldError(field, fmt::format("{} is out of range", v));
    }
    *out = static_cast<T>(v);
    return Status::Ok();
  }
  int64_t v = it->get<int64_t>();
  if (v < std::numeric_limits<T>::min() || v > std::numeric_limits<T>::max()) {
    return FieldError(field, fmt::format("{} is out of range", v));
  }
  *out = static_cast<T>(v);
  return Status::Ok();
}

// The fields the envelope has; anything else is likely a typo ("paylaod")
// that would otherwise turn the line into a tombstone.
bool IsEnvelopeField(std::string_view name) {
  static constexpr std::string_view kFields[] = {"topic",   "partition",  "offset", "tstype",
                                                 "ts",      "headers",    "key",    "key_b64",
                                                 "payload", "payload_b64"};
  for (std::string_view f : kFields) {
    if (f == name) return true;
  }
  return false;
}

Status CheckFieldNames(const json& doc, const EnvelopeDecodeOptions& options, ParsedEnvelope* env) {
  for (const auto& [name, value] : doc.items()) {
    if (IsEnvelopeField(name)) continue;
    if (!options.lenient) {
      return Status::InvalidArgument(fmt::format(
          "unknown field '{}' (the fields are topic, partition, offset, tstype, ts, headers, "
          "key, key_b64, payload, payload_b64; --lenient ignores others)",
          name));
    }
    env->ignored_fields.push_back(name);
  }
  return Status::Ok();
}

Result<ParsedEnvelope> DecodeDocument(const json& doc, const EnvelopeDecodeOptions& options) {
  if (!doc.is_object()) return Status::InvalidArgument("expected a JSON object per line");
  ParsedEnvelope env;
  KQ_RETURN_IF_ERROR(CheckFieldNames(doc, options, &env));
  if (auto it = doc.find("topic"); it != doc.end() && !it->is_null()) {
    if (!it->is_string()) return FieldError("topic", "expected a string");
    env.topic = it->get<std::string>();
  }
  KQ_RETURN_IF_ERROR(DecodeInt(doc, "partition", &env.partition));
  if (env.partition && *env.partition < 0) {
    return FieldError("partition", fmt::format("{} is negative", *env.partition));
  }
  KQ_RETURN_IF_ERROR(DecodeInt(doc, "ts", &env.timestamp));
  // -1 is how the encoder writes "unknown"; treat it as not given.
  if (env.timestamp && *env.timestamp < 0) env.timestamp.reset();
  KQ_RETURN_IF_ERROR(DecodeBytesField(doc, "key", &env.key));
  KQ_RETURN_IF_ERROR(DecodeBytesField(doc, "payload", &env.value));
  KQ_RETURN_IF_ERROR(DecodeHeaders(doc, &env));
  // A missing payload is not a tombstone: a tombstone must be asked for.
  if (!doc.contains("payload") && !doc.contains("payload_b64")) {
    return Status::InvalidArgument(
        "no 'payload' or 'payload_b64' field (write \"payload\":null for a tombstone)");
  }
  return env;
}

// nlohmann's message without its "[json.exception.parse_error.101] " tag
// and, since the input is one line, without "line 1, ":
//   "parse error at column 12: syntax error while parsing value - ..."
std::string JsonErrorText(const json::exception& e) {
  std::string_view what = e.what();
  if (what.starts_with("[json.exception.")) {
    const size_t end = what.find("] ");
    if (end != std::string_view::npos) what.remove_prefix(end + 2);
  }
  std::string text(what);
  if (const size_t at = text.find("at line 1, column "); at != std::string::npos) {
    text.erase(at + 3, std::string_view("line 1, ").size());
  }
  return text;
}

}  // namespace

Result<ParsedEnvelope> DecodeJsonEnvelope(std::string_view line,
                                          const EnvelopeDecodeOptions& options) {
  json doc;
  try {
    doc = json::parse(line.begin(), line.end());
  } catch (const json::exception& e) {
    return Status::InvalidArgument(fmt::format("invalid JSON: {}", JsonErrorText(e)));
  }
  try {
    return DecodeDocument(doc, options);
  } catch (const json::exception& e) {  // a type check missed above; never crash
    return Status::InvalidArgument(fmt::format("unexpected JSON shape: {}", JsonErrorText(e)));
  }
}

}  // namespace kq::tools
