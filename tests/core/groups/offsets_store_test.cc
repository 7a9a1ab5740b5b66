// OffsetsStore over a real directory: commit, fetch, latest wins, delete,
// list, reopen, and the records it leaves in __consumer_offsets.
#include <doctest/doctest.h>

#include <string>

#include "format/record_batch_builder.h"
#include "groups/offset_commit_codec.h"
#include "groups/offsets_store.h"
#include "io/env.h"
#include "log/log_dir.h"
#include "log/partition.h"
#include "support/log_helpers.h"

using namespace kq;
using namespace kq::groups;

namespace {

struct Fixture {
  kq::testing::TempDir tmp;
  io::Env* env = io::Env::Default();
  std::string dir = tmp.path() + "/data";

  Fixture() {
    auto d = log::LogDir::Open(env, dir, /*create_if_missing=*/true);
    REQUIRE(d.ok());
  }
  std::unique_ptr<OffsetsStore> Open() {
    auto s = OffsetsStore::Open(env, dir);
    REQUIRE_MESSAGE(s.ok(), s.status().ToString());
    return std::move(*s);
  }
  std::unique_ptr<log::Partition> OffsetsPartition(log::OpenMode mode = log::OpenMode::kRead) {
    log::PartitionOptions o;
    o.env = env;
    o.topic = kOffsetsTopic;
    auto p = log::Partition::Open(dir + "/__consumer_offsets-0", o, mode);
    REQUIRE_MESSAGE(p.ok(), p.status().ToString());
    return std::move(*p);
  }
};

std::pair<TopicPartition, CommittedOffset> At(std::string topic, int32_t p, int64_t offset) {
  return {{std::move(topic), p}, CommittedOffset{offset, -1, "", 0}};
}

}  // namespace

TEST_CASE("offsets store: commit then fetch returns what was committed") {
  Fixture f;
  auto store = f.Open();
  auto empty = store->Fetch("g");
  REQUIRE(empty.ok());
  CHECK(empty->empty());
  CHECK_FALSE(f.env->FileExists(f.dir + "/__consumer_offsets-0"));  // reads never create

  REQUIRE(store->Commit("g", {At("t", 0, 5), {{"t", 1}, {7, 3, "meta", 1234}}}).ok());
  auto got = store->Fetch("g");
  REQUIRE(got.ok());
  REQUIRE(got->size() == 2);
  CHECK(got->at({"t", 0}).offset == 5);
  CHECK(got->at({"t", 0}).commit_timestamp_ms > 0);  // filled with the time of the commit
  CHECK(got->at({"t", 1}).offset == 7);
  CHECK(got->at({"t", 1}).leader_epoch == 3);
  CHECK(got->at({"t", 1}).metadata == "meta");
  CHECK(got->at({"t", 1}).commit_timestamp_ms == 1234);

  auto info = log::LogDir::Open(f.env, f.dir, false)->DescribeTopic(kOffsetsTopic);
  REQUIRE(info.ok());
  CHECK(info->config.cleanup_compact);
  CHECK_FALSE(info->config.cleanup_delete);
  CHECK(info->partitions == kDefaultOffsetsPartitions);
}

TEST_CASE("offsets store: the latest commit per partition wins, across stores and reopen") {
  Fixture f;
  auto a = f.Open();
  auto b = f.Open();
  REQUIRE(a->Commit("g", {At("t", 0, 1), At("t", 1, 1)}).ok());
  REQUIRE(a->Fetch("g").ok());  // a caches, then b writes
  REQUIRE(b->Commit("g", {At("t", 0, 10)}).ok());
  REQUIRE(a->Commit("g", {At("t", 1, 20)}).ok());
  auto c = f.Open();
  for (auto* s : {a.get(), b.get(), c.get()}) {
    auto got = s->Fetch("g");
    REQUIRE(got.ok());
    CHECK(got->at({"t", 0}).offset == 10);
    CHECK(got->at({"t", 1}).offset == 20);
  }
  auto reopened = f.Open();
  auto got = reopened->Fetch("g");
  REQUIRE(got.ok());
  CHECK(got->size() == 2);
}

TEST_CASE("offsets store: groups are kept apart and listed while they have offsets") {
  Fixture f;
  auto store = f.Open();
  auto none = store->ListGroups();
  REQUIRE(none.ok());
  CHECK(none->empty());
  REQUIRE(store->Commit("beta", {At("t", 0, 1)}).ok());
  REQUIRE(store->Commit("alpha", {At("t", 0, 2), At("u", 3, 4)}).ok());
  auto groups = store->ListGroups();
  REQUIRE(groups.ok());
  CHECK(*groups == std::vector<std::string>{"alpha", "beta"});
  CHECK(store->Fetch("beta")->at({"t", 0}).offset == 1);
  CHECK(store->Fetch("alpha")->size() == 2);

  SUBCASE("deleting some partitions keeps the others") {
    REQUIRE(store->Delete("alpha", {{"u", 3}}).ok());
    auto left = store->Fetch("alpha");
    REQUIRE(left.ok());
    CHECK(left->size() == 1);
    CHECK(left->count({"t", 0}) == 1);
  }
  SUBCASE("deleting everything removes the group from the list, also after reopen") {
    REQUIRE(store->Delete("alpha", {}).ok());
    CHECK(store->Fetch("alpha")->empty());
    CHECK(*store->ListGroups() == std::vector<std::string>{"beta"});
    CHECK(*f.Open()->ListGroups() == std::vector<std::string>{"beta"});
    // A commit after deletion brings the group back.
    REQUIRE(store->Commit("alpha", {At("t", 0, 9)}).ok());
    CHECK(f.Open()->Fetch("alpha")->at({"t", 0}).offset == 9);
  }
}

TEST_CASE("offsets store: records in __consumer_offsets are Kafka's key v1 and value v3") {
  Fixture f;
  auto store = f.Open();
  REQUIRE(store->Commit("g", {{{"t", 2}, {42, 1, "m", 777}}}).ok());
  REQUIRE(store->Delete("g", {{"t", 2}}).ok());
  auto p = f.OffsetsPartition();
  auto records = kq::testing::ReadAll(*p);
  REQUIRE(records.ok());
  REQUIRE(records->size() == 2);
  CHECK((*records)[0].key == EncodeOffsetCommitKey("g", {"t", 2}));
  CHECK((*records)[0].value == EncodeOffsetCommitValue({42, 1, "m", 777}));
  CHECK((*records)[1].key == EncodeOffsetCommitKey("g", {"t", 2}));
  CHECK((*records)[1].value.empty());  // ReadAll maps the null tombstone to ""
}

TEST_CASE("offsets store: foreign records are skipped, not fatal") {
  Fixture f;
  auto store = f.Open();
  REQUIRE(store->Commit("g", {At("t", 0, 1)}).ok());
  {
    auto p = f.OffsetsPartition(log::OpenMode::kWrite);
    format::RecordBatchBuilder b;
    b.Add(1, std::nullopt, "no key");
    b.Add(2, std::string("\x00\x01garbage", 9), "x");
    b.Add(3, EncodeGroupMetadataKey("g"), "opaque group metadata");
    b.Add(4, EncodeOffsetCommitKey("g", {"t", 1}),
          std::string("\x00\x09zz", 4));  // unknown value version
    b.Add(5, EncodeOffsetCommitKey("g", {"t", 0}), EncodeOffsetCommitValue({8, -1, "", 5}));
    auto batch = b.Finish();
    REQUIRE(batch.ok());
    REQUIRE(p->Append(*batch).ok());
  }
  auto got = store->Fetch("g");
  REQUIRE(got.ok());
  CHECK(got->size() == 1);
  CHECK(got->at({"t", 0}).offset == 8);
  CHECK(store->skipped_records() == 3);
}

TEST_CASE("offsets store: bad input is refused before anything is written") {
  Fixture f;
  auto store = f.Open();
  CHECK(store->Commit("", {At("t", 0, 1)}).IsInvalidArgument());
  CHECK(store->Commit("a/b", {At("t", 0, 1)}).IsInvalidArgument());
  CHECK(store->Commit("g", {At("../x", 0, 1)}).IsInvalidArgument());
  CHECK(store->Commit("g", {At("t", 0, 1), At("t", -1, 5)}).IsInvalidArgument());
  CHECK(store->Fetch("a/b").status().IsInvalidArgument());
  CHECK_FALSE(f.env->FileExists(f.dir + "/__consumer_offsets-0"));
}

TEST_CASE("offsets store: a negative offset is kept as given, as Kafka keeps it") {
  // Kafka clients commit -1 or -2 for "no position" (kafkajs' resetOffsets).
  Fixture f;
  auto store = f.Open();
  REQUIRE(store->Commit("g", {At("t", 0, -2)}).ok());
  auto fetched = store->Fetch("g");
  REQUIRE(fetched.ok());
  REQUIRE(fetched->size() == 1);
  CHECK(fetched->begin()->second.offset == -2);
  CHECK(OffsetsStore::Open(f.env, f.tmp.path() + "/missing").status().IsNotFound());
}

TEST_CASE("offsets store: a large commit spans several batches and all of it lands") {
  Fixture f;
  auto store = f.Open();
  std::vector<std::pair<TopicPartition, CommittedOffset>> many;
  for (int i = 0; i < 6000; ++i)
    many.push_back(At(std::string(60, 'x') + std::to_string(i % 7), i, i * 2));
  REQUIRE(store->Commit("big", many).ok());
  auto got = f.Open()->Fetch("big");
  REQUIRE(got.ok());
  CHECK(got->size() == 6000);
  CHECK(got->at({std::string(60, 'x') + "3", 10}).offset == 20);
}
