// What a topic's config says about single records, checked before a record
// is buffered (LogProducer::Add), as Kafka's broker checks them on produce.
//
//   cleanup.policy contains compact: a record must have a key (an empty key
//   is a key; a null one is not). Kafka refuses such records
//   ("Compacted topic cannot accept message without key"); accepting them
//   would only have compaction drop them later.
//
// Thread safety: pure functions.
#pragma once

#include <string_view>

#include "base/status.h"
#include "client/producer.h"
#include "log/topic_config.h"

namespace kq::client {

// OK, or InvalidArgument saying why `record` cannot go to `topic` (the
// caller adds where the record came from: input line, offset).
Status CheckRecordForTopic(std::string_view topic, const log::TopicConfig& config,
                           const ProducerRecord& record);

}  // namespace kq::client
