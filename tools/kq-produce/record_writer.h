// Where kq-produce's ProduceLoop puts records: a directory's LogProducer
// (LogRecordWriter, here) or a cluster (ClusterRecordWriter, cluster_mode.h).
// The loop only adds records and, when input pauses, asks for them to be
// made visible (AppendPending) or acknowledged (Flush).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "base/status.h"
#include "client/producer.h"

namespace kq::tools::produce {

class RecordWriter {
 public:
  virtual ~RecordWriter() = default;

  virtual const std::string& topic() const = 0;
  // The largest record the topic accepts (longer input is an error).
  virtual size_t max_record_bytes() const = 0;
  // Takes one record; the views need not outlive the call.
  virtual Status Add(const client::ProducerRecord& record) = 0;
  // Makes the records added so far visible to consumers soon.
  virtual Status AppendPending() = 0;
  // Makes every record added so far acknowledged (durable per the policy).
  virtual Status Flush() = 0;
  // Flushes and ends; nothing may be added after it.
  virtual Status Close() = 0;
  // Records and key+value (or batch) bytes taken so far.
  virtual uint64_t appended_records() const = 0;
  virtual uint64_t appended_bytes() const = 0;
  // Prints the --report JSON line to stdout.
  virtual void PrintReport() const = 0;
};

// A RecordWriter over a directory's LogProducer (not owned; outlives it).
class LogRecordWriter : public RecordWriter {
 public:
  explicit LogRecordWriter(client::LogProducer* producer) : producer_(producer) {}

  const std::string& topic() const override { return producer_->topic(); }
  size_t max_record_bytes() const override;
  Status Add(const client::ProducerRecord& record) override {
    return producer_->Add(record).status();
  }
  Status AppendPending() override { return producer_->AppendPending(); }
  Status Flush() override { return producer_->Flush(); }
  Status Close() override { return producer_->Close(); }
  uint64_t appended_records() const override { return producer_->appended_records(); }
  uint64_t appended_bytes() const override { return producer_->appended_bytes(); }
  void PrintReport() const override;

 private:
  client::LogProducer* producer_;
};

}  // namespace kq::tools::produce
