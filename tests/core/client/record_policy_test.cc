#include "client/record_policy.h"

#include <doctest/doctest.h>

#include <string>

#include "io/mem_env.h"
#include "log/log_dir.h"

// Records are spelled with designated initializers naming only what a test
// sets; the rest keep their defaults on purpose.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

using namespace kq;
using client::CheckRecordForTopic;
using client::ProducerRecord;

namespace {

log::TopicConfig Config(const char* cleanup_policy) {
  log::TopicConfig config;
  REQUIRE(config.Set("cleanup.policy", cleanup_policy).ok());
  return config;
}

}  // namespace

TEST_CASE("record policy: compacted topics refuse keyless records, others take them") {
  const std::string_view empty;
  for (const char* policy : {"compact", "compact,delete", "delete,compact"}) {
    CAPTURE(policy);
    const log::TopicConfig config = Config(policy);
    Status refused = CheckRecordForTopic("users", config, {.value = "v"});
    REQUIRE(refused.IsInvalidArgument());
    CHECK(refused.message().starts_with("a record without a key: topic 'users' is compacted"));
    // A tombstone without a key deletes nothing: refused too.
    CHECK(CheckRecordForTopic("users", config, {}).IsInvalidArgument());
    // An empty key is a key.
    CHECK(CheckRecordForTopic("users", config, {.key = empty, .value = "v"}).ok());
    CHECK(CheckRecordForTopic("users", config, {.key = "k"}).ok());
  }
  CHECK(CheckRecordForTopic("events", Config("delete"), {.value = "v"}).ok());
  CHECK(CheckRecordForTopic("events", Config("compact"), {.value = "v"})
            .message()
            .find("cleanup.policy=compact)") != std::string::npos);
  CHECK(CheckRecordForTopic("events", Config("compact,delete"), {.value = "v"})
            .message()
            .find("cleanup.policy=compact,delete)") != std::string::npos);
}

TEST_CASE("record policy: the producer refuses a keyless record before buffering it") {
  io::MemEnv env;
  auto dir = log::LogDir::Open(&env, "/kq", true);
  REQUIRE(dir.ok());
  auto producer =
      client::LogProducer::Open(*dir, "users", {.env = &env, .create_config = Config("compact")});
  REQUIRE(producer.ok());
  REQUIRE((*producer)->Add({.key = "a", .value = "1"}).ok());
  auto refused = (*producer)->Add({.value = "2"});
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().IsInvalidArgument());
  REQUIRE((*producer)->Add({.key = "a", .value = "3"}).ok());
  REQUIRE((*producer)->Close().ok());
  CHECK((*producer)->appended_records() == 2);
}
