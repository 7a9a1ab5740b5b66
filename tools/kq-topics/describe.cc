// kq-topics describe: each topic's config and, per partition, the log start
// and end offsets, records, bytes and segments. A log directory counts
// records exactly (log/partition_stats.h: from batch headers, payloads are
// not decoded); a cluster's count is end - start, marked "(approx)", and
// what it cannot say (bytes, segments, a config it does not describe)
// prints '-' (null in JSON).
#include <iterator>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/exit_codes.h"
#include "common/table.h"
#include "topics.h"

namespace kq::tools::topics {

namespace {

template <typename T>
std::string Cell(const std::optional<T>& v) {
  return v ? fmt::format("{}", *v) : std::string("-");
}

template <typename T>
nlohmann::json JsonOrNull(const std::optional<T>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

void AppendText(const client::TopicDetail& d, std::string* out) {
  auto it = std::back_inserter(*out);
  fmt::format_to(it, "Topic: {}  Partitions: {}  Records: {}{}  Bytes: {}\n", d.name,
                 d.partitions.size(), d.records, d.records_exact ? "" : " (approx)", Cell(d.bytes));
  if (!d.config) {
    fmt::format_to(it, "Config: unavailable ({})\n", d.config_unavailable);
  } else {
    fmt::format_to(it, "Config:\n");
    for (const client::TopicConfigValue& e : *d.config) {
      fmt::format_to(it, "  {}={}{}\n", e.name, e.sensitive ? "(sensitive)" : Cell(e.value),
                     e.is_default ? "" : "  (set)");
    }
  }
  // Columns as wide as their widest value, so the table lines up.
  const std::vector<std::string> heads = {"Partition", "LogStart", "LogEnd",
                                          "Records",   "Bytes",    "Segments"};
  std::vector<std::vector<std::string>> rows;
  for (const client::PartitionDetail& p : d.partitions) {
    rows.push_back({fmt::format("{}", p.partition), fmt::format("{}", p.log_start_offset),
                    fmt::format("{}", p.log_end_offset), fmt::format("{}", p.records),
                    Cell(p.bytes), Cell(p.segments)});
  }
  AppendTable(heads, rows, out);
}

nlohmann::json ToJson(const client::TopicDetail& d) {
  nlohmann::json config = nullptr;
  if (d.config) {
    config = nlohmann::json::object();
    for (const client::TopicConfigValue& e : *d.config) {
      config[e.name] = {{"value", JsonOrNull(e.value)}, {"default", e.is_default}};
    }
  }
  nlohmann::json partitions = nlohmann::json::array();
  for (const client::PartitionDetail& p : d.partitions) {
    nlohmann::json j = {
        {"partition", p.partition},           {"log_start_offset", p.log_start_offset},
        {"log_end_offset", p.log_end_offset}, {"records", p.records},
        {"bytes", JsonOrNull(p.bytes)},       {"segments", JsonOrNull(p.segments)}};
    // What only one backend knows appears only where it is known.
    if (p.max_timestamp) j["max_timestamp"] = *p.max_timestamp;
    if (p.leader) j["leader"] = *p.leader;
    partitions.push_back(std::move(j));
  }
  nlohmann::json out = {{"name", d.name},
                        {"partition_count", d.partitions.size()},
                        {"records", d.records},
                        {"bytes", JsonOrNull(d.bytes)},
                        {"config", std::move(config)},
                        {"partitions", std::move(partitions)}};
  if (!d.records_exact) out["records_exact"] = false;
  return out;
}

}  // namespace

int RunDescribe(const CommonFlags& common, TopicAdmin& admin, const DescribeArgs& args) {
  if (!CheckTopicNames(args.topics)) return kExitUsage;
  // Everything is collected before anything is printed: a missing topic
  // fails the command without a partial report.
  Result<std::vector<client::TopicDetail>> reports = admin.DescribeTopics(args.topics);
  if (!reports.ok()) return ReportError(kTool, reports.status());
  for (const client::TopicDetail& d : *reports) {
    if (!d.config) {  // once: the answer is the same for every topic
      Note(common, fmt::format("kq-topics: note: topic configs are not shown: {}",
                               d.config_status.message()));
      break;
    }
  }
  std::string out;
  if (args.json) {
    nlohmann::json list = nlohmann::json::array();
    for (const client::TopicDetail& d : *reports) list.push_back(ToJson(d));
    out = list.dump() + "\n";
  } else {
    for (size_t i = 0; i < reports->size(); ++i) {
      if (i > 0) out += "\n";
      AppendText((*reports)[i], &out);
    }
  }
  return PrintOut(kTool, out);
}

}  // namespace kq::tools::topics
