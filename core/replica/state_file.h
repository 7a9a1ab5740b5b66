// Where a follower directory stands, as JSON, so a stream sender can send it
// only what it lacks (`receive --print-state > state`, `send --since-state
// state`):
//
//   {"kq_replicate_state": 1,
//    "partitions": [{"topic": "orders", "partition": 0, "log_start": 0,
//                    "log_end": 1200, "epochs": [[0, 0], [3, 900]]}]}
//
// `epochs` is the leader-epoch-checkpoint ([epoch, start offset] pairs), what
// the sender needs to apply the divergence rule for the receiver.
//
// Thread safety: pure functions, plus reads of the directory.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>

#include "base/result.h"
#include "log/log_dir.h"
#include "replica/divergence.h"

namespace kq::replica {

using FollowerStates = std::map<std::pair<std::string, int32_t>, FollowerLogState>;

// Every partition of every topic in `dir` (opened read-only).
Result<FollowerStates> ReadFollowerStates(const log::LogDir& dir);

std::string FormatFollowerStates(const FollowerStates& states);
// InvalidArgument naming `source` and what is wrong.
Result<FollowerStates> ParseFollowerStates(std::string_view text, std::string_view source);

}  // namespace kq::replica
