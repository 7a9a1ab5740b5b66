// LogGroupAdmin: kq-groups' work over a log directory — describe's lag and
// owners, reset's plan (clamped, shifted, skipped), commits refused while a
// member lives, and deletes that remove all groups or none.
#include "client/log_group_admin.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "groups/group_membership.h"
#include "groups/offsets_store.h"
#include "io/env.h"
#include "log/log_dir.h"
#include "log/partition.h"
#include "support/log_helpers.h"

using namespace kq;
using namespace kq::client;
using groups::TopicPartition;
using Kind = ResetTarget::Kind;

namespace {

struct Fixture {
  testing::TempDir tmp;
  io::Env* env = io::Env::Default();
  std::string path = tmp.path() + "/data";
  LogGroupAdmin admin{env, path};

  Fixture() {
    auto dir = log::LogDir::Open(env, path, true);
    REQUIRE(dir.ok());
    REQUIRE(dir->CreateTopic("t", 2, {}).ok());
    REQUIRE(dir->CreateTopic("u", 1, {}).ok());
  }
  // Appends one batch of `count` records with timestamp `ts`.
  void Append(const std::string& topic, int32_t p, int count, int64_t ts = 1000) {
    auto dir = log::LogDir::Open(env, path, false);
    REQUIRE(dir.ok());
    auto part = dir->OpenPartition(topic, PartitionId(p), log::OpenMode::kWrite);
    REQUIRE(part.ok());
    std::string batch = testing::MakeBatch("v", count, ts);
    REQUIRE((*part)->Append(batch).ok());
  }
  void Commit(const std::string& group, std::vector<PlannedOffset> offsets) {
    Status s = admin.CommitOffsets(group, offsets);
    REQUIRE_MESSAGE(s.ok(), s.ToString());
  }
  Result<ResetPlan> Plan(const std::string& group, ResetTarget target,
                         std::vector<ResetScope> scopes = {}) {
    return admin.PlanReset(group, scopes, target);
  }
};

PlannedOffset At(const std::string& topic, int32_t p, int64_t offset) {
  return {{topic, p}, std::nullopt, offset};
}

}  // namespace

TEST_CASE("log group admin: an unknown group is NotFound; naming partitions gives it offsets") {
  Fixture f;
  f.Append("t", 0, 5);
  auto d = f.admin.DescribeGroup("g");
  CHECK(d.status().IsNotFound());
  CHECK(d.status().message().find("group 'g' does not exist in " + f.path) != std::string::npos);
  auto unnamed = f.Plan("g", {Kind::kLatest, 0});
  CHECK(unnamed.status().IsNotFound());
  CHECK(unnamed.status().message().find("--topic") != std::string::npos);

  auto plan = f.Plan("g", {Kind::kLatest, 0}, {{"t", {}}});
  REQUIRE(plan.ok());
  REQUIRE(plan->offsets.size() == 2);
  CHECK(plan->offsets[0].tp == TopicPartition{"t", 0});
  CHECK_FALSE(plan->offsets[0].current.has_value());
  CHECK(plan->offsets[0].next == 5);
  CHECK(plan->offsets[1].next == 0);
  f.Commit("g", plan->offsets);

  auto listed = f.admin.ListGroups();
  REQUIRE(listed.ok());
  REQUIRE(listed->size() == 1);
  CHECK((*listed)[0].group == "g");
  CHECK((*listed)[0].members == 0u);
  CHECK((*listed)[0].committed_partitions == 2u);
}

TEST_CASE("log group admin: describe shows committed offsets, log ends and lag") {
  Fixture f;
  f.Append("t", 0, 5);
  f.Append("t", 1, 3);
  f.Commit("g", {At("t", 0, 2), At("t", 1, 3)});
  auto d = f.admin.DescribeGroup("g");
  REQUIRE(d.ok());
  CHECK(d->members_known);
  CHECK(d->members.empty());
  CHECK_FALSE(d->state.has_value());
  REQUIRE(d->partitions.size() == 2);
  const GroupPartitionInfo& p0 = d->partitions[0];
  CHECK(p0.tp == TopicPartition{"t", 0});
  REQUIRE(p0.committed.has_value());
  CHECK(p0.committed->offset == 2);
  CHECK(p0.committed_detail);
  CHECK(p0.log_end == 5);
  CHECK(p0.lag == 3);
  CHECK_FALSE(p0.member.has_value());
  CHECK(d->partitions[1].lag == 0);
}

TEST_CASE("log group admin: reset keeps offsets within the log and shifts only commits") {
  Fixture f;
  f.Append("t", 0, 10);
  f.Append("t", 1, 4);
  f.Commit("g", {At("t", 0, 6)});

  auto to_offset = f.Plan("g", {Kind::kOffset, 99}, {{"t", {}}});
  REQUIRE(to_offset.ok());
  REQUIRE(to_offset->offsets.size() == 2);
  CHECK(to_offset->offsets[0].current == 6);
  CHECK(to_offset->offsets[0].next == 10);  // clamped to the log end
  CHECK(to_offset->offsets[1].next == 4);

  auto back = f.Plan("g", {Kind::kShiftBy, -100});
  REQUIRE(back.ok());
  REQUIRE(back->offsets.size() == 1);  // only what is committed
  CHECK(back->offsets[0].next == 0);   // clamped to the log start
  auto forward = f.Plan("g", {Kind::kShiftBy, INT64_MAX});
  REQUIRE(forward.ok());
  CHECK(forward->offsets[0].next == 10);  // saturated, then clamped

  auto uncommitted = f.Plan("g", {Kind::kShiftBy, 1}, {{"t", {1}}});
  CHECK(uncommitted.status().IsNotFound());
  CHECK(uncommitted.status().message().find("t-1 has no committed offset") != std::string::npos);

  CHECK(f.Plan("g", {Kind::kEarliest, 0}, {{"t", {2}}}).status().IsNotFound());
  CHECK(f.Plan("g", {Kind::kEarliest, 0}, {{"nope", {}}}).status().IsNotFound());
}

TEST_CASE("log group admin: reset to a time finds the first record at or after it") {
  Fixture f;
  f.Append("u", 0, 3, 1000);
  f.Append("u", 0, 3, 5000);
  auto plan = f.Plan("g", {Kind::kDatetime, 2000}, {{"u", {}}});
  REQUIRE(plan.ok());
  REQUIRE(plan->offsets.size() == 1);
  CHECK(plan->offsets[0].next == 3);
  auto late = f.Plan("g", {Kind::kDatetime, 9000}, {{"u", {}}});
  REQUIRE(late.ok());
  CHECK(late->offsets[0].next == 6);
}

TEST_CASE("log group admin: a committed partition whose topic is gone is skipped with a note") {
  Fixture f;
  f.Append("t", 0, 4);
  f.Commit("g", {At("t", 0, 1), At("u", 0, 0)});
  auto dir = log::LogDir::Open(f.env, f.path, false);
  REQUIRE(dir.ok());
  REQUIRE(dir->DeleteTopic("u").ok());
  auto plan = f.Plan("g", {Kind::kEarliest, 0});
  REQUIRE(plan.ok());
  REQUIRE(plan->offsets.size() == 1);
  CHECK(plan->offsets[0].tp == TopicPartition{"t", 0});
  REQUIRE(plan->notes.size() == 1);
  CHECK(plan->notes[0] == "Skipping u-0: the partition no longer exists.");
}

TEST_CASE("log group admin: a live member blocks commits and deletes, and is described") {
  Fixture f;
  f.Append("t", 0, 4);
  f.Commit("g", {At("t", 0, 1)});
  auto member = groups::GroupMember::Join(f.env, f.path, "g", {"t"});
  REQUIRE_MESSAGE(member.ok(), member.status().ToString());

  auto d = f.admin.DescribeGroup("g");
  REQUIRE(d.ok());
  REQUIRE(d->members.size() == 1);
  CHECK(d->members[0].topics == std::vector<std::string>{"t"});
  CHECK(d->partitions.size() == 2);  // both partitions of the subscribed topic

  Status commit = f.admin.CommitOffsets("g", {At("t", 0, 3)});
  CHECK(commit.IsBusy());
  CHECK(commit.message().find("group 'g' is active") != std::string::npos);
  Status del = f.admin.DeleteGroups({"g"});
  CHECK(del.IsBusy());
  CHECK(del.message().find("is not empty") != std::string::npos);

  member->reset();  // leaves the group
  auto after = f.admin.DescribeGroup("g");
  REQUIRE(after.ok());
  CHECK(after->partitions[0].committed->offset == 1);  // the refused commit changed nothing
}

TEST_CASE("log group admin: delete removes every group, or none when one cannot go") {
  Fixture f;
  f.Append("t", 0, 4);
  f.Commit("a", {At("t", 0, 1)});
  f.Commit("b", {At("t", 0, 2)});
  CHECK(f.admin.DeleteGroups({"a", "nobody"}).IsNotFound());
  CHECK(f.admin.DescribeGroup("a").ok());  // kept: the request was refused as a whole

  REQUIRE(f.admin.DeleteGroups({"a", "b"}).ok());
  CHECK(f.admin.DescribeGroup("a").status().IsNotFound());
  CHECK(f.admin.DescribeGroup("b").status().IsNotFound());
  auto listed = f.admin.ListGroups();
  REQUIRE(listed.ok());
  CHECK(listed->empty());
}
