// ClusterRecordWriter: RecordWriter (client/record_writer.h) over
// ClusterProducer (kafka/produce.h), so kq-produce's loop (the same flags,
// input handling and -T) writes to a Kafka-protocol cluster. Bytes in the
// report are key + value bytes. Batching and durability are librdkafka's
// and the cluster's (-X acks=all), so AppendPending only serves delivery
// reports.
//
// Thread safety: one thread at a time.
#pragma once

#include <memory>
#include <string>

#include "base/result.h"
#include "client/record_writer.h"
#include "kafka/produce.h"

namespace kq::kafka {

class ClusterRecordWriter final : public client::RecordWriter {
 public:
  // Connects and prepares the topic (ClusterProducer::Open). The largest
  // record is librdkafka's message.max.bytes, 1000000 unless -X sets it.
  static Result<std::unique_ptr<ClusterRecordWriter>> Open(const ClusterConfig& config,
                                                           const ProduceOptions& options,
                                                           const std::string& topic);

  const std::string& topic() const override { return producer_->topic(); }
  int32_t partition_count() const override { return producer_->partition_count(); }
  size_t max_record_bytes() const override { return max_record_bytes_; }
  Status Add(const client::ProducerRecord& record) override;
  Status AppendPending() override { return producer_->Poll(); }
  Status Flush() override { return producer_->Flush(); }
  Status Close() override { return producer_->Finish(nullptr); }
  uint64_t appended_records() const override { return producer_->sent(); }
  uint64_t appended_bytes() const override { return producer_->report().bytes; }
  client::WriteReport Report() const override;

 private:
  ClusterRecordWriter(std::unique_ptr<ClusterProducer> p, size_t max_bytes)
      : producer_(std::move(p)), max_record_bytes_(max_bytes) {}

  std::unique_ptr<ClusterProducer> producer_;
  size_t max_record_bytes_;
  ProduceRecord scratch_;  // reused: assign() keeps its buffers
};

}  // namespace kq::kafka
