#include "kq-groups/cluster_mode.h"

#include <algorithm>
#include <iterator>

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <csignal>
#include <cstdio>
#include <cstring>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/cluster_flags.h"
#include "common/exit_codes.h"
#include "kafka/groups.h"
#include "common/table.h"
#include "log/topic_name.h"

namespace kq::tools::groups_tool {
namespace {

using kafka::ClusterConfig;

std::string OffsetCell(int64_t v) { return v >= 0 ? fmt::format("{}", v) : "-"; }
nlohmann::json OffsetJson(int64_t v) {
  return v >= 0 ? nlohmann::json(v) : nlohmann::json(nullptr);
}

// librdkafka 2.0.2 can abort (an assertion in its queue code) on a cluster
// that lacks DeleteGroups, as librdkafka's own mock cluster does. So the
// request runs in a child process: a crash there becomes an error message
// naming the operation instead of a core dump. Called before this process
// starts any librdkafka thread, so fork is safe.
Status DeleteGroupIsolated(const ClusterConfig& config, const std::string& group) {
  int fds[2];
  if (::pipe(fds) != 0) return Status::IoError(fmt::format("pipe: {}", std::strerror(errno)));
  std::fflush(stdout);
  std::fflush(stderr);
  const pid_t pid = ::fork();
  if (pid < 0) return Status::IoError(fmt::format("fork: {}", std::strerror(errno)));
  if (pid == 0) {
    ::close(fds[0]);
    const rlimit no_core{0, 0};
    ::setrlimit(RLIMIT_CORE, &no_core);
    if (config.verbose < 2) {  // librdkafka's assertion text is noise to a user
      const int null_fd = ::open("/dev/null", O_WRONLY);
      if (null_fd >= 0) ::dup2(null_fd, 2);
    }
    const Status s = kafka::DeleteGroup(config, group);
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

int RunClusterList(const CommonFlags& common, const ListArgs& args) {
  std::optional<ClusterConfig> config = ClusterConfigOrUsageError(kTool, common);
  if (!config) return kExitUsage;
  Result<std::vector<kafka::GroupListing>> groups = kafka::ListGroups(*config);
  if (!groups.ok()) return ReportError(kTool, groups.status());
  std::string out;
  nlohmann::json list = nlohmann::json::array();
  for (const kafka::GroupListing& g : *groups) {
    if (args.json) {
      list.push_back({{"group", g.group}, {"state", g.state}});
    } else {
      fmt::format_to(std::back_inserter(out), "{}\n", g.group);
    }
  }
  if (args.json) out = list.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  return PrintOut(kTool, out);
}

int RunClusterDescribe(const CommonFlags& common, const DescribeArgs& args) {
  if (!CheckGroupName(args.group)) return kExitUsage;
  std::optional<ClusterConfig> config = ClusterConfigOrUsageError(kTool, common);
  if (!config) return kExitUsage;
  Result<kafka::GroupDescription> d = kafka::DescribeGroup(*config, args.group);
  if (!d.ok()) return ReportError(kTool, d.status());
  if (args.json) {
    nlohmann::json members = nlohmann::json::array();
    for (const kafka::GroupMember& m : d->members) {
      members.push_back({{"member", m.member_id}, {"client_id", m.client_id}, {"host", m.host}});
    }
    nlohmann::json partitions = nlohmann::json::array();
    for (const kafka::GroupPartition& p : d->partitions) {
      partitions.push_back(
          {{"topic", p.topic},
           {"partition", p.partition},
           {"current_offset", OffsetJson(p.current_offset)},
           {"log_end_offset", OffsetJson(p.log_end_offset)},
           {"lag", OffsetJson(p.lag)},
           {"member", p.member.empty() ? nlohmann::json(nullptr) : nlohmann::json(p.member)}});
    }
    nlohmann::json out = {{"group", d->group},
                          {"state", d->state},
                          {"members", d->members_known ? members : nlohmann::json(nullptr)},
                          {"partitions", partitions}};
    return PrintOut(kTool,
                    out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
  }
  if (!d->members_known) {
    Note(common, fmt::format("The cluster cannot describe the members of group '{}' (no "
                             "DescribeGroups): MEMBER is unknown.",
                             args.group));
  } else if (d->members.empty()) {
    Note(common, fmt::format("Group '{}' has no active members.", args.group));
  }
  std::vector<std::vector<std::string>> cells;
  for (const kafka::GroupPartition& p : d->partitions) {
    cells.push_back({p.topic, fmt::format("{}", p.partition), OffsetCell(p.current_offset),
                     OffsetCell(p.log_end_offset), OffsetCell(p.lag),
                     p.member.empty() ? "-" : p.member});
  }
  return PrintOut(kTool, FormatTable({"TOPIC", "PARTITION", "CURRENT-OFFSET", "LOG-END-OFFSET",
                                      "LAG", "MEMBER"},
                                     cells));
}

int RunClusterReset(const CommonFlags& common, const ResetArgs& args) {
  int64_t datetime_ms = 0;
  std::vector<ResetScope> scopes;
  if (std::optional<int> rc = CheckResetArgs(args, &datetime_ms, &scopes)) return *rc;
  kafka::ResetTarget target;
  if (args.to_earliest) target.kind = kafka::ResetTarget::Kind::kEarliest;
  if (args.to_latest) target.kind = kafka::ResetTarget::Kind::kLatest;
  if (args.to_offset) target = {kafka::ResetTarget::Kind::kOffset, *args.to_offset};
  if (args.shift_by) target = {kafka::ResetTarget::Kind::kShiftBy, *args.shift_by};
  if (!args.to_datetime.empty()) target = {kafka::ResetTarget::Kind::kDatetime, datetime_ms};
  std::optional<ClusterConfig> config = ClusterConfigOrUsageError(kTool, common);
  if (!config) return kExitUsage;

  std::vector<std::string> topics;
  for (const auto& [topic, partitions] : scopes) topics.push_back(topic);
  Result<std::vector<kafka::PlannedOffset>> planned =
      kafka::PlanGroupReset(*config, args.group, topics, target);
  if (!planned.ok()) return ReportError(kTool, planned.status());
  // Keep only the named partitions, and say which names matched nothing.
  std::vector<kafka::PlannedOffset> plan;
  for (const auto& [topic, partitions] : scopes) {
    int32_t count = 0;
    for (const kafka::PlannedOffset& p : *planned) count += p.topic == topic ? 1 : 0;
    if (count == 0) {
      return ReportError(
          kTool, Status::NotFound(fmt::format("--topic: topic '{}' does not exist at '{}'", topic,
                                              config->brokers)));
    }
    for (int32_t p : partitions) {
      if (p >= count) {
        return ReportError(kTool, Status::NotFound(fmt::format(
                                      "--topic: partition {}-{} does not exist (the topic has {})",
                                      topic, p, count)));
      }
    }
  }
  for (const kafka::PlannedOffset& p : *planned) {
    bool keep = scopes.empty();
    for (const auto& [topic, partitions] : scopes) {
      const bool named =
          std::find(partitions.begin(), partitions.end(), p.partition) != partitions.end();
      if (topic == p.topic && (partitions.empty() || named)) keep = true;
    }
    if (keep) plan.push_back(p);
  }
  if (args.execute) {
    if (Status s = kafka::ExecuteGroupReset(*config, args.group, plan); !s.ok()) {
      return ReportError(kTool, s);
    }
  }
  std::string out;
  if (args.json) {
    nlohmann::json list = nlohmann::json::array();
    for (const kafka::PlannedOffset& p : plan) {
      list.push_back({{"topic", p.topic},
                      {"partition", p.partition},
                      {"current_offset", OffsetJson(p.current_offset)},
                      {"new_offset", p.new_offset}});
    }
    out = list.dump() + "\n";
  } else {
    std::vector<std::vector<std::string>> cells;
    for (const kafka::PlannedOffset& p : plan) {
      cells.push_back({p.topic, fmt::format("{}", p.partition), OffsetCell(p.current_offset),
                       fmt::format("{}", p.new_offset)});
    }
    out = FormatTable({"TOPIC", "PARTITION", "CURRENT-OFFSET", "NEW-OFFSET"}, cells);
  }
  const int rc = PrintOut(kTool, out);
  if (rc == kExitOk && !args.execute) {
    Note(common, "Dry run: nothing was changed. Add --execute to commit these offsets.");
  }
  return rc;
}

int RunClusterDelete(const CommonFlags& common, const DeleteArgs& args) {
  for (const std::string& g : args.groups) {
    if (!CheckGroupName(g)) return kExitUsage;
  }
  std::optional<ClusterConfig> config = ClusterConfigOrUsageError(kTool, common);
  if (!config) return kExitUsage;
  for (const std::string& g : args.groups) {
    if (Status s = DeleteGroupIsolated(*config, g); !s.ok()) return ReportError(kTool, s);
    Note(common, fmt::format("Deleted group '{}'.", g));
  }
  return kExitOk;
}

}  // namespace kq::tools::groups_tool
