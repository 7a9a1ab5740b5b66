// Names of the per-partition files beside the segments (FORMAT.md,
// "Checkpoints"), shared by the log engine and the offline tools that check
// and repair them.
#pragma once

namespace kq::log {

inline constexpr const char* kPartitionLockFile = ".lock";
inline constexpr const char* kRecoveryPointCheckpoint = "recovery-point-offset-checkpoint";
inline constexpr const char* kLogStartCheckpoint = "log-start-offset-checkpoint";
inline constexpr const char* kLeaderEpochCheckpoint = "leader-epoch-checkpoint";

}  // namespace kq::log
