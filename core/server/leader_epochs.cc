#include "server/leader_epochs.h"

#include "log/leader_epoch_checkpoint.h"
#include "log/partition_files.h"

namespace kq::server {

Result<int32_t> LeaderEpochs::Choose(io::Env* env, const std::pair<std::string, int32_t>& key,
                                     const std::string& dir) {
  KQ_ASSIGN_OR_RETURN(auto entries,
                      log::leader_epoch::Read(env, io::JoinPath(dir, log::kLeaderEpochCheckpoint)));
  int32_t latest = entries.empty() ? -1 : entries.back().epoch.value();
  auto it = chosen_.find(key);
  if (it != chosen_.end() && it->second >= latest) return it->second;
  int32_t epoch = latest + 1;
  chosen_[key] = epoch;
  return epoch;
}

Status LeaderEpochs::Record(io::Env* env, log::Partition* p, bool sync) {
  const std::string path = io::JoinPath(p->dir(), log::kLeaderEpochCheckpoint);
  KQ_ASSIGN_OR_RETURN(auto entries, log::leader_epoch::Read(env, path));
  if (!log::leader_epoch::Assign(&entries, p->leader_epoch(), p->log_end_offset()))
    return Status::Ok();  // recorded already (or a newer one is)
  if (sync) return log::leader_epoch::Write(env, path, entries);
  return env->ReplaceFileNoSync(path, log::leader_epoch::Format(entries));
}

}  // namespace kq::server
