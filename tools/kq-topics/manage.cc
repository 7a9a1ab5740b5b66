// kq-topics create, alter, delete and list: changes to topic metadata
// (log_dir.h does the work under its topics lock).
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/exit_codes.h"
#include "topics.h"

namespace kq::tools::topics {

namespace {

// Parses every --config into changes; false after printing a usage error.
bool ParseConfigArgs(const std::vector<std::string>& args, std::vector<log::ConfigChange>* out) {
  for (const std::string& arg : args) {
    std::optional<log::ConfigChange> change = ParseConfigArg(arg);
    if (!change) return false;
    out->push_back(std::move(*change));
  }
  return true;
}

}  // namespace

int RunCreate(const CommonFlags& common, const CreateArgs& args) {
  if (!CheckTopicNames(args.topics)) return kExitUsage;
  std::vector<log::ConfigChange> changes;
  if (!ParseConfigArgs(args.configs, &changes)) return kExitUsage;
  log::TopicConfig config;
  for (const log::ConfigChange& c : changes) {
    if (Status s = config.Set(c.key, *c.value); !s.ok())
      return ReportUsageError(kTool, s.message());
  }
  Result<log::LogDir> dir = OpenLogDir(common, /*create_if_missing=*/true);
  if (!dir.ok()) return ReportError(kTool, dir.status());
  // Refuse before creating anything, so a list with one existing topic
  // leaves the directory as it was.
  if (!args.if_not_exists) {
    for (const std::string& name : args.topics) {
      if (dir->DescribeTopic(name).ok()) {
        return ReportError(kTool, Status::Conflict(fmt::format("topic '{}' already exists in {}",
                                                               name, dir->path())));
      }
    }
  }
  for (const std::string& name : args.topics) {
    Status s = dir->CreateTopic(name, args.partitions, config);
    if (s.IsConflict() && args.if_not_exists && dir->DescribeTopic(name).ok()) continue;
    if (!s.ok()) return ReportError(kTool, s);
    Note(common, fmt::format("Created topic '{}' with {} partition{}.", name, args.partitions,
                             args.partitions == 1 ? "" : "s"));
  }
  return kExitOk;
}

int RunAlter(const CommonFlags& common, const AlterArgs& args) {
  if (!CheckTopicNames({args.topic})) return kExitUsage;
  std::vector<log::ConfigChange> changes;
  if (!ParseConfigArgs(args.set_configs, &changes)) return kExitUsage;
  for (const std::string& key : args.delete_configs) {
    log::TopicConfig scratch;
    if (Status s = scratch.Reset(key); !s.ok()) {
      return ReportUsageError(kTool, fmt::format("--delete-config: {}", s.message()));
    }
    changes.push_back({key, std::nullopt});
  }
  if (changes.empty() && !args.partitions) {
    return ReportUsageError(
        kTool, "alter: nothing to change: give --config, --delete-config or --partitions");
  }
  Result<log::LogDir> dir = OpenLogDir(common, false);
  if (!dir.ok()) return ReportError(kTool, dir.status());
  Result<log::TopicInfo> info = dir->DescribeTopic(args.topic);
  if (!info.ok()) return ReportError(kTool, info.status());
  // Check the partition count before touching the config: all or nothing.
  if (args.partitions && *args.partitions <= info->partitions) {
    return ReportError(kTool, Status::InvalidArgument(fmt::format(
                                  "--partitions {}: topic '{}' has {} partitions; the count can "
                                  "only grow (records are never moved between partitions)",
                                  *args.partitions, args.topic, info->partitions)));
  }
  if (!changes.empty()) {
    if (Status s = dir->AlterTopicConfig(args.topic, changes); !s.ok())
      return ReportError(kTool, s);
  }
  if (args.partitions) {
    if (Status s = dir->AddPartitions(args.topic, *args.partitions); !s.ok()) {
      return ReportError(kTool, s);
    }
  }
  Note(common, fmt::format("Altered topic '{}'.", args.topic));
  return kExitOk;
}

int RunDelete(const CommonFlags& common, const DeleteArgs& args) {
  if (!CheckTopicNames(args.topics)) return kExitUsage;
  Result<log::LogDir> dir = OpenLogDir(common, false);
  if (!dir.ok()) return ReportError(kTool, dir.status());
  std::vector<std::string> existing;
  for (const std::string& name : args.topics) {
    Result<log::TopicInfo> info = dir->DescribeTopic(name);
    if (info.ok()) {
      existing.push_back(name);
    } else if (!(info.status().IsNotFound() && args.if_exists)) {
      return ReportError(kTool, info.status());  // nothing deleted yet
    }
  }
  for (const std::string& name : existing) {
    Status s = dir->DeleteTopic(name);
    if (s.IsNotFound() && args.if_exists) continue;  // deleted by someone else meanwhile
    if (!s.ok()) return ReportError(kTool, s);
    Note(common, fmt::format("Deleted topic '{}'.", name));
  }
  return kExitOk;
}

int RunList(const CommonFlags& common, const ListArgs& args) {
  // A directory not created yet has no topics: list them (none), as `ls` of
  // an empty folder would, rather than fail. Anything else there is an error.
  if (!io::Env::Default()->FileExists(common.dir)) {
    return PrintOut(kTool, args.json ? "[]\n" : "");
  }
  Result<log::LogDir> dir = OpenLogDir(common, false);
  if (!dir.ok()) return ReportError(kTool, dir.status());
  Result<std::vector<std::string>> names = dir->ListTopics();
  if (!names.ok()) return ReportError(kTool, names.status());
  std::string out;
  if (!args.json) {
    for (const std::string& name : *names) fmt::format_to(std::back_inserter(out), "{}\n", name);
    return PrintOut(kTool, out);
  }
  nlohmann::json list = nlohmann::json::array();
  for (const std::string& name : *names) {
    Result<log::TopicInfo> info = dir->DescribeTopic(name);
    if (info.status().IsNotFound()) continue;  // deleted since the listing
    if (!info.ok()) return ReportError(kTool, info.status());
    list.push_back({{"name", name}, {"partitions", info->partitions}});
  }
  return PrintOut(kTool, list.dump() + "\n");
}

}  // namespace kq::tools::topics
