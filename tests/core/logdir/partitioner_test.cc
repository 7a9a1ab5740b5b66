#include "log/partitioner.h"

#include <doctest/doctest.h>

#include <set>
#include <string>

#include "support/golden.h"

using namespace kq::log;

TEST_CASE("partitioner: murmur2 matches Kafka's own test vectors") {
  CHECK(Murmur2("kafka") == 0xd067cf64u);
  CHECK(Murmur2("") == 0x106e08d9u);
  CHECK(static_cast<int32_t>(Murmur2("21")) == -973932308);
  CHECK(MurmurPartition("21", 100) == 40);
  CHECK(MurmurPartition("kafka", 6) == 4);
  CHECK(MurmurPartition("key1", 6) == 2);
  CHECK(MurmurPartition("hello", 6) == 3);
}

TEST_CASE("partitioner: crc32 matches librdkafka's consistent examples") {
  CHECK(ConsistentPartition("kafka", 6) == 5);
  CHECK(ConsistentPartition("key1", 6) == 4);
  CHECK(ConsistentPartition("hello", 6) == 4);
  CHECK(ConsistentPartition("", 6) == 0);
}

TEST_CASE("partitioner: every librdkafka golden vector agrees") {
  auto golden = kq::testing::LoadGoldenJson("librdkafka-partitioners.json");
  REQUIRE_MESSAGE(golden.ok(), golden.status().ToString());
  REQUIRE(golden->size() >= 50);
  Partitioner murmur(Partitioner::Kind::kMurmur2, 1);
  Partitioner consistent(Partitioner::Kind::kConsistent, 1);
  for (const auto& row : *golden) {
    auto key = kq::testing::HexDecode(row.at("key_hex").get<std::string>());
    REQUIRE(key.ok());
    const int32_t n = row.at("partitions").get<int32_t>();
    CAPTURE(row.dump());
    CHECK(MurmurPartition(*key, n) == row.at("murmur2").get<int32_t>());
    CHECK(ConsistentPartition(*key, n) == row.at("consistent_crc32").get<int32_t>());
    // An empty (non-null) key is hashed, not randomized.
    CHECK(murmur.Partition(std::string_view(*key), n) == row.at("murmur2").get<int32_t>());
    CHECK(consistent.Partition(std::string_view(*key), n) ==
          row.at("consistent_crc32").get<int32_t>());
  }
}

TEST_CASE("partitioner: keyed records follow the hash of every kind") {
  Partitioner murmur2(Partitioner::Kind::kMurmur2, 7);
  Partitioner murmur2_random(Partitioner::Kind::kMurmur2Random, 7);
  Partitioner consistent(Partitioner::Kind::kConsistent, 7);
  Partitioner consistent_random(Partitioner::Kind::kConsistentRandom, 7);
  for (std::string key : {"kafka", "key1", "hello", "21"}) {
    CAPTURE(key);
    CHECK(murmur2.Partition(std::string_view(key), 100) == MurmurPartition(key, 100));
    CHECK(murmur2_random.Partition(std::string_view(key), 100) == MurmurPartition(key, 100));
    CHECK(consistent.Partition(std::string_view(key), 100) == ConsistentPartition(key, 100));
    CHECK(consistent_random.Partition(std::string_view(key), 100) == ConsistentPartition(key, 100));
  }
}

TEST_CASE("partitioner: null keys follow librdkafka's per-kind rule") {
  Partitioner murmur2(Partitioner::Kind::kMurmur2, 7);
  Partitioner consistent(Partitioner::Kind::kConsistent, 7);
  CHECK(murmur2.Partition(std::nullopt, 100) == 81);  // murmur2("") % 100
  CHECK(consistent.Partition(std::nullopt, 100) == 0);
}

TEST_CASE("partitioner: keyless records stick to one partition until a batch completes") {
  for (auto kind : {Partitioner::Kind::kMurmur2Random, Partitioner::Kind::kConsistentRandom}) {
    CAPTURE(Partitioner::KindName(kind));
    Partitioner p(kind, 42);
    std::set<int32_t> seen;
    int32_t current = p.Partition(std::nullopt, 12);
    for (int batch = 0; batch < 200; ++batch) {
      for (int i = 0; i < 10; ++i) CHECK(p.Partition(std::nullopt, 12) == current);
      seen.insert(current);
      p.OnBatchComplete();
      int32_t next = p.Partition(std::nullopt, 12);
      CHECK(next != current);  // moves on after a batch
      CHECK(next >= 0);
      CHECK(next < 12);
      current = next;
    }
    CHECK(seen.size() == 12);  // spreads over all partitions over time
    // A smaller partition count re-picks inside the new range.
    CHECK(p.Partition(std::nullopt, 3) < 3);
    CHECK(p.Partition(std::nullopt, 1) == 0);
  }
  Partitioner consistent_random(Partitioner::Kind::kConsistentRandom, 1);
  int32_t sticky = consistent_random.Partition(std::nullopt, 50);
  CHECK(consistent_random.Partition(std::string_view(""), 50) == sticky);  // empty = random too
}

TEST_CASE("partitioner: a single partition is always partition 0") {
  Partitioner p(Partitioner::Kind::kMurmur2Random, 3);
  for (int i = 0; i < 5; ++i) {
    CHECK(p.Partition(std::nullopt, 1) == 0);
    p.OnBatchComplete();
  }
}

TEST_CASE("partitioner: kinds parse from librdkafka's names") {
  CHECK(*Partitioner::ParseKind("murmur2") == Partitioner::Kind::kMurmur2);
  CHECK(*Partitioner::ParseKind("murmur2_random") == Partitioner::Kind::kMurmur2Random);
  CHECK(*Partitioner::ParseKind("consistent") == Partitioner::Kind::kConsistent);
  CHECK(*Partitioner::ParseKind("consistent_random") == Partitioner::Kind::kConsistentRandom);
  for (auto kind : {Partitioner::Kind::kMurmur2, Partitioner::Kind::kMurmur2Random,
                    Partitioner::Kind::kConsistent, Partitioner::Kind::kConsistentRandom}) {
    CHECK(*Partitioner::ParseKind(Partitioner::KindName(kind)) == kind);
  }
  auto bad = Partitioner::ParseKind("fnv1a");
  CHECK(bad.status().IsInvalidArgument());
  CHECK(bad.status().message() ==
        "unknown partitioner 'fnv1a': expected murmur2, murmur2_random, consistent or "
        "consistent_random");
  CHECK(Partitioner().kind() == Partitioner::Kind::kMurmur2Random);
}
