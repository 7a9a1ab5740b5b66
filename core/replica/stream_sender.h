// The sending side of the replication stream (stream_format.h): every
// selected topic of a directory as TOPIC, PARTITION and BATCHES frames, then
// END. With the receiver's state (state_file.h) each partition starts where
// the receiver's log agrees with the sender's (the divergence rule of
// divergence.h, answered from the sender's own epochs), else at the log start.
//
// Thread safety: one call at a time per source.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "replica/dir_source.h"
#include "replica/state_file.h"
#include "replica/sync.h"

namespace kq::replica {

struct SendOptions {
  std::vector<std::string> topics;        // globs; empty: every topic
  const FollowerStates* since = nullptr;  // the receiver's state, or none
  size_t max_frame_bytes = size_t{1} << 20;
};

// Receives whole frames, in order; an error stops the send.
using StreamWriteFn = std::function<Status(std::string_view bytes)>;

// Counts in the summary: partitions, batches and bytes sent.
Result<SyncSummary> Send(DirSource& source, const SendOptions& options, const StreamWriteFn& write);

}  // namespace kq::replica
