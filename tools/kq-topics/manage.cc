// kq-topics create, alter, delete and list: changes to topic metadata, for a
// log directory and a cluster alike (client/topic_admin.h).
#include <iterator>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/exit_codes.h"
#include "topics.h"

namespace kq::tools::topics {

int RunCreate(const CommonFlags& common, TopicAdmin& admin, const CreateArgs& args) {
  if (!CheckTopicNames(args.topics)) return kExitUsage;
  client::NewTopicSpec spec;
  spec.partitions = args.partitions;
  if (!ParseConfigArgs(admin, args.configs, &spec.configs)) return kExitUsage;
  // Refuse before creating anything, so a list with one existing topic
  // leaves everything as it was.
  if (!args.if_not_exists) {
    for (const std::string& name : args.topics) {
      Result<int32_t> count = admin.PartitionCount(name);
      if (count.ok()) {
        return ReportError(kTool, Status::Conflict(fmt::format("topic '{}' already exists {}", name,
                                                               admin.Location())));
      }
      if (!count.status().IsNotFound()) return ReportError(kTool, count.status());
    }
  }
  for (const std::string& name : args.topics) {
    spec.name = name;
    Status s = admin.CreateTopic(spec);
    if (s.IsConflict() && args.if_not_exists && admin.PartitionCount(name).ok()) continue;
    if (!s.ok()) return ReportError(kTool, s);
    Note(common, fmt::format("Created topic '{}' with {} partition{}.", name, args.partitions,
                             args.partitions == 1 ? "" : "s"));
  }
  return kExitOk;
}

int RunAlter(const CommonFlags& common, TopicAdmin& admin, const AlterArgs& args) {
  if (!CheckTopicNames({args.topic})) return kExitUsage;
  std::vector<log::ConfigChange> changes;
  if (!ParseConfigArgs(admin, args.set_configs, &changes)) return kExitUsage;
  if (!ParseDeleteConfigArgs(admin, args.delete_configs, &changes)) return kExitUsage;
  if (changes.empty() && !args.partitions) {
    return ReportUsageError(
        kTool, "alter: nothing to change: give --config, --delete-config or --partitions");
  }
  Result<int32_t> count = admin.PartitionCount(args.topic);
  if (!count.ok()) return ReportError(kTool, count.status());
  // Check the partition count before touching the config: all or nothing.
  if (args.partitions && *args.partitions <= *count) {
    return ReportError(kTool, Status::InvalidArgument(fmt::format(
                                  "--partitions {}: topic '{}' has {} partitions; the count can "
                                  "only grow (records are never moved between partitions)",
                                  *args.partitions, args.topic, *count)));
  }
  if (!changes.empty()) {
    if (Status s = admin.AlterConfig(args.topic, changes); !s.ok()) return ReportError(kTool, s);
  }
  if (args.partitions) {
    if (Status s = admin.AddPartitions(args.topic, *args.partitions); !s.ok()) {
      return ReportError(kTool, s);
    }
  }
  Note(common, fmt::format("Altered topic '{}'.", args.topic));
  return kExitOk;
}

int RunDelete(const CommonFlags& common, TopicAdmin& admin, const DeleteArgs& args) {
  if (!CheckTopicNames(args.topics)) return kExitUsage;
  // Check every topic first: nothing is deleted when one is missing.
  std::vector<std::string> existing;
  for (const std::string& name : args.topics) {
    Result<int32_t> count = admin.PartitionCount(name);
    if (count.ok()) {
      existing.push_back(name);
    } else if (!(count.status().IsNotFound() && args.if_exists)) {
      return ReportError(kTool, count.status());
    }
  }
  for (const std::string& name : existing) {
    Status s = admin.DeleteTopic(name);
    if (s.IsNotFound() && args.if_exists) continue;  // deleted by someone else meanwhile
    if (!s.ok()) return ReportError(kTool, s);
    Note(common, fmt::format("Deleted topic '{}'.", name));
  }
  return kExitOk;
}

int RunList(TopicAdmin& admin, const ListArgs& args) {
  Result<std::vector<client::TopicListing>> topics = admin.ListTopics();
  if (!topics.ok()) return ReportError(kTool, topics.status());
  if (!args.json) {
    std::string out;
    for (const auto& t : *topics) fmt::format_to(std::back_inserter(out), "{}\n", t.name);
    return PrintOut(kTool, out);
  }
  nlohmann::json list = nlohmann::json::array();
  for (const auto& t : *topics) list.push_back({{"name", t.name}, {"partitions", t.partitions}});
  return PrintOut(kTool, list.dump() + "\n");
}

}  // namespace kq::tools::topics
