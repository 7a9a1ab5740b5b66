// Helpers shared by the kq-topics subcommands: argument checks.
#include <fmt/format.h>

#include "common/exit_codes.h"
#include "common/internal_topic.h"
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

bool ParseConfigArgs(const TopicAdmin& admin, const std::vector<std::string>& args,
                     std::vector<log::ConfigChange>* out) {
  for (const std::string& arg : args) {
    const size_t eq = arg.find('=');
    if (eq == std::string::npos || eq == 0) {
      ReportUsageError(kTool,
                       fmt::format("--config: '{}' is not KEY=VALUE", log::EscapeForMessage(arg)));
      return false;
    }
    log::ConfigChange change{arg.substr(0, eq), arg.substr(eq + 1)};
    if (Status s = admin.CheckConfig(change); !s.ok()) {
      ReportUsageError(kTool, fmt::format("--config: {}", s.message()));
      return false;
    }
    out->push_back(std::move(change));
  }
  return true;
}

bool ParseDeleteConfigArgs(const TopicAdmin& admin, const std::vector<std::string>& keys,
                           std::vector<log::ConfigChange>* out) {
  for (const std::string& key : keys) {
    log::ConfigChange change{key, std::nullopt};
    if (Status s = admin.CheckConfig(change); !s.ok()) {
      ReportUsageError(kTool, fmt::format("--delete-config: {}", s.message()));
      return false;
    }
    out->push_back(std::move(change));
  }
  return true;
}

}  // namespace kq::tools::topics
