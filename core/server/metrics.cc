#include "server/metrics.h"

#include <fmt/format.h>

namespace kq::server {
namespace {

// Label values escape backslash, quote and newline.
std::string Escape(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

std::string Labels(const std::vector<std::pair<std::string, std::string>>& labels) {
  if (labels.empty()) return "";
  std::string out = "{";
  for (size_t i = 0; i < labels.size(); ++i)
    out += fmt::format("{}{}=\"{}\"", i ? "," : "", labels[i].first, Escape(labels[i].second));
  return out + "}";
}

}  // namespace

void Metrics::CountRequest(std::string_view api, uint64_t bytes) {
  auto it = requests_.find(api);
  if (it == requests_.end()) it = requests_.emplace(std::string(api), 0).first;
  ++it->second;
  request_bytes_ += bytes;
}

void Metrics::CountResponse(std::string_view api, double seconds, uint64_t bytes) {
  auto it = latency_.find(api);
  if (it == latency_.end()) it = latency_.emplace(std::string(api), Histogram{}).first;
  Histogram& h = it->second;
  for (size_t i = 0; i < kBuckets.size(); ++i)
    if (seconds <= kBuckets[i]) ++h.buckets[i];
  ++h.count;
  h.sum += seconds;
  response_bytes_ += bytes;
}

void Metrics::CountError(std::string_view api, std::string_view error) {
  ++errors_[{std::string(api), std::string(error)}];
}

std::string Metrics::Render() const {
  std::string out;
  out += "# HELP kq_requests_total Requests handled, by API.\n# TYPE kq_requests_total counter\n";
  for (const auto& [api, n] : requests_)
    out += fmt::format("kq_requests_total{{api=\"{}\"}} {}\n", api, n);
  out +=
      "# HELP kq_request_errors_total Errors answered, by API and Kafka error name.\n"
      "# TYPE kq_request_errors_total counter\n";
  for (const auto& [key, n] : errors_)
    out += fmt::format("kq_request_errors_total{{api=\"{}\",error=\"{}\"}} {}\n", key.first,
                       key.second, n);
  out +=
      "# HELP kq_request_duration_seconds Time from a request's arrival to its answer.\n"
      "# TYPE kq_request_duration_seconds histogram\n";
  for (const auto& [api, h] : latency_) {
    for (size_t i = 0; i < kBuckets.size(); ++i)
      out += fmt::format("kq_request_duration_seconds_bucket{{api=\"{}\",le=\"{}\"}} {}\n", api,
                         kBuckets[i], h.buckets[i]);
    out += fmt::format("kq_request_duration_seconds_bucket{{api=\"{}\",le=\"+Inf\"}} {}\n", api,
                       h.count);
    out += fmt::format("kq_request_duration_seconds_sum{{api=\"{}\"}} {}\n", api, h.sum);
    out += fmt::format("kq_request_duration_seconds_count{{api=\"{}\"}} {}\n", api, h.count);
  }
  out += fmt::format(
      "# HELP kq_request_bytes_total Request bytes read.\n# TYPE kq_request_bytes_total counter\n"
      "kq_request_bytes_total {}\n"
      "# HELP kq_response_bytes_total Response bytes sent.\n"
      "# TYPE kq_response_bytes_total counter\nkq_response_bytes_total {}\n",
      request_bytes_, response_bytes_);
  if (collector_) {
    std::vector<Sample> samples;
    collector_(&samples);
    std::string last_name;
    for (const auto& s : samples) {
      if (s.name != last_name) {
        out += fmt::format("# TYPE {} gauge\n", s.name);
        last_name = s.name;
      }
      out += fmt::format("{}{} {}\n", s.name, Labels(s.labels), s.value);
    }
  }
  return out;
}

}  // namespace kq::server
