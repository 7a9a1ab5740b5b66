#include "kq-produce/record_writer.h"

#include <algorithm>
#include <cstdio>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace kq::tools::produce {

size_t LogRecordWriter::max_record_bytes() const {
  return static_cast<size_t>(std::max(producer_->topic_config().max_message_bytes, 0));
}

void LogRecordWriter::PrintReport() const {
  nlohmann::ordered_json report;
  report["topic"] = producer_->topic();
  report["created"] = producer_->created_topic();
  report["records"] = producer_->appended_records();
  report["bytes"] = producer_->appended_bytes();
  nlohmann::ordered_json parts = nlohmann::ordered_json::array();
  for (const client::PartitionStats& p : producer_->Stats()) {
    parts.push_back({{"partition", p.partition},
                     {"records", p.records},
                     {"bytes", p.bytes},
                     {"first_offset", p.first_offset},
                     {"last_offset", p.last_offset}});
  }
  report["partitions"] = std::move(parts);
  fmt::print("{}\n", report.dump());
  std::fflush(stdout);
}

}  // namespace kq::tools::produce
