// Round-robin assignment: deterministic, disjoint, complete, balanced.
#include <doctest/doctest.h>

#include <algorithm>
#include <random>
#include <set>

#include "groups/group_assignor.h"

using namespace kq::groups;

TEST_CASE("assignor: partitions go round robin over sorted members") {
  auto a = AssignRoundRobin({{"m2", {"t"}}, {"m1", {"t"}}}, {{"t", 5}});
  CHECK(a["m1"] == std::vector<TopicPartition>{{"t", 0}, {"t", 2}, {"t", 4}});
  CHECK(a["m2"] == std::vector<TopicPartition>{{"t", 1}, {"t", 3}});
}

TEST_CASE("assignor: members get only topics they subscribe to") {
  auto a = AssignRoundRobin({{"a", {"x"}}, {"b", {"x", "y"}}, {"c", {"z"}}},
                            {{"x", 2}, {"y", 2}, {"z", 1}});
  CHECK(a["a"] == std::vector<TopicPartition>{{"x", 0}});
  CHECK(a["b"] == std::vector<TopicPartition>{{"x", 1}, {"y", 0}, {"y", 1}});
  CHECK(a["c"] == std::vector<TopicPartition>{{"z", 0}});
}

TEST_CASE("assignor: missing topics, no partitions and idle members") {
  auto a = AssignRoundRobin({{"a", {"gone"}}, {"b", {"t"}}, {"c", {"t"}}}, {{"t", 1}});
  CHECK(a.size() == 3);
  CHECK(a["a"].empty());
  CHECK(a["b"] == std::vector<TopicPartition>{{"t", 0}});
  CHECK(a["c"].empty());
  CHECK(AssignRoundRobin({}, {{"t", 3}}).empty());
}

TEST_CASE("assignor: random inputs are assigned disjointly, completely and in any input order") {
  std::mt19937 rng(3);
  for (int round = 0; round < 200; ++round) {
    std::map<std::string, int32_t> counts{{"a", int32_t(rng() % 9)}, {"b", int32_t(rng() % 9)}};
    std::vector<MemberSubscription> members;
    const int n = 1 + int(rng() % 6);
    for (int i = 0; i < n; ++i) members.push_back({"m" + std::to_string(rng() % 1000), {"a", "b"}});
    auto first = AssignRoundRobin(members, counts);
    std::shuffle(members.begin(), members.end(), rng);
    CHECK(AssignRoundRobin(members, counts) == first);
    std::set<TopicPartition> seen;
    size_t most = 0, least = SIZE_MAX;
    for (const auto& [id, tps] : first) {
      most = std::max(most, tps.size());
      least = std::min(least, tps.size());
      for (const auto& tp : tps) CHECK(seen.insert(tp).second);
    }
    CHECK(seen.size() == size_t(counts["a"] + counts["b"]));
    CHECK(most - least <= 1);
  }
}
