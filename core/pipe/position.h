// Positions in batches: where a pipeline stage (a `kq-produce --follow`
// source, a `kq-pipe` transform, `kq-sql --into`) stood in its input when it
// appended a batch, stored in that same batch, so the data and the position
// that produced it reach the log in one append and survive or vanish
// together (a torn tail cut by recovery takes both). A restarted stage reads
// the position back from its output's tail and resumes exactly after the
// last input it appended: exactly once without transactions.
//
// The position is the header `kq.position` (kPositionHeader) on the LAST
// record of a batch: it says where the input stands after that record. Its
// value is a small versioned text, documented in core/FORMAT.md ("Positions
// in batches"):
//
//   kq.position/1\n
//   T <partition> <next_offset> <topic>\n          one per input partition
//   F <dev> <ino> <offset> <head_len> <head_crc> <path>\n   one per file
//
// Every batch a stage appends carries the full position of what it has
// covered at that point for the output partition it writes (a stage that
// splits one append into several batches puts a position on each), so the
// newest batch carrying the header is authoritative; older ones are history.
//
// No locks, no writes: reading back scans read-only, like a consumer.
// Thread safety: the functions are reentrant; the Env must outlive the calls.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/status.h"
#include "format/record.h"
#include "log/log_dir.h"

namespace kq::pipe {

inline constexpr std::string_view kPositionHeader = "kq.position";
inline constexpr std::string_view kPositionMagic = "kq.position/1";
// How many bytes of a file's start its fingerprint covers (at most).
inline constexpr uint64_t kFileHeadBytes = 4096;

// The next offset to read in one partition of an input topic.
struct TopicOffset {
  std::string topic;
  int32_t partition = 0;
  int64_t next_offset = 0;
  bool operator==(const TopicOffset&) const = default;
};

// How far a followed file has been appended. (device, inode) identify the
// file across renames; head_crc (CRC-32C of its first head_length bytes,
// head_length = min(offset, kFileHeadBytes)) tells a file truncated and
// rewritten, or replaced under the same inode, from the one that was read.
struct FileOffset {
  std::string path;  // as given on the command line; any bytes but '\n' and NUL
  uint64_t device = 0;
  uint64_t inode = 0;
  uint64_t offset = 0;  // bytes consumed: the byte after the last whole line
  uint64_t head_length = 0;
  uint32_t head_crc = 0;
  bool operator==(const FileOffset&) const = default;
};

struct Position {
  std::vector<TopicOffset> topics;
  std::vector<FileOffset> files;
  bool empty() const { return topics.empty() && files.empty(); }
  bool operator==(const Position&) const = default;

  // The entry for `topic`/`partition`, or null.
  const TopicOffset* FindTopic(std::string_view topic, int32_t partition) const;
  // The entry for `path`, or null.
  const FileOffset* FindFile(std::string_view path) const;
  // Replaces or adds the entry (keyed by topic and partition / by path).
  void Set(const TopicOffset& t);
  void Set(const FileOffset& f);
};

// The header value for `position`. REQUIRES: topic names valid, paths free
// of '\n' and NUL (InvalidArgument otherwise, from EncodePosition's checker).
Result<std::string> EncodePosition(const Position& position);

// Parses a header value. InvalidArgument saying what is wrong and on which
// line for anything but the exact grammar: another version, unknown entry
// kinds, bad numbers, duplicate entries, more than 100000 entries.
Result<Position> DecodePosition(std::string_view value);

// The position on the last record of one whole, validated batch, or nullopt
// when it carries none (control batches never do). Errors name `where`
// ("topic 'out' partition 2") and the record's offset.
Result<std::optional<Position>> PositionOfBatch(std::string_view batch, std::string* scratch,
                                                std::string_view where);

// A position found in a log, with the offset of the record that carries it.
struct FoundPosition {
  int64_t offset = 0;
  Position position;
};

// Returns true to keep scanning older batches, false to stop.
using PositionVisitor = std::function<Result<bool>(const FoundPosition&)>;

// Calls `visit` for the positions in `topic`/`partition`, newest first,
// scanning batches backwards from the log end in growing windows (64
// offsets, doubling up to 16384), so the common case — a position in the
// last batch — reads one small window. Stops at the log start, or when
// `visit` says so or fails. A bad header is Corruption naming the topic,
// partition and offset; a missing topic or partition is NotFound.
Status ScanPositionsBackward(const log::LogDir& dir, std::string_view topic, int32_t partition,
                             const PositionVisitor& visit);

// The newest position in `topic`/`partition`, or nullopt when none exists.
Result<std::optional<FoundPosition>> ReadLatestPosition(const log::LogDir& dir,
                                                        std::string_view topic, int32_t partition);

// The next offsets of `input_topic`'s partitions `wanted` as the batches of
// `topic`/`partition` record them: for each wanted partition, the newest
// entry found (scanning back until every one is found or the log start).
// Partitions never recorded are absent from the result.
Result<std::vector<TopicOffset>> ReadInputOffsets(const log::LogDir& dir, std::string_view topic,
                                                  int32_t partition, std::string_view input_topic,
                                                  const std::vector<int32_t>& wanted);

// Copies `headers` without any kq.position header (a stage that keeps its
// input's headers must not pass an upstream stage's position on as its own).
std::vector<format::HeaderView> WithoutPosition(const std::vector<format::HeaderView>& headers);

}  // namespace kq::pipe
