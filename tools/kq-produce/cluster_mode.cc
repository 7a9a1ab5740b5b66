#include "kq-produce/cluster_mode.h"

#include <cstdio>
#include <cstdlib>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace kq::tools::produce {
namespace {

// librdkafka's default message.max.bytes; -X message.max.bytes=N changes it.
constexpr size_t kDefaultMaxMessageBytes = 1000000;

size_t MaxMessageBytes(const kafka::ClusterConfig& config) {
  size_t max = kDefaultMaxMessageBytes;
  for (const auto& [key, value] : config.properties) {
    if (key == "message.max.bytes") max = std::strtoull(value.c_str(), nullptr, 10);
  }
  return max;
}

}  // namespace

Result<std::unique_ptr<ClusterRecordWriter>> ClusterRecordWriter::Open(
    const kafka::ClusterConfig& config, const std::string& topic, int32_t partitions,
    bool no_create, const std::string& compression, const std::string& partitioner,
    int64_t linger_ms) {
  kafka::ProduceOptions options;
  if (!partitioner.empty()) options.partitioner = partitioner;
  options.compression = compression;
  options.linger_ms = static_cast<int>(linger_ms);
  if (no_create) {
    options.create_partitions.reset();
  } else {
    options.create_partitions = partitions;
  }
  KQ_ASSIGN_OR_RETURN(std::unique_ptr<kafka::ClusterProducer> p,
                      kafka::ClusterProducer::Open(config, options, topic));
  return std::unique_ptr<ClusterRecordWriter>(
      new ClusterRecordWriter(std::move(p), MaxMessageBytes(config)));
}

Status ClusterRecordWriter::Add(const client::ProducerRecord& r) {
  kafka::ProduceRecord& k = scratch_;
  if (r.partition >= 0) {
    k.partition = r.partition;
  } else {
    k.partition.reset();
  }
  auto assign = [](std::optional<std::string>& to, const std::optional<std::string_view>& from) {
    if (!from) {
      to.reset();
    } else if (to) {
      to->assign(from->data(), from->size());
    } else {
      to.emplace(*from);
    }
  };
  assign(k.key, r.key);
  assign(k.value, r.value);
  k.headers.clear();
  for (const format::HeaderView& h : r.headers) {
    k.headers.emplace_back(std::string(h.key),
                           h.value ? std::optional<std::string>(std::string(*h.value))
                                   : std::nullopt);
  }
  if (r.timestamp >= 0) {
    k.timestamp_ms = r.timestamp;
  } else {
    k.timestamp_ms.reset();
  }
  return producer_->Send(k);
}

void ClusterRecordWriter::PrintReport() const {
  const kafka::ProduceReport& r = producer_->report();
  nlohmann::ordered_json report;
  report["topic"] = producer_->topic();
  report["created"] = r.created_topic;
  report["records"] = r.records;
  report["bytes"] = r.bytes;
  nlohmann::ordered_json parts = nlohmann::ordered_json::array();
  for (const auto& [partition, range] : r.partitions) {
    parts.push_back({{"partition", partition},
                     {"records", range.records},
                     {"bytes", range.bytes},
                     {"first_offset", range.first_offset},
                     {"last_offset", range.last_offset}});
  }
  report["partitions"] = std::move(parts);
  fmt::print("{}\n", report.dump());
  std::fflush(stdout);
}

}  // namespace kq::tools::produce
