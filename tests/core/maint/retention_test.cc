#include <doctest/doctest.h>

#include "io/mem_env.h"
#include "maint/retention.h"
#include "maint_test_util.h"
#include "support/log_helpers.h"

namespace kq {
namespace {

const std::string kDir = "/kq/t-0";
constexpr int64_t kHour = 3600 * 1000;

// Ten sealed segments, one per hour of timestamps, plus the active one.
std::unique_ptr<log::Partition> TenHours(io::MemEnv* env) {
  // Three batches of one size fill a segment exactly.
  const uint64_t batch_size = testing::MakeBatch("h00-", 10).size();
  auto p =
      log::Partition::Open(kDir, testing::MaintOptions(env, 3 * batch_size), log::OpenMode::kWrite);
  REQUIRE(p.ok());
  const int64_t start = env->NowMs() - 11 * kHour;
  for (int h = 0; h <= 10; ++h) {
    for (int i = 0; i < 3; ++i) {
      std::string b = testing::MakeBatch(fmt::format("h{:02}-", h), 10, start + h * kHour);
      REQUIRE((*p)->Append(b).ok());
    }
  }
  return std::move(*p);
}

TEST_CASE("retention: segments past retention.ms go, oldest first, and the log start moves") {
  io::MemEnv env;
  auto p = TenHours(&env);
  const auto segments = p->Segments();
  REQUIRE(segments.size() == 11);
  log::TopicConfig config;
  REQUIRE(config.Set("retention.ms", std::to_string(5 * kHour + kHour / 2)).ok());
  const maint::RetentionPlan plan = maint::PlanRetention(segments, config, env.NowMs());
  // Hours 0..5 end 11..6 hours ago: older than 5.5 h.
  CHECK(plan.by_time == 6);
  CHECK(plan.by_size == 0);
  REQUIRE(plan.doomed.size() == 6);
  CHECK(plan.new_log_start == segments[6].base_offset);
  REQUIRE(maint::ApplyRetention(*p, plan).ok());
  CHECK(p->log_start_offset() == segments[6].base_offset);
  CHECK(p->Segments().size() == 5);
  CHECK_FALSE(env.FileExists(segments[0].log_path));
  CHECK(env.FileExists(segments[6].log_path));
  // A reopened partition agrees.
  auto again = log::Partition::Open(kDir, testing::MaintOptions(&env, 4096), log::OpenMode::kRead);
  REQUIRE(again.ok());
  CHECK((*again)->log_start_offset() == segments[6].base_offset);
}

TEST_CASE("retention: retention.bytes removes the oldest segments while the excess allows") {
  io::MemEnv env;
  auto p = TenHours(&env);
  const auto segments = p->Segments();
  log::TopicConfig config;
  REQUIRE(config.Set("retention.ms", "-1").ok());
  const uint64_t total = p->size_bytes();
  const uint64_t seg = segments[0].size_bytes;
  // Room for everything but 3.5 segments: three must go.
  REQUIRE(config.Set("retention.bytes", std::to_string(total - seg * 7 / 2)).ok());
  const maint::RetentionPlan plan = maint::PlanRetention(segments, config, env.NowMs());
  CHECK(plan.by_size == 3);
  CHECK(plan.by_time == 0);
  REQUIRE(maint::ApplyRetention(*p, plan).ok());
  CHECK(p->log_start_offset() == segments[3].base_offset);
  auto records = testing::ReadAll(*p);
  REQUIRE(records.ok());
  CHECK(records->front().offset == segments[3].base_offset.value());
}

TEST_CASE(
    "retention: an expired active segment is rolled and removed, and deletion stops at the first "
    "young segment") {
  io::MemEnv env;
  auto p = TenHours(&env);
  const auto segments = p->Segments();
  const Offset log_end = p->log_end_offset();
  log::TopicConfig config;
  REQUIRE(config.Set("retention.ms", "0").ok());
  REQUIRE(config.Set("retention.bytes", "0").ok());
  maint::RetentionPlan plan = maint::PlanRetention(segments, config, env.NowMs());
  // Kafka's rule: the active segment goes too once all of it qualifies.
  CHECK(plan.doomed.size() == 11);
  CHECK(plan.new_log_start == log_end);
  REQUIRE(maint::ApplyRetention(*p, plan).ok());
  REQUIRE(p->Segments().size() == 1);
  CHECK(p->Segments().front().base_offset == log_end);  // a new, empty active segment
  CHECK(p->log_start_offset() == log_end);
  CHECK(p->log_end_offset() == log_end);
  CHECK_FALSE(env.FileExists(segments.back().log_path));
  // An empty active segment is never a candidate, and appends go on at the end.
  CHECK(maint::PlanRetention(p->Segments(), config, env.NowMs()).empty());
  std::string batch = testing::MakeBatch("after-", 2);
  auto appended = p->Append(batch);
  REQUIRE(appended.ok());
  CHECK(appended->first_offset == log_end);
  auto again = log::Partition::Open(kDir, testing::MaintOptions(&env, 4096), log::OpenMode::kRead);
  REQUIRE(again.ok());
  CHECK((*again)->log_start_offset() == log_end);
  CHECK((*again)->log_end_offset() == Offset(log_end.value() + 2));

  // A young segment in front stops deletion by time even if later ones are old.
  std::vector<log::SegmentInfo> odd = segments;
  odd[1].max_timestamp = env.NowMs();
  REQUIRE(config.Set("retention.bytes", "-1").ok());
  CHECK(maint::PlanRetention(odd, config, env.NowMs()).doomed.size() == 1);
}

}  // namespace
}  // namespace kq
