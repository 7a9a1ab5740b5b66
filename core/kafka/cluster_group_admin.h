// ClusterGroupAdmin: GroupAdmin (client/group_admin.h) over a Kafka-protocol
// cluster, through kafka/groups.h. Where the cluster cannot describe
// members (no DescribeGroups, as librdkafka's mock), members_known is false
// and owners are unknown. A commit's leader epoch, metadata and time are not
// asked for (committed_detail false). Operations the cluster lacks
// (librdkafka's mock has no ListGroups answer and no DeleteGroups) fail with
// a message naming the operation.
//
// DeleteGroups runs each request in a child process: librdkafka 2.0.2 can
// abort (an assertion in its queue code) on a cluster without DeleteGroups,
// and a crash there becomes an error naming the operation instead of a core
// dump. Call it before this process starts any librdkafka thread (every
// other call here joins its threads before returning), so fork is safe.
//
// Thread safety: one thread at a time.
#pragma once

#include <utility>

#include "client/group_admin.h"
#include "kafka/client.h"

namespace kq::kafka {

class ClusterGroupAdmin final : public client::GroupAdmin {
 public:
  explicit ClusterGroupAdmin(ClusterConfig config) : config_(std::move(config)) {}

  Result<std::vector<client::GroupListing>> ListGroups() override;
  Result<client::GroupDescription> DescribeGroup(std::string_view group) override;
  Result<client::ResetPlan> PlanReset(std::string_view group,
                                      const std::vector<client::ResetScope>& scopes,
                                      const client::ResetTarget& target) override;
  Status CommitOffsets(std::string_view group,
                       const std::vector<client::PlannedOffset>& offsets) override;
  Status DeleteGroups(const std::vector<std::string>& groups) override;

 private:
  ClusterConfig config_;
};

}  // namespace kq::kafka
