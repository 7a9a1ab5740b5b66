#include "groups/group_assignor.h"

#include <algorithm>
#include <set>

namespace kq::groups {

std::map<std::string, std::vector<TopicPartition>> AssignRoundRobin(
    std::vector<MemberSubscription> members,
    const std::map<std::string, int32_t>& partition_counts) {
  std::sort(members.begin(), members.end(),
            [](const auto& a, const auto& b) { return a.member_id < b.member_id; });
  members.erase(
      std::unique(members.begin(), members.end(),
                  [](const auto& a, const auto& b) { return a.member_id == b.member_id; }),
      members.end());
  std::map<std::string, std::vector<TopicPartition>> out;
  std::vector<std::set<std::string>> subscribed;
  std::set<std::string> all_topics;
  for (const MemberSubscription& m : members) {
    out[m.member_id];
    subscribed.emplace_back(m.topics.begin(), m.topics.end());
    all_topics.insert(m.topics.begin(), m.topics.end());
  }
  size_t next = 0;                               // circular position in `members`
  for (const std::string& topic : all_topics) {  // std::set: sorted
    auto count = partition_counts.find(topic);
    if (count == partition_counts.end()) continue;
    for (int32_t p = 0; p < count->second; ++p) {
      // Some member subscribes to `topic` (it came from a subscription).
      while (subscribed[next].count(topic) == 0) next = (next + 1) % members.size();
      out[members[next].member_id].push_back({topic, p});
      next = (next + 1) % members.size();
    }
  }
  return out;
}

}  // namespace kq::groups
