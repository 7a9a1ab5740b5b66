#include "protocol/wire_writer.h"

#include <bit>
#include <cassert>
#include <limits>

#include "base/encoding.h"

namespace kq::protocol {

void WireWriter::WriteInt8(int8_t v) { PutFixed8(&buf_, static_cast<uint8_t>(v)); }
void WireWriter::WriteInt16(int16_t v) { PutFixed16BE(&buf_, static_cast<uint16_t>(v)); }
void WireWriter::WriteUint16(uint16_t v) { PutFixed16BE(&buf_, v); }
void WireWriter::WriteInt32(int32_t v) { PutFixed32BE(&buf_, static_cast<uint32_t>(v)); }
void WireWriter::WriteInt64(int64_t v) { PutFixed64BE(&buf_, static_cast<uint64_t>(v)); }
void WireWriter::WriteFloat64(double v) { PutFixed64BE(&buf_, std::bit_cast<uint64_t>(v)); }
void WireWriter::WriteUuid(const Uuid& v) {
  buf_.append(reinterpret_cast<const char*>(v.bytes.data()), v.bytes.size());
}
void WireWriter::WriteUnsignedVarint(uint32_t v) { PutUnsignedVarint32(&buf_, v); }

void WireWriter::WriteLength(int64_t len, bool compact, bool wide) {
  if (compact) {
    PutUnsignedVarint64(&buf_, static_cast<uint64_t>(len + 1));
  } else if (wide) {
    WriteInt32(static_cast<int32_t>(len));
  } else {
    WriteInt16(static_cast<int16_t>(len));
  }
}

void WireWriter::WriteString(std::string_view s, bool compact) {
  assert(s.size() <= static_cast<size_t>(std::numeric_limits<int16_t>::max()));
  if (s.size() > static_cast<size_t>(std::numeric_limits<int16_t>::max())) {
    s = s.substr(0, std::numeric_limits<int16_t>::max());
  }
  WriteLength(static_cast<int64_t>(s.size()), compact, false);
  buf_.append(s);
}

void WireWriter::WriteNullableString(const std::optional<std::string>& s, bool compact) {
  if (!s) {
    WriteLength(-1, compact, false);
  } else {
    WriteString(*s, compact);
  }
}

void WireWriter::WriteBytes(std::string_view b, bool compact) {
  WriteLength(static_cast<int64_t>(b.size()), compact, true);
  buf_.append(b);
}

void WireWriter::WriteNullableBytes(const std::optional<std::string>& b, bool compact) {
  if (!b) {
    WriteLength(-1, compact, true);
  } else {
    WriteBytes(*b, compact);
  }
}

void WireWriter::WriteRecords(const Records& r, bool compact) {
  if (r.is_null) {
    WriteLength(-1, compact, true);
    return;
  }
  WriteLength(static_cast<int64_t>(r.size()), compact, true);
  AppendRecords(r);
}

void WireWriter::AppendRecords(const Records& r) {
  if (r.is_null) return;
  if (r.fd < 0) {
    buf_.append(r.bytes);
    return;
  }
  if (r.file_len == 0) return;
  if (!buf_.empty()) {
    taken_ += buf_.size();
    chunks_.push_back(OutChunk{std::move(buf_)});
    buf_.clear();
  }
  chunks_.push_back(OutChunk{{}, r.fd, r.file_pos, r.file_len});  // bytes, fd, pos, len
  taken_ += r.file_len;
}

void WireWriter::WriteArrayCount(int64_t count, bool compact) {
  if (compact) {
    PutUnsignedVarint64(&buf_, static_cast<uint64_t>(count + 1));
  } else {
    WriteInt32(static_cast<int32_t>(count));
  }
}

std::vector<OutChunk> WireWriter::TakeChunks() {
  if (!buf_.empty()) chunks_.push_back(OutChunk{std::move(buf_)});
  buf_.clear();
  taken_ = 0;
  std::vector<OutChunk> out;
  out.swap(chunks_);
  return out;
}

std::vector<OutChunk> WireWriter::TakeFrame() {
  const uint64_t total = size();
  std::vector<OutChunk> body = TakeChunks();
  std::vector<OutChunk> out;
  out.reserve(body.size() + 1);
  OutChunk prefix;
  PutFixed32BE(&prefix.bytes, static_cast<uint32_t>(total));
  // The prefix joins the first owned chunk: one fewer write for the sender.
  if (!body.empty() && body.front().fd < 0) {
    prefix.bytes.append(body.front().bytes);
    body.front() = std::move(prefix);
  } else {
    out.push_back(std::move(prefix));
  }
  for (OutChunk& c : body) out.push_back(std::move(c));
  return out;
}

}  // namespace kq::protocol
