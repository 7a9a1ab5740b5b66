// kq-topics trim: deletes the records before an offset or a time, like
// kafka-delete-records: maint::PrepareDeleteRecords and ApplyDeleteRecords
// (maint/delete_records.h) advance each partition's log start offset.
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
#include "log/topic_name.h"
#include "maint/delete_records.h"
#include "topics.h"

namespace kq::tools::topics {

namespace {

std::optional<int64_t> ParseNonNegative(std::string_view text) {
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value < 0) {
    return std::nullopt;
  }
  return value;
}

// Where --before or --before-time puts the new log start.
maint::DeleteBefore TrimPoint(const TrimRequest& request) {
  if (request.before_ms) return maint::DeleteBefore::AtTime(*request.before_ms);
  if (request.before_offset) return maint::DeleteBefore::AtOffset(Offset(*request.before_offset));
  return maint::DeleteBefore::End();  // --before end
}

Status PlanTarget(const log::LogDir& dir, const TrimTarget& target, const TrimRequest& request,
                  std::vector<maint::PendingDelete>* plans) {
  std::vector<PartitionId> partitions;
  if (target.partition) {
    partitions.push_back(PartitionId(*target.partition));
  } else {
    KQ_ASSIGN_OR_RETURN(log::TopicInfo info, dir.DescribeTopic(target.topic));
    for (int32_t p = 0; p < info.partitions; ++p) partitions.push_back(PartitionId(p));
  }
  for (PartitionId p : partitions) {
    Result<maint::PendingDelete> pending = maint::PrepareDeleteRecords(
        dir, {target.topic, p, TrimPoint(request)}, {.count_records = true});
    if (!pending.ok()) {
      // Past the log end: say which flag asked for it.
      if (pending.status().IsOutOfRange() && request.before_offset) {
        return pending.status().WithPrefix(fmt::format("--before {}", *request.before_offset));
      }
      return pending.status();
    }
    plans->push_back(std::move(*pending));
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
      ReportUsageError(kTool,
                       fmt::format("--before: '{}' is not an offset (a number >= 0, or 'end')",
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
  std::vector<maint::PendingDelete> plans;
  for (const TrimTarget& t : request->targets) {
    Status s = PlanTarget(*dir, t, *request, &plans);
    if (!s.ok()) return ReportError(kTool, s);
  }
  std::string out;
  nlohmann::json list = nlohmann::json::array();
  for (maint::PendingDelete& plan : plans) {
    Result<maint::DeleteRecordsResult> done = maint::ApplyDeleteRecords(plan);
    if (!done.ok()) return ReportError(kTool, done.status());
    if (args.json) {
      list.push_back({{"topic", done->topic},
                      {"partition", done->partition.value()},
                      {"previous_log_start_offset", done->previous_low_watermark.value()},
                      {"log_start_offset", done->low_watermark.value()},
                      {"records_deleted", done->records_deleted}});
    } else {
      fmt::format_to(std::back_inserter(out),
                     "{}-{}: log start offset {} -> {}, {} record{} deleted\n", done->topic,
                     done->partition, done->previous_low_watermark, done->low_watermark,
                     done->records_deleted, done->records_deleted == 1 ? "" : "s");
    }
  }
  if (args.json) out = list.dump() + "\n";
  if (common.quiet && !args.json) return kExitOk;
  return PrintOut(kTool, out);
}

}  // namespace kq::tools::topics
