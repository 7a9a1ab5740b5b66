// kq-groups list and describe: the groups, and one group's committed
// offsets, lag and partition owners (kafka-consumer-groups' --list and
// --describe), for a log directory and a cluster alike. What a backend
// cannot say prints '-' (null in JSON); fields only one backend knows (a
// cluster's group state, a directory's member subscriptions and commit
// details) appear only where they are known.
#include <iterator>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/exit_codes.h"
#include "groups_tool.h"

namespace kq::tools::groups_tool {
namespace {

template <typename T>
std::string Cell(const std::optional<T>& v) {
  return v ? fmt::format("{}", *v) : std::string("-");
}

template <typename T>
nlohmann::json JsonOrNull(const std::optional<T>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

std::string Dump(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

std::string DescribeJson(const client::GroupDescription& d) {
  nlohmann::json members = nullptr;
  if (d.members_known) {
    members = nlohmann::json::array();
    for (const client::GroupMemberInfo& m : d.members) {
      nlohmann::json j = {{"member", m.member_id}};
      if (m.topics) j["topics"] = *m.topics;
      if (m.client_id) j["client_id"] = *m.client_id;
      if (m.host) j["host"] = *m.host;
      members.push_back(std::move(j));
    }
  }
  nlohmann::json partitions = nlohmann::json::array();
  for (const client::GroupPartitionInfo& r : d.partitions) {
    nlohmann::json p = {{"topic", r.tp.topic},       {"partition", r.tp.partition},
                        {"current_offset", nullptr}, {"log_end_offset", JsonOrNull(r.log_end)},
                        {"lag", JsonOrNull(r.lag)},  {"member", JsonOrNull(r.member)}};
    if (r.committed) {
      p["current_offset"] = r.committed->offset;
      if (r.committed_detail) {
        p["leader_epoch"] = r.committed->leader_epoch;
        p["metadata"] = r.committed->metadata;
        p["commit_timestamp"] = r.committed->commit_timestamp_ms;
      }
    }
    partitions.push_back(std::move(p));
  }
  nlohmann::json out = {{"group", d.group}, {"members", members}, {"partitions", partitions}};
  if (d.state) out["state"] = *d.state;
  return Dump(out);
}

}  // namespace

int RunList(GroupAdmin& admin, const ListArgs& args) {
  Result<std::vector<client::GroupListing>> groups = admin.ListGroups();
  if (!groups.ok()) return ReportError(kTool, groups.status());
  if (!args.json) {
    std::string out;
    for (const client::GroupListing& g : *groups) {
      fmt::format_to(std::back_inserter(out), "{}\n", g.group);
    }
    return PrintOut(kTool, out);
  }
  nlohmann::json list = nlohmann::json::array();
  for (const client::GroupListing& g : *groups) {
    nlohmann::json j = {{"group", g.group}};
    if (g.state) j["state"] = *g.state;
    if (g.members) j["members"] = *g.members;
    if (g.committed_partitions) j["committed_partitions"] = *g.committed_partitions;
    list.push_back(std::move(j));
  }
  return PrintOut(kTool, Dump(list));
}

int RunDescribe(const CommonFlags& common, GroupAdmin& admin, const DescribeArgs& args) {
  if (!CheckGroupName(args.group)) return kExitUsage;
  Result<client::GroupDescription> d = admin.DescribeGroup(args.group);
  if (!d.ok()) return ReportError(kTool, d.status());
  if (args.json) return PrintOut(kTool, DescribeJson(*d));
  if (!d->members_known) {
    Note(common, fmt::format("The cluster cannot describe the members of group '{}' (no "
                             "DescribeGroups): MEMBER is unknown.",
                             args.group));
  } else if (d->members.empty()) {
    Note(common, fmt::format("Group '{}' has no active members.", args.group));
  }
  std::vector<std::vector<std::string>> cells;
  for (const client::GroupPartitionInfo& r : d->partitions) {
    cells.push_back({r.tp.topic, fmt::format("{}", r.tp.partition),
                     r.committed ? fmt::format("{}", r.committed->offset) : "-", Cell(r.log_end),
                     Cell(r.lag), r.member.value_or("-")});
  }
  return PrintOut(kTool, FormatTable({"TOPIC", "PARTITION", "CURRENT-OFFSET", "LOG-END-OFFSET",
                                      "LAG", "MEMBER"},
                                     cells));
}

}  // namespace kq::tools::groups_tool
