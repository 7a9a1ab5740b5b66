// Per-topic configuration, with Kafka's names and defaults, plus kq's
// `flush` policy.
//
//   key                         default      accepted values
//   cleanup.policy              delete       delete | compact | compact,delete
//   delete.retention.ms         86400000     >= 0
//   flush                       fsync        fsync | interval:MS (MS >= 1) | os
//   index.interval.bytes        4096         >= 0
//   max.message.bytes           1048588      0 .. 2147483647
//   min.cleanable.dirty.ratio   0.5          0 .. 1
//   min.compaction.lag.ms       0            >= 0
//   retention.bytes             -1           >= -1 (-1: no size limit)
//   retention.ms                604800000    >= -1 (-1: keep forever)
//   segment.bytes               1073741824   14 .. 2147483647
//   segment.index.bytes         10485760     4 .. 2147483647
//   segment.ms                  604800000    >= 1
//
// A TopicConfig remembers which keys were set explicitly: only those are
// stored (ToJson), so a topic follows a future change of a default, while
// Describe() shows every effective value.
// Thread safety: a value type; no internal synchronization.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "base/result.h"
#include "base/status.h"

namespace kq::log {

// When appended data is made durable.
struct FlushPolicy {
  enum class Kind {
    kFsync,     // fdatasync before acknowledging (grouped across batches)
    kInterval,  // fdatasync at most every interval_ms; acknowledge from page cache
    kOs,        // never sync explicitly; the OS writes back (Kafka's default)
  };
  Kind kind = Kind::kFsync;
  int64_t interval_ms = 0;  // only for kInterval; >= 1

  // "fsync", "interval:250", "os"; anything else is InvalidArgument.
  static Result<FlushPolicy> Parse(std::string_view text);
  std::string ToString() const;
  bool operator==(const FlushPolicy&) const = default;
};

// One line of Describe().
struct ConfigEntry {
  std::string name;
  std::string value;
  bool is_default = true;  // false when set explicitly on the topic
};

struct TopicConfig {
  bool cleanup_delete = true;
  bool cleanup_compact = false;
  int64_t retention_ms = 604800000;  // 7 days
  int64_t retention_bytes = -1;
  int32_t segment_bytes = 1073741824;  // 1 GiB
  int64_t segment_ms = 604800000;
  int32_t segment_index_bytes = 10485760;
  int32_t index_interval_bytes = 4096;
  int64_t delete_retention_ms = 86400000;  // 1 day
  int64_t min_compaction_lag_ms = 0;
  int32_t max_message_bytes = 1048588;
  double min_cleanable_dirty_ratio = 0.5;
  int32_t min_insync_replicas = 1;  // acks=all on kq-serve with followers
  FlushPolicy flush;
  // Confluent Server's validation on write (core/schema/serde.h): keys or
  // values must carry a schema id registered under <topic>-key / -value.
  bool confluent_key_schema_validation = false;
  bool confluent_value_schema_validation = false;

  // Sets `key` from its text form and marks it explicit. On error nothing
  // changes: InvalidArgument lists the valid names (unknown key) or names the
  // key, the value and the expected form (bad value).
  Status Set(std::string_view key, std::string_view value);
  // Returns `key` to its default and forgets that it was set.
  Status Reset(std::string_view key);
  // The effective value of `key` in its canonical text form.
  Result<std::string> Get(std::string_view key) const;

  // Every key with its effective value, sorted by name.
  std::vector<ConfigEntry> Describe() const;
  // Names of all known keys, sorted.
  static std::vector<std::string_view> KeyNames();

  // {"retention.ms": "86400000", ...} with the explicitly set keys only, values
  // as text (Kafka's config API is all strings).
  nlohmann::json ToJson() const;
  // The inverse of ToJson. Values may also be JSON numbers. Unknown keys or bad
  // values are InvalidArgument.
  static Result<TopicConfig> FromJson(const nlohmann::json& json);

  const std::set<std::string>& explicit_keys() const { return explicit_keys_; }
  bool operator==(const TopicConfig&) const = default;

 private:
  std::set<std::string> explicit_keys_;
};

}  // namespace kq::log
