// The JSON-lines envelope of kq-consume -J / kq-produce -J: one record per
// line, with kcat's field names, in kcat's order:
//
//   {"topic":"orders","partition":0,"offset":42,"tstype":"create",
//    "ts":1793491200000,"headers":["trace","abc","flag",null],
//    "key":"user1","payload":"hello"}
//
// Fields:
//   topic      string
//   partition  integer
//   offset     integer
//   tstype     "create" | "logappend" | "unknown" (timestamp < 0)
//   ts         integer, epoch ms (-1 when unknown)
//   headers    a flat array alternating names and values, as kcat prints
//              them; left out when the record has none. Order and duplicate
//              names are kept. A value is a string, null, or {"b64":"..."}
//              when its bytes are not valid UTF-8; a name likewise is a string
//              or {"b64":"..."}.
//   key        string or null; replaced by "key_b64":"<base64>" when the key
//              bytes are not valid UTF-8.
//   payload    string or null; likewise "payload_b64".
// Strings are JSON strings of the exact bytes: '"' and '\' are escaped,
// control characters are \n \t \r \b \f or \u00XX, all other valid UTF-8 is
// passed through as is. Base64 is RFC 4648 standard with padding.
//
// Decoding (kq-produce -J) accepts exactly this and lets the encoder's output
// round trip byte for byte: null vs "" , binary bytes, header order and
// duplicates. On input a line must have "payload" or "payload_b64" (null for
// a tombstone: a missing payload is an error, so a typo cannot delete a key);
// the other fields are optional (a missing key is null, missing headers are
// none); offset and tstype are ignored (the log assigns offsets). Unknown
// fields are an error, or with options.lenient listed in ignored_fields.
// Headers may also be kcat's object form {"name": value, ...}, value a
// string, null or {"b64":"..."} (taken in name order). Giving both "key" and
// "key_b64" (or "payload" and "payload_b64") is an error.
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"
#include "common/record_format.h"

namespace kq::tools {

// Appends one envelope (no trailing newline) to *out.
void EncodeJsonEnvelope(const FormattedRecord& record, std::string* out);

struct ParsedEnvelope {
  std::optional<std::string> topic;
  std::optional<int32_t> partition;
  std::optional<int64_t> timestamp;
  std::optional<std::string> key;    // nullopt: null (or absent) key
  std::optional<std::string> value;  // nullopt: null (or absent) payload
  std::vector<std::pair<std::string, std::optional<std::string>>> headers;
  std::vector<std::string> ignored_fields;  // unknown fields (lenient only)

  bool operator==(const ParsedEnvelope&) const = default;
};

struct EnvelopeDecodeOptions {
  bool lenient = false;  // unknown fields are ignored_fields, not an error
};

// Parses one line. Errors are InvalidArgument: the JSON parser's own message
// for malformed text, or "field 'partition': expected an integer" style
// messages for well-formed JSON of the wrong shape.
Result<ParsedEnvelope> DecodeJsonEnvelope(std::string_view line,
                                          const EnvelopeDecodeOptions& options = {});

// Appends `bytes` as a JSON string literal with quotes.
// REQUIRES: IsValidUtf8(bytes).
void AppendJsonString(std::string_view bytes, std::string* out);

}  // namespace kq::tools
