// The admin backends of kq-topics and kq-groups, chosen once from the common
// flags: a cluster with -b/$KQ_BROKERS (kafka/cluster_topic_admin.h,
// kafka/cluster_group_admin.h), else the log directory of -d/$KQ_DIR
// (client/log_topic_admin.h, client/log_group_admin.h). Nothing is opened
// or connected here; each backend does that on first use.
#pragma once

#include <memory>
#include <string_view>

#include "client/group_admin.h"
#include "client/topic_admin.h"
#include "common/common_flags.h"

namespace kq::tools {

// nullptr after printing `tool`'s usage error (an -X that is not key=value).
std::unique_ptr<client::TopicAdmin> OpenTopicAdmin(std::string_view tool, const CommonFlags& flags);
std::unique_ptr<client::GroupAdmin> OpenGroupAdmin(std::string_view tool, const CommonFlags& flags);

}  // namespace kq::tools
