// kq-topics trim: deletes the records before an offset or a time, like
// kafka-delete-records: TopicAdmin::DeleteRecords advances each partition's
// log start offset (for a directory maint/delete_records.h, which resolves
// and checks every target before the first partition changes, so a bad
// partition or an offset past the end leaves everything as it was).
#include <charconv>
#include <iterator>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/exit_codes.h"
#include "common/time_spec.h"
#include "log/topic_name.h"
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
    request.before = maint::DeleteBefore::AtOffset(Offset(*request.before_offset));
  }
  if (!args.before_time.empty()) {
    Result<int64_t> ms = ParseTime(args.before_time, NowMs());
    if (!ms.ok()) {
      ReportUsageError(kTool, fmt::format("--before-time: {}", ms.status().message()));
      return std::nullopt;
    }
    request.before = maint::DeleteBefore::AtTime(*ms);
  }
  for (const std::string& text : args.targets) {
    client::TopicSelection target;
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

int RunTrim(const CommonFlags& common, TopicAdmin& admin, const TrimArgs& args) {
  std::optional<TrimRequest> request = ParseTrimArgs(args);
  if (!request) return kExitUsage;
  Result<std::vector<client::TrimmedPartition>> done =
      admin.DeleteRecords(request->targets, request->before);
  if (!done.ok()) {
    // Past the log end: say which flag asked for it.
    if (done.status().IsOutOfRange() && request->before_offset) {
      return ReportError(
          kTool, done.status().WithPrefix(fmt::format("--before {}", *request->before_offset)));
    }
    return ReportError(kTool, done.status());
  }
  std::string out;
  nlohmann::json list = nlohmann::json::array();
  for (const client::TrimmedPartition& t : *done) {
    if (args.json) {
      list.push_back({{"topic", t.topic},
                      {"partition", t.partition},
                      {"previous_log_start_offset", t.previous_log_start},
                      {"log_start_offset", t.log_start},
                      {"records_deleted", t.records_deleted}});
    } else {
      fmt::format_to(std::back_inserter(out),
                     "{}-{}: log start offset {} -> {}, {} record{} deleted\n", t.topic,
                     t.partition, t.previous_log_start, t.log_start, t.records_deleted,
                     t.records_deleted == 1 ? "" : "s");
    }
  }
  if (args.json) out = list.dump() + "\n";
  if (common.quiet && !args.json) return kExitOk;
  return PrintOut(kTool, out);
}

}  // namespace kq::tools::topics
