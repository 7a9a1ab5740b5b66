#include "kafka/cluster_record_writer.h"

#include <cstdlib>

namespace kq::kafka {
namespace {

// librdkafka's default message.max.bytes; -X message.max.bytes=N changes it.
constexpr size_t kDefaultMaxMessageBytes = 1000000;

size_t MaxMessageBytes(const ClusterConfig& config) {
  size_t max = kDefaultMaxMessageBytes;
  for (const auto& [key, value] : config.properties) {
    if (key == "message.max.bytes") max = std::strtoull(value.c_str(), nullptr, 10);
  }
  return max;
}

void Assign(std::optional<std::string>& to, const std::optional<std::string_view>& from) {
  if (!from) {
    to.reset();
  } else if (to) {
    to->assign(from->data(), from->size());
  } else {
    to.emplace(*from);
  }
}

}  // namespace

Result<std::unique_ptr<ClusterRecordWriter>> ClusterRecordWriter::Open(
    const ClusterConfig& config, const ProduceOptions& options, const std::string& topic) {
  KQ_ASSIGN_OR_RETURN(std::unique_ptr<ClusterProducer> p,
                      ClusterProducer::Open(config, options, topic));
  return std::unique_ptr<ClusterRecordWriter>(
      new ClusterRecordWriter(std::move(p), MaxMessageBytes(config)));
}

Status ClusterRecordWriter::Add(const client::ProducerRecord& r) {
  ProduceRecord& k = scratch_;
  if (r.partition >= 0) {
    k.partition = r.partition;
  } else {
    k.partition.reset();
  }
  Assign(k.key, r.key);
  Assign(k.value, r.value);
  k.headers.clear();
  for (const format::HeaderView& h : r.headers) {
    k.headers.emplace_back(
        std::string(h.key),
        h.value ? std::optional<std::string>(std::string(*h.value)) : std::nullopt);
  }
  if (r.timestamp >= 0) {
    k.timestamp_ms = r.timestamp;
  } else {
    k.timestamp_ms.reset();
  }
  return producer_->Send(k);
}

client::WriteReport ClusterRecordWriter::Report() const {
  const ProduceReport& r = producer_->report();
  client::WriteReport out;
  out.topic = producer_->topic();
  out.created_topic = r.created_topic;
  out.records = r.records;
  out.bytes = r.bytes;
  for (const auto& [partition, range] : r.partitions) {
    out.partitions.push_back({.partition = partition,
                              .first_offset = range.first_offset,
                              .last_offset = range.last_offset,
                              .records = range.records,
                              .bytes = range.bytes});
  }
  return out;
}

}  // namespace kq::kafka
