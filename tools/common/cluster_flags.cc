#include "common/cluster_flags.h"

#include "common/exit_codes.h"

namespace kq::tools {

Result<kafka::ClusterConfig> ClusterConfigFrom(const CommonFlags& flags) {
  kafka::ClusterConfig config;
  config.brokers = flags.brokers;
  config.verbose = flags.verbose;
  for (const std::string& text : flags.properties) {
    KQ_ASSIGN_OR_RETURN(kafka::Property p, kafka::ParseProperty(text));
    config.properties.push_back(std::move(p));
  }
  return config;
}

std::optional<kafka::ClusterConfig> ClusterConfigOrUsageError(std::string_view tool,
                                                              const CommonFlags& flags) {
  Result<kafka::ClusterConfig> config = ClusterConfigFrom(flags);
  if (!config.ok()) {
    ReportUsageError(tool, config.status().message());
    return std::nullopt;
  }
  return std::move(*config);
}

}  // namespace kq::tools
