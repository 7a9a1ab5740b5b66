// JoinGroup, SyncGroup, Heartbeat and LeaveGroup: generations, leaders,
// rebalances, session and rebalance timeouts, static membership.
#include <doctest/doctest.h>

#include "coordinator/group_coordinator.h"
#include "coordinator/group_errors.h"
#include "core/coordinator/coordinator_harness.h"

using namespace kq;
using namespace kq::coordinator;
using namespace kq::coordinator::testing;

TEST_CASE(
    "coordinator: two members joining together get one generation, one leader, and the "
    "leader's assignment") {
  Harness h(/*initial_delay_ms=*/3000);
  auto a = h.Join("");
  h.Advance(1000);
  auto b = h.Join("");
  CHECK(!a.ready());
  CHECK(!b.ready());
  CHECK(h.coord->NextDeadline() == h.now + 2000);
  h.Advance(1999);
  CHECK(!a.ready());
  // b's arrival extends the delay by another 3 s (Kafka's InitialDelayedJoin).
  h.Advance(1);
  CHECK(!a.ready());
  h.Advance(3000);
  REQUIRE(a.ready());
  REQUIRE(b.ready());
  CHECK(a->error_code == kNone);
  CHECK(b->error_code == kNone);
  CHECK(a->generation_id == 1);
  CHECK(b->generation_id == 1);
  CHECK(a->leader == b->leader);
  CHECK(a->protocol_name == "range");
  CHECK(a->member_id != b->member_id);
  CHECK(a->member_id.starts_with("client-"));
  const auto& leader = a->leader == a->member_id ? *a : *b;
  const auto& follower = a->leader == a->member_id ? *b : *a;
  CHECK(leader.members.size() == 2);
  CHECK(follower.members.empty());
  CHECK(leader.members[0].metadata == Subscription({"t"}));
  CHECK(h.State() == "CompletingRebalance");

  auto fs = h.Sync(follower.member_id, 1);
  CHECK(!fs.ready());  // waits for the leader
  auto ls = h.Sync(leader.member_id, 1, {{leader.member_id, "L"}, {follower.member_id, "F"}});
  REQUIRE(fs.ready());
  REQUIRE(ls.ready());
  CHECK(fs->error_code == kNone);
  CHECK(fs->assignment == "F");
  CHECK(ls->assignment == "L");
  CHECK(fs->protocol_name == "range");
  CHECK(h.State() == "Stable");
  CHECK(h.Heartbeat(follower.member_id, 1) == kNone);
  auto described = h.coord->DescribeGroups({"g"}).at(0);
  CHECK(described.protocol_type == "consumer");
  CHECK(described.protocol_data == "range");
  REQUIRE(described.members.size() == 2);
  CHECK((described.members[0].assignment + described.members[1].assignment).size() == 2);
  // A member that syncs again in a stable group gets its assignment again.
  auto again = h.Sync(follower.member_id, 1);
  REQUIRE(again.ready());
  CHECK(again->assignment == "F");
}

TEST_CASE("coordinator: a third member starts a rebalance that the others learn from heartbeats") {
  Harness h;
  StableGroup s = MakeStable(h);
  auto c = h.Join("");
  CHECK(!c.ready());
  CHECK(h.State() == "PreparingRebalance");
  CHECK(h.Heartbeat(s.leader, s.generation) == kRebalanceInProgress);
  CHECK(h.Heartbeat(s.follower, s.generation) == kRebalanceInProgress);
  // Commits of the old generation still count while it rejoins.
  CHECK(h.Commit(s.follower, s.generation, 5) == kNone);
  auto l = h.Join(s.leader);
  CHECK(!l.ready());
  auto f = h.Join(s.follower);
  REQUIRE(l.ready());
  REQUIRE(f.ready());
  REQUIRE(c.ready());
  CHECK(c->generation_id == s.generation + 1);
  CHECK(l->members.size() == 3);
  CHECK(h.State() == "CompletingRebalance");
  // Old generation now refused.
  CHECK(h.Heartbeat(s.follower, s.generation) == kIllegalGeneration);
  CHECK(h.Heartbeat(s.follower, s.generation + 1) == kNone);
}

TEST_CASE("coordinator: a silent member's session expires and the others rebalance without it") {
  Harness h;
  StableGroup s = MakeStable(h);
  for (int i = 0; i < 3; ++i) {
    h.Advance(3000);
    CHECK(h.Heartbeat(s.leader, s.generation) == kNone);
  }
  CHECK(h.State() == "Stable");
  h.Advance(1000);  // 10 s without a heartbeat from the follower
  CHECK(h.State() == "PreparingRebalance");
  CHECK(h.Heartbeat(s.follower, s.generation) == kUnknownMemberId);
  CHECK(h.Heartbeat(s.leader, s.generation) == kRebalanceInProgress);
  auto l = h.Join(s.leader);
  REQUIRE(l.ready());
  CHECK(l->members.size() == 1);
  CHECK(l->generation_id == s.generation + 1);
  CHECK(h.Members() == 1);
}

TEST_CASE("coordinator: members that do not rejoin within the rebalance timeout are dropped") {
  Harness h;
  StableGroup s = MakeStable(h);
  auto c = h.Join("");
  auto l = h.Join(s.leader);
  // The follower keeps heartbeating but never rejoins.
  for (int i = 0; i < 9; ++i) {
    h.Advance(3000);
    REQUIRE(h.Heartbeat(s.follower, s.generation) == kRebalanceInProgress);
  }
  CHECK(!c.ready());
  h.Advance(3000);  // 30 s: the rebalance timeout
  REQUIRE(c.ready());
  REQUIRE(l.ready());
  CHECK(l->members.size() == 2);
  CHECK(h.Members() == 2);
  CHECK(h.Heartbeat(s.follower, s.generation) == kUnknownMemberId);
}

TEST_CASE("coordinator: a member leaving makes the others rebalance; unknown ids are reported") {
  Harness h;
  StableGroup s = MakeStable(h);
  LeaveResult r = h.coord->Leave({"g", {{s.follower, std::nullopt}, {"nobody", std::nullopt}}});
  CHECK(r.error_code == kNone);
  CHECK(r.member_errors == std::vector<int16_t>{kNone, kUnknownMemberId});
  CHECK(h.Heartbeat(s.leader, s.generation) == kRebalanceInProgress);
  auto l = h.Join(s.leader);
  REQUIRE(l.ready());
  CHECK(l->members.size() == 1);
  // The last member leaving empties the group.
  CHECK(h.coord->Leave({"g", {{s.leader, std::nullopt}}}).member_errors[0] == kNone);
  CHECK(h.State() == "Empty");
  CHECK(h.coord->Leave({"nope", {{s.leader, std::nullopt}}}).member_errors[0] == kUnknownMemberId);
}

TEST_CASE("coordinator: a static member restarting takes its place back without a rebalance") {
  Harness h;
  StableGroup s = MakeStable(h, "i-a", "i-b");
  // Which instance is the follower?
  auto desc = h.coord->DescribeGroups({"g"}).at(0);
  std::string follower_instance;
  for (const auto& m : desc.members) {
    if (m.member_id == s.follower) follower_instance = *m.group_instance_id;
  }
  REQUIRE(!follower_instance.empty());
  // It restarts: a new JoinGroup with no member id and the same instance id.
  auto back = h.Join("", follower_instance);
  REQUIRE(back.ready());
  CHECK(back->error_code == kNone);
  CHECK(back->member_id != s.follower);
  CHECK(back->member_id.starts_with(follower_instance + "-"));
  CHECK(back->generation_id == s.generation);
  CHECK(back->leader == s.leader);
  CHECK(h.State() == "Stable");
  CHECK(h.Heartbeat(s.leader, s.generation) == kNone);  // nobody rebalances
  auto sync = h.Sync(back->member_id, s.generation, {}, follower_instance);
  REQUIRE(sync.ready());
  CHECK(sync->assignment == "B");  // the old assignment
  // The old incarnation is fenced everywhere.
  CHECK(h.Heartbeat(s.follower, s.generation, follower_instance) == kFencedInstanceId);
  CHECK(h.Commit(s.follower, s.generation, 1) == kUnknownMemberId);
  OffsetCommitRequest fenced_commit{
      "g", s.generation, s.follower, follower_instance, {{{"t", 0}, 1, -1, std::nullopt}}};
  CHECK(h.coord->CommitOffsets(fenced_commit).partitions[0].second == kFencedInstanceId);
  auto stale = h.Join(h.JoinReq(s.follower, {"range"}, follower_instance));
  REQUIRE(stale.ready());
  CHECK(stale->error_code == kFencedInstanceId);
  auto stale_sync = h.Sync(s.follower, s.generation, {}, follower_instance);
  CHECK(stale_sync->error_code == kFencedInstanceId);
  LeaveResult leave = h.coord->Leave({"g", {{s.follower, follower_instance}}});
  CHECK(leave.member_errors[0] == kFencedInstanceId);
  CHECK(h.State() == "Stable");
  // Leaving by instance id alone (LeaveGroup v3+) removes it and rebalances.
  leave = h.coord->Leave({"g", {{"", follower_instance}}});
  CHECK(leave.member_errors[0] == kNone);
  CHECK(h.State() == "PreparingRebalance");
}

TEST_CASE("coordinator: a static member rejoining with other protocols triggers a rebalance") {
  Harness h;
  StableGroup s = MakeStable(h, "i-a", "i-b");
  auto desc = h.coord->DescribeGroups({"g"}).at(0);
  std::string instance = *desc.members[0].group_instance_id;
  JoinRequest changed = h.JoinReq("", {"range"}, instance);
  changed.protocols[0].metadata = Subscription({"t", "u"});
  auto back = h.Join(changed);
  CHECK(!back.ready());
  CHECK(h.State() == "PreparingRebalance");
}

TEST_CASE("coordinator: JoinGroup v4+ first asks for a member id") {
  Harness h;
  JoinRequest req = h.JoinReq("");
  req.require_known_member_id = true;
  auto first = h.Join(req);
  REQUIRE(first.ready());
  CHECK(first->error_code == kMemberIdRequired);
  REQUIRE(!first->member_id.empty());
  CHECK(h.State() == "Empty");
  req.member_id = first->member_id;
  auto second = h.Join(req);
  REQUIRE(second.ready());
  CHECK(second->error_code == kNone);
  CHECK(second->member_id == first->member_id);
  CHECK(second->generation_id == 1);
  // An id that was never handed out is refused.
  req.member_id = "made-up";
  auto bogus = h.Join(req);
  CHECK(bogus->error_code == kUnknownMemberId);
}

TEST_CASE("coordinator: a pending member id that never joins expires with its session") {
  Harness h;
  JoinRequest req = h.JoinReq("");
  req.require_known_member_id = true;
  auto first = h.Join(req);
  REQUIRE(first->error_code == kMemberIdRequired);
  h.Advance(10000);
  req.member_id = first->member_id;
  auto late = h.Join(req);
  REQUIRE(late.ready());
  CHECK(late->error_code == kUnknownMemberId);
}

TEST_CASE("coordinator: session timeouts outside the broker's bounds are refused") {
  Harness h;
  JoinRequest req = h.JoinReq("");
  req.session_timeout_ms = 5999;
  CHECK(h.Join(req)->error_code == kInvalidSessionTimeout);
  req.session_timeout_ms = 1800001;
  CHECK(h.Join(req)->error_code == kInvalidSessionTimeout);
  CHECK(h.State() == "Dead");  // nothing was created
  req.group_id = "";
  req.session_timeout_ms = 10000;
  CHECK(h.Join(req)->error_code == kInvalidGroupId);
}

TEST_CASE("coordinator: the protocol most members prefer among those all support wins") {
  Harness h(/*initial_delay_ms=*/3000);
  auto a = h.Join(h.JoinReq("", {"range", "roundrobin"}));
  auto b = h.Join(h.JoinReq("", {"roundrobin", "range", "sticky"}));
  auto c = h.Join(h.JoinReq("", {"roundrobin", "range"}));
  // Nobody else supports "sticky"; a newcomer with only it is refused.
  auto d = h.Join(h.JoinReq("", {"sticky"}));
  REQUIRE(d.ready());
  CHECK(d->error_code == kInconsistentGroupProtocol);
  JoinRequest other_type = h.JoinReq("");
  other_type.protocol_type = "connect";
  CHECK(h.Join(other_type)->error_code == kInconsistentGroupProtocol);
  h.Advance(30000);
  REQUIRE(a.ready());
  CHECK(a->protocol_name == "roundrobin");
  CHECK(b->protocol_name == "roundrobin");
  // The leader learns each member's metadata for the chosen protocol.
  const JoinResult& leader = a->leader == a->member_id ? *a : a->leader == b->member_id ? *b : *c;
  CHECK(leader.members.size() == 3);
}

TEST_CASE("coordinator: sync and heartbeat with a wrong generation or member are refused") {
  Harness h;
  StableGroup s = MakeStable(h);
  CHECK(h.Sync(s.follower, s.generation - 1)->error_code == kIllegalGeneration);
  CHECK(h.Sync("nobody", s.generation)->error_code == kUnknownMemberId);
  CHECK(h.Heartbeat("nobody", s.generation) == kUnknownMemberId);
  SyncRequest wrong_protocol{"g", s.generation, s.follower, std::nullopt, "consumer", "sticky", {}};
  Answer<SyncResult> a;
  h.coord->Sync(wrong_protocol, [slot = a.slot](SyncResult r) { *slot = r; });
  CHECK(a->error_code == kInconsistentGroupProtocol);
  // A rebalance while members wait for their assignment sends them back.
  auto c = h.Join("");
  auto l = h.Join(s.leader);
  auto f = h.Join(s.follower);
  REQUIRE(f.ready());
  auto waiting = h.Sync(f->member_id, f->generation_id);
  CHECK(!waiting.ready());
  CHECK(h.Commit(f->member_id, f->generation_id, 1) == kRebalanceInProgress);
  auto d = h.Join("");  // a fourth member arrives before the leader synced
  REQUIRE(waiting.ready());
  CHECK(waiting->error_code == kRebalanceInProgress);
}

TEST_CASE("coordinator: a leader that never syncs loses its session; the waiting members rejoin") {
  Harness h;
  StableGroup s = MakeStable(h);
  auto c = h.Join("");
  auto l = h.Join(s.leader);
  auto f = h.Join(s.follower);
  REQUIRE(l.ready());
  auto fs = h.Sync(f->member_id, f->generation_id);
  auto cs = h.Sync(c->member_id, c->generation_id);
  h.Advance(10000);  // the leader neither syncs nor heartbeats
  REQUIRE(fs.ready());
  CHECK(fs->error_code == kRebalanceInProgress);
  CHECK(cs->error_code == kRebalanceInProgress);
  CHECK(h.Heartbeat(l->member_id, l->generation_id) == kUnknownMemberId);
}

TEST_CASE("coordinator: groups are listed and described with Kafka's state names") {
  Harness h;
  StableGroup s = MakeStable(h);
  CHECK(h.Commit("", -1, 7, "simple") == kNone);
  ListGroupsResult all = h.coord->ListGroups({});
  REQUIRE(all.groups.size() == 2);
  CHECK(all.groups[0].group_id == "g");
  CHECK(all.groups[0].state == "Stable");
  CHECK(all.groups[0].protocol_type == "consumer");
  CHECK(all.groups[1].group_id == "simple");
  CHECK(all.groups[1].state == "Empty");
  ListGroupsResult empty_only = h.coord->ListGroups({"empty"});
  REQUIRE(empty_only.groups.size() == 1);
  CHECK(empty_only.groups[0].group_id == "simple");
  CHECK(h.State("simple") == "Empty");
  CHECK(h.State("never") == "Dead");
}

TEST_CASE("coordinator: callbacks may call back into the coordinator") {
  Harness h;
  int16_t heartbeat = -2;
  JoinRequest req = h.JoinReq("");
  h.coord->Join(req, [&](JoinResult r) {
    heartbeat = h.coord->Heartbeat({"g", r.generation_id, r.member_id, std::nullopt});
  });
  CHECK(heartbeat == kNone);
}

TEST_CASE("coordinator: shutdown answers every waiting member with NOT_COORDINATOR") {
  Harness h;
  StableGroup s = MakeStable(h);
  auto c = h.Join("");
  h.coord->Shutdown();
  REQUIRE(c.ready());
  CHECK(c->error_code == kNotCoordinator);
  CHECK(h.Heartbeat(s.leader, s.generation) == kNotCoordinator);
}

TEST_CASE("coordinator: a static leader restarting learns the members but keeps the assignment") {
  Harness h;
  StableGroup s = MakeStable(h, "i-a", "i-b");
  std::string leader_instance;
  const DescribedGroup desc = h.coord->DescribeGroups({"g"}).at(0);
  for (const auto& m : desc.members) {
    if (m.member_id == s.leader) leader_instance = *m.group_instance_id;
  }
  REQUIRE(!leader_instance.empty());
  auto back = h.Join("", leader_instance);
  REQUIRE(back.ready());
  CHECK(back->error_code == kNone);
  CHECK(back->leader == back->member_id);  // still the leader, under its new id
  CHECK(back->skip_assignment);
  CHECK(back->members.size() == 2);
  CHECK(back->generation_id == s.generation);
  CHECK(h.State() == "Stable");
  auto sync = h.Sync(back->member_id, s.generation, {}, leader_instance);
  REQUIRE(sync.ready());
  CHECK(sync->assignment == "A");
  CHECK(h.Heartbeat(s.follower, s.generation) == kNone);
}
