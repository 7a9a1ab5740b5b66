// kq-groups reset: move a group's committed offsets (kafka-consumer-groups
// --reset-offsets). Prints the plan; commits it only with --execute, and only
// while no member of the group is alive (a live consumer would overwrite the
// new offsets with its next commit).
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

using groups::TopicPartition;

struct PlanRow {
  TopicPartition tp;
  std::optional<int64_t> current;
  int64_t next = 0;
};

// "TOPIC" or "TOPIC:P[,P...]"; prints a usage error and returns nullopt.
std::optional<ResetScope> ParseScope(std::string_view arg) {
  ResetScope scope;
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

// The partitions to reset: the --topic scopes, else every committed one.
Result<std::vector<TopicPartition>> Targets(const std::vector<ResetScope>& scopes,
                                            const GroupState& state, PartitionRanges& ranges) {
  std::set<TopicPartition> out;
  if (scopes.empty()) {
    for (const auto& [tp, offset] : state.offsets) out.insert(tp);
  }
  for (const ResetScope& s : scopes) {
    KQ_ASSIGN_OR_RETURN(int32_t count, ranges.Partitions(s.topic));
    if (s.partitions.empty()) {
      for (int32_t p = 0; p < count; ++p) out.insert({s.topic, p});
    }
    for (int32_t p : s.partitions) {
      if (p >= count) {
        return Status::NotFound(fmt::format(
            "--topic: partition {}-{} does not exist (the topic has {})", s.topic, p, count));
      }
      out.insert({s.topic, p});
    }
  }
  return std::vector<TopicPartition>(out.begin(), out.end());
}

Result<int64_t> NewOffset(const ResetArgs& a, int64_t ts, const TopicPartition& tp,
                          std::optional<int64_t> current, PartitionRange range,
                          PartitionRanges& ranges) {
  auto clamp = [&](int64_t v) { return std::clamp(v, range.start, range.end); };
  if (a.to_earliest) return range.start;
  if (a.to_latest) return range.end;
  if (a.to_offset) return clamp(*a.to_offset);
  if (!a.to_datetime.empty()) return ranges.OffsetForTimestamp(tp, ts);
  if (!current) {
    return Status::NotFound(
        fmt::format("--shift-by: {}-{} has no committed offset to shift", tp.topic, tp.partition));
  }
  // Saturate instead of overflowing on absurd shifts.
  const int64_t shifted = *a.shift_by > 0 && *current > INT64_MAX - *a.shift_by ? INT64_MAX
                          : *a.shift_by < 0 && *current < INT64_MIN - *a.shift_by
                              ? INT64_MIN
                              : *current + *a.shift_by;
  return clamp(shifted);
}

std::string PlanText(const std::vector<PlanRow>& plan) {
  std::vector<std::vector<std::string>> cells;
  for (const PlanRow& r : plan) {
    cells.push_back({r.tp.topic, fmt::format("{}", r.tp.partition),
                     r.current ? fmt::format("{}", *r.current) : "-", fmt::format("{}", r.next)});
  }
  return FormatTable({"TOPIC", "PARTITION", "CURRENT-OFFSET", "NEW-OFFSET"}, cells);
}

std::string PlanJson(const std::vector<PlanRow>& plan) {
  nlohmann::json out = nlohmann::json::array();
  for (const PlanRow& r : plan) {
    out.push_back(
        {{"topic", r.tp.topic},
         {"partition", r.tp.partition},
         {"current_offset", r.current ? nlohmann::json(*r.current) : nlohmann::json(nullptr)},
         {"new_offset", r.next}});
  }
  return out.dump() + "\n";
}

Status CheckInactive(std::string_view group, const GroupState& state) {
  if (state.members.empty()) return Status::Ok();
  return Status::Busy(fmt::format(
      "group '{}' is active ({} live member(s), e.g. {}): offsets can only be reset while no "
      "member is running; stop its consumers first",
      log::EscapeForMessage(group), state.members.size(), state.members.front().member_id));
}

}  // namespace

std::optional<int> CheckResetArgs(const ResetArgs& args, int64_t* datetime_ms,
                                  std::vector<ResetScope>* scopes) {
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
  if (!args.to_datetime.empty()) {
    Result<int64_t> parsed = ParseTime(args.to_datetime, NowMs());
    if (!parsed.ok())
      return ReportUsageError(kTool, fmt::format("--to-datetime: {}", parsed.status().message()));
    *datetime_ms = *parsed;
  }
  for (const std::string& t : args.topics) {
    std::optional<ResetScope> scope = ParseScope(t);
    if (!scope) return kExitUsage;
    scopes->push_back(std::move(*scope));
  }
  return std::nullopt;
}

int RunReset(const CommonFlags& common, const ResetArgs& args) {
  int64_t ts = 0;
  std::vector<ResetScope> scopes;
  if (std::optional<int> rc = CheckResetArgs(args, &ts, &scopes)) return *rc;
  Result<Context> ctx = OpenContext(common);
  if (!ctx.ok()) return ReportError(kTool, ctx.status());
  Result<GroupState> state = LoadGroup(*ctx, args.group);
  if (!state.ok()) return ReportError(kTool, state.status());
  if (!state->exists() && scopes.empty()) {
    const Status unknown = UnknownGroup(*ctx, args.group);
    return ReportError(
        kTool, Status::NotFound(
                   fmt::format("{} (to give a new group offsets, name the partitions with --topic)",
                               unknown.message())));
  }
  if (args.execute) {
    if (Status s = CheckInactive(args.group, *state); !s.ok()) return ReportError(kTool, s);
  }
  PartitionRanges ranges(*ctx->dir);
  Result<std::vector<TopicPartition>> targets = Targets(scopes, *state, ranges);
  if (!targets.ok()) return ReportError(kTool, targets.status());
  std::vector<PlanRow> plan;
  for (const TopicPartition& tp : *targets) {
    Result<std::optional<PartitionRange>> range = ranges.Get(tp);
    if (!range.ok()) return ReportError(kTool, range.status());
    if (!*range) {  // committed for a topic that is gone: nothing to reset to
      Note(common,
           fmt::format("Skipping {}-{}: the partition no longer exists.", tp.topic, tp.partition));
      continue;
    }
    std::optional<int64_t> current;
    if (auto it = state->offsets.find(tp); it != state->offsets.end()) current = it->second.offset;
    Result<int64_t> next = NewOffset(args, ts, tp, current, **range, ranges);
    if (!next.ok()) return ReportError(kTool, next.status());
    plan.push_back({tp, current, *next});
  }
  if (args.execute) {
    std::vector<std::pair<TopicPartition, groups::CommittedOffset>> commit;
    for (const PlanRow& r : plan)
      commit.push_back({r.tp, groups::CommittedOffset{r.next, -1, "", 0}});
    if (Status s = ctx->store->Commit(args.group, commit); !s.ok()) return ReportError(kTool, s);
  }
  const int rc = PrintOut(kTool, args.json ? PlanJson(plan) : PlanText(plan));
  if (rc == kExitOk && !args.execute) {
    Note(common, "Dry run: nothing was changed. Add --execute to commit these offsets.");
  }
  return rc;
}

}  // namespace kq::tools::groups_tool
