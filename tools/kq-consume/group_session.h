// GroupSession: kq-consume -G. Joins a server-less group (groups::GroupMember),
// keeps the consumer's assignment equal to the partitions this member owns,
// starts gained partitions at the group's committed offsets, and commits what
// has been printed.
//
// Ordering rule (a killed consumer re-reads, never loses): callers flush the
// output first, then call Commit or Rebalance; Rebalance commits every owned
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

namespace kq::tools::consume {

class GroupSession {
 public:
  // `fallback`: where partitions without a commit start (-o, default beginning).
  static Result<std::unique_ptr<GroupSession>> Join(io::Env* env, const std::string& dir,
                                                    std::string group,
                                                    std::vector<std::string> topics,
                                                    client::Consumer* consumer,
                                                    client::StartPosition fallback);

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
  GroupSession(std::string group, client::Consumer* consumer, client::StartPosition fallback)
      : group_(std::move(group)), consumer_(consumer), fallback_(fallback) {}

  Status Gain(const groups::TopicPartition& tp,
              const std::map<groups::TopicPartition, groups::CommittedOffset>& committed);

  std::string group_;
  client::Consumer* consumer_;
  client::StartPosition fallback_;
  std::unique_ptr<groups::OffsetsStore> store_;
  std::unique_ptr<groups::GroupMember> member_;
  std::map<groups::TopicPartition, int64_t> committed_;  // last committed per owned partition
};

}  // namespace kq::tools::consume
