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
// Thread safety: not thread safe. The Env must outlive the member. The
// member leaves (releases everything) when destroyed.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "base/result.h"
#include "base/status.h"
#include "groups/topic_partition.h"
#include "io/env.h"

namespace kq::groups {

class GroupMember {
 public:
  // Registers a new member of `group` subscribed to `topics` (which must
  // exist). Owns nothing until the first Poll.
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

}  // namespace kq::groups
