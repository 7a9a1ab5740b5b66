#include "log/leader_epoch_checkpoint.h"

#include <doctest/doctest.h>

#include "io/mem_env.h"

using kq::Epoch;
using kq::Offset;
using namespace kq::log;

namespace {
EpochEntry E(int32_t epoch, int64_t start) { return {Epoch(epoch), Offset(start)}; }
}  // namespace

TEST_CASE("leader epoch: parse, format and Env round trip") {
  auto parsed = leader_epoch::Parse("0\n2\n0 0\n3 1200\n", "lec");
  REQUIRE(parsed.ok());
  CHECK(*parsed == std::vector<EpochEntry>{E(0, 0), E(3, 1200)});
  CHECK(leader_epoch::Format(*parsed) == "0\n2\n0 0\n3 1200\n");

  kq::io::MemEnv env;
  REQUIRE(env.CreateDir("/t-0").ok());
  auto missing = leader_epoch::Read(&env, "/t-0/leader-epoch-checkpoint");
  REQUIRE(missing.ok());
  CHECK(missing->empty());
  REQUIRE(leader_epoch::Write(&env, "/t-0/leader-epoch-checkpoint", *parsed).ok());
  CHECK(*leader_epoch::Read(&env, "/t-0/leader-epoch-checkpoint") == *parsed);
}

TEST_CASE("leader epoch: malformed and out-of-order tables are corruption with a line") {
  struct Case {
    const char* text;
    const char* message;
  };
  const Case cases[] = {
      {"0\n1\n0\n", "lec: line 3: expected 'epoch startOffset', found '0'"},
      {"0\n1\n-1 0\n", "lec: line 3: bad epoch '-1'"},
      {"0\n1\n2147483648 0\n", "lec: line 3: bad epoch '2147483648'"},
      {"0\n1\n1 x\n", "lec: line 3: bad start offset 'x'"},
      {"0\n2\n3 10\n3 20\n",
       "lec: line 4: epoch 3 at offset 20 does not follow epoch 3 at offset 10"},
      {"0\n2\n3 10\n2 20\n",
       "lec: line 4: epoch 2 at offset 20 does not follow epoch 3 at offset 10"},
      {"0\n2\n3 10\n4 5\n",
       "lec: line 4: epoch 4 at offset 5 does not follow epoch 3 at offset 10"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.text);
    auto parsed = leader_epoch::Parse(c.text, "lec");
    REQUIRE(!parsed.ok());
    CHECK(parsed.status().IsCorruption());
    CHECK(parsed.status().message() == c.message);
  }
}

TEST_CASE("leader epoch: Assign appends newer epochs and ignores older ones") {
  std::vector<EpochEntry> entries;
  CHECK(leader_epoch::Assign(&entries, Epoch(0), Offset(0)));
  CHECK(leader_epoch::Assign(&entries, Epoch(3), Offset(1200)));
  CHECK(!leader_epoch::Assign(&entries, Epoch(3), Offset(1300)));  // same epoch
  CHECK(!leader_epoch::Assign(&entries, Epoch(2), Offset(1300)));  // older epoch
  CHECK(entries == std::vector<EpochEntry>{E(0, 0), E(3, 1200)});
  CHECK(leader_epoch::Assign(&entries, Epoch(5), Offset(1500)));
  CHECK(entries == std::vector<EpochEntry>{E(0, 0), E(3, 1200), E(5, 1500)});
  // An epoch that never got a record is superseded by the next one at the same offset.
  CHECK(leader_epoch::Assign(&entries, Epoch(6), Offset(1500)));
  CHECK(entries == std::vector<EpochEntry>{E(0, 0), E(3, 1200), E(6, 1500)});
  // A newer epoch starting below existing entries (after a truncation) replaces them.
  CHECK(leader_epoch::Assign(&entries, Epoch(7), Offset(1100)));
  CHECK(entries == std::vector<EpochEntry>{E(0, 0), E(7, 1100)});
}

TEST_CASE("leader epoch: TruncateFromEnd drops entries starting at or past the end") {
  std::vector<EpochEntry> entries = {E(0, 0), E(3, 1200), E(5, 1500)};
  leader_epoch::TruncateFromEnd(&entries, Offset(1600));
  CHECK(entries.size() == 3);
  leader_epoch::TruncateFromEnd(&entries, Offset(1500));
  CHECK(entries == std::vector<EpochEntry>{E(0, 0), E(3, 1200)});
  leader_epoch::TruncateFromEnd(&entries, Offset(1300));
  CHECK(entries == std::vector<EpochEntry>{E(0, 0), E(3, 1200)});
  leader_epoch::TruncateFromEnd(&entries, Offset(0));
  CHECK(entries.empty());
}

TEST_CASE("leader epoch: EndOffsetFor follows Kafka's OffsetForLeaderEpoch rule") {
  const std::vector<EpochEntry> entries = {E(0, 0), E(3, 1200), E(5, 1500)};
  const Offset log_end(1800);
  struct Case {
    int32_t requested;
    int32_t epoch;
    int64_t end;
  };
  const Case cases[] = {
      {5, 5, 1800},                             // latest epoch: ends at the log end
      {3, 3, 1500},                             // ends where epoch 5 starts
      {4, 3, 1500},                             // unknown epoch between: largest below, next start
      {0, 0, 1200}, {1, 0, 1200}, {6, -1, -1},  // newer than anything known
      {-1, -1, -1},                             // no epoch
  };
  for (const Case& c : cases) {
    CAPTURE(c.requested);
    CHECK(leader_epoch::EndOffsetFor(entries, Epoch(c.requested), log_end) ==
          EpochEndOffset{Epoch(c.epoch), Offset(c.end)});
  }
  // Requested below the first known epoch: answered with the requested epoch.
  const std::vector<EpochEntry> late = {E(2, 100), E(4, 200)};
  CHECK(leader_epoch::EndOffsetFor(late, Epoch(1), Offset(300)) ==
        EpochEndOffset{Epoch(1), Offset(100)});
  CHECK(leader_epoch::EndOffsetFor({}, Epoch(0), Offset(10)) == EpochEndOffset{});
}
