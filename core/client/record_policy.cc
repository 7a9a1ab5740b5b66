#include "client/record_policy.h"

#include <fmt/format.h>

namespace kq::client {

Status CheckRecordForTopic(std::string_view topic, const log::TopicConfig& config,
                           const ProducerRecord& record) {
  if (config.cleanup_compact && !record.key) {
    return Status::InvalidArgument(fmt::format(
        "a record without a key: topic '{}' is compacted (cleanup.policy={}), which keeps the "
        "latest record per key, so Kafka refuses keyless records and so does kq",
        topic, config.cleanup_delete ? "compact,delete" : "compact"));
  }
  return Status::Ok();
}

}  // namespace kq::client
