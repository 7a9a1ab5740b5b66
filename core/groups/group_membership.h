// GroupMember: consumer-group membership among processes sharing one log
// directory, without a server.
//
//   DIR/.kq/groups/<group>/members/<member-id>      flock held while alive
//   DIR/.kq/groups/<group>/partitions/<t>-<p>.lock  flock held by the owner
//
// Liveness: a member is alive exactly while some process holds the lock on
// its member file; the kernel drops the lock when the process dies, so a
// SIGKILLed member disappears at once. Assignment: every member computes the
// same round-robin assignment from the sorted live member ids and the sorted
// partitions of the subscribed topics. Ownership: a member owns a partition
// only while it holds the partition's lock, so two members never own the same
// partition at once, even while their views of the membership disagree.
//
// Served groups: a group is served either by these server-less members or by
// kq-serve's group coordinator, never both at once. The server holds
//
//   DIR/.kq/groups/<group>/coordinator.lock   "kq-serve <pid>\n" while held
//
// while the group has members there (ClaimGroupForServer); the file is
// emptied before the lock is released. Whoever comes second is refused:
// Join fails with Busy "group 'G' is served by kq-serve (pid N) ...", and
// ClaimGroupForServer fails with Busy while a server-less member is alive.
// Each side first makes itself visible (member file registered / lock taken
// and pid written) and only then looks for the other, so two racing joiners
// cannot both miss each other. Join takes the lock for an instant to look; a
// held lock with an empty file is another joiner looking, and Join retries.
//
// Thread safety: not thread safe. The Env must outlive the member. The
// member leaves (releases everything) when destroyed.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/status.h"
#include "groups/group_registry.h"  // CoordinatorLockPath
#include "groups/topic_partition.h"
#include "io/env.h"

namespace kq::groups {

class GroupMember {
 public:
  // Registers a new member of `group` subscribed to `topics` (which must
  // exist). Owns nothing until the first Poll. Busy when kq-serve serves the
  // group (see above); the member file is removed again then.
  static Result<std::unique_ptr<GroupMember>> Join(io::Env* env, const std::string& log_dir,
                                                   std::string group,
                                                   std::vector<std::string> topics);

  virtual ~GroupMember() = default;

  // Recomputes the assignment: releases partitions no longer assigned to this
  // member and tries to take newly assigned ones (a partition still held by
  // its previous owner is retried on the next Poll). Call every ~500 ms and
  // before committing. Returns the partitions owned now, sorted.
  virtual Result<std::vector<TopicPartition>> Poll() = 0;

  // True while this member holds the partition's lock.
  virtual bool Owns(const TopicPartition& tp) const = 0;

  // "<hostname>-<pid>-<random>".
  virtual const std::string& member_id() const = 0;

  // Releases every partition and the membership. Idempotent.
  virtual Status Leave() = 0;
};

// A server's hold on a group (see the top of this file). Destroying it
// empties the lock file and releases the lock.
class ServedGroupClaim {
 public:
  virtual ~ServedGroupClaim() = default;
};

// Takes the group for a server in this process. Busy naming the reason when
// a server-less member is alive (e.g. "group 'g' has 2 members of kq-consume
// -G (e.g. host-12-0a1b2c3d)"), when another server holds the group, or when
// a joiner is looking at the lock this instant (retry later). Does not block.
Result<std::unique_ptr<ServedGroupClaim>> ClaimGroupForServer(io::Env* env,
                                                              const std::string& log_dir,
                                                              std::string_view group);

}  // namespace kq::groups
