// WireWriter: the Kafka protocol's primitive encoders, building a response
// (or request) as a list of chunks so record data can be sent from a file
// with sendfile instead of being copied into memory.
//
// Bytes are appended to the current owned chunk (buffer()). AppendRecords
// with a file range closes that chunk, adds a file chunk and starts a new
// owned one. TakeChunks() hands everything over and leaves the writer empty.
// The writer never reads a file: a file chunk is only a description.
//
// `compact` has the meaning it has in wire_reader.h. Encoders cannot fail;
// a value the version cannot carry (a null where the version is not
// nullable, a string longer than int16) is the caller's bug, asserted in
// debug builds and written as empty/truncated in release builds so that the
// frame stays well-formed.
//
// Not thread-safe; one writer per response.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/wire_types.h"

namespace kq::protocol {

class WireWriter {
 public:
  // The current owned chunk, for appending raw bytes.
  std::string& buffer() { return buf_; }
  // Bytes written so far, file chunks included.
  uint64_t size() const { return taken_ + buf_.size(); }

  void WriteInt8(int8_t v);
  void WriteInt16(int16_t v);
  void WriteUint16(uint16_t v);
  void WriteInt32(int32_t v);
  void WriteInt64(int64_t v);
  void WriteBool(bool v) { WriteInt8(v ? 1 : 0); }
  void WriteFloat64(double v);
  void WriteUuid(const Uuid& v);
  void WriteUnsignedVarint(uint32_t v);
  void WriteRaw(std::string_view bytes) { buf_.append(bytes); }

  void WriteString(std::string_view s, bool compact);
  void WriteNullableString(const std::optional<std::string>& s, bool compact);
  void WriteBytes(std::string_view b, bool compact);
  void WriteNullableBytes(const std::optional<std::string>& b, bool compact);
  // Length prefix (-1 / 0 when null) then the records (AppendRecords).
  void WriteRecords(const Records& r, bool compact);
  // The records' bytes without a length prefix: inline, or a file chunk.
  void AppendRecords(const Records& r);
  // An array's count; -1 writes null.
  void WriteArrayCount(int64_t count, bool compact);

  // Everything written, in order; the writer is empty afterwards.
  std::vector<OutChunk> TakeChunks();
  // As TakeChunks, with an int32 size prefix (the frame's) in front.
  std::vector<OutChunk> TakeFrame();

 private:
  void WriteLength(int64_t len, bool compact, bool wide);

  std::string buf_;
  std::vector<OutChunk> chunks_;
  uint64_t taken_ = 0;  // bytes in chunks_
};

}  // namespace kq::protocol
