// The invariants a partition must keep in every crash state (crash_driver.h):
//   - it opens for writing;
//   - every acknowledged record is there exactly once, in order, at its
//     offset; nothing that was never written appears; offsets are contiguous
//     from the log start (ReadAll reaches the log end);
//   - it accepts the next append at the log end and passes the verifier
//     (kq-compact --verify).
// The Ledger is what the test knows: which records it tried to write, which
// appends returned (with their offsets) and which were acknowledged (synced).
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "io/fault_env.h"
#include "log/partition.h"

namespace kq::testing {

class Ledger {
 public:
  // One uncompressed batch of `count` keyless records with fresh ids (values
  // "r<id>:<padding>"), noted as attempted.
  std::string NextBatch(int count, int64_t timestamp = 1000, size_t padding = 0);
  // The ids of the last NextBatch went in at first_offset.. (Append returned).
  void Written(int64_t first_offset);
  // A record id written without a known offset (through the producer):
  // `offset` -1 when only its order is known.
  void WrittenId(int64_t id, int64_t offset);
  // Everything written so far is acknowledged (a Sync or Close returned OK).
  void AckAll();
  // A truncation to `new_end` started: acknowledged records at or past it
  // may go. Forbid: it was acknowledged, so they must be gone.
  void Revoke(int64_t new_end);
  void Forbid(int64_t new_end);
  // Records below `new_start` may go (the log start is moving there).
  void RevokeBelow(int64_t new_start);

  // The next id NextBatch will use (ids are dense and increasing).
  int64_t next_id() const { return next_id_; }
  const std::set<int64_t>& attempted() const { return attempted_; }
  // Acknowledged ids, with their offsets (-1: offset unknown).
  const std::map<int64_t, int64_t>& acked() const { return acked_; }

 private:
  int64_t next_id_ = 0;
  std::vector<int64_t> last_batch_;
  std::set<int64_t> attempted_;
  std::map<int64_t, int64_t> written_;  // id -> offset (-1 unknown)
  std::map<int64_t, int64_t> acked_;
};

// The id in a value written by Ledger::NextBatch, or -1.
int64_t LedgerId(const std::string& value);

struct PartitionExpectations {
  // The log start must lie within [start_lo, start_hi].
  int64_t start_lo = 0;
  int64_t start_hi = 0;
};

// Opens `options`' partition in `dir` on `env` after a crash and checks the
// invariants above against `ledger`; then appends one more batch, syncs and
// runs the verifier. Fails the current test (naming offsets and ids) when
// one does not hold.
void CheckPartitionAfterCrash(io::FaultEnv& env, const std::string& dir,
                              const log::PartitionOptions& options, const Ledger& ledger,
                              const PartitionExpectations& expect = {});

// Runs the verifier on `dir`; fails the current test for every problem,
// the index files of the segment that was active at the crash included.
void CheckVerifies(io::Env* env, const std::string& dir, const std::string& topic,
                   bool expect_contiguous);

}  // namespace kq::testing
