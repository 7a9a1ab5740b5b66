#include "common/record_format.h"

#include <charconv>

#include <fmt/format.h>

#include "base/encoding.h"
#include "common/escapes.h"
#include "common/time_spec.h"

namespace kq::tools {

void AppendDecimal(int64_t v, std::string* out) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  out->append(buf, end);
}

void RecordFormatter::AddLiteral(std::string_view bytes) {
  if (bytes.empty()) return;
  // Extend the previous literal step when it is the last thing added, so
  // "a\\nb" is one append at render time, not three.
  if (!steps_.empty() && steps_.back().op == Op::kLiteral &&
      steps_.back().literal_begin + steps_.back().literal_size == literals_.size()) {
    steps_.back().literal_size += static_cast<uint32_t>(bytes.size());
  } else {
    steps_.push_back({Op::kLiteral, static_cast<uint32_t>(literals_.size()),
                      static_cast<uint32_t>(bytes.size())});
  }
  literals_.append(bytes);
}

Result<RecordFormatter> RecordFormatter::Compile(std::string_view format) {
  RecordFormatter f;
  std::string scratch;
  size_t i = 0;
  while (i < format.size()) {
    char c = format[i];
    if (c == '\\') {
      scratch.clear();
      KQ_ASSIGN_OR_RETURN(size_t used, AppendEscape("-f", format, i, &scratch));
      f.AddLiteral(scratch);
      i += used;
      continue;
    }
    if (c != '%') {
      size_t run = i;
      while (run < format.size() && format[run] != '%' && format[run] != '\\') ++run;
      f.AddLiteral(format.substr(i, run - i));
      i = run;
      continue;
    }
    if (i + 1 >= format.size()) {
      return Status::InvalidArgument(
          fmt::format("-f: lone '%' at the end of '{}': write %% for a literal '%'", format));
    }
    Op op;
    switch (format[i + 1]) {
      case 't':
        op = Op::kTopic;
        break;
      case 'p':
        op = Op::kPartition;
        break;
      case 'o':
        op = Op::kOffset;
        break;
      case 'k':
        op = Op::kKey;
        break;
      case 'K':
        op = Op::kKeyLength;
        break;
      case 's':
        op = Op::kValue;
        break;
      case 'S':
        op = Op::kValueLength;
        break;
      case 'R':
        op = Op::kValueLengthBinary;
        break;
      case 'T':
        op = Op::kTimestamp;
        break;
      case 'd':
        op = Op::kIsoTime;
        break;
      case 'h':
        op = Op::kHeaders;
        break;
      case '%':
        f.AddLiteral("%");
        i += 2;
        continue;
      default:
        return Status::InvalidArgument(fmt::format(
            "-f: unknown token '%{}' at position {} in '{}': expected %t %p %o %k %K %s %S "
            "%R %T %d %h or %%",
            format[i + 1], i, format));
    }
    f.steps_.push_back({op});
    i += 2;
  }
  return f;
}

namespace {

void AppendHeaders(std::span<const HeaderView> headers, std::string* out) {
  bool first = true;
  for (const HeaderView& h : headers) {
    if (!first) out->push_back(',');
    first = false;
    out->append(h.first);
    if (h.second) {
      out->push_back('=');
      out->append(*h.second);
    }
  }
}

}  // namespace

void RecordFormatter::Render(const FormattedRecord& r, std::string* out) const {
  for (const Step& step : steps_) {
    switch (step.op) {
      case Op::kLiteral:
        out->append(literals_.data() + step.literal_begin, step.literal_size);
        break;
      case Op::kTopic:
        out->append(r.topic);
        break;
      case Op::kPartition:
        AppendDecimal(r.partition, out);
        break;
      case Op::kOffset:
        AppendDecimal(r.offset, out);
        break;
      case Op::kKey:
        if (r.key) out->append(*r.key);
        break;
      case Op::kKeyLength:
        AppendDecimal(r.key ? static_cast<int64_t>(r.key->size()) : -1, out);
        break;
      case Op::kValue:
        if (r.value) out->append(*r.value);
        break;
      case Op::kValueLength:
        AppendDecimal(r.value ? static_cast<int64_t>(r.value->size()) : -1, out);
        break;
      case Op::kValueLengthBinary:
        PutFixed32BE(out, r.value ? static_cast<uint32_t>(r.value->size()) : 0xffffffffu);
        break;
      case Op::kTimestamp:
        AppendDecimal(r.timestamp, out);
        break;
      case Op::kIsoTime:
        AppendIso8601Ms(r.timestamp, out);
        break;
      case Op::kHeaders:
        AppendHeaders(r.headers, out);
        break;
    }
  }
}

}  // namespace kq::tools
