#include "groups/group_registry.h"

#include <algorithm>
#include <charconv>
#include <set>

#include <fmt/format.h>

#include "groups/offset_commit_codec.h"
#include "log/topic_name.h"

namespace kq::groups {
namespace {

constexpr std::string_view kMemberFileHeader = "kq-group-member 1";
constexpr std::string_view kMemberFileEnd = "end";
constexpr std::string_view kLockSuffix = ".lock";

std::vector<std::string_view> SplitLines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    if (nl == std::string_view::npos) {
      lines.push_back(text);  // no newline: an unfinished last line
      break;
    }
    lines.push_back(text.substr(0, nl));
    text.remove_prefix(nl + 1);
  }
  return lines;
}

// "<topic>-<p>.lock" -> TopicPartition.
std::optional<TopicPartition> ParseLockName(std::string_view name) {
  if (!name.ends_with(kLockSuffix)) return std::nullopt;
  name.remove_suffix(kLockSuffix.size());
  const size_t dash = name.rfind('-');
  if (dash == std::string_view::npos || dash == 0) return std::nullopt;
  TopicPartition tp{std::string(name.substr(0, dash)), 0};
  const std::string_view digits = name.substr(dash + 1);
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), tp.partition);
  if (ec != std::errc() || ptr != digits.data() + digits.size() || tp.partition < 0) {
    return std::nullopt;
  }
  return tp;
}

// Reports whether the member file `path` is locked by a live process. A file
// we can lock is dead (or an unfinished join): we remove it while holding the
// lock. An error other than Busy (say, a read-only directory) counts as
// alive: never remove what we cannot be sure about.
bool MemberAlive(io::Env* env, const std::string& path) {
  Result<std::unique_ptr<io::FileLock>> lock = env->LockFile(path, io::LockWait::kTry);
  if (!lock.ok()) return true;
  (void)env->RemoveFile(path);  // best effort: another checker may have won
  return false;
}

}  // namespace

std::string GroupPath(std::string_view log_dir, std::string_view group) {
  return io::JoinPath(io::JoinPath(io::JoinPath(log_dir, ".kq"), "groups"), group);
}
std::string MembersPath(std::string_view log_dir, std::string_view group) {
  return io::JoinPath(GroupPath(log_dir, group), "members");
}
std::string PartitionLocksPath(std::string_view log_dir, std::string_view group) {
  return io::JoinPath(GroupPath(log_dir, group), "partitions");
}
std::string MemberFilePath(std::string_view log_dir, std::string_view group,
                           std::string_view member_id) {
  return io::JoinPath(MembersPath(log_dir, group), member_id);
}
std::string PartitionLockPath(std::string_view log_dir, std::string_view group,
                              const TopicPartition& tp) {
  return io::JoinPath(PartitionLocksPath(log_dir, group),
                      fmt::format("{}-{}{}", tp.topic, tp.partition, kLockSuffix));
}

std::string CoordinatorLockPath(std::string_view log_dir, std::string_view group) {
  return io::JoinPath(GroupPath(log_dir, group), "coordinator.lock");
}

std::string EncodeMemberFile(const std::vector<std::string>& topics) {
  std::string out = fmt::format("{}\n", kMemberFileHeader);
  for (const std::string& t : topics) out += t + "\n";
  out += fmt::format("{}\n", kMemberFileEnd);
  return out;
}

std::optional<std::vector<std::string>> DecodeMemberFile(std::string_view text) {
  if (!text.ends_with('\n')) return std::nullopt;
  std::vector<std::string_view> lines = SplitLines(text);
  if (lines.size() < 2 || lines.front() != kMemberFileHeader || lines.back() != kMemberFileEnd) {
    return std::nullopt;
  }
  std::vector<std::string> topics;
  for (size_t i = 1; i + 1 < lines.size(); ++i) {
    if (!log::ValidateTopicName(lines[i]).ok()) return std::nullopt;
    topics.emplace_back(lines[i]);
  }
  return topics;
}

Result<std::vector<LiveMember>> ListLiveMembers(io::Env* env, std::string_view log_dir,
                                                std::string_view group) {
  KQ_RETURN_IF_ERROR(ValidateGroupName(group));
  const std::string dir = MembersPath(log_dir, group);
  if (!env->IsDirectory(dir)) return std::vector<LiveMember>{};
  KQ_ASSIGN_OR_RETURN(std::vector<std::string> names, env->ListDir(dir));
  std::sort(names.begin(), names.end());
  std::vector<LiveMember> live;
  for (const std::string& id : names) {
    const std::string path = io::JoinPath(dir, id);
    if (id.starts_with('.') || !MemberAlive(env, path)) continue;
    Result<std::string> text = env->ReadFileToString(path);
    if (!text.ok()) continue;  // left between listing and reading
    std::optional<std::vector<std::string>> topics = DecodeMemberFile(*text);
    if (!topics) continue;  // still joining: counted from its next registration
    live.push_back({id, std::move(*topics)});
  }
  return live;
}

Result<std::map<TopicPartition, std::string>> ListPartitionOwners(
    io::Env* env, std::string_view log_dir, std::string_view group,
    const std::vector<LiveMember>& live) {
  KQ_RETURN_IF_ERROR(ValidateGroupName(group));
  std::map<TopicPartition, std::string> owners;
  const std::string dir = PartitionLocksPath(log_dir, group);
  if (!env->IsDirectory(dir) || live.empty()) return owners;
  std::set<std::string, std::less<>> ids;
  for (const LiveMember& m : live) ids.insert(m.member_id);
  KQ_ASSIGN_OR_RETURN(std::vector<std::string> names, env->ListDir(dir));
  for (const std::string& name : names) {
    std::optional<TopicPartition> tp = ParseLockName(name);
    if (!tp) continue;
    Result<std::string> holder = env->ReadFileToString(io::JoinPath(dir, name));
    if (holder.ok() && ids.count(*holder) != 0) owners[*tp] = *holder;
  }
  return owners;
}

Result<std::vector<std::string>> ListGroupFolders(io::Env* env, std::string_view log_dir) {
  const std::string dir = io::JoinPath(io::JoinPath(log_dir, ".kq"), "groups");
  std::vector<std::string> groups;
  if (!env->IsDirectory(dir)) return groups;
  KQ_ASSIGN_OR_RETURN(std::vector<std::string> names, env->ListDir(dir));
  for (std::string& name : names) {
    if (ValidateGroupName(name).ok() && env->IsDirectory(io::JoinPath(dir, name))) {
      groups.push_back(std::move(name));
    }
  }
  std::sort(groups.begin(), groups.end());
  return groups;
}

Status RemoveGroupFolder(io::Env* env, std::string_view log_dir, std::string_view group) {
  KQ_ASSIGN_OR_RETURN(std::vector<LiveMember> live, ListLiveMembers(env, log_dir, group));
  if (!live.empty()) {
    return Status::Busy(fmt::format("group '{}' has {} live member(s), e.g. {}",
                                    log::EscapeForMessage(group), live.size(),
                                    live.front().member_id));
  }
  const std::string path = GroupPath(log_dir, group);
  if (!env->IsDirectory(path)) return Status::Ok();
  // Held across the removal, so no server claims the group meanwhile.
  Result<std::unique_ptr<io::FileLock>> served =
      env->LockFile(CoordinatorLockPath(log_dir, group), io::LockWait::kTry);
  if (!served.ok()) {
    if (!served.status().IsBusy()) return served.status();
    return Status::Busy(fmt::format("group '{}' is served by kq-serve: {} is locked",
                                    log::EscapeForMessage(group),
                                    CoordinatorLockPath(log_dir, group)));
  }
  return env->RemoveTree(path);
}

}  // namespace kq::groups
