// The group APIs: each request is translated into the coordinator's own
// types (coordinator/group_api.h), handed to the GroupCoordinator, and its
// answer encoded back. JoinGroup and SyncGroup answer when the rebalance gets
// there; the coordinator's timers run from one uv_timer (Broker).
#include <fmt/format.h>

#include "coordinator/group_coordinator.h"
#include "protocol/error_codes.h"
#include "protocol/messages/delete_groups.h"
#include "protocol/messages/describe_groups.h"
#include "protocol/messages/heartbeat.h"
#include "protocol/messages/join_group.h"
#include "protocol/messages/leave_group.h"
#include "protocol/messages/list_groups.h"
#include "protocol/messages/offset_commit.h"
#include "protocol/messages/offset_delete.h"
#include "protocol/messages/offset_fetch.h"
#include "protocol/messages/sync_group.h"
#include "server/handlers.h"
#include "server/server_log.h"

namespace kq::server {
namespace {

// The host part of "HOST:PORT", as Kafka reports a member's client host.
std::string ClientHost(const Request& request) {
  const std::string& peer = request.connection->peer;
  auto colon = peer.rfind(':');
  return "/" + (colon == std::string::npos ? peer : peer.substr(0, colon));
}

constexpr int16_t kGroupDenied = Code(protocol::ErrorCode::kGroupAuthorizationFailed);

bool MayUseGroup(const Broker& broker, const Request& request, const std::string& group) {
  return broker.Allowed(request, Operation::kRead, ResourceType::kGroup, group);
}

}  // namespace

void HandleJoinGroup(Broker& broker, const RequestPtr& request) {
  protocol::JoinGroupRequest req;
  if (!DecodeOrClose(request, &req)) return;
  if (!MayUseGroup(broker, *request, req.group_id)) {
    protocol::JoinGroupResponse denied;
    denied.error_code = kGroupDenied;
    if (request->version() < 7) denied.protocol_name = "";
    return request->Reply(denied);
  }
  coordinator::JoinRequest join;
  join.group_id = req.group_id;
  join.session_timeout_ms = req.session_timeout_ms;
  join.rebalance_timeout_ms = request->version() >= 1 ? req.rebalance_timeout_ms : -1;
  join.member_id = req.member_id;
  join.group_instance_id = req.group_instance_id;
  join.protocol_type = req.protocol_type;
  for (auto& p : req.protocols) join.protocols.push_back({p.name, std::move(p.metadata)});
  join.client_id = request->header.client_id.value_or("");
  join.client_host = ClientHost(*request);
  join.require_known_member_id = request->version() >= 4;
  join.reason = req.reason.value_or("");
  broker.coordinator().Join(std::move(join), [request](coordinator::JoinResult r) {
    if (!r.message.empty())
      LogEvent(LogLevel::kInfo, "join_refused",
               {{"conn", std::to_string(request->connection->id)}, {"reason", r.message}});
    protocol::JoinGroupResponse response;
    response.error_code = r.error_code;
    request->NoteError(r.error_code);
    response.generation_id = r.generation_id;
    response.protocol_type = r.protocol_type;
    response.protocol_name = r.protocol_name;
    // Before v7 the name is not nullable: Kafka sends "" when there is none.
    if (request->version() < 7 && !response.protocol_name) response.protocol_name = "";
    response.leader = r.leader;
    response.skip_assignment = r.skip_assignment;
    response.member_id = r.member_id;
    for (auto& m : r.members)
      response.members.push_back({m.member_id, m.group_instance_id, std::move(m.metadata)});
    request->Reply(response);
  });
  broker.ArmCoordinatorTimer();
}

void HandleSyncGroup(Broker& broker, const RequestPtr& request) {
  protocol::SyncGroupRequest req;
  if (!DecodeOrClose(request, &req)) return;
  if (!MayUseGroup(broker, *request, req.group_id)) {
    protocol::SyncGroupResponse denied;
    denied.error_code = kGroupDenied;
    return request->Reply(denied);
  }
  coordinator::SyncRequest sync;
  sync.group_id = req.group_id;
  sync.generation_id = req.generation_id;
  sync.member_id = req.member_id;
  sync.group_instance_id = req.group_instance_id;
  sync.protocol_type = req.protocol_type;
  sync.protocol_name = req.protocol_name;
  for (auto& a : req.assignments)
    sync.assignments.emplace_back(a.member_id, std::move(a.assignment));
  broker.coordinator().Sync(std::move(sync), [request](coordinator::SyncResult r) {
    protocol::SyncGroupResponse response;
    response.error_code = r.error_code;
    request->NoteError(r.error_code);
    response.protocol_type = r.protocol_type;
    response.protocol_name = r.protocol_name;
    response.assignment = std::move(r.assignment);
    request->Reply(response);
  });
  broker.ArmCoordinatorTimer();
}

void HandleHeartbeat(Broker& broker, const RequestPtr& request) {
  protocol::HeartbeatRequest req;
  if (!DecodeOrClose(request, &req)) return;
  protocol::HeartbeatResponse response;
  if (!MayUseGroup(broker, *request, req.group_id)) {
    response.error_code = kGroupDenied;
    return request->Reply(response);
  }
  response.error_code = broker.coordinator().Heartbeat(
      {req.group_id, req.generation_id, req.member_id, req.group_instance_id});
  broker.ArmCoordinatorTimer();
  request->NoteError(response.error_code);
  request->Reply(response);
}

void HandleLeaveGroup(Broker& broker, const RequestPtr& request) {
  protocol::LeaveGroupRequest req;
  if (!DecodeOrClose(request, &req)) return;
  if (!MayUseGroup(broker, *request, req.group_id)) {
    protocol::LeaveGroupResponse denied;
    denied.error_code = kGroupDenied;
    return request->Reply(denied);
  }
  coordinator::LeaveRequest leave;
  leave.group_id = req.group_id;
  if (request->version() < 3) {
    leave.members.push_back({req.member_id, std::nullopt});
  } else {
    for (const auto& m : req.members) leave.members.push_back({m.member_id, m.group_instance_id});
  }
  coordinator::LeaveResult result = broker.coordinator().Leave(leave);
  broker.ArmCoordinatorTimer();
  protocol::LeaveGroupResponse response;
  response.error_code = result.error_code;
  if (request->version() < 3) {
    // One member: its own error is the answer.
    if (response.error_code == 0 && !result.member_errors.empty())
      response.error_code = result.member_errors[0];
  } else {
    for (size_t i = 0; i < leave.members.size(); ++i)
      response.members.push_back(
          {leave.members[i].member_id, leave.members[i].group_instance_id,
           i < result.member_errors.size() ? result.member_errors[i] : int16_t{0}});
  }
  request->Reply(response);
}

void HandleOffsetCommit(Broker& broker, const RequestPtr& request) {
  protocol::OffsetCommitRequest req;
  if (!DecodeOrClose(request, &req)) return;
  coordinator::OffsetCommitRequest commit;
  commit.group_id = req.group_id;
  commit.generation_id = request->version() >= 1 ? req.generation_id_or_member_epoch : -1;
  commit.member_id = req.member_id;
  commit.group_instance_id = req.group_instance_id;
  // Partitions the principal may not commit are answered with their error
  // and left out of the commit.
  bool group_ok = MayUseGroup(broker, *request, req.group_id);
  std::vector<int16_t> denied;  // per request partition, 0 = committed
  for (const auto& t : req.topics) {
    bool topic_ok = broker.Allowed(*request, Operation::kRead, ResourceType::kTopic, t.name);
    for (const auto& p : t.partitions) {
      int16_t error = !group_ok   ? kGroupDenied
                      : !topic_ok ? Code(protocol::ErrorCode::kTopicAuthorizationFailed)
                                  : int16_t{0};
      denied.push_back(error);
      if (error == 0)
        commit.partitions.push_back({{t.name, p.partition_index},
                                     p.committed_offset,
                                     p.committed_leader_epoch,
                                     p.committed_metadata});
    }
  }
  coordinator::OffsetCommitResult result;
  if (!commit.partitions.empty()) result = broker.coordinator().CommitOffsets(commit);
  if (!result.message.empty()) LogRequestError(*request, "commit", Status::IoError(result.message));
  protocol::OffsetCommitResponse response;
  size_t next_denied = 0, next_result = 0;
  for (const auto& t : req.topics) {
    auto& topic_out = response.topics.emplace_back();
    topic_out.name = t.name;
    for (const auto& p : t.partitions) {
      int16_t error = denied[next_denied++];
      if (error == 0 && next_result < result.partitions.size())
        error = result.partitions[next_result++].second;
      topic_out.partitions.push_back({p.partition_index, error});
    }
  }
  broker.ArmCoordinatorTimer();
  request->Reply(response);
}

namespace {

// One group's committed offsets in the v0-7 or v8+ shape.
template <typename TopicOut>
void FillFetched(const coordinator::OffsetFetchResult& result, std::vector<TopicOut>* topics) {
  for (const auto& f : result.partitions) {
    auto it = std::find_if(topics->begin(), topics->end(),
                           [&](const TopicOut& t) { return t.name == f.tp.topic; });
    if (it == topics->end()) {
      topics->emplace_back();
      it = std::prev(topics->end());
      it->name = f.tp.topic;
    }
    auto& p = it->partitions.emplace_back();
    p.partition_index = f.tp.partition;
    p.committed_offset = f.offset;
    p.committed_leader_epoch = f.leader_epoch;
    p.metadata = f.metadata;
    p.error_code = f.error_code;
  }
}

template <typename TopicIn>
std::optional<std::vector<groups::TopicPartition>> WantedPartitions(
    const std::optional<std::vector<TopicIn>>& topics) {
  if (!topics) return std::nullopt;
  std::vector<groups::TopicPartition> out;
  for (const auto& t : *topics)
    for (int32_t p : t.partition_indexes) out.push_back({t.name, p});
  return out;
}

}  // namespace

void HandleOffsetFetch(Broker& broker, const RequestPtr& request) {
  protocol::OffsetFetchRequest req;
  if (!DecodeOrClose(request, &req)) return;
  protocol::OffsetFetchResponse response;
  if (request->version() < 8) {
    coordinator::OffsetFetchResult result;
    if (MayUseGroup(broker, *request, req.group_id))
      result = broker.coordinator().FetchOffsets({req.group_id, WantedPartitions(req.topics)});
    else
      result.error_code = kGroupDenied;
    response.error_code = result.error_code;
    FillFetched(result, &response.topics);
  } else {
    for (const auto& g : req.groups) {
      coordinator::OffsetFetchResult result;
      if (MayUseGroup(broker, *request, g.group_id))
        result = broker.coordinator().FetchOffsets({g.group_id, WantedPartitions(g.topics)});
      else
        result.error_code = kGroupDenied;
      auto& group_out = response.groups.emplace_back();
      group_out.group_id = g.group_id;
      group_out.error_code = result.error_code;
      FillFetched(result, &group_out.topics);
    }
  }
  request->Reply(response);
}

void HandleOffsetDelete(Broker& broker, const RequestPtr& request) {
  protocol::OffsetDeleteRequest req;
  if (!DecodeOrClose(request, &req)) return;
  if (!broker.Allowed(*request, Operation::kAdmin, ResourceType::kGroup, req.group_id)) {
    protocol::OffsetDeleteResponse denied;
    denied.error_code = kGroupDenied;
    return request->Reply(denied);
  }
  coordinator::OffsetDeleteRequest del;
  del.group_id = req.group_id;
  for (const auto& t : req.topics)
    for (const auto& p : t.partitions) del.partitions.push_back({t.name, p.partition_index});
  coordinator::OffsetDeleteResult result = broker.coordinator().DeleteOffsets(del);
  protocol::OffsetDeleteResponse response;
  response.error_code = result.error_code;
  size_t i = 0;
  for (const auto& t : req.topics) {
    auto& topic_out = response.topics.emplace_back();
    topic_out.name = t.name;
    for (const auto& p : t.partitions) {
      int16_t error = i < result.partitions.size() ? result.partitions[i].second : int16_t{0};
      ++i;
      topic_out.partitions.push_back({p.partition_index, error});
    }
  }
  request->Reply(response);
}

void HandleListGroups(Broker& broker, const RequestPtr& request) {
  protocol::ListGroupsRequest req;
  if (!DecodeOrClose(request, &req)) return;
  coordinator::ListGroupsResult result = broker.coordinator().ListGroups(req.states_filter);
  protocol::ListGroupsResponse response;
  response.error_code = result.error_code;
  for (const auto& g : result.groups) {
    if (!MayUseGroup(broker, *request, g.group_id)) continue;
    // v5 filters by group type; every group here is a classic one.
    if (!req.types_filter.empty() && std::find(req.types_filter.begin(), req.types_filter.end(),
                                               "classic") == req.types_filter.end())
      continue;
    response.groups.push_back({g.group_id, g.protocol_type, g.state, "classic"});
  }
  request->Reply(response);
}

void HandleDescribeGroups(Broker& broker, const RequestPtr& request) {
  protocol::DescribeGroupsRequest req;
  if (!DecodeOrClose(request, &req)) return;
  protocol::DescribeGroupsResponse response;
  for (auto& g : broker.coordinator().DescribeGroups(req.groups)) {
    auto& out = response.groups.emplace_back();
    if (!MayUseGroup(broker, *request, g.group_id)) {
      out.group_id = g.group_id;
      out.error_code = kGroupDenied;
      continue;
    }
    out.error_code = g.error_code;
    out.group_id = g.group_id;
    out.group_state = g.state;
    out.protocol_type = g.protocol_type;
    out.protocol_data = g.protocol_data;
    for (auto& m : g.members)
      out.members.push_back({m.member_id, m.group_instance_id, m.client_id, m.client_host,
                             std::move(m.metadata), std::move(m.assignment)});
  }
  request->Reply(response);
}

void HandleDeleteGroups(Broker& broker, const RequestPtr& request) {
  protocol::DeleteGroupsRequest req;
  if (!DecodeOrClose(request, &req)) return;
  protocol::DeleteGroupsResponse response;
  std::vector<std::string> allowed;
  for (const auto& g : req.groups_names) {
    if (broker.Allowed(*request, Operation::kAdmin, ResourceType::kGroup, g))
      allowed.push_back(g);
    else
      response.results.push_back({g, kGroupDenied});
  }
  for (const auto& [group, error] : broker.coordinator().DeleteGroups(allowed))
    response.results.push_back({group, error});
  request->Reply(response);
}

}  // namespace kq::server
