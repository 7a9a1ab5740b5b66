// leader-epoch-checkpoint: which leader epoch began at which offset (KIP-101),
// in Kafka's checkpoint text format (checkpoint_file.h) with entries
// "<epoch> <startOffset>" in ascending epoch order:
//
//   0
//   2
//   0 0
//   3 1200
//
// The pure helpers keep a vector of entries in that order; the caller owns the
// vector and writes it back with Write (atomic replace, durable on return)
// under the partition lock.
// Thread safety: pure functions plus Env calls.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/strong_types.h"
#include "io/env.h"

namespace kq::log {

struct EpochEntry {
  Epoch epoch;
  Offset start_offset;
  bool operator==(const EpochEntry&) const = default;
};

// The answer to OffsetForLeaderEpoch: the largest known epoch <= the requested
// one and where it ends. Both are -1 when the leader cannot answer.
struct EpochEndOffset {
  Epoch epoch = kNoEpoch;
  Offset end_offset{-1};
  bool operator==(const EpochEndOffset&) const = default;
};

namespace leader_epoch {

// Parses checkpoint text. Epochs and offsets must be non-negative and strictly
// ascending in epoch, non-decreasing in offset; otherwise Corruption naming
// `source` and the line.
Result<std::vector<EpochEntry>> Parse(std::string_view text, std::string_view source);
std::string Format(const std::vector<EpochEntry>& entries);

// A missing file is an empty table.
Result<std::vector<EpochEntry>> Read(io::Env* env, const std::string& path);
Status Write(io::Env* env, const std::string& path, const std::vector<EpochEntry>& entries);

// Records that `epoch` starts at `start_offset`. An epoch not greater than the
// latest is ignored (returns false). Otherwise entries starting at or after
// `start_offset` are dropped first (an epoch that never got a record is
// superseded), then the entry is appended (returns true).
//   {0@0, 3@1200} + 5@1500 -> {0@0, 3@1200, 5@1500}
//   {0@0, 3@1200} + 5@1200 -> {0@0, 5@1200}
//   {0@0, 3@1200} + 2@1300 -> unchanged
bool Assign(std::vector<EpochEntry>* entries, Epoch epoch, Offset start_offset);

// The entry whose epoch covers `offset` (the last one starting at or before
// it), or nullptr when `offset` is before the first entry.
const EpochEntry* CoveringEntry(const std::vector<EpochEntry>& entries, Offset offset);

// Drops entries whose start offset is >= end_offset (after the log was
// truncated to end_offset). {0@0, 3@1200, 5@1500} cut at 1300 -> {0@0, 3@1200}.
void TruncateFromEnd(std::vector<EpochEntry>* entries, Offset end_offset);

// Kafka's OffsetForLeaderEpoch rule for a log ending at `log_end`:
//   requested == latest epoch          -> (requested, log_end)
//   requested < latest                 -> (largest epoch <= requested, or the
//                                          requested one if none is smaller,
//                                          start of the first epoch > requested)
//   requested > latest, no entries,
//   or requested == -1                 -> (-1, -1)
// With {0@0, 3@1200, 5@1500} and log_end 1800: 5 -> (5, 1800), 3 -> (3, 1500),
// 4 -> (3, 1500), 0 -> (0, 1200), 6 -> (-1, -1).
EpochEndOffset EndOffsetFor(const std::vector<EpochEntry>& entries, Epoch requested,
                            Offset log_end);

}  // namespace leader_epoch
}  // namespace kq::log
