// Kafka's text checkpoint files (recovery-point-offset-checkpoint,
// log-start-offset-checkpoint, cleaner-offset-checkpoint, ...):
//
//   file   := version "\n" count "\n" entry{count}
//   version:= "0"
//   entry  := field (ws+ field)* "\n"          e.g. "orders 0 1234"
//
// Parsing tolerates runs of blanks (spaces, tabs, '\r') around and between
// fields and a missing final newline; everything else (another version, a
// wrong count, a wrong number of fields, trailing lines) is an error naming the
// file and the line. The generic layer (SplitCheckpoint/JoinCheckpoint) is
// shared with leader_epoch_checkpoint.h, whose entries are "<epoch> <offset>".
//
// Durability: Write* goes through Env::WriteFileAtomic (write .tmp, sync,
// rename, sync dir): after return the new contents are durable, and a crash
// leaves the old or the new file, never a mix.
// Thread safety: pure functions plus Env calls; callers serialize writers of
// one file (Kafka writes them under the partition or log-dir lock).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/strong_types.h"
#include "io/env.h"

namespace kq::log {

// One entry line, as views into the parsed text.
struct CheckpointLine {
  int line_number = 0;  // 1-based, for messages
  std::vector<std::string_view> fields;
};

// Splits `text` into its entries, each exactly `fields_per_entry` fields.
// `source` (a path) and `entry_form` ("topic partition offset") go into
// error messages: "<source>: line 4: expected 'topic partition offset', found ...".
// An empty text is an empty checkpoint.
Result<std::vector<CheckpointLine>> SplitCheckpoint(std::string_view text, std::string_view source,
                                                    size_t fields_per_entry,
                                                    std::string_view entry_form);

// Corruption("<source>: line N: <why>") for a field that does not parse.
Status CheckpointLineError(std::string_view source, const CheckpointLine& line,
                           std::string_view why);

// "0\n<count>\n" followed by each entry line and "\n".
std::string JoinCheckpoint(const std::vector<std::string>& entry_lines);

// Reads `path` whole; a missing file is "" (an empty checkpoint, as Kafka
// treats it). Other I/O errors are returned.
Result<std::string> ReadCheckpointText(io::Env* env, const std::string& path);

// --- offset checkpoints: "topic partition offset" ---

struct CheckpointEntry {
  std::string topic;
  PartitionId partition;
  Offset offset;
  bool operator==(const CheckpointEntry&) const = default;
};

// Entries in file order. Topics must be valid names, partitions and offsets
// non-negative decimals.
Result<std::vector<CheckpointEntry>> ParseCheckpoint(std::string_view text,
                                                     std::string_view source);
std::string FormatCheckpoint(const std::vector<CheckpointEntry>& entries);

// Missing file: empty vector.
Result<std::vector<CheckpointEntry>> ReadCheckpoint(io::Env* env, const std::string& path);
Status WriteCheckpoint(io::Env* env, const std::string& path,
                       const std::vector<CheckpointEntry>& entries);

// Whole-string decimal parse used by the checkpoint parsers: optional '-',
// digits only, no overflow.
bool ParseCheckpointInt(std::string_view text, int64_t* out);

}  // namespace kq::log
