// The on-disk registry of server-less group members (group_membership.h):
//
//   DIR/.kq/groups/<group>/members/<member-id>
//       "kq-group-member 1\n<topic>\n...\nend\n", written by the member while
//       it holds an exclusive lock on the file; the lock is its liveness.
//   DIR/.kq/groups/<group>/partitions/<topic>-<p>.lock
//       locked by the partition's owner, holding the owner's member id while
//       it is held (emptied before release).
//
// A member file whose lock can be taken belongs to a dead process (or to a
// process that has not finished joining; it re-registers when it notices):
// whoever takes the lock removes the file. Readers take no other locks and
// never touch partition locks, so inspecting a group does not disturb it.
//
// Thread safety: free functions; safe to call concurrently (also across
// processes). The Env must support flock-style locks (POSIX, MemEnv).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/status.h"
#include "groups/topic_partition.h"
#include "io/env.h"

namespace kq::groups {

std::string GroupPath(std::string_view log_dir, std::string_view group);
std::string MembersPath(std::string_view log_dir, std::string_view group);
std::string PartitionLocksPath(std::string_view log_dir, std::string_view group);
std::string MemberFilePath(std::string_view log_dir, std::string_view group,
                           std::string_view member_id);
std::string PartitionLockPath(std::string_view log_dir, std::string_view group,
                              const TopicPartition& tp);
// Held by kq-serve while it serves the group (group_membership.h).
std::string CoordinatorLockPath(std::string_view log_dir, std::string_view group);

// The member file's contents for `topics`, and its parse (nullopt when the
// text is incomplete or malformed: a member still joining).
std::string EncodeMemberFile(const std::vector<std::string>& topics);
std::optional<std::vector<std::string>> DecodeMemberFile(std::string_view text);

struct LiveMember {
  std::string member_id;
  std::vector<std::string> topics;
};

// The registered live members of `group`, sorted by id; files of dead members
// are removed on the way. A missing group folder means no members.
Result<std::vector<LiveMember>> ListLiveMembers(io::Env* env, std::string_view log_dir,
                                                std::string_view group);

// The live member holding each partition lock of the group (as recorded in
// the lock files). `live` is the result of ListLiveMembers.
Result<std::map<TopicPartition, std::string>> ListPartitionOwners(
    io::Env* env, std::string_view log_dir, std::string_view group,
    const std::vector<LiveMember>& live);

// Groups that have a membership folder, sorted.
Result<std::vector<std::string>> ListGroupFolders(io::Env* env, std::string_view log_dir);

// Removes the group's membership folder. Busy when a member is alive or
// kq-serve serves the group (holds its coordinator.lock).
Status RemoveGroupFolder(io::Env* env, std::string_view log_dir, std::string_view group);

}  // namespace kq::groups
