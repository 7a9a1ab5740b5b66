#include "replica/divergence.h"

#include <algorithm>

namespace kq::replica {
namespace {

// The follower's own end of `epoch`: where its first epoch above it starts,
// or its log end; its log start when it has no epoch at or below `epoch`.
Offset FollowerEndOf(const FollowerLogState& f, const std::vector<log::EpochEntry>& epochs,
                     Offset end, Epoch epoch) {
  Offset out = end;
  bool covered = false;
  for (const log::EpochEntry& e : epochs) {
    if (e.epoch <= epoch) {
      covered = true;
    } else {
      out = e.start_offset;
      break;
    }
  }
  return covered ? std::min(out, end) : f.log_start;
}

}  // namespace

Result<Offset> CommonEnd(const FollowerLogState& follower, Offset leader_end,
                         const AskEpochEnd& ask) {
  std::vector<log::EpochEntry> epochs = follower.epochs;
  Offset end = follower.log_end;
  // Each pass either returns or lowers `end`, and epochs only shrink.
  for (;;) {
    // Epochs starting at or past the end hold no record of this log.
    while (!epochs.empty() && epochs.back().start_offset >= end) epochs.pop_back();
    if (end <= follower.log_start) return follower.log_start;
    // Ask for the latest epoch. An answer of -1 means the leader's epochs
    // all lie below it (or it has none): ask again with the next lower one.
    log::EpochEndOffset answer;
    for (size_t i = epochs.size(); i-- > 0;) {
      KQ_ASSIGN_OR_RETURN(answer, ask(epochs[i].epoch));
      if (answer.epoch != kNoEpoch) break;
    }
    Offset next;
    if (answer.epoch == kNoEpoch || answer.end_offset < Offset(0)) {
      // No epoch in common: compare offsets only (Kafka before KIP-101).
      next = std::min(end, leader_end);
    } else {
      next = std::min({end, answer.end_offset, FollowerEndOf(follower, epochs, end, answer.epoch)});
    }
    next = std::max(next, follower.log_start);
    if (next >= end) return end;
    end = next;
  }
}

}  // namespace kq::replica
