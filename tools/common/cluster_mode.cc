#include "common/cluster_mode.h"

#include "client/log_group_admin.h"
#include "client/log_topic_admin.h"
#include "common/cluster_flags.h"
#include "io/env.h"
#include "kafka/cluster_group_admin.h"
#include "kafka/cluster_topic_admin.h"

namespace kq::tools {

std::unique_ptr<client::TopicAdmin> OpenTopicAdmin(std::string_view tool,
                                                   const CommonFlags& flags) {
  if (!ClusterMode(flags)) {
    return std::make_unique<client::LogTopicAdmin>(io::Env::Default(), flags.dir);
  }
  std::optional<kafka::ClusterConfig> config = ClusterConfigOrUsageError(tool, flags);
  if (!config) return nullptr;
  return std::make_unique<kafka::ClusterTopicAdmin>(std::move(*config));
}

std::unique_ptr<client::GroupAdmin> OpenGroupAdmin(std::string_view tool,
                                                   const CommonFlags& flags) {
  if (!ClusterMode(flags)) {
    return std::make_unique<client::LogGroupAdmin>(io::Env::Default(), flags.dir);
  }
  std::optional<kafka::ClusterConfig> config = ClusterConfigOrUsageError(tool, flags);
  if (!config) return nullptr;
  return std::make_unique<kafka::ClusterGroupAdmin>(std::move(*config));
}

}  // namespace kq::tools
