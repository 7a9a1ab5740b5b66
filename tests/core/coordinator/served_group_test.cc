// A group is served by the coordinator or by kq-consume -G members, never
// both at once, whichever comes second is refused.
#include <doctest/doctest.h>

#include "core/coordinator/coordinator_harness.h"
#include "groups/group_membership.h"

using namespace kq;
using namespace kq::coordinator;
using namespace kq::coordinator::testing;

TEST_CASE("served groups: JoinGroup is refused while kq-consume -G members hold the group") {
  Harness h;
  auto member = groups::GroupMember::Join(h.env.get(), h.dir, "g", {"t"});
  REQUIRE(member.ok());
  auto refused = h.Join("");
  REQUIRE(refused.ready());
  CHECK(refused->error_code == kCoordinatorNotAvailable);
  CHECK_MESSAGE(refused->message.find("kq-consume -G") != std::string::npos, refused->message);
  CHECK(h.State() == "Dead");
  CHECK(h.coord->DeleteGroups({"g"})[0].second == kNonEmptyGroup);
  // Other groups are served.
  JoinRequest other = h.JoinReq("");
  other.group_id = "other";
  CHECK(h.Join(other)->error_code == kNone);
  // Once the members are gone, Kafka clients get the group.
  REQUIRE((*member)->Leave().ok());
  auto joined = h.Join("");
  REQUIRE(joined.ready());
  CHECK(joined->error_code == kNone);
}

TEST_CASE("served groups: kq-consume -G is refused while the coordinator has members") {
  Harness h;
  StableGroup s = MakeStable(h);
  auto refused = groups::GroupMember::Join(h.env.get(), h.dir, "g", {"t"});
  REQUIRE(refused.status().IsBusy());
  CHECK_MESSAGE(refused.status().message().find("is served by kq-serve") != std::string::npos,
                refused.status().ToString());
  // Still refused during a rebalance, and while only one member is left.
  h.coord->Leave({"g", {{s.follower, std::nullopt}}});
  CHECK(groups::GroupMember::Join(h.env.get(), h.dir, "g", {"t"}).status().IsBusy());
  // The last member's session expires: the group is empty and free again.
  h.Advance(30000);
  CHECK(h.State() == "Empty");
  auto member = groups::GroupMember::Join(h.env.get(), h.dir, "g", {"t"});
  CHECK_MESSAGE(member.ok(), member.status().ToString());
}

TEST_CASE("served groups: a member id handed out with MEMBER_ID_REQUIRED holds the group") {
  Harness h;
  JoinRequest req = h.JoinReq("");
  req.require_known_member_id = true;
  auto first = h.Join(req);
  REQUIRE(first->error_code == kMemberIdRequired);
  CHECK(groups::GroupMember::Join(h.env.get(), h.dir, "g", {"t"}).status().IsBusy());
  h.Advance(10000);  // it never came back
  CHECK(groups::GroupMember::Join(h.env.get(), h.dir, "g", {"t"}).ok());
}
