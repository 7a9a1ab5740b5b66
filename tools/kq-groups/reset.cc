// kq-groups reset: move a group's committed offsets (kafka-consumer-groups
// --reset-offsets), for a log directory and a cluster alike. Prints the plan
// (GroupAdmin::PlanReset); commits it only with --execute, and only while no
// member of the group is alive (GroupAdmin::CommitOffsets: a live consumer
// would overwrite the new offsets with its next commit).
#include <algorithm>
#include <charconv>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/exit_codes.h"
#include "common/time_spec.h"
#include "groups_tool.h"
#include "log/topic_name.h"

namespace kq::tools::groups_tool {
namespace {

// "TOPIC" or "TOPIC:P[,P...]"; prints a usage error and returns nullopt.
std::optional<client::ResetScope> ParseScope(std::string_view arg) {
  client::ResetScope scope;
  const size_t colon = arg.find(':');
  scope.topic = std::string(arg.substr(0, colon));
  if (Status s = log::ValidateTopicName(scope.topic); !s.ok()) {
    ReportUsageError(kTool, fmt::format("--topic: {}", s.message()));
    return std::nullopt;
  }
  if (colon == std::string_view::npos) return scope;
  std::string_view rest = arg.substr(colon + 1);
  while (true) {
    const size_t comma = rest.find(',');
    const std::string_view item = rest.substr(0, comma);
    int32_t p = -1;
    auto [ptr, ec] = std::from_chars(item.data(), item.data() + item.size(), p);
    if (item.empty() || ec != std::errc() || ptr != item.data() + item.size() || p < 0) {
      ReportUsageError(kTool, fmt::format("--topic: '{}': '{}' is not a partition number",
                                          log::EscapeForMessage(arg), log::EscapeForMessage(item)));
      return std::nullopt;
    }
    scope.partitions.push_back(p);
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return scope;
}

// How many --to-* / --shift-by were given.
int Scenarios(const ResetArgs& a) {
  return int(a.to_earliest) + int(a.to_latest) + int(a.to_offset.has_value()) +
         int(!a.to_datetime.empty()) + int(a.shift_by.has_value());
}

std::string PlanText(const std::vector<client::PlannedOffset>& plan) {
  std::vector<std::vector<std::string>> cells;
  for (const client::PlannedOffset& r : plan) {
    cells.push_back({r.tp.topic, fmt::format("{}", r.tp.partition),
                     r.current ? fmt::format("{}", *r.current) : "-", fmt::format("{}", r.next)});
  }
  return FormatTable({"TOPIC", "PARTITION", "CURRENT-OFFSET", "NEW-OFFSET"}, cells);
}

std::string PlanJson(const std::vector<client::PlannedOffset>& plan) {
  nlohmann::json out = nlohmann::json::array();
  for (const client::PlannedOffset& r : plan) {
    out.push_back(
        {{"topic", r.tp.topic},
         {"partition", r.tp.partition},
         {"current_offset", r.current ? nlohmann::json(*r.current) : nlohmann::json(nullptr)},
         {"new_offset", r.next}});
  }
  return out.dump() + "\n";
}

}  // namespace

std::optional<int> CheckResetArgs(const ResetArgs& args, client::ResetTarget* target,
                                  std::vector<client::ResetScope>* scopes) {
  using Kind = client::ResetTarget::Kind;
  if (!CheckGroupName(args.group)) return kExitUsage;
  if (Scenarios(args) != 1) {
    return ReportUsageError(kTool,
                            "reset: give exactly one of --to-earliest, --to-latest, "
                            "--to-offset, --to-datetime, --shift-by");
  }
  if (args.execute && args.dry_run) {
    return ReportUsageError(kTool, "reset: --execute and --dry-run exclude each other");
  }
  if (args.to_offset && *args.to_offset < 0) {
    return ReportUsageError(kTool, fmt::format("--to-offset: {} is negative", *args.to_offset));
  }
  if (args.to_earliest) *target = {Kind::kEarliest, 0};
  if (args.to_latest) *target = {Kind::kLatest, 0};
  if (args.to_offset) *target = {Kind::kOffset, *args.to_offset};
  if (args.shift_by) *target = {Kind::kShiftBy, *args.shift_by};
  if (!args.to_datetime.empty()) {
    Result<int64_t> parsed = ParseTime(args.to_datetime, NowMs());
    if (!parsed.ok())
      return ReportUsageError(kTool, fmt::format("--to-datetime: {}", parsed.status().message()));
    *target = {Kind::kDatetime, *parsed};
  }
  for (const std::string& t : args.topics) {
    std::optional<client::ResetScope> scope = ParseScope(t);
    if (!scope) return kExitUsage;
    scopes->push_back(std::move(*scope));
  }
  return std::nullopt;
}

int RunReset(const CommonFlags& common, GroupAdmin& admin, const ResetArgs& args) {
  client::ResetTarget target;
  std::vector<client::ResetScope> scopes;
  if (std::optional<int> rc = CheckResetArgs(args, &target, &scopes)) return *rc;
  Result<client::ResetPlan> plan = admin.PlanReset(args.group, scopes, target);
  if (!plan.ok()) return ReportError(kTool, plan.status());
  for (const std::string& note : plan->notes) Note(common, note);
  if (args.execute) {
    if (Status s = admin.CommitOffsets(args.group, plan->offsets); !s.ok()) {
      return ReportError(kTool, s);
    }
  }
  const int rc = PrintOut(kTool, args.json ? PlanJson(plan->offsets) : PlanText(plan->offsets));
  if (rc == kExitOk && !args.execute) {
    Note(common, "Dry run: nothing was changed. Add --execute to commit these offsets.");
  }
  return rc;
}

}  // namespace kq::tools::groups_tool
