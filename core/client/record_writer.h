// RecordWriter: the produce verb, one interface with two backends, chosen
// once from where the records go: a log directory (LogRecordWriter,
// client/log_record_writer.h) or a Kafka cluster (kafka::ClusterRecordWriter,
// kafka/cluster_record_writer.h). kq-produce's loop only adds records and,
// when its input pauses, asks for them to be made visible (AppendPending) or
// acknowledged (Flush).
//
//   KQ_RETURN_IF_ERROR(writer.Add(record));   // views need not outlive the call
//   KQ_RETURN_IF_ERROR(writer.Close());       // every record acknowledged
//   WriteReport r = writer.Report();          // what was written where
//
// Durability: after Flush or Close, what was added is acknowledged: synced
// per the topic's flush policy (directory) or acked by the cluster (-X acks).
// Thread safety: one thread at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"
#include "client/producer.h"

namespace kq::client {

// What one run wrote. Bytes are batch bytes on disk for a directory, key +
// value bytes for a cluster (which does not say how large its batches are).
struct WriteReport {
  std::string topic;
  bool created_topic = false;  // the topic was missing and this run created it
  uint64_t records = 0;
  uint64_t bytes = 0;
  std::vector<PartitionStats> partitions;  // ascending partition id
};

class RecordWriter {
 public:
  virtual ~RecordWriter() = default;

  virtual const std::string& topic() const = 0;
  // The partitions of the topic (a record's partition must be below it).
  virtual int32_t partition_count() const = 0;
  // The largest record the topic accepts (longer input is an error).
  virtual size_t max_record_bytes() const = 0;
  // Takes one record; the views need not outlive the call.
  virtual Status Add(const ProducerRecord& record) = 0;
  // Makes the records added so far visible to consumers soon.
  virtual Status AppendPending() = 0;
  // Makes every record added so far acknowledged (durable per the policy).
  virtual Status Flush() = 0;
  // Flushes and ends; nothing may be added after it.
  virtual Status Close() = 0;
  // Records and bytes taken so far (bytes as in WriteReport).
  virtual uint64_t appended_records() const = 0;
  virtual uint64_t appended_bytes() const = 0;
  // What was written, for --report (complete after Close).
  virtual WriteReport Report() const = 0;
};

}  // namespace kq::client
