// Names of the files and folders inside a log directory, as Kafka spells them,
// in make/parse pairs (leveldb's filename.h).
//
//   segment file:    <base offset as %020d><suffix>[<transient suffix>]
//                    "00000000000000000123.log", "00000000000000000000.index.swap"
//   partition dir:   <topic>-<partition>              "orders-3", "my-topic-11"
//
// Zero padding to 20 digits makes lexical order equal numeric order, so a
// sorted directory listing is the segment order.
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/strong_types.h"
#include "io/env.h"

namespace kq::log {

// What a segment file holds.
enum class SegmentFileKind {
  kLog,        // ".log": record batches back to back
  kIndex,      // ".index": sparse offset index
  kTimeIndex,  // ".timeindex": sparse time index
};

// A temporary state appended after the kind's suffix while the cleaner or a
// deletion works on the file (Kafka's names). Recovery deletes kCleaned and
// kDeleted files and completes kSwap renames.
enum class TransientSuffix {
  kNone,
  kCleaned,  // ".cleaned": cleaner output still being written
  kSwap,     // ".swap": finished replacement waiting to be renamed in
  kDeleted,  // ".deleted": scheduled for removal
};

struct SegmentFileName {
  Offset base_offset;
  SegmentFileKind kind = SegmentFileKind::kLog;
  TransientSuffix transient = TransientSuffix::kNone;
};

// ".log", ".index", ".timeindex".
std::string_view SegmentSuffix(SegmentFileKind kind);
// "", ".cleaned", ".swap", ".deleted".
std::string_view TransientSuffixText(TransientSuffix transient);

// MakeSegmentFileName(Offset(123), kLog) == "00000000000000000123.log".
// REQUIRES: base_offset >= 0.
std::string MakeSegmentFileName(Offset base_offset, SegmentFileKind kind,
                                TransientSuffix transient = TransientSuffix::kNone);

// The inverse of MakeSegmentFileName. Anything else (other digit counts, signs,
// unknown suffixes, Kafka's .txnindex/.snapshot files, offsets above int64's
// range) is InvalidArgument, so a directory scan can skip what it does not own.
Result<SegmentFileName> ParseSegmentFileName(std::string_view name);

// One partition folder: topic plus partition number.
struct PartitionDir {
  std::string topic;
  PartitionId partition;
};

// PartitionDirName("orders", PartitionId(3)) == "orders-3".
// REQUIRES: topic is a valid topic name (topic_name.h), partition >= 0.
std::string PartitionDirName(std::string_view topic, PartitionId partition);

// The inverse of PartitionDirName: the partition is the decimal number after
// the LAST '-' (topics may contain '-'), written without leading zeros, and the
// topic must be a valid name. Kafka's renamed folders
// ("t-0.1f2e...-delete", "-future", "-stray") and everything else are
// InvalidArgument.
Result<PartitionDir> ParsePartitionDirName(std::string_view name);

// The base offsets of the segments in partition directory `dir` (files
// "<base>.log" without a transient suffix), ascending.
Result<std::vector<Offset>> ListSegmentBases(io::Env* env, const std::string& dir);

}  // namespace kq::log
