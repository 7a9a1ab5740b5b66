#include "client/log_record_writer.h"

#include <algorithm>

namespace kq::client {

size_t LogRecordWriter::max_record_bytes() const {
  return static_cast<size_t>(std::max(producer_->topic_config().max_message_bytes, 0));
}

WriteReport LogRecordWriter::Report() const {
  WriteReport r;
  r.topic = producer_->topic();
  r.created_topic = producer_->created_topic();
  r.records = producer_->appended_records();
  r.bytes = producer_->appended_bytes();
  r.partitions = producer_->Stats();
  return r;
}

}  // namespace kq::client
