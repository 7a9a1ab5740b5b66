#include "replica/follower_log.h"

#include <algorithm>

#include <fmt/format.h>

#include "log/checkpoint_file.h"
#include "log/leader_epoch_checkpoint.h"
#include "log/partition_files.h"
#include "log/segment_name.h"

namespace kq::replica {

Result<FollowerLogState> FollowerState(log::Partition& partition) {
  FollowerLogState state{partition.log_start_offset(), partition.log_end_offset(), {}};
  KQ_ASSIGN_OR_RETURN(state.epochs,
                      log::leader_epoch::Read(partition.options().env,
                                              partition.dir() + "/" + log::kLeaderEpochCheckpoint));
  while (!state.epochs.empty() && state.epochs.back().start_offset > state.log_end) {
    state.epochs.pop_back();
  }
  return state;
}

Status RestartAt(const log::LogDir& dir, const log::TopicInfo& topic, PartitionId id,
                 Offset new_start, std::unique_ptr<log::Partition>* partition) {
  io::Env* env = dir.env();
  const std::string path = dir.PartitionPath(topic.name, id);
  KQ_RETURN_IF_ERROR((*partition)->Close(log::Partition::CloseSync::kNoSync));
  partition->reset();
  {
    KQ_ASSIGN_OR_RETURN(auto lock,
                        env->LockFile(path + "/" + log::kPartitionLockFile, io::LockWait::kBlock));
    KQ_ASSIGN_OR_RETURN(std::vector<std::string> names, env->ListDir(path));
    std::vector<std::pair<Offset, std::string>> segment_files;
    for (const std::string& name : names) {
      auto parsed = log::ParseSegmentFileName(name);
      if (parsed.ok()) segment_files.emplace_back(parsed->base_offset, name);
    }
    // Newest first: a crash half way leaves the oldest segments, a prefix.
    std::sort(segment_files.begin(), segment_files.end(),
              [](const auto& a, const auto& b) { return a.first > b.first; });
    for (const auto& [base, name] : segment_files) {
      KQ_RETURN_IF_ERROR(env->RemoveFile(path + "/" + name));
    }
    for (const char* name : {log::kLeaderEpochCheckpoint, log::kRecoveryPointCheckpoint}) {
      const std::string file = path + "/" + name;
      if (env->FileExists(file)) KQ_RETURN_IF_ERROR(env->RemoveFile(file));
    }
    KQ_RETURN_IF_ERROR(log::WriteCheckpoint(env, path + "/" + log::kLogStartCheckpoint,
                                            {{topic.name, id, new_start}}));
    KQ_RETURN_IF_ERROR(env->SyncDir(path));
  }
  // An empty partition folder opens with its first segment at the recorded
  // log start (Partition::Open).
  auto reopened = dir.OpenPartition(topic, id, log::OpenMode::kWrite);
  if (!reopened.ok()) {
    return reopened.status().WithPrefix(
        fmt::format("{}: reopening after the restart at offset {}", path, new_start.value()));
  }
  *partition = std::move(*reopened);
  return Status::Ok();
}

}  // namespace kq::replica
