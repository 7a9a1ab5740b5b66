#include <charconv>

#include <fmt/format.h>

#include "compact.h"
#include "log/segment_name.h"

namespace kq::tools::compact {

Result<size_t> ParseSize(std::string_view text) {
  uint64_t n = 0;
  const char* end = text.data() + text.size();
  auto [p, ec] = std::from_chars(text.data(), end, n);
  if (ec != std::errc() || p == text.data()) {
    return Status::InvalidArgument(fmt::format(
        "invalid size '{}' (expected a number with an optional K, M or G suffix)", text));
  }
  std::string_view suffix(p, static_cast<size_t>(end - p));
  int shift = 0;
  if (suffix == "K" || suffix == "k" || suffix == "KiB")
    shift = 10;
  else if (suffix == "M" || suffix == "m" || suffix == "MiB")
    shift = 20;
  else if (suffix == "G" || suffix == "g" || suffix == "GiB")
    shift = 30;
  else if (!suffix.empty() && suffix != "B") {
    return Status::InvalidArgument(fmt::format(
        "invalid size '{}' (expected a number with an optional K, M or G suffix)", text));
  }
  if (n == 0 || n > (uint64_t{1} << (62 - shift))) {
    return Status::InvalidArgument(fmt::format("invalid size '{}' (must be above zero)", text));
  }
  return static_cast<size_t>(n << shift);
}

namespace {

Status AddTopic(const log::LogDir& logdir, const std::string& topic, int32_t only,
                std::vector<Target>* out) {
  KQ_ASSIGN_OR_RETURN(log::TopicInfo info, logdir.DescribeTopic(topic));
  if (only >= info.partitions) {
    return Status::NotFound(fmt::format("topic '{}' has {} partition(s); there is no partition {}",
                                        topic, info.partitions, only));
  }
  for (int32_t p = 0; p < info.partitions; ++p) {
    if (only >= 0 && p != only) continue;
    out->push_back({topic, p, info.config, logdir.PartitionPath(topic, PartitionId(p))});
  }
  return Status::Ok();
}

}  // namespace

Result<std::vector<Target>> ResolveTargets(io::Env* env, const std::string& dir,
                                           const std::vector<std::string>& operands) {
  auto logdir = log::LogDir::Open(env, dir, /*create_if_missing=*/false);
  if (!logdir.ok()) return logdir.status();
  std::vector<Target> targets;
  if (operands.empty()) {
    KQ_ASSIGN_OR_RETURN(std::vector<std::string> topics, logdir->ListTopics());
    for (const std::string& t : topics) KQ_RETURN_IF_ERROR(AddTopic(*logdir, t, -1, &targets));
    return targets;
  }
  for (const std::string& op : operands) {
    std::string topic = op;
    int32_t partition = -1;
    // Topic names cannot hold ':', so the last one separates the partition.
    if (auto colon = op.rfind(':'); colon != std::string::npos) {
      topic = op.substr(0, colon);
      const std::string_view num = std::string_view(op).substr(colon + 1);
      auto [p, ec] = std::from_chars(num.data(), num.data() + num.size(), partition);
      if (ec != std::errc() || p != num.data() + num.size() || partition < 0 || num.empty()) {
        return Status::InvalidArgument(
            fmt::format("invalid operand '{}' (expected TOPIC or TOPIC:PARTITION)", op));
      }
    }
    KQ_RETURN_IF_ERROR(AddTopic(*logdir, topic, partition, &targets));
  }
  return targets;
}

std::string HumanBytes(uint64_t bytes) {
  if (bytes < 1024) return fmt::format("{} B", bytes);
  const char* units[] = {"KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(bytes) / 1024;
  int u = 0;
  while (v >= 1024 && u < 3) {
    v /= 1024;
    ++u;
  }
  return fmt::format("{:.1f} {}", v, units[u]);
}

void Warn(std::string_view message) { fmt::print(stderr, "kq-compact: {}\n", message); }

}  // namespace kq::tools::compact
