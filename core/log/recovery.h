// Recovery: what a writer does with a partition's files when it opens it
// (Partition::Open in kWrite mode), before anything is appended. All of it
// lives in recovery.cc: the partition's pass over its segments and the
// segment's own scan.
//
// The rules (DESIGN.md, "Durability"; Kafka's LogLoader):
//   - The recovery-point-offset-checkpoint says how far the log is known
//     durable. Sealed segments below it were synced when they were rolled:
//     they are trusted after a cheap check (their tail scan at open), and
//     their indexes are rebuilt when missing or bad.
//   - From the last index entry below the recovery point, batches are
//     re-derived from their headers; from the recovery point on, every batch
//     is validated with its CRC and the indexes are rebuilt.
//   - The log is valid only up to the first torn or corrupt batch past the
//     recovery point: the file is cut there and later segments are removed.
//   - Damage below the recovery point is never cut: it is Corruption naming
//     the file, position and offset, and the tool that can repair it.
//   - What recovery kept is synced once, and the recovery point moves to the
//     log end.
// Every in-memory state a scan re-learns is forgotten first through one
// Segment::ResetState.
//
// Thread safety: runs under the partition lock, on one Partition object.
#pragma once

#include <cstdint>

namespace kq::log {

// What recovery found, for messages and tests.
struct RecoveryReport {
  uint64_t bytes_scanned = 0;
  uint64_t bytes_truncated = 0;  // torn tail cut off
  int segments_removed = 0;      // empty or after-damage segments removed
  bool indexes_rebuilt = false;
};

}  // namespace kq::log
