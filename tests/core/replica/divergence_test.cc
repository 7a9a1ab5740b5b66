// CommonEnd: Kafka's leader-epoch rule from the follower's side, over a
// leader described by its epoch table (answered by leader_epoch::EndOffsetFor).
#include <doctest/doctest.h>

#include "log/leader_epoch_checkpoint.h"
#include "replica/divergence.h"

using namespace kq;
using kq::log::EpochEntry;

namespace {

Offset Common(replica::FollowerLogState follower, std::vector<EpochEntry> leader, Offset leader_end,
              int* questions = nullptr) {
  auto answer =
      replica::CommonEnd(follower, leader_end, [&](Epoch e) -> Result<log::EpochEndOffset> {
        if (questions) ++*questions;
        return log::leader_epoch::EndOffsetFor(leader, e, leader_end);
      });
  REQUIRE_MESSAGE(answer.ok(), answer.status().ToString());
  return *answer;
}

}  // namespace

TEST_CASE("divergence: a follower that is a prefix of the leader keeps its whole log") {
  CHECK(Common({Offset(0), Offset(150), {{Epoch(0), Offset(0)}, {Epoch(2), Offset(100)}}},
               {{Epoch(0), Offset(0)}, {Epoch(2), Offset(100)}, {Epoch(3), Offset(180)}},
               Offset(200)) == Offset(150));
}

TEST_CASE(
    "divergence: a tail under an epoch the leader never had is cut where the leader's epoch ends") {
  // The example of divergence.h.
  CHECK(Common({Offset(0), Offset(150), {{Epoch(0), Offset(0)}, {Epoch(2), Offset(100)}}},
               {{Epoch(0), Offset(0)}, {Epoch(3), Offset(120)}}, Offset(200)) == Offset(100));
  // The leader ended epoch 0 before the follower did.
  CHECK(Common({Offset(0), Offset(150), {{Epoch(0), Offset(0)}, {Epoch(1), Offset(100)}}},
               {{Epoch(0), Offset(0)}, {Epoch(2), Offset(80)}}, Offset(200)) == Offset(80));
}

TEST_CASE("divergence: the same latest epoch ended earlier on the leader cuts to its end") {
  CHECK(Common({Offset(0), Offset(150), {{Epoch(0), Offset(0)}, {Epoch(2), Offset(100)}}},
               {{Epoch(0), Offset(0)}, {Epoch(2), Offset(100)}, {Epoch(4), Offset(130)}},
               Offset(300)) == Offset(130));
}

TEST_CASE("divergence: epochs newer than the leader's are skipped, then the rule repeats") {
  int questions = 0;
  // Follower epochs 0, 1, 5; the leader knows 0 and 3: asking 5 gets -1,
  // asking 1 gets (0, 10); the follower's own end of 0 is 10.
  CHECK(Common({Offset(0),
                Offset(40),
                {{Epoch(0), Offset(0)}, {Epoch(1), Offset(10)}, {Epoch(5), Offset(20)}}},
               {{Epoch(0), Offset(0)}, {Epoch(3), Offset(10)}}, Offset(60),
               &questions) == Offset(10));
  CHECK(questions >= 3);
}

TEST_CASE("divergence: without any epoch in common the offsets decide") {
  CHECK(Common({Offset(0), Offset(50), {}}, {}, Offset(30)) == Offset(30));
  CHECK(Common({Offset(0), Offset(50), {{Epoch(7), Offset(0)}}}, {{Epoch(2), Offset(0)}},
               Offset(80)) == Offset(50));
  CHECK(Common({Offset(0), Offset(0), {}}, {}, Offset(0)) == Offset(0));
}

TEST_CASE("divergence: never below the follower's log start") {
  CHECK(Common({Offset(40), Offset(50), {{Epoch(1), Offset(40)}}},
               {{Epoch(0), Offset(0)}, {Epoch(2), Offset(20)}}, Offset(80)) == Offset(40));
}

TEST_CASE("divergence: an error from the leader is returned") {
  auto r = replica::CommonEnd(
      {Offset(0), Offset(5), {{Epoch(0), Offset(0)}}}, Offset(5),
      [](Epoch) -> Result<log::EpochEndOffset> { return Status::IoError("connection reset"); });
  REQUIRE(!r.ok());
  CHECK(r.status().message().find("connection reset") != std::string::npos);
}
