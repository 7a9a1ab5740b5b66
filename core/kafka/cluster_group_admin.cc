#include "kafka/cluster_group_admin.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <fmt/format.h>

#include "kafka/groups.h"

namespace kq::kafka {
namespace {

std::optional<int64_t> Known(int64_t v) { return v >= 0 ? std::optional(v) : std::nullopt; }

// DeleteGroup in a child process (cluster_group_admin.h says why).
Status DeleteGroupIsolated(const ClusterConfig& config, const std::string& group) {
  int fds[2];
  if (::pipe(fds) != 0) return Status::IoError(fmt::format("pipe: {}", std::strerror(errno)));
  std::fflush(stdout);
  std::fflush(stderr);
  const pid_t pid = ::fork();
  if (pid < 0) {
    const int err = errno;
    ::close(fds[0]);
    ::close(fds[1]);
    return Status::IoError(fmt::format("fork: {}", std::strerror(err)));
  }
  if (pid == 0) {
    ::close(fds[0]);
    const rlimit no_core{0, 0};
    ::setrlimit(RLIMIT_CORE, &no_core);
    if (config.verbose < 2) {  // librdkafka's assertion text is noise to a user
      const int null_fd = ::open("/dev/null", O_WRONLY);
      if (null_fd >= 0) ::dup2(null_fd, 2);
    }
    const Status s = DeleteGroup(config, group);
    const std::string reply = fmt::format("{}:{}", static_cast<int>(s.code()), s.message());
    (void)!::write(fds[1], reply.data(), reply.size());
    ::_exit(0);
  }
  ::close(fds[1]);
  std::string reply;
  char buf[512];
  for (ssize_t n; (n = ::read(fds[0], buf, sizeof(buf))) != 0;) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    reply.append(buf, static_cast<size_t>(n));
  }
  ::close(fds[0]);
  int wstatus = 0;
  while (::waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {
  }
  const size_t colon = reply.find(':');
  if (!WIFEXITED(wstatus) || colon == std::string::npos) {
    return Status::NotSupported(fmt::format(
        "delete group '{}': librdkafka failed on the cluster's answer (the cluster probably does "
        "not support DeleteGroups)",
        group));
  }
  return Status::FromCode(static_cast<Status::Code>(std::atoi(reply.substr(0, colon).c_str())),
                          std::string_view(reply).substr(colon + 1));
}

}  // namespace

Result<std::vector<client::GroupListing>> ClusterGroupAdmin::ListGroups() {
  KQ_ASSIGN_OR_RETURN(std::vector<GroupListing> groups, kafka::ListGroups(config_));
  std::vector<client::GroupListing> out;
  for (const GroupListing& g : groups) {
    out.push_back({g.group, g.state, std::nullopt, std::nullopt});
  }
  return out;
}

Result<client::GroupDescription> ClusterGroupAdmin::DescribeGroup(std::string_view group) {
  KQ_ASSIGN_OR_RETURN(GroupDescription g, kafka::DescribeGroup(config_, group));
  client::GroupDescription d;
  d.group = g.group;
  d.state = g.state;
  d.members_known = g.members_known;
  for (const GroupMember& m : g.members) {
    d.members.push_back({m.member_id, std::nullopt, m.client_id, m.host});
  }
  for (const GroupPartition& p : g.partitions) {
    client::GroupPartitionInfo row;
    row.tp = {p.topic, p.partition};
    if (p.current_offset >= 0) row.committed = groups::CommittedOffset{p.current_offset, -1, "", 0};
    row.committed_detail = false;
    row.log_end = Known(p.log_end_offset);
    row.lag = Known(p.lag);
    if (!p.member.empty()) row.member = p.member;
    d.partitions.push_back(std::move(row));
  }
  return d;
}

Result<client::ResetPlan> ClusterGroupAdmin::PlanReset(
    std::string_view group, const std::vector<client::ResetScope>& scopes,
    const client::ResetTarget& target) {
  ResetTarget t{ResetTarget::Kind::kEarliest, target.value};
  switch (target.kind) {
    case client::ResetTarget::Kind::kEarliest:
      t.kind = ResetTarget::Kind::kEarliest;
      break;
    case client::ResetTarget::Kind::kLatest:
      t.kind = ResetTarget::Kind::kLatest;
      break;
    case client::ResetTarget::Kind::kOffset:
      t.kind = ResetTarget::Kind::kOffset;
      break;
    case client::ResetTarget::Kind::kDatetime:
      t.kind = ResetTarget::Kind::kDatetime;
      break;
    case client::ResetTarget::Kind::kShiftBy:
      t.kind = ResetTarget::Kind::kShiftBy;
      break;
  }
  std::vector<std::string> topics;
  for (const client::ResetScope& s : scopes) topics.push_back(s.topic);
  KQ_ASSIGN_OR_RETURN(std::vector<PlannedOffset> planned,
                      PlanGroupReset(config_, group, topics, t));
  // Every named topic and partition must exist.
  for (const client::ResetScope& s : scopes) {
    int32_t count = 0;
    for (const PlannedOffset& p : planned) count += p.topic == s.topic ? 1 : 0;
    if (count == 0) {
      return Status::NotFound(
          fmt::format("--topic: topic '{}' does not exist at '{}'", s.topic, config_.brokers));
    }
    for (int32_t p : s.partitions) {
      if (p >= count) {
        return Status::NotFound(fmt::format(
            "--topic: partition {}-{} does not exist (the topic has {})", s.topic, p, count));
      }
    }
  }
  // Keep only the named partitions.
  client::ResetPlan plan;
  for (const PlannedOffset& p : planned) {
    bool keep = scopes.empty();
    for (const client::ResetScope& s : scopes) {
      const bool named =
          std::find(s.partitions.begin(), s.partitions.end(), p.partition) != s.partitions.end();
      if (s.topic == p.topic && (s.partitions.empty() || named)) keep = true;
    }
    if (keep)
      plan.offsets.push_back({{p.topic, p.partition}, Known(p.current_offset), p.new_offset});
  }
  return plan;
}

Status ClusterGroupAdmin::CommitOffsets(std::string_view group,
                                        const std::vector<client::PlannedOffset>& offsets) {
  std::vector<PlannedOffset> plan;
  for (const client::PlannedOffset& o : offsets) {
    plan.push_back({o.tp.topic, o.tp.partition, o.current.value_or(-1), o.next});
  }
  return ExecuteGroupReset(config_, group, plan);
}

Status ClusterGroupAdmin::DeleteGroups(const std::vector<std::string>& groups) {
  // The cluster checks each group as it deletes it (Kafka has no dry run).
  for (const std::string& g : groups) KQ_RETURN_IF_ERROR(DeleteGroupIsolated(config_, g));
  return Status::Ok();
}

}  // namespace kq::kafka
