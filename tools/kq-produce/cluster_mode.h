// kq-produce -b: a RecordWriter over kafka::ClusterProducer, so the same
// ProduceLoop (and so the same flags, input handling and -T) writes to a
// Kafka-protocol cluster. --report prints the same JSON shape; "bytes" are
// key + value bytes there (a cluster does not say how large its batches are).
// --batch-bytes and --flush do not apply (librdkafka batches; the cluster's
// acks decide durability: -X acks=all).
#pragma once

#include <memory>
#include <string>

#include "base/result.h"
#include "kafka/produce.h"
#include "kq-produce/record_writer.h"

namespace kq::tools::produce {

class ClusterRecordWriter : public RecordWriter {
 public:
  // Connects and prepares the topic (created with `partitions` unless
  // `no_create`). `compression` and `partitioner` ("" for the default) are
  // kq-produce's names, which are librdkafka's too.
  static Result<std::unique_ptr<ClusterRecordWriter>> Open(
      const kafka::ClusterConfig& config, const std::string& topic, int32_t partitions,
      bool no_create, const std::string& compression, const std::string& partitioner,
      int64_t linger_ms);

  int32_t partition_count() const { return producer_->partition_count(); }
  bool created_topic() const { return producer_->report().created_topic; }

  const std::string& topic() const override { return producer_->topic(); }
  size_t max_record_bytes() const override { return max_record_bytes_; }
  Status Add(const client::ProducerRecord& record) override;
  Status AppendPending() override { return producer_->Poll(); }
  Status Flush() override { return producer_->Flush(); }
  Status Close() override { return producer_->Finish(nullptr); }
  uint64_t appended_records() const override { return producer_->sent(); }
  uint64_t appended_bytes() const override { return producer_->report().bytes; }
  void PrintReport() const override;

 private:
  explicit ClusterRecordWriter(std::unique_ptr<kafka::ClusterProducer> p, size_t max_bytes)
      : producer_(std::move(p)), max_record_bytes_(max_bytes) {}

  std::unique_ptr<kafka::ClusterProducer> producer_;
  size_t max_record_bytes_;
  kafka::ProduceRecord scratch_;  // reused: assign() keeps its buffers
};

}  // namespace kq::tools::produce
