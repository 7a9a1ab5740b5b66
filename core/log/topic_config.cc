#include "log/topic_config.h"

#include <charconv>
#include <limits>
#include <type_traits>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "log/topic_name.h"

namespace kq::log {
namespace {

constexpr int64_t kInt32Max = std::numeric_limits<int32_t>::max();
constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();

// Whole-string number parse: no spaces, no '+', no trailing text.
template <typename T>
bool ParseNumber(std::string_view s, T* out) {
  if (s.empty()) return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && end == s.data() + s.size();
}

// How one key is parsed and printed. `set` returns false for a bad value and
// leaves the config unchanged.
struct KeySpec {
  std::string_view name;
  std::string_view expected;  // the accepted form, for error messages
  bool (*set)(std::string_view, TopicConfig*);
  std::string (*get)(const TopicConfig&);
};

template <auto Member, int64_t Min, int64_t Max>
bool SetInteger(std::string_view text, TopicConfig* config) {
  using T = std::remove_reference_t<decltype(config->*Member)>;
  T v{};
  if (!ParseNumber(text, &v) || v < Min || v > Max) return false;
  config->*Member = v;
  return true;
}

template <auto Member>
std::string GetNumber(const TopicConfig& config) {
  return fmt::format("{}", config.*Member);
}

bool SetDirtyRatio(std::string_view text, TopicConfig* config) {
  double v = 0;
  if (!ParseNumber(text, &v) || !(v >= 0.0 && v <= 1.0)) return false;
  config->min_cleanable_dirty_ratio = v;
  return true;
}

// A comma-separated list of "delete" and "compact" (either order, no repeats
// needed, spaces around items tolerated), as Kafka accepts it.
bool SetCleanupPolicy(std::string_view text, TopicConfig* config) {
  bool del = false, compact = false;
  while (true) {
    size_t comma = text.find(',');
    std::string_view item = text.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (item == "delete") {
      del = true;
    } else if (item == "compact") {
      compact = true;
    } else {
      return false;
    }
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  config->cleanup_delete = del;
  config->cleanup_compact = compact;
  return true;
}

std::string GetCleanupPolicy(const TopicConfig& config) {
  if (config.cleanup_compact && config.cleanup_delete) return "compact,delete";
  return config.cleanup_compact ? "compact" : "delete";
}

bool SetFlush(std::string_view text, TopicConfig* config) {
  auto policy = FlushPolicy::Parse(text);
  if (!policy.ok()) return false;
  config->flush = *policy;
  return true;
}

std::string GetFlush(const TopicConfig& config) { return config.flush.ToString(); }

template <auto Member>
bool SetBool(std::string_view text, TopicConfig* config) {
  if (text != "true" && text != "false") return false;
  config->*Member = text == "true";
  return true;
}

template <auto Member>
std::string GetBool(const TopicConfig& config) {
  return config.*Member ? "true" : "false";
}

using C = TopicConfig;
// Sorted by name: Describe() and KeyNames() walk it in order.
constexpr KeySpec kSpecs[] = {
    {"cleanup.policy", "delete, compact or compact,delete", SetCleanupPolicy, GetCleanupPolicy},
    {"confluent.key.schema.validation", "true or false",
     SetBool<&C::confluent_key_schema_validation>, GetBool<&C::confluent_key_schema_validation>},
    {"confluent.value.schema.validation", "true or false",
     SetBool<&C::confluent_value_schema_validation>,
     GetBool<&C::confluent_value_schema_validation>},
    {"delete.retention.ms", "an integer >= 0 (milliseconds)",
     SetInteger<&C::delete_retention_ms, 0, kInt64Max>, GetNumber<&C::delete_retention_ms>},
    {"flush", "fsync, interval:MS (MS >= 1) or os", SetFlush, GetFlush},
    {"index.interval.bytes", "an integer from 0 to 2147483647",
     SetInteger<&C::index_interval_bytes, 0, kInt32Max>, GetNumber<&C::index_interval_bytes>},
    {"max.message.bytes", "an integer from 0 to 2147483647",
     SetInteger<&C::max_message_bytes, 0, kInt32Max>, GetNumber<&C::max_message_bytes>},
    {"min.cleanable.dirty.ratio", "a number from 0 to 1", SetDirtyRatio,
     GetNumber<&C::min_cleanable_dirty_ratio>},
    {"min.compaction.lag.ms", "an integer >= 0 (milliseconds)",
     SetInteger<&C::min_compaction_lag_ms, 0, kInt64Max>, GetNumber<&C::min_compaction_lag_ms>},
    // Used by kq-serve with followers (acks=all); unset, the server's.
    {"min.insync.replicas", "an integer from 1 to 2147483647",
     SetInteger<&C::min_insync_replicas, 1, kInt32Max>, GetNumber<&C::min_insync_replicas>},
    {"retention.bytes", "an integer >= -1 (-1: no size limit)",
     SetInteger<&C::retention_bytes, -1, kInt64Max>, GetNumber<&C::retention_bytes>},
    {"retention.ms", "an integer >= -1 (milliseconds; -1: keep forever)",
     SetInteger<&C::retention_ms, -1, kInt64Max>, GetNumber<&C::retention_ms>},
    // 14 bytes is Kafka's minimum: the smallest legacy record.
    {"segment.bytes", "an integer from 14 to 2147483647",
     SetInteger<&C::segment_bytes, 14, kInt32Max>, GetNumber<&C::segment_bytes>},
    {"segment.index.bytes", "an integer from 4 to 2147483647",
     SetInteger<&C::segment_index_bytes, 4, kInt32Max>, GetNumber<&C::segment_index_bytes>},
    {"segment.ms", "an integer >= 1 (milliseconds)", SetInteger<&C::segment_ms, 1, kInt64Max>,
     GetNumber<&C::segment_ms>},
};

const KeySpec* FindSpec(std::string_view key) {
  for (const KeySpec& spec : kSpecs) {
    if (spec.name == key) return &spec;
  }
  return nullptr;
}

Status UnknownKey(std::string_view key) {
  return Status::InvalidArgument(fmt::format("unknown topic config '{}'; valid names: {}",
                                             EscapeForMessage(key),
                                             fmt::join(TopicConfig::KeyNames(), ", ")));
}

}  // namespace

Result<FlushPolicy> FlushPolicy::Parse(std::string_view text) {
  FlushPolicy policy;
  if (text == "fsync") return policy;
  if (text == "os") {
    policy.kind = Kind::kOs;
    return policy;
  }
  constexpr std::string_view kInterval = "interval:";
  if (text.starts_with(kInterval)) {
    int64_t ms = 0;
    if (ParseNumber(text.substr(kInterval.size()), &ms) && ms >= 1) {
      policy.kind = Kind::kInterval;
      policy.interval_ms = ms;
      return policy;
    }
  }
  return Status::InvalidArgument(
      fmt::format("bad flush policy '{}': expected fsync, interval:MS (MS >= 1) or os",
                  EscapeForMessage(text)));
}

std::string FlushPolicy::ToString() const {
  switch (kind) {
    case Kind::kFsync:
      return "fsync";
    case Kind::kInterval:
      return fmt::format("interval:{}", interval_ms);
    case Kind::kOs:
      return "os";
  }
  return "fsync";
}

Status TopicConfig::Set(std::string_view key, std::string_view value) {
  const KeySpec* spec = FindSpec(key);
  if (spec == nullptr) return UnknownKey(key);
  TopicConfig updated = *this;
  if (!spec->set(value, &updated)) {
    return Status::InvalidArgument(fmt::format("bad value '{}' for topic config {}: expected {}",
                                               EscapeForMessage(value), spec->name,
                                               spec->expected));
  }
  updated.explicit_keys_.insert(std::string(spec->name));
  *this = std::move(updated);
  return Status::Ok();
}

Status TopicConfig::Reset(std::string_view key) {
  const KeySpec* spec = FindSpec(key);
  if (spec == nullptr) return UnknownKey(key);
  const TopicConfig defaults;
  bool ok = spec->set(spec->get(defaults), this);
  (void)ok;  // the default's own text always parses
  explicit_keys_.erase(std::string(spec->name));
  return Status::Ok();
}

Result<std::string> TopicConfig::Get(std::string_view key) const {
  const KeySpec* spec = FindSpec(key);
  if (spec == nullptr) return UnknownKey(key);
  return spec->get(*this);
}

std::vector<ConfigEntry> TopicConfig::Describe() const {
  std::vector<ConfigEntry> out;
  for (const KeySpec& spec : kSpecs) {
    out.push_back({std::string(spec.name), spec.get(*this),
                   !explicit_keys_.contains(std::string(spec.name))});
  }
  return out;
}

std::vector<std::string_view> TopicConfig::KeyNames() {
  std::vector<std::string_view> names;
  for (const KeySpec& spec : kSpecs) names.push_back(spec.name);
  return names;
}

nlohmann::json TopicConfig::ToJson() const {
  nlohmann::json out = nlohmann::json::object();
  for (const std::string& key : explicit_keys_) {
    out[key] = FindSpec(key)->get(*this);
  }
  return out;
}

Result<TopicConfig> TopicConfig::FromJson(const nlohmann::json& json) {
  if (!json.is_object()) {
    return Status::InvalidArgument("topic config must be a JSON object of \"name\": \"value\"");
  }
  TopicConfig config;
  for (const auto& [key, value] : json.items()) {
    std::string text;
    if (value.is_string()) {
      text = value.get<std::string>();
    } else if (value.is_number_unsigned()) {
      text = fmt::format("{}", value.get<uint64_t>());
    } else if (value.is_number_integer()) {
      text = fmt::format("{}", value.get<int64_t>());
    } else if (value.is_number()) {
      text = fmt::format("{}", value.get<double>());
    } else {
      return Status::InvalidArgument(
          fmt::format("topic config {}: value must be a string or a number, not {}",
                      EscapeForMessage(key), value.type_name()));
    }
    KQ_RETURN_IF_ERROR(config.Set(key, text));
  }
  return config;
}

}  // namespace kq::log
