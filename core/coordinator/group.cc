#include "coordinator/group.h"

#include <algorithm>

#include "base/byte_reader.h"

namespace kq::coordinator {
namespace {

constexpr std::string_view kConsumerProtocolType = "consumer";

// The topics of a ConsumerProtocolSubscription (every version starts with
// version:int16 topics:[int16-length string] with an int32 count), or
// nullopt when the bytes do not decode.
std::optional<std::vector<std::string>> SubscriptionTopics(std::string_view bytes) {
  ByteReader r(bytes);
  const int16_t version = r.ReadI16("version");
  const int32_t count = r.ReadI32("topic count");
  if (!r.ok() || version < 0 || count < 0 || static_cast<size_t>(count) > r.remaining() / 2) {
    return std::nullopt;
  }
  std::vector<std::string> topics;
  for (int32_t i = 0; i < count; ++i) {
    const int16_t len = r.ReadI16("topic length");
    if (!r.ok() || len < 0) return std::nullopt;
    std::string_view topic = r.ReadBytes(static_cast<size_t>(len), "topic");
    if (!r.ok()) return std::nullopt;
    topics.emplace_back(topic);
  }
  return topics;
}

}  // namespace

std::string_view GroupStateName(GroupState state) {
  switch (state) {
    case GroupState::kEmpty:
      return "Empty";
    case GroupState::kPreparingRebalance:
      return "PreparingRebalance";
    case GroupState::kCompletingRebalance:
      return "CompletingRebalance";
    case GroupState::kStable:
      return "Stable";
    case GroupState::kDead:
      return "Dead";
  }
  return "Dead";
}

const std::string* Member::MetadataFor(std::string_view protocol) const {
  for (const MemberProtocol& p : protocols) {
    if (p.name == protocol) return &p.metadata;
  }
  return nullptr;
}

const std::string* Group::StaticMemberId(const std::optional<std::string>& instance_id) const {
  if (!instance_id) return nullptr;
  auto it = static_members.find(*instance_id);
  return it == static_members.end() ? nullptr : &it->second;
}

bool Group::StaticMemberFenced(std::string_view member_id,
                               const std::optional<std::string>& instance_id) const {
  const std::string* current = StaticMemberId(instance_id);
  return current != nullptr && *current != member_id;
}

bool Group::SupportsProtocols(std::string_view type,
                              const std::vector<MemberProtocol>& protocols) const {
  if (members.empty()) return !type.empty() && !protocols.empty();
  if (type != protocol_type) return false;
  const std::set<std::string> candidates = CandidateProtocols();
  return std::any_of(protocols.begin(), protocols.end(),
                     [&](const MemberProtocol& p) { return candidates.count(p.name) != 0; });
}

std::set<std::string> Group::CandidateProtocols() const {
  std::set<std::string> candidates;
  bool first = true;
  for (const auto& [id, member] : members) {
    std::set<std::string> mine;
    for (const MemberProtocol& p : member.protocols) {
      if (first || candidates.count(p.name) != 0) mine.insert(p.name);
    }
    candidates = std::move(mine);
    first = false;
  }
  return candidates;
}

std::string Group::SelectProtocol() const {
  const std::set<std::string> candidates = CandidateProtocols();
  std::map<std::string, int> votes;
  for (const auto& [id, member] : members) {
    for (const MemberProtocol& p : member.protocols) {
      if (candidates.count(p.name) != 0) {
        ++votes[p.name];
        break;
      }
    }
  }
  // Ties: the leader's order of preference, then the name, so every run of
  // the same joins selects the same protocol.
  std::vector<std::string> order;
  if (leader_id && members.count(*leader_id) != 0) {
    for (const MemberProtocol& p : members.at(*leader_id).protocols) order.push_back(p.name);
  }
  auto rank = [&](const std::string& name) {
    auto it = std::find(order.begin(), order.end(), name);
    return it - order.begin();
  };
  std::string best;
  int best_votes = -1;
  for (const std::string& name : candidates) {
    const int v = votes.count(name) != 0 ? votes.at(name) : 0;
    if (v > best_votes || (v == best_votes && rank(name) < rank(best))) {
      best = name;
      best_votes = v;
    }
  }
  return best;
}

size_t Group::MembersAwaitingJoin() const {
  return static_cast<size_t>(std::count_if(members.begin(), members.end(), [](const auto& m) {
    return static_cast<bool>(m.second.awaiting_join);
  }));
}

bool Group::AllMembersJoined() const {
  return MembersAwaitingJoin() == members.size() && pending_members.empty();
}

int32_t Group::RebalanceTimeoutMs() const {
  int32_t longest = 0;
  for (const auto& [id, member] : members) longest = std::max(longest, member.rebalance_timeout_ms);
  return longest;
}

std::optional<std::set<std::string>> Group::SubscribedTopics() const {
  if (protocol_type != kConsumerProtocolType || !protocol_name) return std::nullopt;
  std::set<std::string> topics;
  for (const auto& [id, member] : members) {
    const std::string* metadata = member.MetadataFor(*protocol_name);
    if (metadata == nullptr) return std::nullopt;
    std::optional<std::vector<std::string>> mine = SubscriptionTopics(*metadata);
    if (!mine) return std::nullopt;
    topics.insert(mine->begin(), mine->end());
  }
  return topics;
}

}  // namespace kq::coordinator
