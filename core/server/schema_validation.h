// Validation on write in kq-serve's produce path: the topic configs
// confluent.key.schema.validation / confluent.value.schema.validation
// (Confluent Server's names). Every record of every batch must carry, in
// Confluent's wire format, a schema id registered under <topic>-key /
// <topic>-value, and its payload must decode with that schema; one record
// that does not refuses the partition's whole request (INVALID_RECORD, a
// message naming the batch's record offset and why), so nothing of it is
// appended.
//
// The registry of each log directory is opened once and kept (the server's
// loop is one thread); it re-reads `_schemas` when it changed, so schemas
// registered by kq-schemas or over HTTP count at once.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "log/topic_config.h"

namespace kq::server {

// nullopt when the batches pass (or the topic validates nothing); else the
// message for INVALID_RECORD.
std::optional<std::string> CheckSchemas(const std::string& log_dir, std::string_view topic,
                                        const log::TopicConfig& config,
                                        const std::vector<std::string>& batches);

}  // namespace kq::server
