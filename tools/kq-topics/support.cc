// Helpers shared by the kq-topics subcommands: argument checks, opening the
// directory and partitions, output.
#include <cstdio>

#include <fmt/format.h>

#include "common/exit_codes.h"
#include "common/internal_topic.h"
#include "common/output.h"
#include "log/topic_name.h"
#include "topics.h"

namespace kq::tools::topics {

bool CheckTopicNames(const std::vector<std::string>& names) {
  for (const std::string& name : names) {
    Status s = log::ValidateTopicName(name);
    if (!s.ok()) {
      ReportUsageError(kTool, s.message());
      return false;
    }
  }
  return true;
}

bool CheckDeletable(const DeleteArgs& args) {
  for (const std::string& name : args.topics) {
    if (Status s = CheckInternalTopic(name, "delete", args.force_internal); !s.ok()) {
      ReportUsageError(kTool, s.message());
      return false;
    }
  }
  return true;
}

std::optional<log::ConfigChange> ParseConfigArg(std::string_view arg) {
  const size_t eq = arg.find('=');
  if (eq == std::string_view::npos || eq == 0) {
    ReportUsageError(kTool,
                     fmt::format("--config: '{}' is not KEY=VALUE", log::EscapeForMessage(arg)));
    return std::nullopt;
  }
  log::ConfigChange change{std::string(arg.substr(0, eq)), std::string(arg.substr(eq + 1))};
  log::TopicConfig scratch;
  if (Status s = scratch.Set(change.key, *change.value); !s.ok()) {
    ReportUsageError(kTool, fmt::format("--config: {}", s.message()));
    return std::nullopt;
  }
  return change;
}

Result<log::LogDir> OpenLogDir(const CommonFlags& common, bool create_if_missing) {
  return log::LogDir::Open(io::Env::Default(), common.dir, create_if_missing);
}

Result<std::unique_ptr<log::Partition>> OpenPartition(const log::LogDir& dir,
                                                      const log::TopicInfo& topic,
                                                      int32_t partition, log::OpenMode mode) {
  return dir.OpenPartition(topic, PartitionId(partition), mode);
}

}  // namespace kq::tools::topics
