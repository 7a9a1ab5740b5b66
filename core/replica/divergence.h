// The follower's side of Kafka's leader-epoch rule (KIP-101, KIP-279): where
// a follower's log stops agreeing with its leader's, found by asking the
// leader where the follower's epochs end, without comparing any bytes.
//
//   follower epochs {0@0, 2@100}, end 150; leader {0@0, 3@120}, end 200
//   ask 2 -> leader answers (0, 120): it never had epoch 2
//   follower's own end of epoch 0 is 100 -> common end min(120, 100) = 100
//   with epoch 2 cut away the follower asks 0 -> (0, 120): min(120, 100) = 100
//   -> truncate to 100, then fetch from 100
//
// A pure function over a question callback, so the sync engine (asking a
// Source), the stream receiver (answering from the sender's epoch table) and
// the stream sender (answering from its own) share one rule.
//
// Thread safety: pure.
#pragma once

#include <functional>
#include <vector>

#include "base/result.h"
#include "base/strong_types.h"
#include "log/leader_epoch_checkpoint.h"

namespace kq::replica {

// The leader's answer for one epoch (Source::EndOffsetForEpoch).
using AskEpochEnd = std::function<Result<log::EpochEndOffset>(Epoch)>;

struct FollowerLogState {
  Offset log_start{0};
  Offset log_end{0};
  std::vector<log::EpochEntry> epochs;  // leader-epoch-checkpoint, ascending
};

// The offset the follower's log agrees with the leader's up to: its log end
// when nothing diverged, lower when its tail was written under epochs the
// leader ended earlier or never had. Repeats Kafka's step (truncate to
// min(leader's end of the answered epoch, follower's own end of it), ask
// again with the follower's next epoch) until the answer stops moving.
// When the leader answers no epoch at all (no epoch table, or only newer
// epochs), falls back to offsets: min(follower end, leader_end).
// Never below follower.log_start. Errors: what `ask` returns.
Result<Offset> CommonEnd(const FollowerLogState& follower, Offset leader_end,
                         const AskEpochEnd& ask);

}  // namespace kq::replica
