#include "log/topic_config.h"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <string>

using namespace kq::log;

TEST_CASE("topic config: defaults are Kafka's") {
  TopicConfig c;
  CHECK(c.cleanup_delete);
  CHECK(!c.cleanup_compact);
  CHECK(c.retention_ms == 604800000);
  CHECK(c.retention_bytes == -1);
  CHECK(c.segment_bytes == 1073741824);
  CHECK(c.segment_ms == 604800000);
  CHECK(c.segment_index_bytes == 10485760);
  CHECK(c.index_interval_bytes == 4096);
  CHECK(c.delete_retention_ms == 86400000);
  CHECK(c.min_compaction_lag_ms == 0);
  CHECK(c.max_message_bytes == 1048588);
  CHECK(c.min_cleanable_dirty_ratio == 0.5);
  CHECK(c.flush.kind == FlushPolicy::Kind::kFsync);
  CHECK(c.explicit_keys().empty());
}

TEST_CASE("topic config: Describe lists every effective value in name order") {
  TopicConfig c;
  REQUIRE(c.Set("retention.ms", "-1").ok());
  auto entries = c.Describe();
  const char* expected[][2] = {
      {"cleanup.policy", "delete"},
      {"confluent.key.schema.validation", "false"},
      {"confluent.value.schema.validation", "false"},
      {"delete.retention.ms", "86400000"},
      {"flush", "fsync"},
      {"index.interval.bytes", "4096"},
      {"max.message.bytes", "1048588"},
      {"min.cleanable.dirty.ratio", "0.5"},
      {"min.compaction.lag.ms", "0"},
      {"min.insync.replicas", "1"},
      {"retention.bytes", "-1"},
      {"retention.ms", "-1"},
      {"segment.bytes", "1073741824"},
      {"segment.index.bytes", "10485760"},
      {"segment.ms", "604800000"},
  };
  REQUIRE(entries.size() == std::size(expected));
  for (size_t i = 0; i < entries.size(); ++i) {
    CHECK(entries[i].name == expected[i][0]);
    CHECK(entries[i].value == expected[i][1]);
    CHECK(entries[i].is_default == (entries[i].name != "retention.ms"));
  }
}

TEST_CASE("topic config: good values are parsed and canonicalized") {
  struct Case {
    const char* key;
    const char* value;
    const char* canonical;
  };
  const Case cases[] = {
      {"cleanup.policy", "compact", "compact"},
      {"cleanup.policy", "delete", "delete"},
      {"cleanup.policy", "compact,delete", "compact,delete"},
      {"cleanup.policy", "delete, compact", "compact,delete"},
      {"retention.ms", "-1", "-1"},
      {"retention.ms", "3600000", "3600000"},
      {"retention.bytes", "1073741824000", "1073741824000"},
      {"segment.bytes", "14", "14"},
      {"segment.bytes", "2147483647", "2147483647"},
      {"segment.ms", "1", "1"},
      {"segment.index.bytes", "4096", "4096"},
      {"index.interval.bytes", "0", "0"},
      {"delete.retention.ms", "0", "0"},
      {"min.compaction.lag.ms", "60000", "60000"},
      {"max.message.bytes", "10485760", "10485760"},
      {"min.cleanable.dirty.ratio", "0.1", "0.1"},
      {"min.cleanable.dirty.ratio", "1", "1"},
      {"flush", "os", "os"},
      {"flush", "interval:250", "interval:250"},
      {"flush", "fsync", "fsync"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.key);
    CAPTURE(c.value);
    TopicConfig config;
    REQUIRE(config.Set(c.key, c.value).ok());
    CHECK(*config.Get(c.key) == c.canonical);
    CHECK(config.explicit_keys().count(c.key) == 1);
  }
  TopicConfig config;
  REQUIRE(config.Set("flush", "interval:250").ok());
  CHECK(config.flush == FlushPolicy{FlushPolicy::Kind::kInterval, 250});
}

TEST_CASE("topic config: bad values name the key, the value and the expected form") {
  struct Case {
    const char* key;
    const char* value;
  };
  const Case cases[] = {
      {"cleanup.policy", "keep"},
      {"cleanup.policy", ""},
      {"cleanup.policy", "delete,"},
      {"retention.ms", "-2"},
      {"retention.ms", "1h"},
      {"retention.ms", ""},
      {"retention.ms", " 5"},
      {"retention.ms", "+5"},
      {"retention.ms", "99999999999999999999"},
      {"segment.bytes", "13"},
      {"segment.bytes", "2147483648"},
      {"segment.ms", "0"},
      {"segment.index.bytes", "3"},
      {"min.cleanable.dirty.ratio", "1.5"},
      {"min.cleanable.dirty.ratio", "nan"},
      {"min.cleanable.dirty.ratio", "-0.1"},
      {"flush", "always"},
      {"flush", "interval:"},
      {"flush", "interval:0"},
      {"flush", "interval:-5"},
      {"max.message.bytes", "-1"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.key);
    CAPTURE(c.value);
    TopicConfig config;
    kq::Status s = config.Set(c.key, c.value);
    CHECK(s.IsInvalidArgument());
    CHECK(s.message().find(c.key) != std::string::npos);
    CHECK(s.message().find(std::string("'") + c.value + "'") != std::string::npos);
    CHECK(s.message().find("expected") != std::string::npos);
    CHECK(config == TopicConfig());  // unchanged
  }
  TopicConfig config;
  CHECK(config.Set("segment.bytes", "13").message() ==
        "bad value '13' for topic config segment.bytes: expected an integer from 14 to 2147483647");
}

TEST_CASE("topic config: an unknown key lists the valid names") {
  TopicConfig config;
  kq::Status s = config.Set("retention.hours", "5");
  CHECK(s.IsInvalidArgument());
  CHECK(s.message().find("unknown topic config 'retention.hours'") == 0);
  for (std::string_view name : TopicConfig::KeyNames()) {
    CHECK(s.message().find(name) != std::string::npos);
  }
  CHECK(config.Reset("nope").IsInvalidArgument());
  CHECK(!config.Get("nope").ok());
}

TEST_CASE("topic config: Reset returns a key to its default") {
  TopicConfig config;
  REQUIRE(config.Set("cleanup.policy", "compact").ok());
  REQUIRE(config.Reset("cleanup.policy").ok());
  CHECK(config == TopicConfig());
}

TEST_CASE("topic config: JSON stores only explicit keys and round-trips") {
  TopicConfig config;
  CHECK(config.ToJson() == nlohmann::json::object());
  REQUIRE(config.Set("cleanup.policy", "compact,delete").ok());
  REQUIRE(config.Set("retention.ms", "86400000").ok());
  REQUIRE(config.Set("flush", "interval:1000").ok());
  REQUIRE(config.Set("min.cleanable.dirty.ratio", "0.25").ok());
  REQUIRE(config.Set("segment.bytes", "1073741824").ok());  // explicit even if equal to default
  nlohmann::json json = config.ToJson();
  CHECK(json == nlohmann::json{{"cleanup.policy", "compact,delete"},
                               {"retention.ms", "86400000"},
                               {"flush", "interval:1000"},
                               {"min.cleanable.dirty.ratio", "0.25"},
                               {"segment.bytes", "1073741824"}});
  auto back = TopicConfig::FromJson(nlohmann::json::parse(json.dump()));
  REQUIRE(back.ok());
  CHECK(*back == config);
}

TEST_CASE("topic config: FromJson accepts numbers and rejects bad input") {
  auto parsed = TopicConfig::FromJson(
      nlohmann::json{{"retention.ms", 1000}, {"min.cleanable.dirty.ratio", 0.75}});
  REQUIRE(parsed.ok());
  CHECK(parsed->retention_ms == 1000);
  CHECK(parsed->min_cleanable_dirty_ratio == 0.75);
  CHECK(TopicConfig::FromJson(nlohmann::json::array()).status().IsInvalidArgument());
  CHECK(TopicConfig::FromJson(nlohmann::json{{"retention.ms", true}}).status().IsInvalidArgument());
  CHECK(TopicConfig::FromJson(nlohmann::json{{"bogus", "1"}}).status().IsInvalidArgument());
  CHECK(TopicConfig::FromJson(nlohmann::json{{"segment.bytes", 1}}).status().IsInvalidArgument());
  CHECK(TopicConfig::FromJson(nlohmann::json{{"segment.bytes", 18446744073709551615ull}})
            .status()
            .IsInvalidArgument());
}

TEST_CASE("flush policy: parse and print") {
  CHECK(FlushPolicy::Parse("fsync")->kind == FlushPolicy::Kind::kFsync);
  CHECK(FlushPolicy::Parse("os")->kind == FlushPolicy::Kind::kOs);
  auto interval = FlushPolicy::Parse("interval:5000");
  REQUIRE(interval.ok());
  CHECK(interval->interval_ms == 5000);
  CHECK(interval->ToString() == "interval:5000");
  CHECK(FlushPolicy::Parse("FSYNC").status().message() ==
        "bad flush policy 'FSYNC': expected fsync, interval:MS (MS >= 1) or os");
}
