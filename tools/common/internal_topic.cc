#include "common/internal_topic.h"

#include <fmt/format.h>

#include "groups/offsets_store.h"

namespace kq::tools {

bool IsInternalTopic(std::string_view topic) { return topic == groups::kOffsetsTopic; }

Status CheckInternalTopic(std::string_view topic, std::string_view action, bool force) {
  if (force || !IsInternalTopic(topic)) return Status::Ok();
  return Status::InvalidArgument(fmt::format(
      "refusing to {} internal topic '{}': it holds every consumer group's committed offsets "
      "({}), and Kafka refuses this too; give --force-internal to do it anyway",
      action, topic,
      action == "delete" ? "deleting it resets every group"
                         : "records written by hand can break kq-groups and group consumers"));
}

}  // namespace kq::tools
