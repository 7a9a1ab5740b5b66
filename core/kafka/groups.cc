// See groups.h for which librdkafka calls are used and why.
#include "kafka/groups.h"

#include <algorithm>
#include <map>
#include <utility>

#include <fmt/format.h>

#include "groups/consumer_protocol.h"

namespace kq::kafka {
namespace {

using Key = std::pair<std::string, int32_t>;
using CommittedMap = std::map<Key, int64_t>;  // -1: no commit

// A consumer carrying the group's id that never subscribes: it reads and
// writes the group's offsets without joining the group.
Result<std::unique_ptr<Client>> OpenGroupClient(const ClusterConfig& config,
                                                std::string_view group) {
  return Client::Open(config, Client::Kind::kConsumer,
                      {{"group.id", std::string(group)}, {"enable.auto.commit", "false"}});
}

struct Members {
  bool known = false;
  std::string state = "Unknown";
  std::vector<GroupMember> members;
  std::map<Key, std::string> owner;  // partition -> member id
};

// The partitions of a member's assignment (groups/consumer_protocol.h).
// Bytes from the broker: a malformed blob gives no partitions rather than
// a failed describe.
std::vector<Key> AssignedPartitions(const void* data, int size) {
  std::vector<Key> out;
  if (data == nullptr || size <= 0) return out;
  Result<groups::ConsumerAssignment> assignment = groups::DecodeAssignment(
      std::string_view(static_cast<const char*>(data), static_cast<size_t>(size)));
  if (!assignment.ok()) return out;
  for (const groups::AssignedTopic& t : assignment->topics) {
    for (int32_t p : t.partitions) out.emplace_back(t.topic, p);
  }
  return out;
}

Members MembersOf(const rd_kafka_group_info& info) {
  Members out;
  out.known = true;
  out.state = info.state != nullptr ? info.state : "Unknown";
  for (int m = 0; m < info.member_cnt; ++m) {
    const rd_kafka_group_member_info& member = info.members[m];
    GroupMember gm;
    gm.member_id = member.member_id != nullptr ? member.member_id : "";
    gm.client_id = member.client_id != nullptr ? member.client_id : "";
    gm.host = member.client_host != nullptr ? member.client_host : "";
    for (const Key& key :
         AssignedPartitions(member.member_assignment, member.member_assignment_size)) {
      out.owner[key] = gm.member_id;
    }
    out.members.push_back(std::move(gm));
  }
  return out;
}

// rd_kafka_list_groups (ListGroups + DescribeGroups) rather than
// rd_kafka_DescribeConsumerGroups: in 2.0.2 the latter, sent to a cluster
// without the API (the mock), leaves the handle unable to be destroyed.
Result<Members> DescribeMembers(Client& client, std::string_view group) {
  std::string name(group);
  const rd_kafka_group_list* list = nullptr;
  rd_kafka_resp_err_t err =
      rd_kafka_list_groups(client.handle(), name.c_str(), &list, client.timeout_ms());
  if (err == RD_KAFKA_RESP_ERR__UNSUPPORTED_FEATURE) return Members{};
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return client.Unreachable(err, fmt::format("describe group '{}'", group));
  }
  Members out;
  for (int i = 0; i < list->group_cnt; ++i) {
    const rd_kafka_group_info& info = list->groups[i];
    if (name != info.group) continue;
    if (info.err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      Status s = ErrorStatus(info.err, fmt::format("describe group '{}'", group));
      rd_kafka_group_list_destroy(list);
      return s;
    }
    out = MembersOf(info);
  }
  rd_kafka_group_list_destroy(list);
  return out;
}

// Committed offsets of every partition of `topics` (every topic of the
// cluster when empty) that has one.
Result<std::map<Key, int64_t>> Committed(Client& client, const std::vector<std::string>& topics) {
  KQ_ASSIGN_OR_RETURN(std::vector<TopicMetadata> all, client.Topics());
  PartitionListPtr list(rd_kafka_topic_partition_list_new(16));
  for (const TopicMetadata& t : all) {
    bool wanted = topics.empty() ? !t.internal
                                 : std::find(topics.begin(), topics.end(), t.name) != topics.end();
    if (!wanted) continue;
    for (int32_t p : t.partitions) rd_kafka_topic_partition_list_add(list.get(), t.name.c_str(), p);
  }
  for (const std::string& t : topics) {
    if (std::none_of(all.begin(), all.end(), [&](const TopicMetadata& m) { return m.name == t; })) {
      return Status::NotFound(
          fmt::format("topic '{}' does not exist at '{}'", t, client.brokers()));
    }
  }
  std::map<Key, int64_t> out;
  if (list->cnt == 0) return out;
  rd_kafka_resp_err_t err = rd_kafka_committed(client.handle(), list.get(), client.timeout_ms());
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return client.Unreachable(err, "committed offsets");
  for (int i = 0; i < list->cnt; ++i) {
    const rd_kafka_topic_partition_t& tp = list->elems[i];
    if (tp.err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return ErrorStatus(
          tp.err, fmt::format("committed offset of {}", PartitionName(tp.topic, tp.partition)));
    }
    if (tp.offset >= 0) out[{tp.topic, tp.partition}] = tp.offset;
  }
  return out;
}

int64_t Clamp(int64_t offset, std::pair<int64_t, int64_t> marks) {
  return std::clamp(offset, marks.first, std::max(marks.first, marks.second));
}

}  // namespace

Result<std::vector<GroupListing>> ListGroups(const ClusterConfig& config) {
  KQ_ASSIGN_OR_RETURN(std::unique_ptr<Client> client,
                      Client::Open(config, Client::Kind::kProducer));
  KQ_RETURN_IF_ERROR(client->Topics().status());  // bounded reachability check
  const rd_kafka_group_list* list = nullptr;
  rd_kafka_resp_err_t err =
      rd_kafka_list_groups(client->handle(), nullptr, &list, client->timeout_ms());
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return client->Unreachable(err, "list groups");
  std::vector<GroupListing> groups;
  for (int i = 0; i < list->group_cnt; ++i) {
    const rd_kafka_group_info& info = list->groups[i];
    GroupListing g;
    g.group = info.group;
    g.state = info.state != nullptr && *info.state != '\0' ? info.state : "Unknown";
    // A group that only stores offsets has no protocol type.
    g.simple = info.protocol_type == nullptr || *info.protocol_type == '\0';
    groups.push_back(std::move(g));
  }
  rd_kafka_group_list_destroy(list);
  std::sort(groups.begin(), groups.end(),
            [](const GroupListing& a, const GroupListing& b) { return a.group < b.group; });
  return groups;
}

Result<GroupDescription> DescribeGroup(const ClusterConfig& config, std::string_view group) {
  KQ_ASSIGN_OR_RETURN(std::unique_ptr<Client> client, OpenGroupClient(config, group));
  KQ_ASSIGN_OR_RETURN(CommittedMap committed, Committed(*client, {}));
  KQ_ASSIGN_OR_RETURN(Members members, DescribeMembers(*client, group));
  GroupDescription d;
  d.group = std::string(group);
  d.state = members.state;
  d.members_known = members.known;
  d.members = members.members;
  // Partitions with a commit, plus assigned ones that have none yet.
  for (const auto& [key, member] : members.owner) committed.try_emplace(key, -1);
  for (const auto& [key, offset] : committed) {
    GroupPartition p;
    p.topic = key.first;
    p.partition = key.second;
    p.current_offset = offset;
    KQ_ASSIGN_OR_RETURN(auto marks, client->Watermarks(p.topic, p.partition));
    p.log_end_offset = marks.second;
    p.lag = offset >= 0 ? std::max<int64_t>(0, marks.second - offset) : -1;
    if (auto it = members.owner.find(key); it != members.owner.end()) p.member = it->second;
    d.partitions.push_back(std::move(p));
  }
  if (d.partitions.empty() && d.members.empty()) {
    return Status::NotFound(
        fmt::format("group '{}' has no committed offsets and no members", group));
  }
  return d;
}

Result<std::vector<PlannedOffset>> PlanGroupReset(const ClusterConfig& config,
                                                  std::string_view group,
                                                  const std::vector<std::string>& topics,
                                                  const ResetTarget& target) {
  KQ_ASSIGN_OR_RETURN(std::unique_ptr<Client> client, OpenGroupClient(config, group));
  KQ_ASSIGN_OR_RETURN(CommittedMap committed, Committed(*client, topics));
  if (!topics.empty()) {
    // Named topics: every partition, committed or not.
    KQ_ASSIGN_OR_RETURN(std::vector<TopicMetadata> all, client->Topics());
    for (const TopicMetadata& t : all) {
      if (std::find(topics.begin(), topics.end(), t.name) == topics.end()) continue;
      for (int32_t p : t.partitions) committed.try_emplace({t.name, p}, -1);
    }
  } else if (committed.empty()) {
    return Status::NotFound(
        fmt::format("group '{}' has no committed offsets: name the topics to reset", group));
  }
  std::map<Key, int64_t> by_time;
  if (target.kind == ResetTarget::Kind::kDatetime) {
    PartitionListPtr list(rd_kafka_topic_partition_list_new(static_cast<int>(committed.size())));
    for (const auto& [key, offset] : committed) {
      rd_kafka_topic_partition_list_add(list.get(), key.first.c_str(), key.second)->offset =
          target.value;
    }
    rd_kafka_resp_err_t err =
        rd_kafka_offsets_for_times(client->handle(), list.get(), client->timeout_ms());
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return client->Unreachable(err, "offsets for time");
    for (int i = 0; i < list->cnt; ++i)
      by_time[{list->elems[i].topic, list->elems[i].partition}] = list->elems[i].offset;
  }
  std::vector<PlannedOffset> plan;
  for (const auto& [key, offset] : committed) {
    KQ_ASSIGN_OR_RETURN(auto marks, client->Watermarks(key.first, key.second));
    PlannedOffset p{key.first, key.second, offset, 0};
    switch (target.kind) {
      case ResetTarget::Kind::kEarliest:
        p.new_offset = marks.first;
        break;
      case ResetTarget::Kind::kLatest:
        p.new_offset = marks.second;
        break;
      case ResetTarget::Kind::kOffset:
        p.new_offset = Clamp(target.value, marks);
        break;
      case ResetTarget::Kind::kShiftBy:
        p.new_offset = Clamp((offset >= 0 ? offset : marks.first) + target.value, marks);
        break;
      case ResetTarget::Kind::kDatetime: {
        int64_t t = by_time[key];
        p.new_offset = t >= 0 ? t : marks.second;
        break;
      }
    }
    plan.push_back(std::move(p));
  }
  return plan;
}

Status ExecuteGroupReset(const ClusterConfig& config, std::string_view group,
                         const std::vector<PlannedOffset>& plan) {
  KQ_ASSIGN_OR_RETURN(std::unique_ptr<Client> client, OpenGroupClient(config, group));
  KQ_RETURN_IF_ERROR(client->Topics().status());
  KQ_ASSIGN_OR_RETURN(Members members, DescribeMembers(*client, group));
  if (!members.members.empty()) {
    return Status::Busy(fmt::format("group '{}' has {} active members: stop them first", group,
                                    members.members.size()));
  }
  if (plan.empty()) return Status::Ok();
  PartitionListPtr list(rd_kafka_topic_partition_list_new(static_cast<int>(plan.size())));
  for (const PlannedOffset& p : plan) {
    rd_kafka_topic_partition_list_add(list.get(), p.topic.c_str(), p.partition)->offset =
        p.new_offset;
  }
  std::string context = fmt::format("reset offsets of group '{}'", group);
  rd_kafka_resp_err_t err = rd_kafka_commit(client->handle(), list.get(), 0);
  if (err == RD_KAFKA_RESP_ERR_UNKNOWN_MEMBER_ID || err == RD_KAFKA_RESP_ERR_ILLEGAL_GENERATION ||
      err == RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS) {
    // How a broker refuses offsets from outside an active group.
    return Status::Busy(fmt::format("{}: {} (the group is active: stop its members first)", context,
                                    rd_kafka_err2str(err)));
  }
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return client->Unreachable(err, context);
  for (int i = 0; i < list->cnt; ++i) {
    const rd_kafka_topic_partition_t& tp = list->elems[i];
    if (tp.err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return ErrorStatus(tp.err,
                         fmt::format("{} ({})", context, PartitionName(tp.topic, tp.partition)));
    }
  }
  return Status::Ok();
}

Status DeleteGroup(const ClusterConfig& config, std::string_view group) {
  KQ_ASSIGN_OR_RETURN(std::unique_ptr<Client> client,
                      Client::Open(config, Client::Kind::kProducer));
  KQ_RETURN_IF_ERROR(client->Topics().status());
  std::string name(group);
  std::string context = fmt::format("delete group '{}'", group);
  rd_kafka_DeleteGroup_t* request = rd_kafka_DeleteGroup_new(name.c_str());
  Result<EventPtr> event =
      client->Admin(RD_KAFKA_ADMIN_OP_DELETEGROUPS, context,
                    [&](rd_kafka_AdminOptions_t* options, rd_kafka_queue_t* queue) {
                      rd_kafka_DeleteGroups(client->handle(), &request, 1, options, queue);
                    });
  rd_kafka_DeleteGroup_destroy(request);
  if (!event.ok()) return event.status();
  size_t n = 0;
  const rd_kafka_group_result_t** results =
      rd_kafka_DeleteGroups_result_groups(rd_kafka_event_DeleteGroups_result(event->get()), &n);
  for (size_t i = 0; i < n; ++i) {
    KQ_RETURN_IF_ERROR(ErrorStatus(rd_kafka_group_result_error(results[i]), context));
  }
  return Status::Ok();
}

}  // namespace kq::kafka
