// kq-topics offsets: each partition's earliest and latest offset, or with
// --at the offset for a time, without reading records (kcat -Q, Kafka's
// ListOffsets). The offset for a time is the first one whose record
// timestamp is >= TIME, or the log end when no record is that new (where a
// consumer starting "at TIME" would begin; Kafka answers -1 there).
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/exit_codes.h"
#include "common/table.h"
#include "common/time_spec.h"
#include "topics.h"

namespace kq::tools::topics {
namespace {

std::string Render(const std::vector<client::PartitionOffsets>& all, std::optional<int64_t> at_ms,
                   bool json) {
  if (json) {
    nlohmann::json list = nlohmann::json::array();
    for (const client::PartitionOffsets& o : all) {
      nlohmann::json j = {{"topic", o.topic}, {"partition", o.partition}};
      if (at_ms) {
        j["timestamp"] = *at_ms;
        j["offset"] = o.at.value_or(-1);
      } else {
        j["earliest"] = o.earliest;
        j["latest"] = o.latest;
      }
      list.push_back(std::move(j));
    }
    return list.dump() + "\n";
  }
  std::vector<std::string> heads = {"Topic", "Partition"};
  if (at_ms) {
    heads.push_back("Offset");
  } else {
    heads.insert(heads.end(), {"Earliest", "Latest"});
  }
  std::vector<std::vector<std::string>> rows;
  for (const client::PartitionOffsets& o : all) {
    std::vector<std::string> row = {o.topic, fmt::format("{}", o.partition)};
    if (at_ms) {
      row.push_back(fmt::format("{}", o.at.value_or(-1)));
    } else {
      row.insert(row.end(), {fmt::format("{}", o.earliest), fmt::format("{}", o.latest)});
    }
    rows.push_back(std::move(row));
  }
  std::string out;
  AppendTable(heads, rows, &out);
  return out;
}

}  // namespace

int RunOffsets(TopicAdmin& admin, const OffsetsArgs& args) {
  if (!CheckTopicNames(args.topics)) return kExitUsage;
  std::optional<int64_t> at_ms;
  if (!args.at.empty()) {
    Result<int64_t> ms = ParseTime(args.at, NowMs());
    if (!ms.ok()) return ReportUsageError(kTool, fmt::format("--at: {}", ms.status().message()));
    at_ms = *ms;
  }
  std::vector<client::PartitionOffsets> all;
  for (const std::string& name : args.topics) {
    Result<std::vector<client::PartitionOffsets>> offsets = admin.ListOffsets(name, at_ms);
    if (!offsets.ok()) return ReportError(kTool, offsets.status());
    all.insert(all.end(), offsets->begin(), offsets->end());
  }
  return PrintOut(kTool, Render(all, at_ms, args.json));
}

}  // namespace kq::tools::topics
