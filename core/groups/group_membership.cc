#include "groups/group_membership.h"

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <map>
#include <random>
#include <thread>

#include <fmt/format.h>

#include "groups/group_assignor.h"
#include "groups/group_registry.h"
#include "groups/offset_commit_codec.h"
#include "log/log_dir.h"
#include "log/topic_name.h"

namespace kq::groups {
namespace {

// How often Join retries when a liveness check removed its file mid-join.
constexpr int kRegisterAttempts = 5;
// How long Join waits, in total, for other joiners to stop looking at the
// coordinator lock (each holds it for an instant).
constexpr int kServedCheckAttempts = 200;
constexpr auto kServedCheckPause = std::chrono::milliseconds(5);
constexpr std::string_view kServerTag = "kq-serve ";

// The pid a server wrote into coordinator.lock, or 0 for an empty or foreign
// text (a joiner looking, or a server between locking and writing).
long ServerPid(io::Env* env, const std::string& path) {
  Result<std::string> text = env->ReadFileToString(path);
  if (!text.ok() || !text->starts_with(kServerTag)) return 0;
  long pid = 0;
  const char* begin = text->data() + kServerTag.size();
  auto [ptr, ec] = std::from_chars(begin, text->data() + text->size(), pid);
  return ec == std::errc() && pid > 0 ? pid : 0;
}

// Busy when a server holds the group. Called after the member registered, so
// a server that claims the group after our look sees our member file.
Status RefuseIfServed(io::Env* env, const std::string& log_dir, const std::string& group) {
  const std::string path = CoordinatorLockPath(log_dir, group);
  for (int attempt = 0; attempt < kServedCheckAttempts; ++attempt) {
    Result<std::unique_ptr<io::FileLock>> lock = env->LockFile(path, io::LockWait::kTry);
    if (lock.ok()) return Status::Ok();  // released at once: we only looked
    if (!lock.status().IsBusy()) return lock.status();
    if (const long pid = ServerPid(env, path); pid != 0) {
      return Status::Busy(fmt::format(
          "group '{}' is served by kq-serve (pid {}) on this directory: consume it through "
          "the server (-b) or stop the server's members of the group first ({})",
          log::EscapeForMessage(group), pid, path));
    }
    std::this_thread::sleep_for(kServedCheckPause);
  }
  return Status::Busy(fmt::format("group '{}': {} stays locked by another process",
                                  log::EscapeForMessage(group), path));
}

class ServedGroupClaimImpl final : public ServedGroupClaim {
 public:
  ServedGroupClaimImpl(io::Env* env, std::string path, std::unique_ptr<io::FileLock> lock)
      : env_(env), path_(std::move(path)), lock_(std::move(lock)) {}
  // Empty first, then unlock: a joiner that finds the lock held with an
  // empty file waits instead of blaming a server that is gone.
  ~ServedGroupClaimImpl() override { (void)env_->CreateTruncated(path_); }

 private:
  io::Env* env_;
  std::string path_;
  std::unique_ptr<io::FileLock> lock_;
};

// "<hostname>-<pid>-<8 hex digits>", the host name reduced to characters
// that are safe in a file name.
std::string NewMemberId() {
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0 || host[0] == '\0')
    std::snprintf(host, sizeof host, "host");
  std::string safe;
  for (const char* c = host; *c != '\0'; ++c) {
    const bool ok = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
                    (*c >= '0' && *c <= '9') || *c == '.' || *c == '_';
    safe.push_back(ok ? *c : '_');
  }
  std::random_device rd;
  return fmt::format("{}-{}-{:08x}", safe, static_cast<long>(getpid()), rd());
}

class GroupMemberImpl final : public GroupMember {
 public:
  GroupMemberImpl(io::Env* env, log::LogDir dir, std::string group, std::vector<std::string> topics)
      : env_(env),
        dir_(std::move(dir)),
        group_(std::move(group)),
        topics_(std::move(topics)),
        member_id_(NewMemberId()) {}
  ~GroupMemberImpl() override { (void)Leave(); }

  Status Register();
  Result<std::vector<TopicPartition>> Poll() override;
  bool Owns(const TopicPartition& tp) const override { return owned_.count(tp) != 0; }
  const std::string& member_id() const override { return member_id_; }
  Status Leave() override;

 private:
  std::string MemberPath() const { return MemberFilePath(dir_.path(), group_, member_id_); }
  Status RegisterOnce();
  Result<std::map<std::string, int32_t>> PartitionCounts(const std::vector<LiveMember>& live);
  // Takes the partition's lock if free and records our id in it.
  Status TryAcquire(const TopicPartition& tp);
  // Empties the lock file, then unlocks: the next owner writes its own id.
  void Release(const TopicPartition& tp);
  std::vector<TopicPartition> OwnedList() const;

  io::Env* env_;
  log::LogDir dir_;
  std::string group_;
  std::vector<std::string> topics_;
  std::string member_id_;
  std::unique_ptr<io::FileLock> member_lock_;
  std::map<TopicPartition, std::unique_ptr<io::FileLock>> owned_;
};

Status GroupMemberImpl::RegisterOnce() {
  const std::string path = MemberPath();
  // Lock first, then write the contents: a checker that gets the lock sees
  // either nothing yet or a file of a process that lost its lock.
  KQ_ASSIGN_OR_RETURN(member_lock_, env_->LockFile(path, io::LockWait::kBlock));
  KQ_ASSIGN_OR_RETURN(std::unique_ptr<io::AppendableFile> file, env_->CreateTruncated(path));
  KQ_RETURN_IF_ERROR(file->Append(EncodeMemberFile(topics_)));
  return file->Close();
}

Status GroupMemberImpl::Register() {
  KQ_RETURN_IF_ERROR(env_->CreateDir(MembersPath(dir_.path(), group_)));
  KQ_RETURN_IF_ERROR(env_->CreateDir(PartitionLocksPath(dir_.path(), group_)));
  for (int attempt = 0; attempt < kRegisterAttempts; ++attempt) {
    KQ_RETURN_IF_ERROR(RegisterOnce());
    // A checker that took the file between its creation and our lock removed
    // it; the lock we hold would then be on a nameless file.
    if (env_->FileExists(MemberPath())) return Status::Ok();
    member_lock_.reset();
  }
  return Status::Conflict(fmt::format("group '{}': could not register member {} in {}",
                                      log::EscapeForMessage(group_), member_id_,
                                      MembersPath(dir_.path(), group_)));
}

Result<std::map<std::string, int32_t>> GroupMemberImpl::PartitionCounts(
    const std::vector<LiveMember>& live) {
  std::map<std::string, int32_t> counts;
  for (const LiveMember& m : live) {
    for (const std::string& topic : m.topics) {
      if (counts.count(topic) != 0) continue;
      Result<log::TopicInfo> info = dir_.DescribeTopic(topic);
      if (info.ok()) {
        counts[topic] = info->partitions;
      } else if (info.status().IsNotFound()) {
        counts[topic] = 0;  // deleted meanwhile: nothing to own
      } else {
        return info.status();
      }
    }
  }
  return counts;
}

Status GroupMemberImpl::TryAcquire(const TopicPartition& tp) {
  const std::string path = PartitionLockPath(dir_.path(), group_, tp);
  Result<std::unique_ptr<io::FileLock>> lock = env_->LockFile(path, io::LockWait::kTry);
  if (!lock.ok()) return lock.status().IsBusy() ? Status::Ok() : lock.status();
  KQ_ASSIGN_OR_RETURN(std::unique_ptr<io::AppendableFile> file, env_->CreateTruncated(path));
  KQ_RETURN_IF_ERROR(file->Append(member_id_));
  KQ_RETURN_IF_ERROR(file->Close());
  owned_[tp] = std::move(*lock);
  return Status::Ok();
}

void GroupMemberImpl::Release(const TopicPartition& tp) {
  auto it = owned_.find(tp);
  if (it == owned_.end()) return;
  // Best effort: a stale id names a member that no longer holds the lock,
  // which readers tell apart by liveness anyway.
  (void)env_->CreateTruncated(PartitionLockPath(dir_.path(), group_, tp));
  owned_.erase(it);
}

std::vector<TopicPartition> GroupMemberImpl::OwnedList() const {
  std::vector<TopicPartition> out;
  for (const auto& [tp, lock] : owned_) out.push_back(tp);
  return out;
}

Result<std::vector<TopicPartition>> GroupMemberImpl::Poll() {
  if (!member_lock_)
    return Status::InvalidArgument(fmt::format("member {} has left its group", member_id_));
  // Our file was removed (by hand, or by a checker racing our join): register
  // again, or the others would not count us.
  if (!env_->FileExists(MemberPath())) {
    member_lock_.reset();
    KQ_RETURN_IF_ERROR(Register());
  }
  KQ_ASSIGN_OR_RETURN(std::vector<LiveMember> live, ListLiveMembers(env_, dir_.path(), group_));
  if (std::none_of(live.begin(), live.end(),
                   [&](const LiveMember& m) { return m.member_id == member_id_; })) {
    live.push_back({member_id_, topics_});
  }
  KQ_ASSIGN_OR_RETURN(auto counts, PartitionCounts(live));
  std::vector<MemberSubscription> subscriptions;
  for (LiveMember& m : live) subscriptions.push_back({std::move(m.member_id), std::move(m.topics)});
  auto assignment = AssignRoundRobin(std::move(subscriptions), counts);
  const std::vector<TopicPartition>& mine = assignment[member_id_];
  // Release first, so a partition moving between two members is free as
  // soon as possible for its new owner.
  for (const TopicPartition& tp : OwnedList()) {
    if (!std::binary_search(mine.begin(), mine.end(), tp)) Release(tp);
  }
  for (const TopicPartition& tp : mine) {
    if (owned_.count(tp) == 0) KQ_RETURN_IF_ERROR(TryAcquire(tp));
  }
  return OwnedList();
}

Status GroupMemberImpl::Leave() {
  for (const TopicPartition& tp : OwnedList()) Release(tp);
  if (!member_lock_) return Status::Ok();
  // Remove while still locked, so nobody mistakes the file for a dead one.
  Status s = env_->FileExists(MemberPath()) ? env_->RemoveFile(MemberPath()) : Status::Ok();
  member_lock_.reset();
  return s;
}

}  // namespace

Result<std::unique_ptr<ServedGroupClaim>> ClaimGroupForServer(io::Env* env,
                                                              const std::string& log_dir,
                                                              std::string_view group) {
  KQ_RETURN_IF_ERROR(ValidateGroupName(group));
  KQ_RETURN_IF_ERROR(env->CreateDir(GroupPath(log_dir, group)));
  const std::string path = CoordinatorLockPath(log_dir, group);
  Result<std::unique_ptr<io::FileLock>> lock = env->LockFile(path, io::LockWait::kTry);
  if (!lock.ok()) {
    if (!lock.status().IsBusy()) return lock.status();
    if (const long pid = ServerPid(env, path); pid != 0) {
      return Status::Busy(fmt::format("group '{}' is served by another kq-serve (pid {}) ({})",
                                      log::EscapeForMessage(group), pid, path));
    }
    return Status::Busy(fmt::format("group '{}': a kq-consume -G member is joining ({} is locked)",
                                    log::EscapeForMessage(group), path));
  }
  {
    KQ_ASSIGN_OR_RETURN(std::unique_ptr<io::AppendableFile> file, env->CreateTruncated(path));
    KQ_RETURN_IF_ERROR(
        file->Append(fmt::format("{}{}\n", kServerTag, static_cast<long>(getpid()))));
    KQ_RETURN_IF_ERROR(file->Close());
  }
  auto claim = std::make_unique<ServedGroupClaimImpl>(env, path, std::move(*lock));
  // Only now look for members: one that registered before our lock is seen
  // here, one that registers after it sees our pid (RefuseIfServed).
  KQ_ASSIGN_OR_RETURN(std::vector<LiveMember> live, ListLiveMembers(env, log_dir, group));
  if (!live.empty()) {
    return Status::Busy(fmt::format("group '{}' has {} member(s) of kq-consume -G (e.g. {})",
                                    log::EscapeForMessage(group), live.size(),
                                    live.front().member_id));
  }
  return std::unique_ptr<ServedGroupClaim>(std::move(claim));
}

Result<std::unique_ptr<GroupMember>> GroupMember::Join(io::Env* env, const std::string& log_dir,
                                                       std::string group,
                                                       std::vector<std::string> topics) {
  KQ_RETURN_IF_ERROR(ValidateGroupName(group));
  if (topics.empty())
    return Status::InvalidArgument(fmt::format("group '{}': no topics to consume", group));
  std::sort(topics.begin(), topics.end());
  topics.erase(std::unique(topics.begin(), topics.end()), topics.end());
  KQ_ASSIGN_OR_RETURN(log::LogDir dir,
                      log::LogDir::Open(env, log_dir, /*create_if_missing=*/false));
  for (const std::string& topic : topics) {
    KQ_RETURN_IF_ERROR(dir.DescribeTopic(topic).status());
  }
  const std::string group_name = group;
  auto member =
      std::make_unique<GroupMemberImpl>(env, std::move(dir), std::move(group), std::move(topics));
  KQ_RETURN_IF_ERROR(member->Register());
  if (Status served = RefuseIfServed(env, log_dir, group_name); !served.ok()) {
    (void)member->Leave();
    return served;
  }
  return std::unique_ptr<GroupMember>(std::move(member));
}

}  // namespace kq::groups
