#include "common/cluster_flags.h"

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

}  // namespace kq::tools
