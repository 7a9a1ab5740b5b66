// What a follower does to its own partition beyond appending and truncating
// (Partition::AppendAsFollower, Partition::TruncateTo): read where it stands
// for the divergence rule, and start over at the leader's log start when the
// leader deleted everything the follower has not copied yet.
//
// Thread safety: one caller per partition; other processes must not write to
// a follower's partitions (they are the leader's copy).
#pragma once

#include <memory>
#include <string>

#include "base/result.h"
#include "log/log_dir.h"
#include "log/partition.h"
#include "replica/divergence.h"

namespace kq::replica {

// Log start, log end and leader epochs of an open partition (the checkpoint's
// entries past the log end are left out: a crash's leftovers).
Result<FollowerLogState> FollowerState(log::Partition& partition);

// Empties the partition and reopens it so that its log starts, and its first
// segment is based, at `new_start` (Kafka's truncateFullyAndStartAt, for a
// follower whose end fell below the leader's log start). Under the partition
// lock: every segment file is removed newest first (a crash leaves a prefix
// of the old log, which the next run restarts again), then the epoch and
// recovery-point checkpoints, then log-start-offset-checkpoint is written
// with `new_start` and the directory synced. *partition is closed and
// replaced by the reopened one.
Status RestartAt(const log::LogDir& dir, const log::TopicInfo& topic, PartitionId id,
                 Offset new_start, std::unique_ptr<log::Partition>* partition);

}  // namespace kq::replica
