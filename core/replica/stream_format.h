// The replication stream of `kq-replicate send | kq-replicate receive`: a
// header, then checksummed frames (core/FORMAT.md, "kq-replicate stream").
//
//   stream  := header frame*            the last frame is END
//   header  := "KQRS" version:u16 flags:u16          (8 bytes; version 1)
//   frame   := length:u32 crc:u32 type:u8 payload    (big-endian)
//              length = 1 + payload size, <= kMaxFrameLength
//              crc    = CRC-32C of type and payload
//   TOPIC     (1) name:str partitions:i32 count:i32 (key:str value:str)*
//   PARTITION (2) topic:str partition:i32 log_start:i64 log_end:i64
//                 count:i32 (epoch:i32 start_offset:i64)*
//   BATCHES   (3) topic:str partition:i32 RecordBatch v2 batches back to back
//   END       (4) frames:i64 batches:i64 bytes:i64   (what came before it)
//   str := length:i16 bytes (Kafka's STRING, no null)
//
// A stream without its END frame was cut short. Codecs only: no I/O; the
// reader pulls bytes through a callback so a truncated or corrupt stream is
// reported with the frame number and the byte position where it failed.
//
// Thread safety: a StreamReader is used by one thread.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/strong_types.h"
#include "log/leader_epoch_checkpoint.h"
#include "replica/source.h"

namespace kq::replica::stream {

inline constexpr std::string_view kMagic = "KQRS";
inline constexpr uint16_t kVersion = 1;
inline constexpr size_t kHeaderSize = 8;
inline constexpr size_t kFrameHeaderSize = 8;  // length + crc
// A BATCHES frame holds at most one fetch of one partition; batches are at
// most format::kDefaultMaxBatchBytes-ish, so 64 MiB bounds any sane frame.
inline constexpr uint32_t kMaxFrameLength = 64u << 20;

enum class FrameType : uint8_t { kTopic = 1, kPartition = 2, kBatches = 3, kEnd = 4 };

struct PartitionFrame {
  std::string topic;
  PartitionId partition{0};
  SourceOffsets offsets;
  std::vector<log::EpochEntry> epochs;
};

struct BatchesFrame {
  std::string topic;
  PartitionId partition{0};
  std::vector<std::string> batches;
};

struct EndFrame {
  int64_t frames = 0;  // frames before END
  int64_t batches = 0;
  int64_t bytes = 0;
};

// Encoders append one whole frame (or the header) to *out.
void AppendHeader(std::string* out);
void AppendTopic(const SourceTopic& topic, std::string* out);
void AppendPartition(const PartitionFrame& p, std::string* out);
// `batches` are whole batches back to back (a Partition::Read chunk).
void AppendBatches(std::string_view topic, PartitionId partition, std::string_view batches,
                   std::string* out);
void AppendEnd(const EndFrame& end, std::string* out);

// One decoded frame: exactly one of the members is meaningful, per `type`.
struct Frame {
  FrameType type = FrameType::kEnd;
  int64_t number = 0;     // 1 for the first frame after the header
  uint64_t position = 0;  // byte position of the frame in the stream
  SourceTopic topic;
  PartitionFrame partition;
  BatchesFrame batches;
  EndFrame end;
};

// Reads up to n bytes into buf; 0 at the end of the input.
using ReadFn = std::function<Result<size_t>(char* buf, size_t n)>;

class StreamReader {
 public:
  explicit StreamReader(ReadFn read) : read_(std::move(read)) {}

  // The next frame, checked whole (length, CRC, payload) before it is
  // returned. Corruption naming the frame number and byte position for a bad
  // header, length, CRC or payload, or for a stream that ends before its END
  // frame (inside a frame or between two). After END, OutOfRange.
  Result<Frame> Next();

  uint64_t position() const { return position_; }

 private:
  // Reads exactly n bytes; *got says how many arrived before the input ended.
  Status ReadExactly(char* buf, size_t n, size_t* got);
  Status ReadHeader();

  ReadFn read_;
  uint64_t position_ = 0;
  int64_t frames_ = 0;
  bool header_read_ = false;
  bool ended_ = false;
  std::string payload_;
};

}  // namespace kq::replica::stream
