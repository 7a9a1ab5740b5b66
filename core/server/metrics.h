// Metrics: kq-serve's counters and latency histograms, rendered in
// Prometheus' text exposition format (version 0.0.4) by MetricsHttp.
//
//   kq_requests_total{api="Produce"}                    requests handled
//   kq_request_errors_total{api="Fetch",error="OFFSET_OUT_OF_RANGE"}
//   kq_request_duration_seconds_bucket{api=...,le=...}  time to the answer
//   kq_request_bytes_total / kq_response_bytes_total
//   kq_connections                                      open client connections
//   kq_partition_log_end_offset{topic,partition} and _log_start_offset
//   kq_group_lag{group,topic,partition}                 end minus committed
//
// The partition and group figures are read when the page is rendered (a
// callback fills them), so they cost nothing between scrapes.
// Thread safety: the loop thread only.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace kq::server {

class Metrics {
 public:
  static constexpr std::array<double, 12> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                      0.05,   0.1,   0.25,   0.5,   1,    5};

  void CountRequest(std::string_view api, uint64_t bytes);
  void CountResponse(std::string_view api, double seconds, uint64_t bytes);
  void CountError(std::string_view api, std::string_view error);

  // A gauge line, as the renderer's callback adds them.
  struct Sample {
    std::string name;  // e.g. kq_partition_log_end_offset
    std::vector<std::pair<std::string, std::string>> labels;
    double value;
  };
  using Collector = std::function<void(std::vector<Sample>*)>;
  void SetCollector(Collector collector) { collector_ = std::move(collector); }

  std::string Render() const;

 private:
  struct Histogram {
    std::array<uint64_t, kBuckets.size()> buckets{};
    uint64_t count = 0;
    double sum = 0;
  };
  std::map<std::string, uint64_t, std::less<>> requests_;
  std::map<std::pair<std::string, std::string>, uint64_t> errors_;
  std::map<std::string, Histogram, std::less<>> latency_;
  uint64_t request_bytes_ = 0;
  uint64_t response_bytes_ = 0;
  Collector collector_;
};

}  // namespace kq::server
