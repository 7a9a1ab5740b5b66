// kq-topics trim: deletes the records before an offset or a time, like
// kafka-delete-records, by advancing each partition's log start offset
// (whole segments below it are removed; see Partition::AdvanceLogStart).
//
// Every target is resolved and checked before the first partition changes,
// so a bad partition or an offset past the end leaves everything as it was.
// ParseTrimArgs serves the -b mode (cluster_mode.cc) too.
#include <charconv>
#include <iterator>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/exit_codes.h"
#include "common/time_spec.h"
#include "log/partition_stats.h"
#include "log/topic_name.h"
#include "topics.h"

namespace kq::tools::topics {

namespace {

// One partition to trim, opened for writing.
struct Plan {
  std::string topic;
  int32_t partition = 0;
  std::unique_ptr<log::Partition> log;
  Offset new_start;
  uint64_t records_before = 0;
};

std::optional<int64_t> ParseNonNegative(std::string_view text) {
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value < 0) {
    return std::nullopt;
  }
  return value;
}

// The new log start for one partition, from --before or --before-time.
Result<Offset> NewStart(log::Partition& p, std::optional<int64_t> before_offset,
                        std::optional<int64_t> before_ms) {
  if (before_ms) return p.OffsetForTimestamp(*before_ms);
  if (!before_offset) return p.log_end_offset();  // --before end
  if (*before_offset > p.log_end_offset().value()) {
    return Status::OutOfRange(fmt::format("--before {}: partition {} ends at offset {}",
                                          *before_offset, p.Name(), p.log_end_offset()));
  }
  return Offset(*before_offset);
}

Status PlanTarget(const log::LogDir& dir, const TrimTarget& target, std::optional<int64_t> before_offset,
                  std::optional<int64_t> before_ms, std::vector<Plan>* plans) {
  KQ_ASSIGN_OR_RETURN(log::TopicInfo info, dir.DescribeTopic(target.topic));
  int32_t first = 0;
  int32_t last = info.partitions - 1;
  if (target.partition) {
    if (*target.partition >= info.partitions) {
      return Status::NotFound(fmt::format("partition {} of topic '{}' does not exist (it has {})",
                                          *target.partition, target.topic, info.partitions));
    }
    first = last = *target.partition;
  }
  for (int32_t p = first; p <= last; ++p) {
    Plan plan{target.topic, p, nullptr, Offset(0), 0};
    KQ_ASSIGN_OR_RETURN(plan.log, OpenPartition(dir, info, p, log::OpenMode::kWrite));
    KQ_ASSIGN_OR_RETURN(plan.new_start, NewStart(*plan.log, before_offset, before_ms));
    KQ_ASSIGN_OR_RETURN(log::PartitionStats stats,
                        log::ComputePartitionStats(io::Env::Default(), *plan.log));
    plan.records_before = stats.records;
    plans->push_back(std::move(plan));
  }
  return Status::Ok();
}

}  // namespace

std::optional<TrimRequest> ParseTrimArgs(const TrimArgs& args) {
  if (args.before.empty() == args.before_time.empty()) {
    ReportUsageError(kTool, "trim: give exactly one of --before OFFSET and --before-time T");
    return std::nullopt;
  }
  TrimRequest request;
  if (!args.before.empty() && args.before != "end") {
    request.before_offset = ParseNonNegative(args.before);
    if (!request.before_offset) {
      ReportUsageError(kTool, fmt::format("--before: '{}' is not an offset (a number >= 0, or 'end')",
                                          log::EscapeForMessage(args.before)));
      return std::nullopt;
    }
  }
  if (!args.before_time.empty()) {
    Result<int64_t> ms = ParseTime(args.before_time, NowMs());
    if (!ms.ok()) {
      ReportUsageError(kTool, fmt::format("--before-time: {}", ms.status().message()));
      return std::nullopt;
    }
    request.before_ms = *ms;
  }
  for (const std::string& text : args.targets) {
    TrimTarget target;
    const size_t colon = text.rfind(':');
    target.topic = text.substr(0, colon);
    if (colon != std::string::npos) {
      std::optional<int64_t> p = ParseNonNegative(std::string_view(text).substr(colon + 1));
      if (!p || *p > INT32_MAX) {
        ReportUsageError(kTool, fmt::format("trim: '{}': the partition after ':' must be a number",
                                            log::EscapeForMessage(text)));
        return std::nullopt;
      }
      target.partition = static_cast<int32_t>(*p);
    }
    if (!CheckTopicNames({target.topic})) return std::nullopt;
    request.targets.push_back(std::move(target));
  }
  return request;
}

int RunTrim(const CommonFlags& common, const TrimArgs& args) {
  std::optional<TrimRequest> request = ParseTrimArgs(args);
  if (!request) return kExitUsage;
  Result<log::LogDir> dir = OpenLogDir(common, false);
  if (!dir.ok()) return ReportError(kTool, dir.status());
  std::vector<Plan> plans;
  for (const TrimTarget& t : request->targets) {
    Status s = PlanTarget(*dir, t, request->before_offset, request->before_ms, &plans);
    if (!s.ok()) return ReportError(kTool, s);
  }
  std::string out;
  nlohmann::json list = nlohmann::json::array();
  for (Plan& plan : plans) {
    const Offset old_start = plan.log->log_start_offset();
    if (Status s = plan.log->AdvanceLogStart(plan.new_start); !s.ok()) return ReportError(kTool, s);
    Result<log::PartitionStats> after = log::ComputePartitionStats(io::Env::Default(), *plan.log);
    if (!after.ok()) return ReportError(kTool, after.status());
    const uint64_t deleted =
        plan.records_before > after->records ? plan.records_before - after->records : 0;
    const Offset new_start = plan.log->log_start_offset();
    if (args.json) {
      list.push_back({{"topic", plan.topic},
                      {"partition", plan.partition},
                      {"previous_log_start_offset", old_start.value()},
                      {"log_start_offset", new_start.value()},
                      {"records_deleted", deleted}});
    } else {
      fmt::format_to(std::back_inserter(out), "{}-{}: log start offset {} -> {}, {} record{} deleted\n",
                     plan.topic, plan.partition, old_start, new_start, deleted,
                     deleted == 1 ? "" : "s");
    }
  }
  if (args.json) out = list.dump() + "\n";
  if (common.quiet && !args.json) return kExitOk;
  return PrintOut(kTool, out);
}

}  // namespace kq::tools::topics
