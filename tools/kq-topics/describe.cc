// kq-topics describe: each topic's effective config and, per partition, the
// log start and end offsets, bytes, segments and exact record count
// (log/partition_stats.h: from batch headers, payloads are not decoded).
#include <algorithm>
#include <iterator>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/exit_codes.h"
#include "common/table.h"
#include "log/partition_stats.h"
#include "topics.h"

namespace kq::tools::topics {

namespace {

struct TopicReport {
  log::TopicInfo info;
  std::vector<log::PartitionStats> partitions;
  uint64_t records = 0;
  uint64_t bytes = 0;
};

Result<TopicReport> Collect(const log::LogDir& dir, const std::string& name) {
  TopicReport report;
  KQ_ASSIGN_OR_RETURN(report.info, dir.DescribeTopic(name));
  for (int32_t p = 0; p < report.info.partitions; ++p) {
    KQ_ASSIGN_OR_RETURN(auto partition, OpenPartition(dir, report.info, p, log::OpenMode::kRead));
    KQ_ASSIGN_OR_RETURN(log::PartitionStats stats,
                        log::ComputePartitionStats(io::Env::Default(), *partition));
    report.records += stats.records;
    report.bytes += stats.bytes;
    report.partitions.push_back(stats);
  }
  return report;
}

void AppendText(const TopicReport& r, std::string* out) {
  auto it = std::back_inserter(*out);
  fmt::format_to(it, "Topic: {}  Partitions: {}  Records: {}  Bytes: {}\n", r.info.name,
                 r.info.partitions, r.records, r.bytes);
  fmt::format_to(it, "Config:\n");
  for (const log::ConfigEntry& e : r.info.config.Describe()) {
    fmt::format_to(it, "  {}={}{}\n", e.name, e.value, e.is_default ? "" : "  (set)");
  }
  // Columns as wide as their widest value, so the table lines up.
  const std::vector<std::string> heads = {"Partition", "LogStart", "LogEnd",
                                          "Records",   "Bytes",    "Segments"};
  std::vector<std::vector<std::string>> rows;
  for (size_t p = 0; p < r.partitions.size(); ++p) {
    const log::PartitionStats& s = r.partitions[p];
    rows.push_back({fmt::format("{}", p), fmt::format("{}", s.log_start_offset),
                    fmt::format("{}", s.log_end_offset), fmt::format("{}", s.records),
                    fmt::format("{}", s.bytes), fmt::format("{}", s.segments)});
  }
  AppendTable(heads, rows, out);
}

nlohmann::json ToJson(const TopicReport& r) {
  nlohmann::json config = nlohmann::json::object();
  for (const log::ConfigEntry& e : r.info.config.Describe()) {
    config[e.name] = {{"value", e.value}, {"default", e.is_default}};
  }
  nlohmann::json partitions = nlohmann::json::array();
  for (size_t p = 0; p < r.partitions.size(); ++p) {
    const log::PartitionStats& s = r.partitions[p];
    partitions.push_back({{"partition", p},
                          {"log_start_offset", s.log_start_offset.value()},
                          {"log_end_offset", s.log_end_offset.value()},
                          {"records", s.records},
                          {"bytes", s.bytes},
                          {"segments", s.segments},
                          {"max_timestamp", s.max_timestamp}});
  }
  return {{"name", r.info.name},         {"partition_count", r.info.partitions},
          {"records", r.records},        {"bytes", r.bytes},
          {"config", std::move(config)}, {"partitions", std::move(partitions)}};
}

}  // namespace

int RunDescribe(const CommonFlags& common, const DescribeArgs& args) {
  if (!CheckTopicNames(args.topics)) return kExitUsage;
  Result<log::LogDir> dir = OpenLogDir(common, false);
  if (!dir.ok()) return ReportError(kTool, dir.status());
  std::vector<std::string> names = args.topics;
  if (names.empty()) {
    Result<std::vector<std::string>> all = dir->ListTopics();
    if (!all.ok()) return ReportError(kTool, all.status());
    names = std::move(*all);
  }
  // Everything is collected before anything is printed: a missing topic
  // fails the command without a partial report.
  std::vector<TopicReport> reports;
  for (const std::string& name : names) {
    Result<TopicReport> report = Collect(*dir, name);
    if (!report.ok()) {
      // A topic deleted between listing and describing is simply gone.
      if (args.topics.empty() && report.status().IsNotFound()) continue;
      return ReportError(kTool, report.status());
    }
    reports.push_back(std::move(*report));
  }
  return PrintReports(reports, args.json, ToJson, AppendText);
}

}  // namespace kq::tools::topics
