#include "replica/state_file.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "log/partition.h"
#include "replica/follower_log.h"

namespace kq::replica {

Result<FollowerStates> ReadFollowerStates(const log::LogDir& dir) {
  FollowerStates out;
  KQ_ASSIGN_OR_RETURN(std::vector<std::string> topics, dir.ListTopics());
  for (const std::string& name : topics) {
    auto info = dir.DescribeTopic(name);
    if (info.status().IsNotFound()) continue;
    KQ_RETURN_IF_ERROR(info.status());
    for (int32_t p = 0; p < info->partitions; ++p) {
      auto part = dir.OpenPartition(*info, PartitionId(p), log::OpenMode::kRead);
      if (part.status().IsNotFound()) continue;
      KQ_RETURN_IF_ERROR(part.status());
      KQ_ASSIGN_OR_RETURN(FollowerLogState state, FollowerState(**part));
      out[std::make_pair(name, p)] = std::move(state);
    }
  }
  return out;
}

std::string FormatFollowerStates(const FollowerStates& states) {
  nlohmann::json parts = nlohmann::json::array();
  for (const auto& [key, s] : states) {
    nlohmann::json epochs = nlohmann::json::array();
    for (const log::EpochEntry& e : s.epochs) {
      epochs.push_back({e.epoch.value(), e.start_offset.value()});
    }
    parts.push_back({{"topic", key.first},
                     {"partition", key.second},
                     {"log_start", s.log_start.value()},
                     {"log_end", s.log_end.value()},
                     {"epochs", epochs}});
  }
  nlohmann::json j = {{"kq_replicate_state", 1}, {"partitions", parts}};
  return j.dump() + "\n";
}

Result<FollowerStates> ParseFollowerStates(std::string_view text, std::string_view source) {
  FollowerStates out;
  try {
    const nlohmann::json j = nlohmann::json::parse(text);
    if (!j.is_object() || j.value("kq_replicate_state", 0) != 1) {
      return Status::InvalidArgument(
          fmt::format("{}: not a kq-replicate state (receive --print-state writes one)", source));
    }
    size_t i = 0;
    for (const nlohmann::json& p : j.at("partitions")) {
      FollowerLogState s;
      s.log_start = Offset(p.at("log_start").get<int64_t>());
      s.log_end = Offset(p.at("log_end").get<int64_t>());
      for (const nlohmann::json& e : p.at("epochs")) {
        s.epochs.push_back({Epoch(e.at(0).get<int32_t>()), Offset(e.at(1).get<int64_t>())});
      }
      const int32_t partition = p.at("partition").get<int32_t>();
      if (partition < 0 || s.log_start < Offset(0) || s.log_end < s.log_start) {
        return Status::InvalidArgument(fmt::format(
            "{}: partitions[{}]: negative partition or offsets out of order", source, i));
      }
      out[{p.at("topic").get<std::string>(), partition}] = std::move(s);
      ++i;
    }
  } catch (const nlohmann::json::exception& e) {
    return Status::InvalidArgument(fmt::format("{}: {}", source, e.what()));
  }
  return out;
}

}  // namespace kq::replica
