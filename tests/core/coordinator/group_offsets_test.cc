// OffsetCommit, OffsetFetch, OffsetDelete, DeleteGroups and offset
// retention, through the __consumer_offsets store.
#include <doctest/doctest.h>

#include "core/coordinator/coordinator_harness.h"
#include "groups/group_membership.h"
#include "groups/offsets_store.h"

using namespace kq;
using namespace kq::coordinator;
using namespace kq::coordinator::testing;

namespace {

// What a separate reader of the directory (kq-groups) sees for t-0.
int64_t StoredOffset(Harness& h, const std::string& group) {
  auto store = groups::OffsetsStore::Open(h.env.get(), h.dir);
  REQUIRE(store.ok());
  auto offsets = (*store)->Fetch(group);
  REQUIRE(offsets.ok());
  auto it = offsets->find({"t", 0});
  return it == offsets->end() ? -1 : it->second.offset;
}

}  // namespace

TEST_CASE("offsets: commits from a stale generation or an unknown member are refused") {
  Harness h;
  StableGroup s = MakeStable(h);
  CHECK(h.Commit(s.follower, s.generation, 10) == kNone);
  CHECK(h.Commit(s.follower, s.generation - 1, 99) == kIllegalGeneration);
  CHECK(h.Commit("intruder", s.generation, 99) == kUnknownMemberId);
  // A simple commit is only for groups without members.
  CHECK(h.Commit("", -1, 99) == kUnknownMemberId);
  CHECK(h.Committed() == 10);
  // After a rebalance the old generation's commits are refused too.
  auto c = h.Join("");
  auto l = h.Join(s.leader);
  auto f = h.Join(s.follower);
  REQUIRE(f.ready());
  CHECK(h.Commit(s.follower, s.generation, 99) == kIllegalGeneration);
  CHECK(h.Committed() == 10);
  CHECK(StoredOffset(h, "g") == 10);
  // A group this coordinator does not know accepts only simple commits.
  CHECK(h.Commit("m", 3, 5, "other") == kIllegalGeneration);
  CHECK(h.Commit("", -1, 5, "other") == kNone);
  CHECK(h.Committed("other") == 5);
}

TEST_CASE("offsets: commits survive a coordinator restart and are what kq-groups reads") {
  Harness h;
  StableGroup s = MakeStable(h);
  OffsetCommitRequest req{"g",
                          s.generation,
                          s.leader,
                          std::nullopt,
                          {{{"t", 0}, 42, 3, "m0"}, {{"u", 1}, 7, -1, std::nullopt}}};
  OffsetCommitResult r = h.coord->CommitOffsets(req);
  CHECK(r.partitions == std::vector<std::pair<groups::TopicPartition, int16_t>>{{{"t", 0}, kNone},
                                                                                {{"u", 1}, kNone}});
  h.Restart();
  OffsetFetchResult all = h.coord->FetchOffsets({"g", std::nullopt});
  REQUIRE(all.partitions.size() == 2);
  CHECK(all.partitions[0].tp == groups::TopicPartition{"t", 0});
  CHECK(all.partitions[0].offset == 42);
  CHECK(all.partitions[0].leader_epoch == 3);
  CHECK(all.partitions[0].metadata == "m0");
  CHECK(all.partitions[1].offset == 7);
  CHECK(all.partitions[1].metadata == "");
  // Unknown partitions: -1, no error.
  OffsetFetchResult some = h.coord->FetchOffsets({"g", {{{"t", 3}}}});
  CHECK(some.partitions[0].offset == -1);
  CHECK(some.partitions[0].error_code == kNone);
  CHECK(StoredOffset(h, "g") == 42);
  // Memberships did not survive: the old members must join again.
  CHECK(h.Heartbeat(s.leader, s.generation) == kUnknownMemberId);
  CHECK(h.State() == "Empty");
}

TEST_CASE("offsets: bad partitions of a commit are refused one by one; negative offsets are kept") {
  Harness h;
  OffsetCommitRequest req{"g",
                          -1,
                          "",
                          std::nullopt,
                          {{{"t", 0}, 1, -1, std::string(4097, 'x')},
                           {{"t", 1}, -5, -1, std::nullopt},
                           {{"bad/topic", 0}, 1, -1, std::nullopt},
                           {{"t", 2}, 8, -1, std::nullopt}}};
  OffsetCommitResult r = h.coord->CommitOffsets(req);
  REQUIRE(r.partitions.size() == 4);
  CHECK(r.partitions[0].second == kOffsetMetadataTooLarge);
  // Kafka stores any offset: clients commit -1/-2 to mean "none" (kafkajs'
  // resetOffsets and its reset after OFFSET_OUT_OF_RANGE).
  CHECK(r.partitions[1].second == kNone);
  CHECK(r.partitions[2].second == kUnknownTopicOrPartition);
  CHECK(r.partitions[3].second == kNone);
  OffsetFetchResult all = h.coord->FetchOffsets({"g", std::nullopt});
  REQUIRE(all.partitions.size() == 2);
  CHECK(all.partitions[0].offset == -5);
  CHECK(all.partitions[1].offset == 8);
}

TEST_CASE("offsets: a group with members cannot be deleted; an empty one can") {
  Harness h;
  StableGroup s = MakeStable(h);
  CHECK(h.Commit(s.leader, s.generation, 3) == kNone);
  auto r = h.coord->DeleteGroups({"g", "never", "a/b"});
  CHECK(r == std::vector<std::pair<std::string, int16_t>>{
                 {"g", kNonEmptyGroup}, {"never", kGroupIdNotFound}, {"a/b", kInvalidGroupId}});
  CHECK(StoredOffset(h, "g") == 3);
  h.coord->Leave({"g", {{s.leader, std::nullopt}, {s.follower, std::nullopt}}});
  CHECK(h.State() == "Empty");
  r = h.coord->DeleteGroups({"g"});
  CHECK(r[0].second == kNone);
  CHECK(StoredOffset(h, "g") == -1);
  CHECK(h.State() == "Dead");
  CHECK(h.coord->DeleteGroups({"g"})[0].second == kGroupIdNotFound);
}

TEST_CASE("offsets: OffsetDelete keeps the offsets of topics the members consume") {
  Harness h;
  StableGroup s = MakeStable(h);  // subscribed to t only
  OffsetCommitRequest req{"g",
                          s.generation,
                          s.leader,
                          std::nullopt,
                          {{{"t", 0}, 1, -1, std::nullopt}, {{"u", 0}, 2, -1, std::nullopt}}};
  h.coord->CommitOffsets(req);
  OffsetDeleteResult r = h.coord->DeleteOffsets({"g", {{"t", 0}, {"u", 0}}});
  CHECK(r.error_code == kNone);
  CHECK(r.partitions == std::vector<std::pair<groups::TopicPartition, int16_t>>{
                            {{"t", 0}, kGroupSubscribedToTopic}, {{"u", 0}, kNone}});
  OffsetFetchResult all = h.coord->FetchOffsets({"g", std::nullopt});
  REQUIRE(all.partitions.size() == 1);
  CHECK(all.partitions[0].tp.topic == "t");
  CHECK(h.coord->DeleteOffsets({"never", {{"t", 0}}}).error_code == kGroupIdNotFound);
  // Once empty, everything may go.
  h.coord->Leave({"g", {{s.leader, std::nullopt}, {s.follower, std::nullopt}}});
  r = h.coord->DeleteOffsets({"g", {{"t", 0}}});
  CHECK(r.partitions[0].second == kNone);
  CHECK(h.Committed() == -1);
}

TEST_CASE("offsets: an empty group's offsets expire after offsets.retention.minutes") {
  Harness h;
  h.options.offsets_retention_ms = 60000;
  h.options.offsets_retention_check_interval_ms = 1000;
  h.Restart();
  CHECK(h.Commit("", -1, 1, "simple") == kNone);
  StableGroup s = MakeStable(h);
  CHECK(h.Commit(s.leader, s.generation, 2) == kNone);
  // A live kq-consume -G group keeps its offsets however old they are.
  auto member = groups::GroupMember::Join(h.env.get(), h.dir, "serverless", {"t"});
  REQUIRE(member.ok());
  CHECK(h.Commit("", -1, 3, "serverless") == kNone);
  for (int i = 0; i < 7; ++i) {
    h.Advance(9000);
    REQUIRE(h.Heartbeat(s.leader, s.generation) == kNone);
    REQUIRE(h.Heartbeat(s.follower, s.generation) == kNone);
  }
  // 63 s: the simple group's offset expired, the active group's did not.
  CHECK(h.Committed("simple") == -1);
  CHECK(StoredOffset(h, "simple") == -1);
  CHECK(h.Committed("g") == 2);
  CHECK(h.Committed("serverless") == 3);
  h.coord->Leave({"g", {{s.leader, std::nullopt}, {s.follower, std::nullopt}}});
  h.Advance(59000);
  CHECK(h.Committed("g") == 2);  // empty for 59 s only
  h.Advance(1000);
  CHECK(h.Committed("g") == -1);
  CHECK(h.State("g") == "Dead");  // forgotten with its offsets
  CHECK(h.Committed("serverless") == 3);
  REQUIRE((*member)->Leave().ok());
  h.Advance(1000);
  CHECK(h.Committed("serverless") == -1);
}
