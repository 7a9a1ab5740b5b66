// Leader epochs for promotion: every kq-serve start is a leader election
// (Kafka bumps the epoch at each one), so the first time this server opens a
// partition it leads it under the next epoch: one more than the latest in
// leader-epoch-checkpoint, recorded there at once with the log end as its
// start. A follower directory (written by kq-replicate) served by kq-serve
// thus becomes the leader with a new epoch, and the old leader, resyncing
// from it, finds where its own tail diverged (OffsetForLeaderEpoch).
//
// The epoch chosen is kept for the server's life, so a partition reopened
// (its topic's config changed) keeps it.
//
// Thread safety: the loop thread only.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>

#include "base/result.h"
#include "io/env.h"
#include "log/partition.h"

namespace kq::server {

class LeaderEpochs {
 public:
  // The epoch to lead partition `key` (in `dir`) with: the one chosen
  // before, else the latest in its checkpoint + 1 (0 for a new partition).
  // Read before the partition is opened, since opening drops an entry that
  // starts at the log end (an epoch that got no record yet).
  Result<int32_t> Choose(io::Env* env, const std::pair<std::string, int32_t>& key,
                         const std::string& dir);
  // Records the chosen epoch in the open partition's checkpoint, starting at
  // its log end, unless the checkpoint has it already (durably unless the
  // topic's flush policy is os).
  Status Record(io::Env* env, log::Partition* p, bool sync);

 private:
  std::map<std::pair<std::string, int32_t>, int32_t> chosen_;
};

}  // namespace kq::server
