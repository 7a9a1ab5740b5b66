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

struct PartitionOffsets {
  std::string topic;
  int32_t partition = 0;
  int64_t earliest = 0;
  int64_t latest = 0;
  int64_t at = -1;  // with --at
};

Result<std::vector<PartitionOffsets>> Collect(const log::LogDir& dir, const std::string& name,
                                              std::optional<int64_t> at_ms) {
  KQ_ASSIGN_OR_RETURN(log::TopicInfo info, dir.DescribeTopic(name));
  std::vector<PartitionOffsets> out;
  for (int32_t p = 0; p < info.partitions; ++p) {
    KQ_ASSIGN_OR_RETURN(auto partition, OpenPartition(dir, info, p, log::OpenMode::kRead));
    PartitionOffsets o{name, p, partition->log_start_offset().value(),
                       partition->log_end_offset().value()};
    if (at_ms) {
      KQ_ASSIGN_OR_RETURN(Offset at, partition->OffsetForTimestamp(*at_ms));
      o.at = at.value();
    }
    out.push_back(std::move(o));
  }
  return out;
}

std::string Render(const std::vector<PartitionOffsets>& all, std::optional<int64_t> at_ms,
                   bool json) {
  if (json) {
    nlohmann::json list = nlohmann::json::array();
    for (const PartitionOffsets& o : all) {
      nlohmann::json j = {{"topic", o.topic}, {"partition", o.partition}};
      if (at_ms) {
        j["timestamp"] = *at_ms;
        j["offset"] = o.at;
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
  for (const PartitionOffsets& o : all) {
    std::vector<std::string> row = {o.topic, fmt::format("{}", o.partition)};
    if (at_ms) {
      row.push_back(fmt::format("{}", o.at));
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

int RunOffsets(const CommonFlags& common, const OffsetsArgs& args) {
  if (!CheckTopicNames(args.topics)) return kExitUsage;
  std::optional<int64_t> at_ms;
  if (!args.at.empty()) {
    Result<int64_t> ms = ParseTime(args.at, NowMs());
    if (!ms.ok()) return ReportUsageError(kTool, fmt::format("--at: {}", ms.status().message()));
    at_ms = *ms;
  }
  Result<log::LogDir> dir = OpenLogDir(common, false);
  if (!dir.ok()) return ReportError(kTool, dir.status());
  std::vector<PartitionOffsets> all;
  for (const std::string& name : args.topics) {
    Result<std::vector<PartitionOffsets>> offsets = Collect(*dir, name, at_ms);
    if (!offsets.ok()) return ReportError(kTool, offsets.status());
    all.insert(all.end(), offsets->begin(), offsets->end());
  }
  return PrintOut(kTool, Render(all, at_ms, args.json));
}

}  // namespace kq::tools::topics
