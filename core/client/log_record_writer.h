// LogRecordWriter: RecordWriter (client/record_writer.h) over a log
// directory's LogProducer.
//
// Thread safety: one thread at a time. The producer is not owned and must
// outlive the writer.
#pragma once

#include "client/producer.h"
#include "client/record_writer.h"

namespace kq::client {

class LogRecordWriter final : public RecordWriter {
 public:
  explicit LogRecordWriter(LogProducer* producer) : producer_(producer) {}

  const std::string& topic() const override { return producer_->topic(); }
  int32_t partition_count() const override { return producer_->partition_count(); }
  // The topic's max.message.bytes.
  size_t max_record_bytes() const override;
  Status Add(const ProducerRecord& record) override { return producer_->Add(record).status(); }
  Status AppendPending() override { return producer_->AppendPending(); }
  Status Flush() override { return producer_->Flush(); }
  Status Close() override { return producer_->Close(); }
  uint64_t appended_records() const override { return producer_->appended_records(); }
  uint64_t appended_bytes() const override { return producer_->appended_bytes(); }
  WriteReport Report() const override;

 private:
  LogProducer* producer_;
};

}  // namespace kq::client
