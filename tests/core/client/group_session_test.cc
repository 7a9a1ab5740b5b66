// GroupSession: a Consumer as a member of a directory's group — gained
// partitions start at the group's commits or at the fallback, Commit makes
// positions durable, and Leave(false) hands back nothing unprinted.
#include "client/group_session.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "groups/offsets_store.h"
#include "io/mem_env.h"
#include "log/log_dir.h"
#include "log/partition.h"
#include "support/log_helpers.h"

using namespace kq;
using namespace kq::client;

namespace {

constexpr const char* kDir = "/data";

class Fixture {
 public:
  Fixture() {
    auto dir = log::LogDir::Open(&env_, kDir, true);
    REQUIRE(dir.ok());
    REQUIRE(dir->CreateTopic("t", 2, {}).ok());
    for (int32_t p = 0; p < 2; ++p) {
      log::PartitionOptions o;
      o.env = &env_;
      o.topic = "t";
      o.partition = PartitionId(p);
      auto part =
          log::Partition::Open(dir->PartitionPath("t", PartitionId(p)), o, log::OpenMode::kWrite);
      REQUIRE(part.ok());
      std::string batch = testing::MakeBatch("p" + std::to_string(p) + "-", 5);
      REQUIRE((*part)->Append(batch).ok());
    }
  }

  std::unique_ptr<Consumer> OpenConsumer() {
    ConsumerOptions o;
    o.env = &env_;
    o.log_dir = kDir;
    auto c = Consumer::Open(o);
    REQUIRE(c.ok());
    return std::move(*c);
  }
  std::unique_ptr<GroupSession> Join(Consumer* c, StartPosition fallback) {
    auto s = GroupSession::Join(&env_, kDir, "g", {"t", "t"}, c, fallback);
    REQUIRE(s.ok());
    return std::move(*s);
  }
  // The offsets delivered by reading `c` to its end, by partition.
  std::map<int32_t, std::vector<int64_t>> Drain(Consumer& c, size_t max = 1 << 16) {
    std::map<int32_t, std::vector<int64_t>> out;
    auto state = c.Poll(
        [&](const ConsumedRecord& r) {
          out[r.partition].push_back(r.record->offset);
          return Status::Ok();
        },
        max);
    REQUIRE(state.ok());
    return out;
  }
  std::map<groups::TopicPartition, groups::CommittedOffset> Committed() {
    auto store = groups::OffsetsStore::Open(&env_, kDir);
    REQUIRE(store.ok());
    auto got = (*store)->Fetch("g");
    REQUIRE(got.ok());
    return *got;
  }

 private:
  io::MemEnv env_;
};

}  // namespace

TEST_CASE("group session: a lone member gains every partition at the fallback, then resumes") {
  Fixture f;
  auto c = f.OpenConsumer();
  auto s = f.Join(c.get(), StartPosition::FromEnd(2));
  auto changed = s->Rebalance();
  REQUIRE(changed.ok());
  CHECK(*changed);
  CHECK(c->Assignment().size() == 2);
  auto got = f.Drain(*c);
  CHECK(got[0] == std::vector<int64_t>{3, 4});
  CHECK(got[1] == std::vector<int64_t>{3, 4});
  CHECK(f.Committed().empty());  // nothing is committed before Commit
  REQUIRE(s->Commit().ok());
  auto committed = f.Committed();
  CHECK(committed[{"t", 0}].offset == 5);
  CHECK(committed[{"t", 1}].offset == 5);
  REQUIRE(s->Leave(true).ok());

  // The next member starts at the commits, not at its fallback.
  auto c2 = f.OpenConsumer();
  auto s2 = f.Join(c2.get(), StartPosition::Beginning());
  REQUIRE(s2->Rebalance().ok());
  CHECK(f.Drain(*c2).empty());
  auto again = s2->Rebalance();
  REQUIRE(again.ok());
  CHECK_FALSE(*again);  // same partitions: nothing gained or lost
  REQUIRE(s2->Leave(true).ok());
}

TEST_CASE("group session: Leave without commit hands back only what was committed") {
  Fixture f;
  auto c = f.OpenConsumer();
  auto s = f.Join(c.get(), StartPosition::Beginning());
  REQUIRE(s->Rebalance().ok());
  int64_t delivered = 0;
  for (const auto& [p, offsets] : f.Drain(*c, 3)) delivered += offsets.size();
  REQUIRE(delivered > 0);
  REQUIRE(delivered < 10);  // a poll stops near max_records, at a batch end
  REQUIRE(s->Commit().ok());
  auto committed = f.Committed();
  int64_t total = 0;
  for (const auto& [tp, off] : committed) total += off.offset;
  CHECK(total == delivered);
  f.Drain(*c);  // everything else was read but, say, never printed
  REQUIRE(s->Leave(false).ok());
  total = 0;
  for (const auto& [tp, off] : f.Committed()) total += off.offset;
  CHECK(total == delivered);
}
