#include "kq-topics/cluster_mode.h"

#include <iterator>
#include <map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/cluster_flags.h"
#include "common/exit_codes.h"
#include "kafka/admin.h"
#include "common/table.h"
#include "log/topic_name.h"

namespace kq::tools::topics {
namespace {

using kafka::ClusterConfig;

// Splits KEY=VALUE (the broker validates names and values); prints a usage
// error naming `flag` and returns false.
bool SplitConfigs(const std::vector<std::string>& args, const char* flag,
                  std::map<std::string, std::string>* out) {
  for (const std::string& arg : args) {
    const size_t eq = arg.find('=');
    if (eq == std::string::npos || eq == 0) {
      ReportUsageError(
          kTool, fmt::format("{} '{}': expected KEY=VALUE", flag, log::EscapeForMessage(arg)));
      return false;
    }
    (*out)[arg.substr(0, eq)] = arg.substr(eq + 1);
  }
  return true;
}

struct Described {
  kafka::TopicDescription topic;
  std::optional<std::vector<kafka::ConfigEntry>> config;  // nullopt: unavailable
  std::string config_error;
  int64_t records = 0;
};

std::string OrDash(const std::optional<std::string>& v) { return v ? *v : "-"; }

void AppendText(const Described& d, std::string* out) {
  auto it = std::back_inserter(*out);
  fmt::format_to(it, "Topic: {}  Partitions: {}  Records: {} (approx)  Bytes: -\n", d.topic.name,
                 d.topic.partitions.size(), d.records);
  if (!d.config) {
    fmt::format_to(it, "Config: unavailable ({})\n", d.config_error);
  } else {
    fmt::format_to(it, "Config:\n");
    for (const kafka::ConfigEntry& e : *d.config) {
      fmt::format_to(it, "  {}={}{}\n", e.name, e.sensitive ? "(sensitive)" : OrDash(e.value),
                     e.is_default ? "" : "  (set)");
    }
  }
  const std::vector<std::string> heads = {"Partition", "LogStart", "LogEnd",
                                          "Records",   "Bytes",    "Segments"};
  std::vector<std::vector<std::string>> rows;
  for (const kafka::PartitionDescription& p : d.topic.partitions) {
    rows.push_back({fmt::format("{}", p.partition), fmt::format("{}", p.start_offset),
                    fmt::format("{}", p.end_offset),
                    fmt::format("{}", p.end_offset - p.start_offset), "-", "-"});
  }
  AppendTable(heads, rows, out);
}

nlohmann::json ToJson(const Described& d) {
  nlohmann::json config = nullptr;
  if (d.config) {
    config = nlohmann::json::object();
    for (const kafka::ConfigEntry& e : *d.config) {
      config[e.name] = {{"value", e.value ? nlohmann::json(*e.value) : nlohmann::json(nullptr)},
                        {"default", e.is_default}};
    }
  }
  nlohmann::json partitions = nlohmann::json::array();
  for (const kafka::PartitionDescription& p : d.topic.partitions) {
    partitions.push_back({{"partition", p.partition},
                          {"log_start_offset", p.start_offset},
                          {"log_end_offset", p.end_offset},
                          {"records", p.end_offset - p.start_offset},
                          {"bytes", nullptr},
                          {"segments", nullptr},
                          {"leader", p.leader}});
  }
  return {{"name", d.topic.name},
          {"partition_count", d.topic.partitions.size()},
          {"records", d.records},
          {"records_exact", false},
          {"bytes", nullptr},
          {"config", std::move(config)},
          {"partitions", std::move(partitions)}};
}

}  // namespace

int RunClusterCreate(const CommonFlags& common, const CreateArgs& args) {
  if (!CheckTopicNames(args.topics)) return kExitUsage;
  std::map<std::string, std::string> configs;
  if (!SplitConfigs(args.configs, "--config", &configs)) return kExitUsage;
  std::optional<ClusterConfig> config = ClusterConfigOrUsageError(kTool, common);
  if (!config) return kExitUsage;
  for (const std::string& name : args.topics) {
    kafka::NewTopic spec;
    spec.name = name;
    spec.partitions = args.partitions;
    spec.configs = configs;
    Status s = kafka::CreateTopic(*config, spec);
    if (s.IsConflict() && args.if_not_exists) continue;
    if (!s.ok()) return ReportError(kTool, s);
    Note(common, fmt::format("Created topic '{}' with {} partition{}.", name, args.partitions,
                             args.partitions == 1 ? "" : "s"));
  }
  return kExitOk;
}

int RunClusterList(const CommonFlags& common, const ListArgs& args) {
  std::optional<ClusterConfig> config = ClusterConfigOrUsageError(kTool, common);
  if (!config) return kExitUsage;
  Result<std::vector<kafka::TopicMetadata>> topics = kafka::ListTopics(*config);
  if (!topics.ok()) return ReportError(kTool, topics.status());
  if (!args.json) {
    std::string out;
    for (const auto& t : *topics) fmt::format_to(std::back_inserter(out), "{}\n", t.name);
    return PrintOut(kTool, out);
  }
  nlohmann::json list = nlohmann::json::array();
  for (const auto& t : *topics)
    list.push_back({{"name", t.name}, {"partitions", t.partitions.size()}});
  return PrintOut(kTool, list.dump() + "\n");
}

int RunClusterDescribe(const CommonFlags& common, const DescribeArgs& args) {
  if (!CheckTopicNames(args.topics)) return kExitUsage;
  std::optional<ClusterConfig> config = ClusterConfigOrUsageError(kTool, common);
  if (!config) return kExitUsage;
  std::vector<std::string> names = args.topics;
  if (names.empty()) {
    Result<std::vector<kafka::TopicMetadata>> all = kafka::ListTopics(*config);
    if (!all.ok()) return ReportError(kTool, all.status());
    for (const auto& t : *all) names.push_back(t.name);
  }
  // Everything is collected before anything is printed.
  std::vector<Described> reports;
  bool config_unsupported = false;  // ask once: the answer will not change
  std::string unsupported_reason;
  for (const std::string& name : names) {
    Described d;
    Result<kafka::TopicDescription> topic = kafka::DescribeTopic(*config, name);
    if (!topic.ok()) {
      if (args.topics.empty() && topic.status().IsNotFound()) continue;
      return ReportError(kTool, topic.status());
    }
    d.topic = std::move(*topic);
    for (const auto& p : d.topic.partitions) d.records += p.end_offset - p.start_offset;
    if (!config_unsupported) {
      Result<std::vector<kafka::ConfigEntry>> entries = kafka::DescribeTopicConfig(*config, name);
      if (entries.ok()) {
        d.config = std::move(*entries);
      } else if (entries.status().code() == Status::Code::kNotSupported ||
                 entries.status().IsIoError()) {
        config_unsupported = true;
        unsupported_reason = entries.status().message();
        if (!common.quiet) {
          fmt::print(stderr, "kq-topics: note: topic configs are not shown: {}\n",
                     unsupported_reason);
        }
      } else {
        return ReportError(kTool, entries.status());
      }
    }
    if (!d.config) d.config_error = "the cluster did not answer DescribeConfigs";
    reports.push_back(std::move(d));
  }
  return PrintReports(reports, args.json, ToJson, AppendText);
}

int RunClusterAlter(const CommonFlags& common, const AlterArgs& args) {
  if (!CheckTopicNames({args.topic})) return kExitUsage;
  std::map<std::string, std::string> set;
  if (!SplitConfigs(args.set_configs, "--config", &set)) return kExitUsage;
  if (set.empty() && args.delete_configs.empty() && !args.partitions) {
    return ReportUsageError(
        kTool, "alter: nothing to change: give --config, --delete-config or --partitions");
  }
  std::optional<ClusterConfig> config = ClusterConfigOrUsageError(kTool, common);
  if (!config) return kExitUsage;
  Result<kafka::TopicDescription> topic = kafka::DescribeTopic(*config, args.topic);
  if (!topic.ok()) return ReportError(kTool, topic.status());
  const auto count = static_cast<int32_t>(topic->partitions.size());
  if (args.partitions && *args.partitions <= count) {
    return ReportError(kTool, Status::InvalidArgument(fmt::format(
                                  "--partitions {}: topic '{}' has {} partitions; the count can "
                                  "only grow (records are never moved between partitions)",
                                  *args.partitions, args.topic, count)));
  }
  if (!set.empty() || !args.delete_configs.empty()) {
    Status s = kafka::AlterTopicConfig(*config, args.topic, set, args.delete_configs);
    if (!s.ok()) return ReportError(kTool, s);
  }
  if (args.partitions) {
    Status s = kafka::AddPartitions(*config, args.topic, *args.partitions);
    if (!s.ok()) return ReportError(kTool, s);
  }
  Note(common, fmt::format("Altered topic '{}'.", args.topic));
  return kExitOk;
}

int RunClusterDelete(const CommonFlags& common, const DeleteArgs& args) {
  if (!CheckTopicNames(args.topics)) return kExitUsage;
  std::optional<ClusterConfig> config = ClusterConfigOrUsageError(kTool, common);
  if (!config) return kExitUsage;
  for (const std::string& name : args.topics) {
    Status s = kafka::DeleteTopic(*config, name);
    if (s.IsNotFound() && args.if_exists) continue;
    if (!s.ok()) return ReportError(kTool, s);
    Note(common, fmt::format("Deleted topic '{}'.", name));
  }
  return kExitOk;
}

int RunClusterTrim(const CommonFlags& common, const TrimArgs& args) {
  std::optional<TrimRequest> request = ParseTrimArgs(args);
  if (!request) return kExitUsage;
  const std::optional<int64_t>& before_offset = request->before_offset;
  const std::optional<int64_t>& before_ms = request->before_ms;
  std::optional<ClusterConfig> config = ClusterConfigOrUsageError(kTool, common);
  if (!config) return kExitUsage;
  // Resolve and check every target before the first deletion.
  struct Plan {
    std::string topic;
    std::map<int32_t, int64_t> before;     // partition -> new start
    std::map<int32_t, int64_t> old_start;  // partition -> start before
  };
  std::vector<Plan> plans;
  for (const TrimTarget& t : request->targets) {
    Result<kafka::TopicDescription> topic = kafka::DescribeTopic(*config, t.topic);
    if (!topic.ok()) return ReportError(kTool, topic.status());
    std::map<int32_t, int64_t> at_time;
    if (before_ms) {
      Result<std::map<int32_t, int64_t>> offsets =
          kafka::OffsetsForTime(*config, t.topic, *before_ms);
      if (!offsets.ok()) return ReportError(kTool, offsets.status());
      at_time = std::move(*offsets);
    }
    Plan plan{t.topic, {}, {}};
    bool found = !t.partition.has_value();
    for (const kafka::PartitionDescription& p : topic->partitions) {
      if (t.partition && p.partition != *t.partition) continue;
      found = true;
      int64_t target = p.end_offset;
      if (before_offset) {
        if (*before_offset > p.end_offset) {
          return ReportError(kTool, Status::OutOfRange(fmt::format(
                                        "--before {}: partition {}-{} ends at offset {}",
                                        *before_offset, t.topic, p.partition, p.end_offset)));
        }
        target = *before_offset;
      } else if (before_ms) {
        auto it = at_time.find(p.partition);
        target = it != at_time.end() ? it->second : p.end_offset;
      }
      plan.before[p.partition] = target;
      plan.old_start[p.partition] = p.start_offset;
    }
    if (!found) {
      return ReportError(kTool, Status::NotFound(fmt::format(
                                    "partition {} of topic '{}' does not exist (it has {})",
                                    *t.partition, t.topic, topic->partitions.size())));
    }
    plans.push_back(std::move(plan));
  }
  std::string out;
  nlohmann::json list = nlohmann::json::array();
  for (const Plan& plan : plans) {
    Result<std::map<int32_t, int64_t>> done = kafka::TrimTopic(*config, plan.topic, plan.before);
    if (!done.ok()) return ReportError(kTool, done.status());
    for (const auto& [partition, new_start] : *done) {
      const int64_t old_start = plan.old_start.at(partition);
      const int64_t deleted = new_start > old_start ? new_start - old_start : 0;
      if (args.json) {
        list.push_back({{"topic", plan.topic},
                        {"partition", partition},
                        {"previous_log_start_offset", old_start},
                        {"log_start_offset", new_start},
                        {"records_deleted", deleted}});
      } else {
        fmt::format_to(std::back_inserter(out),
                       "{}-{}: log start offset {} -> {}, {} records deleted\n", plan.topic,
                       partition, old_start, new_start, deleted);
      }
    }
  }
  if (args.json) out = list.dump() + "\n";
  if (common.quiet && !args.json) return kExitOk;
  return PrintOut(kTool, out);
}

}  // namespace kq::tools::topics
