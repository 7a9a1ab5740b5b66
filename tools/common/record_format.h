// kq-consume -f: kcat's output format tokens, compiled once and rendered per
// record without allocating (beyond growing the caller's output buffer).
//
//   %t topic      %p partition    %o offset      %T timestamp (epoch ms)
//   %k key        %K key length   %s value       %S value length
//   %R value length as 4 bytes, big-endian (kcat's framing for binary
//      values: -1, 0xffffffff, for a null value, as Kafka encodes it)
//   %h headers as name=value,name2=value2 (a null value prints as just name)
//   %d timestamp as ISO-8601 UTC with milliseconds (2026-11-01T00:00:00.000Z)
//   %% a literal '%'
// and the escapes of escapes.h (\n \t \r \\ \xNN \NNN). A null key or value
// prints as nothing for %k/%s and as -1 for %K/%S, as kcat does, so scripts
// can tell null from empty.
//
//   Result<RecordFormatter> f = RecordFormatter::Compile("%k=%s\n");
//   f->Render(record, &out);   // appends "user1=hello\n"
//
// Thread safety: a compiled RecordFormatter is immutable; Render may be called
// from several threads at once with distinct outputs.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"

namespace kq::tools {

// A header as the tools see it: name, and a value that may be null.
using HeaderView = std::pair<std::string_view, std::optional<std::string_view>>;

// One record to print, as views into storage the caller owns; the views must
// stay valid for the duration of a Render/Encode call only. Independent of
// core/format on purpose: the tools convert from whatever the log returns.
struct FormattedRecord {
  std::string_view topic;
  int32_t partition = 0;
  int64_t offset = 0;
  int64_t timestamp = -1;                 // epoch ms; negative means unknown
  bool log_append_time = false;           // the batch's timestamp type
  std::optional<std::string_view> key;    // nullopt: null key
  std::optional<std::string_view> value;  // nullopt: null value (a tombstone)
  std::span<const HeaderView> headers;
};

class RecordFormatter {
 public:
  // Compiles `format` (the -f argument as typed, escapes not yet decoded).
  // Unknown tokens and bad escapes are InvalidArgument naming them, e.g.
  //   -f: unknown token '%x' at position 3 in 'key %x': expected %t %p %o %k %K %s %S %R %T %d %h
  //   or %%
  static Result<RecordFormatter> Compile(std::string_view format);

  // Appends the rendering of `record` to *out.
  void Render(const FormattedRecord& record, std::string* out) const;

 private:
  enum class Op : uint8_t {
    kLiteral,
    kTopic,
    kPartition,
    kOffset,
    kKey,
    kKeyLength,
    kValue,
    kValueLength,
    kValueLengthBinary,
    kTimestamp,
    kIsoTime,
    kHeaders,
  };
  struct Step {
    Op op;
    uint32_t literal_begin = 0;  // into literals_, for kLiteral
    uint32_t literal_size = 0;
  };

  RecordFormatter() = default;
  void AddLiteral(std::string_view bytes);

  std::string literals_;  // every literal run, back to back
  std::vector<Step> steps_;
};

// Appends the decimal form of `v` to *out (used by the renderers).
void AppendDecimal(int64_t v, std::string* out);

}  // namespace kq::tools
