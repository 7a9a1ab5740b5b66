// GroupSession: a Consumer as a member of a log directory's consumer group
// (kq-consume -G). Joins a server-less group (groups::GroupMember), keeps the
// consumer's assignment equal to the partitions this member owns, starts
// gained partitions at the group's committed offsets, and commits the
// consumer's positions. It lives in client/, not groups/, because it drives
// a client::Consumer; groups/ stays below client/.
//
// Ordering rule (a killed consumer re-reads, never loses): callers flush
// their output first, then call Commit or Rebalance; Rebalance commits every owned
// partition's position before giving any partition up.
//
// Thread safety: one thread. The Env and the consumer must outlive it.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/result.h"
#include "client/consumer.h"
#include "groups/group_membership.h"
#include "groups/offsets_store.h"

namespace kq::client {

class GroupSession {
 public:
  // `fallback`: where partitions without a commit start.
  static Result<std::unique_ptr<GroupSession>> Join(io::Env* env, const std::string& dir,
                                                    std::string group,
                                                    std::vector<std::string> topics,
                                                    Consumer* consumer, StartPosition fallback);

  // Commit, then poll the membership and apply the new assignment. True when
  // partitions were gained or lost.
  Result<bool> Rebalance();
  // Commits the positions that moved since their last commit, for the
  // partitions still owned. Durable on return.
  Status Commit();
  // Leaves the group, committing first when `commit` (not after an output
  // error: what was not printed must be read again).
  Status Leave(bool commit);

  const std::string& member_id() const { return member_->member_id(); }

 private:
  GroupSession(std::string group, Consumer* consumer, StartPosition fallback)
      : group_(std::move(group)), consumer_(consumer), fallback_(fallback) {}

  Status Gain(const groups::TopicPartition& tp,
              const std::map<groups::TopicPartition, groups::CommittedOffset>& committed);

  std::string group_;
  Consumer* consumer_;
  StartPosition fallback_;
  std::unique_ptr<groups::OffsetsStore> store_;
  std::unique_ptr<groups::GroupMember> member_;
  std::map<groups::TopicPartition, int64_t> committed_;  // last committed per owned partition
};

}  // namespace kq::client
