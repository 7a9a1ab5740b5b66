// SplitBatches (replica/batch_split.h): the one splitter every replication
// source uses, on whole, cut, corrupt and out-of-order buffers.
#include "replica/batch_split.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "leader_batch.h"

namespace kq::replica {
namespace {

using testing::LeaderBatch;
using Batches = std::vector<std::string>;

bool Mentions(const Status& s, std::string_view text) {
  return s.message().find(text) != std::string::npos;
}

TEST_CASE("SplitBatches returns each whole batch, in order, byte for byte") {
  const std::string a = LeaderBatch(0, 1, 2), b = LeaderBatch(2, 1, 3), c = LeaderBatch(5, 2, 1);
  auto split = SplitBatches(a + b + c, "t-0");
  REQUIRE(split.ok());
  CHECK(split->batches == Batches{a, b, c});
  CHECK(split->partial_size == 0);
  auto empty = SplitBatches("", "t-0");
  REQUIRE(empty.ok());
  CHECK(empty->batches.empty());
}

TEST_CASE("SplitBatches: a cut last batch is an error, or dropped with its size") {
  const std::string a = LeaderBatch(0, 1, 2), b = LeaderBatch(2, 1, 2);
  auto strict = SplitBatches(a + b.substr(0, 20), "t-0");
  REQUIRE(strict.status().IsCorruption());
  CHECK(Mentions(strict.status(), "t-0"));
  CHECK(Mentions(strict.status(), fmt::format("byte {}", a.size())));

  auto dropped = SplitBatches(a + b.substr(0, 20), "t-0", {.tail = PartialTail::kDrop});
  REQUIRE(dropped.ok());
  CHECK(dropped->batches == Batches{a});
  CHECK(dropped->partial_size == b.size());
  // Cut inside the length field: nothing says how big it is.
  dropped = SplitBatches(a + b.substr(0, 5), "t-0", {.tail = PartialTail::kDrop});
  REQUIRE(dropped.ok());
  CHECK(dropped->batches == Batches{a});
  CHECK(dropped->partial_size == 0);
}

TEST_CASE("SplitBatches skips batches ending before `from`") {
  const std::string a = LeaderBatch(0, 1, 2), b = LeaderBatch(2, 1, 2);
  auto split = SplitBatches(a + b, "t-0", {.from = 2});
  REQUIRE(split.ok());
  CHECK(split->batches == Batches{b});
  split = SplitBatches(a + b, "t-0", {.from = 1});  // inside a: a is kept
  REQUIRE(split.ok());
  CHECK(split->batches == Batches{a, b});
}

TEST_CASE("SplitBatches refuses a bad CRC (unless told the bytes were checked)") {
  const std::string a = LeaderBatch(0, 1, 2), b = LeaderBatch(2, 1, 2);
  std::string bad = b;
  bad.back() ^= 1;
  auto split = SplitBatches(a + bad, "t-0");
  REQUIRE(split.status().IsCorruption());
  CHECK(Mentions(split.status(), "CRC"));
  CHECK(Mentions(split.status(), "offset 2"));
  CHECK(Mentions(split.status(), fmt::format("byte {}", a.size())));
  CHECK(SplitBatches(a + bad, "t-0", {.check_crc = false}).ok());
}

TEST_CASE("SplitBatches refuses what is not a batch and offsets that go back") {
  const std::string a = LeaderBatch(0, 1, 2), b = LeaderBatch(2, 1, 2);
  auto garbage = SplitBatches(a + std::string(70, 'x'), "t-0", {.tail = PartialTail::kDrop});
  REQUIRE(garbage.status().IsCorruption());
  CHECK(Mentions(garbage.status(), fmt::format("byte {}", a.size())));
  auto back = SplitBatches(b + a, "t-0", {.check_crc = false});
  REQUIRE(back.status().IsCorruption());
  CHECK(Mentions(back.status(), "overlaps"));
  // The same batch twice overlaps too.
  CHECK(SplitBatches(a + a, "t-0").status().IsCorruption());
}

TEST_CASE("SplitBatches refuses a batch over max_batch_bytes") {
  const std::string a = LeaderBatch(0, 1, 50);
  CHECK(SplitBatches(a, "t-0", {.max_batch_bytes = a.size() - 1}).status().IsCorruption());
  CHECK(SplitBatches(a, "t-0", {.max_batch_bytes = a.size()}).ok());
}

}  // namespace
}  // namespace kq::replica
