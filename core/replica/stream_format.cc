#include "replica/stream_format.h"

#include <fmt/format.h>

#include "base/byte_reader.h"
#include "base/crc32c.h"
#include "base/encoding.h"
#include "replica/batch_split.h"

namespace kq::replica::stream {
namespace {

void PutString(std::string_view s, std::string* out) {
  PutFixed16BE(out, static_cast<uint16_t>(s.size()));
  out->append(s);
}

// Starts a frame: placeholders for length and CRC, then the type.
size_t BeginFrame(FrameType type, std::string* out) {
  const size_t start = out->size();
  out->append(kFrameHeaderSize, '\0');
  PutFixed8(out, static_cast<uint8_t>(type));
  return start;
}

// Fills in length and CRC once the payload is in place.
void FinishFrame(size_t start, std::string* out) {
  const char* body = out->data() + start + kFrameHeaderSize;
  const size_t n = out->size() - start - kFrameHeaderSize;
  EncodeFixed32BE(out->data() + start, static_cast<uint32_t>(n));
  EncodeFixed32BE(out->data() + start + 4, crc32c::Value(body, n));
}

std::string ReadString(ByteReader& r, std::string_view field) {
  const int16_t n = r.ReadI16(field);
  if (n < 0) {
    r.Fail(field, "negative string length");
    return {};
  }
  return std::string(r.ReadBytes(static_cast<size_t>(n), field));
}

// A count of entries of at least `entry_size` bytes each: bounded by what is
// left, so a hostile count never reserves memory.
int32_t ReadCount(ByteReader& r, size_t entry_size, std::string_view field) {
  const int32_t n = r.ReadI32(field);
  if (r.ok() && (n < 0 || static_cast<size_t>(n) > r.remaining() / entry_size)) {
    r.Fail(field, fmt::format("count {} does not fit the {} bytes left", n, r.remaining()));
    return 0;
  }
  return n;
}

Status DecodePayload(FrameType type, std::string_view payload, uint64_t base, Frame* f) {
  ByteReader r(payload, base);
  switch (type) {
    case FrameType::kTopic: {
      f->topic.name = ReadString(r, "topic name");
      f->topic.partitions = r.ReadI32("partition count");
      const int32_t n = ReadCount(r, 4, "config count");
      for (int32_t i = 0; i < n && r.ok(); ++i) {
        std::string key = ReadString(r, "config key");
        f->topic.configs[key] = ReadString(r, "config value");
      }
      if (r.ok() && f->topic.partitions <= 0) r.Fail("partition count", "not positive");
      break;
    }
    case FrameType::kPartition: {
      PartitionFrame& p = f->partition;
      p.topic = ReadString(r, "topic name");
      p.partition = PartitionId(r.ReadI32("partition"));
      p.offsets.log_start = Offset(r.ReadI64("log start"));
      p.offsets.log_end = Offset(r.ReadI64("log end"));
      const int32_t n = ReadCount(r, 12, "epoch count");
      for (int32_t i = 0; i < n && r.ok(); ++i) {
        const Epoch e(r.ReadI32("epoch"));
        p.epochs.push_back({e, Offset(r.ReadI64("epoch start offset"))});
      }
      if (r.ok() && (p.partition < PartitionId(0) || p.offsets.log_start < Offset(0) ||
                     p.offsets.log_end < p.offsets.log_start)) {
        r.Fail("partition", "negative partition or offsets out of order");
      }
      break;
    }
    case FrameType::kBatches: {
      f->batches.topic = ReadString(r, "topic name");
      f->batches.partition = PartitionId(r.ReadI32("partition"));
      if (!r.ok()) break;
      // The frame's CRC covers these bytes, and the follower validates each
      // batch before it stores it.
      auto split = SplitBatches(r.rest(), fmt::format("batches at byte {}", r.absolute_position()),
                                {.check_crc = false});
      if (!split.ok()) return split.status();
      f->batches.batches = std::move(split->batches);
      r.Skip(r.remaining(), "batches");
      break;
    }
    case FrameType::kEnd:
      f->end.frames = r.ReadI64("frame count");
      f->end.batches = r.ReadI64("batch count");
      f->end.bytes = r.ReadI64("byte count");
      break;
    default:
      return Status::Corruption(fmt::format("unknown frame type {}", static_cast<int>(type)));
  }
  KQ_RETURN_IF_ERROR(r.status());
  if (r.remaining() != 0) {
    return Status::Corruption(
        fmt::format("{} bytes left over at byte {}", r.remaining(), r.absolute_position()));
  }
  return Status::Ok();
}

}  // namespace

void AppendHeader(std::string* out) {
  out->append(kMagic);
  PutFixed16BE(out, kVersion);
  PutFixed16BE(out, 0);
}

void AppendTopic(const SourceTopic& topic, std::string* out) {
  const size_t start = BeginFrame(FrameType::kTopic, out);
  PutString(topic.name, out);
  PutFixed32BE(out, static_cast<uint32_t>(topic.partitions));
  PutFixed32BE(out, static_cast<uint32_t>(topic.configs.size()));
  for (const auto& [key, value] : topic.configs) {
    PutString(key, out);
    PutString(value, out);
  }
  FinishFrame(start, out);
}

void AppendPartition(const PartitionFrame& p, std::string* out) {
  const size_t start = BeginFrame(FrameType::kPartition, out);
  PutString(p.topic, out);
  PutFixed32BE(out, static_cast<uint32_t>(p.partition.value()));
  PutFixed64BE(out, static_cast<uint64_t>(p.offsets.log_start.value()));
  PutFixed64BE(out, static_cast<uint64_t>(p.offsets.log_end.value()));
  PutFixed32BE(out, static_cast<uint32_t>(p.epochs.size()));
  for (const log::EpochEntry& e : p.epochs) {
    PutFixed32BE(out, static_cast<uint32_t>(e.epoch.value()));
    PutFixed64BE(out, static_cast<uint64_t>(e.start_offset.value()));
  }
  FinishFrame(start, out);
}

void AppendBatches(std::string_view topic, PartitionId partition, std::string_view batches,
                   std::string* out) {
  const size_t start = BeginFrame(FrameType::kBatches, out);
  PutString(topic, out);
  PutFixed32BE(out, static_cast<uint32_t>(partition.value()));
  out->append(batches);
  FinishFrame(start, out);
}

void AppendEnd(const EndFrame& end, std::string* out) {
  const size_t start = BeginFrame(FrameType::kEnd, out);
  PutFixed64BE(out, static_cast<uint64_t>(end.frames));
  PutFixed64BE(out, static_cast<uint64_t>(end.batches));
  PutFixed64BE(out, static_cast<uint64_t>(end.bytes));
  FinishFrame(start, out);
}

Status StreamReader::ReadExactly(char* buf, size_t n, size_t* got) {
  *got = 0;
  while (*got < n) {
    KQ_ASSIGN_OR_RETURN(size_t r, read_(buf + *got, n - *got));
    if (r == 0) break;
    *got += r;
  }
  position_ += *got;
  return Status::Ok();
}

Status StreamReader::ReadHeader() {
  char h[kHeaderSize];
  size_t got = 0;
  KQ_RETURN_IF_ERROR(ReadExactly(h, sizeof h, &got));
  if (got == 0) return Status::Corruption("replication stream is empty (no header)");
  if (got < sizeof h || std::string_view(h, 4) != kMagic) {
    return Status::Corruption(
        fmt::format("not a kq-replicate stream: the first {} bytes are no \"KQRS\" header", got));
  }
  const uint16_t version = DecodeFixed16BE(h + 4);
  if (version != kVersion) {
    return Status::NotSupported(
        fmt::format("replication stream version {} (this build reads {})", version, kVersion));
  }
  const uint16_t flags = DecodeFixed16BE(h + 6);
  if (flags != 0) {
    return Status::NotSupported(
        fmt::format("replication stream header: unknown flags {:04x} at byte 6", flags));
  }
  header_read_ = true;
  return Status::Ok();
}

Result<Frame> StreamReader::Next() {
  if (ended_) return Status::OutOfRange("the replication stream already ended");
  if (!header_read_) KQ_RETURN_IF_ERROR(ReadHeader());
  Frame f;
  f.number = frames_ + 1;
  f.position = position_;
  char h[kFrameHeaderSize];
  size_t got = 0;
  KQ_RETURN_IF_ERROR(ReadExactly(h, sizeof h, &got));
  const std::string where =
      fmt::format("replication stream: frame {} at byte {}", f.number, f.position);
  if (got == 0) {
    return Status::Corruption(fmt::format(
        "{}: the stream ends without its END frame (cut short after {} frames)", where, frames_));
  }
  if (got < sizeof h) {
    return Status::Corruption(
        fmt::format("{}: truncated frame header ({} of {} bytes)", where, got, sizeof h));
  }
  const uint32_t length = DecodeFixed32BE(h);
  const uint32_t crc = DecodeFixed32BE(h + 4);
  if (length < 1 || length > kMaxFrameLength) {
    return Status::Corruption(fmt::format("{}: impossible frame length {}", where, length));
  }
  payload_.resize(length);
  KQ_RETURN_IF_ERROR(ReadExactly(payload_.data(), length, &got));
  if (got < length) {
    return Status::Corruption(
        fmt::format("{}: truncated frame ({} of {} bytes)", where, got, length));
  }
  const uint32_t actual = crc32c::Value(payload_);
  if (actual != crc) {
    return Status::Corruption(
        fmt::format("{}: CRC mismatch (stored {:08x}, computed {:08x})", where, crc, actual));
  }
  f.type = static_cast<FrameType>(static_cast<uint8_t>(payload_[0]));
  Status s = DecodePayload(f.type, std::string_view(payload_).substr(1),
                           f.position + kFrameHeaderSize + 1, &f);
  if (!s.ok()) return s.WithPrefix(where);
  ++frames_;
  if (f.type == FrameType::kEnd) ended_ = true;
  return f;
}

}  // namespace kq::replica::stream
