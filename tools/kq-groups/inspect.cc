// kq-groups list and describe: the groups of a directory, and one group's
// committed offsets, lag and partition owners (kafka-consumer-groups'
// --list and --describe).
#include <iterator>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/exit_codes.h"
#include "groups_tool.h"
#include "io/env.h"

namespace kq::tools::groups_tool {
namespace {

using groups::TopicPartition;

struct Row {
  TopicPartition tp;
  std::optional<groups::CommittedOffset> committed;
  std::optional<int64_t> log_end;
  std::optional<std::string> member;
  std::optional<int64_t> lag() const {
    if (!committed || !log_end) return std::nullopt;
    return *log_end - committed->offset;
  }
};

template <typename T>
std::string Cell(const std::optional<T>& v) {
  return v ? fmt::format("{}", *v) : std::string("-");
}

template <typename T>
nlohmann::json JsonOrNull(const std::optional<T>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

// Every partition with a committed offset, an owner, or in a topic a live
// member subscribes to.
Result<std::vector<Row>> CollectRows(Context& ctx, const GroupState& state) {
  PartitionRanges ranges(*ctx.dir);
  std::set<TopicPartition> tps;
  for (const auto& [tp, offset] : state.offsets) tps.insert(tp);
  for (const auto& [tp, member] : state.owners) tps.insert(tp);
  for (const groups::LiveMember& m : state.members) {
    for (const std::string& topic : m.topics) {
      Result<int32_t> count = ranges.Partitions(topic);
      if (!count.ok() && !count.status().IsNotFound()) return count.status();
      for (int32_t p = 0; count.ok() && p < *count; ++p) tps.insert({topic, p});
    }
  }
  std::vector<Row> rows;
  for (const TopicPartition& tp : tps) {
    Row row{tp, std::nullopt, std::nullopt, std::nullopt};
    if (auto it = state.offsets.find(tp); it != state.offsets.end()) row.committed = it->second;
    if (auto it = state.owners.find(tp); it != state.owners.end()) row.member = it->second;
    KQ_ASSIGN_OR_RETURN(std::optional<PartitionRange> range, ranges.Get(tp));
    if (range) row.log_end = range->end;
    rows.push_back(std::move(row));
  }
  return rows;
}

std::string DescribeJson(std::string_view group, const GroupState& state,
                         const std::vector<Row>& rows) {
  nlohmann::json members = nlohmann::json::array();
  for (const groups::LiveMember& m : state.members) {
    members.push_back({{"member", m.member_id}, {"topics", m.topics}});
  }
  nlohmann::json partitions = nlohmann::json::array();
  for (const Row& r : rows) {
    nlohmann::json p = {{"topic", r.tp.topic},        {"partition", r.tp.partition},
                        {"current_offset", nullptr},  {"log_end_offset", JsonOrNull(r.log_end)},
                        {"lag", JsonOrNull(r.lag())}, {"member", JsonOrNull(r.member)}};
    if (r.committed) {
      p["current_offset"] = r.committed->offset;
      p["leader_epoch"] = r.committed->leader_epoch;
      p["metadata"] = r.committed->metadata;
      p["commit_timestamp"] = r.committed->commit_timestamp_ms;
    }
    partitions.push_back(std::move(p));
  }
  nlohmann::json out = {{"group", group}, {"members", members}, {"partitions", partitions}};
  return out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace

int RunList(const CommonFlags& common, const ListArgs& args) {
  Result<Context> ctx = OpenContext(common);
  if (!ctx.ok()) return ReportError(kTool, ctx.status());
  Result<std::vector<std::string>> committed = ctx->store->ListGroups();
  if (!committed.ok()) return ReportError(kTool, committed.status());
  Result<std::vector<std::string>> folders =
      groups::ListGroupFolders(io::Env::Default(), common.dir);
  if (!folders.ok()) return ReportError(kTool, folders.status());
  std::set<std::string> names(committed->begin(), committed->end());
  names.insert(folders->begin(), folders->end());
  std::string out;
  nlohmann::json list = nlohmann::json::array();
  for (const std::string& name : names) {
    Result<GroupState> state = LoadGroup(*ctx, name);
    if (!state.ok()) return ReportError(kTool, state.status());
    if (!state->exists()) continue;  // a folder left by members that are gone
    if (args.json) {
      list.push_back({{"group", name},
                      {"members", state->members.size()},
                      {"committed_partitions", state->offsets.size()}});
    } else {
      fmt::format_to(std::back_inserter(out), "{}\n", name);
    }
  }
  if (args.json) out = list.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  return PrintOut(kTool, out);
}

int RunDescribe(const CommonFlags& common, const DescribeArgs& args) {
  if (!CheckGroupName(args.group)) return kExitUsage;
  Result<Context> ctx = OpenContext(common);
  if (!ctx.ok()) return ReportError(kTool, ctx.status());
  Result<GroupState> state = LoadGroup(*ctx, args.group);
  if (!state.ok()) return ReportError(kTool, state.status());
  if (!state->exists()) return ReportError(kTool, UnknownGroup(*ctx, args.group));
  Result<std::vector<Row>> rows = CollectRows(*ctx, *state);
  if (!rows.ok()) return ReportError(kTool, rows.status());
  if (args.json) return PrintOut(kTool, DescribeJson(args.group, *state, *rows));
  if (state->members.empty()) {
    Note(common, fmt::format("Group '{}' has no active members.", args.group));
  }
  std::vector<std::vector<std::string>> cells;
  for (const Row& r : *rows) {
    cells.push_back({r.tp.topic, fmt::format("{}", r.tp.partition),
                     r.committed ? fmt::format("{}", r.committed->offset) : "-", Cell(r.log_end),
                     Cell(r.lag()), r.member.value_or("-")});
  }
  return PrintOut(kTool, FormatTable({"TOPIC", "PARTITION", "CURRENT-OFFSET", "LOG-END-OFFSET",
                                      "LAG", "MEMBER"},
                                     cells));
}

}  // namespace kq::tools::groups_tool
