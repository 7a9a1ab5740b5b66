// Verifier: checks every segment of a partition without changing anything
// (kq-compact --verify). Per batch: framing (length, magic), the CRC-32C,
// offsets (increasing; contiguous in a topic that is not compacted; fitting
// the segment), and the partition leader epoch against
// leader-epoch-checkpoint. Per segment: the .index and .timeindex entries
// against the batches they name. Every problem is reported with its file,
// byte position and offset, and the walk goes on where the framing allows
// (a bad CRC skips one batch; a broken frame ends that segment).
//
// A torn tail in the active segment may be a writer's append in flight: it
// is re-checked under the partition lock and reported only if it persists.
// Missing index files are notes, not problems: the engine rebuilds them.
//
// Thread safety: a function; reads only (plus the brief lock above).
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "base/status.h"
#include "io/env.h"

namespace kq::maint {

struct VerifyProblem {
  std::string file;
  uint64_t position = 0;  // byte position in `file`
  int64_t offset = -1;    // the batch's (or the expected) offset, -1 unknown
  std::string message;    // what is wrong, without file and position
  bool note = false;      // informational, not counted as a problem
};

struct VerifyOptions {
  io::Env* env = nullptr;  // required
  std::string topic;
  int32_t partition = 0;
  // cleanup.policy has no compact: offsets must have no gaps.
  bool expect_contiguous = false;
  size_t max_batch_bytes = size_t{64} << 20;
  // Called now and then with the bytes checked so far.
  std::function<void(uint64_t)> progress;
};

struct VerifyReport {
  int segments = 0;
  int64_t batches = 0;
  uint64_t bytes = 0;
  int problems = 0;
  int notes = 0;
};

// Verifies the partition in `dir`, calling `report` for each finding.
// Returns non-OK only when the check itself could not run (I/O errors,
// missing directory).
Status VerifyPartition(const std::string& dir, const VerifyOptions& options,
                       const std::function<void(const VerifyProblem&)>& report,
                       VerifyReport* summary);

}  // namespace kq::maint
