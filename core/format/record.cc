#include "format/record.h"

#include <cstring>

#include <fmt/format.h>

#include "base/byte_reader.h"
#include "base/encoding.h"
#include "format/compression.h"

namespace kq::format {

namespace {

// The smallest record: length, attributes, timestampDelta, offsetDelta,
// keyLength, valueLength and headerCount, one byte each.
constexpr size_t kMinRecordSize = 7;
// The smallest header: keyLength and valueLength, one byte each.
constexpr size_t kMinHeaderSize = 2;

// Signed additions of untrusted values wrap instead of overflowing (UB).
int64_t WrappingAdd(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b));
}

// Reads a varint length and then that many bytes; -1 is null. Anything
// below -1 or past the end of the record marks the reader failed.
std::optional<std::string_view> ReadNullableBytes(ByteReader* r, std::string_view field) {
  const int32_t n = r->ReadVarint32(field);
  if (!r->ok()) return std::nullopt;
  if (n == -1) return std::nullopt;
  if (n < -1) {
    r->Fail(field, fmt::format("length {} is invalid (only -1 may mean null)", n));
    return std::nullopt;
  }
  if (static_cast<size_t>(n) > r->remaining()) {
    r->Fail(field, fmt::format("length {} runs past the end of the record ({} bytes left)", n,
                               r->remaining()));
    return std::nullopt;
  }
  return r->ReadBytes(static_cast<size_t>(n), field);
}

// Decodes the headers of one record into rec->headers.
void ReadHeaders(ByteReader* r, RecordView* rec) {
  rec->headers.clear();
  const int32_t count = r->ReadVarint32("header count");
  if (!r->ok()) return;
  if (count < 0 || static_cast<size_t>(count) > r->remaining() / kMinHeaderSize) {
    r->Fail("header count",
            fmt::format("{} headers cannot fit in the {} bytes left", count, r->remaining()));
    return;
  }
  for (int32_t i = 0; i < count && r->ok(); ++i) {
    const std::optional<std::string_view> key = ReadNullableBytes(r, "header key");
    if (r->ok() && !key.has_value()) {
      r->Fail("header key", "header keys may not be null");
      return;
    }
    const std::optional<std::string_view> value = ReadNullableBytes(r, "header value");
    if (r->ok()) rec->headers.push_back(HeaderView{*key, value});
  }
}

// Decodes the records section (already decompressed) of a batch whose header
// is `h`, calling fn for each record.
class RecordsDecoder {
 public:
  RecordsDecoder(const BatchHeader& h, std::string_view section, bool decompressed)
      : h_(h), section_(section), decompressed_(decompressed) {}

  Status Run(const std::function<Status(const RecordView&)>& fn) {
    if (static_cast<size_t>(h_.records_count) > section_.size() / kMinRecordSize) {
      return Status::Corruption(
          fmt::format("recordsCount {} cannot fit in a {}records section of {} bytes",
                      h_.records_count, Where(), section_.size()));
    }
    ByteReader r(section_);
    RecordView rec;
    int32_t index = 0;
    int64_t prev_delta = -1;
    for (; r.remaining() > 0; ++index) {
      if (index >= h_.records_count) {
        return Status::Corruption(fmt::format(
            "{}records section has {} bytes at byte {} after the {} records the header declares",
            Where(), r.remaining(), r.position(), h_.records_count));
      }
      KQ_RETURN_IF_ERROR(DecodeOne(&r, index, &rec));
      if (rec.offset_delta <= prev_delta || rec.offset_delta > h_.last_offset_delta) {
        return Status::Corruption(fmt::format(
            "record {} of {}: offsetDelta {} is out of order (previous {}, lastOffsetDelta {})",
            index, h_.records_count, rec.offset_delta, prev_delta, h_.last_offset_delta));
      }
      prev_delta = rec.offset_delta;
      KQ_RETURN_IF_ERROR(fn(rec));
    }
    if (index != h_.records_count) {
      return Status::Corruption(
          fmt::format("header declares {} records, the {}records section holds {}",
                      h_.records_count, Where(), index));
    }
    return Status::Ok();
  }

 private:
  std::string_view Where() const { return decompressed_ ? "decompressed " : ""; }

  Status RecordError(int32_t index, const ByteReader& r) const {
    return Status::Corruption(fmt::format("record {} of {} in the {}records section: {}", index,
                                          h_.records_count, Where(), r.error()));
  }

  Status DecodeOne(ByteReader* r, int32_t index, RecordView* rec) const {
    const int32_t length = r->ReadVarint32("record length");
    if (r->ok() && (length < 0 || static_cast<size_t>(length) > r->remaining())) {
      r->Fail("record length",
              fmt::format("{} does not fit in the {} bytes left", length, r->remaining()));
    }
    if (!r->ok()) return RecordError(index, *r);
    const uint64_t body_pos = r->position();
    ByteReader body(r->ReadBytes(static_cast<size_t>(length), "record"), body_pos);
    body.ReadI8("record attributes");
    const int64_t timestamp_delta = body.ReadVarint64("timestampDelta");
    rec->offset_delta = body.ReadVarint32("offsetDelta");
    rec->key = ReadNullableBytes(&body, "key");
    rec->value = ReadNullableBytes(&body, "value");
    ReadHeaders(&body, rec);
    if (body.ok() && body.remaining() != 0) {
      body.Fail("record end", fmt::format("record length {} leaves {} bytes after the last header",
                                          length, body.remaining()));
    }
    if (!body.ok()) return RecordError(index, body);
    rec->offset = WrappingAdd(h_.base_offset, rec->offset_delta);
    rec->timestamp = h_.is_log_append_time() ? h_.max_timestamp
                                             : WrappingAdd(h_.base_timestamp, timestamp_delta);
    return Status::Ok();
  }

  const BatchHeader& h_;
  std::string_view section_;
  bool decompressed_;
};

int VarintSize32(int32_t v) { return VarintLength(ZigZagEncode32(v)); }

// Writes the zigzag varint of v at p; returns the byte after it.
char* EncodeVarint(char* p, uint64_t zigzagged) {
  while (zigzagged >= 0x80) {
    *p++ = static_cast<char>((zigzagged & 0x7f) | 0x80);
    zigzagged >>= 7;
  }
  *p++ = static_cast<char>(zigzagged);
  return p;
}

int NullableSize(std::optional<std::string_view> bytes) {
  if (!bytes.has_value()) return 1;  // -1
  const auto n = static_cast<int32_t>(bytes->size());
  return VarintSize32(n) + n;
}

char* EncodeNullable(char* p, std::optional<std::string_view> bytes) {
  if (!bytes.has_value()) return EncodeVarint(p, ZigZagEncode32(-1));
  p = EncodeVarint(p, ZigZagEncode32(static_cast<int32_t>(bytes->size())));
  if (!bytes->empty()) std::memcpy(p, bytes->data(), bytes->size());
  return p + bytes->size();
}

}  // namespace

Status ForEachRecord(std::string_view batch, std::string* scratch,
                     const std::function<Status(const RecordView&)>& fn,
                     size_t max_decompressed_bytes) {
  KQ_ASSIGN_OR_RETURN(const BatchHeader h, DecodeBatchHeader(batch));
  if (h.batch_length < kMinBatchLength || h.total_size() != batch.size()) {
    return Status::Corruption(fmt::format("batch length field says {} bytes, the batch has {}",
                                          h.total_size(), batch.size()));
  }
  if (h.magic != kMagicV2) {
    return Status::Corruption(
        fmt::format("magic byte is {}, expected 2 (only RecordBatch v2 is supported)", h.magic));
  }
  if (h.records_count < 0) {
    return Status::Corruption(fmt::format("negative record count {}", h.records_count));
  }
  std::string_view section = batch.substr(kRecordsPos);
  const Compression codec = h.compression();
  KQ_RETURN_IF_ERROR(CheckCompressionSupported(codec));
  const bool compressed = codec != Compression::kNone;
  // An empty compressed section holds no records (an emptied batch).
  if (compressed && !section.empty()) {
    std::string local;
    std::string* out = scratch != nullptr ? scratch : &local;
    KQ_RETURN_IF_ERROR(DecompressRecords(codec, section, max_decompressed_bytes, out));
    section = *out;
    return RecordsDecoder(h, section, true).Run(fn);
  }
  return RecordsDecoder(h, section, compressed).Run(fn);
}

namespace {

// Bytes after the record's length prefix.
size_t RecordBodySize(int64_t timestamp_delta, int32_t offset_delta,
                      std::optional<std::string_view> key, std::optional<std::string_view> value,
                      std::span<const HeaderView> headers) {
  size_t body = 1 + VarintLength(ZigZagEncode64(timestamp_delta)) + VarintSize32(offset_delta) +
                NullableSize(key) + NullableSize(value) +
                VarintSize32(static_cast<int32_t>(headers.size()));
  for (const HeaderView& h : headers) body += NullableSize(h.key) + NullableSize(h.value);
  return body;
}

}  // namespace

size_t EncodedRecordSize(int64_t timestamp_delta, int32_t offset_delta,
                         std::optional<std::string_view> key, std::optional<std::string_view> value,
                         std::span<const HeaderView> headers) {
  const size_t body = RecordBodySize(timestamp_delta, offset_delta, key, value, headers);
  return VarintSize32(static_cast<int32_t>(body)) + body;
}

void EncodeRecord(std::string* dst, int64_t timestamp_delta, int32_t offset_delta,
                  std::optional<std::string_view> key, std::optional<std::string_view> value,
                  std::span<const HeaderView> headers) {
  const size_t body = RecordBodySize(timestamp_delta, offset_delta, key, value, headers);
  const size_t total = VarintSize32(static_cast<int32_t>(body)) + body;
  // One resize per record, then plain stores: this is the produce hot path.
  const size_t old_size = dst->size();
  dst->resize(old_size + total);
  char* p = dst->data() + old_size;
  p = EncodeVarint(p, ZigZagEncode32(static_cast<int32_t>(body)));
  *p++ = 0;  // record attributes: unused
  p = EncodeVarint(p, ZigZagEncode64(timestamp_delta));
  p = EncodeVarint(p, ZigZagEncode32(offset_delta));
  p = EncodeNullable(p, key);
  p = EncodeNullable(p, value);
  p = EncodeVarint(p, ZigZagEncode32(static_cast<int32_t>(headers.size())));
  for (const HeaderView& h : headers) {
    p = EncodeNullable(p, h.key);
    p = EncodeNullable(p, h.value);
  }
}

}  // namespace kq::format
