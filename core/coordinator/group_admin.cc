// GroupCoordinator: ListGroups, DescribeGroups and DeleteGroups.
#include <algorithm>
#include <cctype>

#include "coordinator/group_coordinator.h"
#include "coordinator/group_errors.h"
#include "groups/group_registry.h"
#include "groups/offset_commit_codec.h"

namespace kq::coordinator {
namespace {

bool SameName(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

}  // namespace

ListGroupsResult GroupCoordinator::ListGroups(const std::vector<std::string>& states) {
  CallScope scope(this);
  ListGroupsResult result;
  std::map<std::string, ListedGroup> listed;
  for (const auto& [id, group] : groups_) {
    listed[id] = {id, group.protocol_type, std::string(GroupStateName(group.state))};
  }
  // Groups known only by their offsets (simple commits, kq-consume -G,
  // groups from before a restart) are empty groups without a protocol.
  Result<std::vector<std::string>> stored = store_->ListGroups();
  if (!stored.ok()) {
    result.error_code = kCoordinatorNotAvailable;
    return result;
  }
  for (const std::string& id : *stored) listed.try_emplace(id, ListedGroup{id, "", "Empty"});
  for (auto& [id, g] : listed) {
    const bool wanted = states.empty() || std::any_of(states.begin(), states.end(), [&](auto& s) {
                          return SameName(s, g.state);
                        });
    if (wanted) result.groups.push_back(std::move(g));
  }
  return result;
}

std::vector<DescribedGroup> GroupCoordinator::DescribeGroups(const std::vector<std::string>& ids) {
  CallScope scope(this);
  std::vector<DescribedGroup> out;
  for (const std::string& id : ids) {
    DescribedGroup d;
    d.group_id = id;
    const Group* group = Find(id);
    if (!groups::ValidateGroupName(id).ok()) {
      d.error_code = kInvalidGroupId;
      d.state = "Dead";
    } else if (group == nullptr) {
      d.state = HasOffsets(id) ? "Empty" : "Dead";
    } else {
      d.state = GroupStateName(group->state);
      d.protocol_type = group->protocol_type;
      const bool stable = group->state == GroupState::kStable && group->protocol_name;
      if (stable) d.protocol_data = *group->protocol_name;
      for (const auto& [mid, m] : group->members) {
        DescribedMember dm{mid, m.group_instance_id, m.client_id, m.client_host, {}, {}};
        if (stable) {
          const std::string* metadata = m.MetadataFor(*group->protocol_name);
          if (metadata != nullptr) dm.metadata = *metadata;
          dm.assignment = m.assignment;
        }
        d.members.push_back(std::move(dm));
      }
    }
    out.push_back(std::move(d));
  }
  return out;
}

std::vector<std::pair<std::string, int16_t>> GroupCoordinator::DeleteGroups(
    const std::vector<std::string>& ids) {
  CallScope scope(this);
  std::vector<std::pair<std::string, int16_t>> out;
  for (const std::string& id : ids) {
    if (shut_down_) {
      out.emplace_back(id, kNotCoordinator);
      continue;
    }
    if (!groups::ValidateGroupName(id).ok()) {
      out.emplace_back(id, kInvalidGroupId);
      continue;
    }
    Group* group = Find(id);
    if (group != nullptr && (!group->members.empty() || !group->pending_members.empty())) {
      out.emplace_back(id, kNonEmptyGroup);
      continue;
    }
    auto live = groups::ListLiveMembers(options_.env, options_.log_dir, id);
    if (!live.ok() || !live->empty()) {
      out.emplace_back(id, live.ok() ? kNonEmptyGroup : kCoordinatorNotAvailable);
      continue;
    }
    const bool has_offsets = HasOffsets(id);
    if (group == nullptr && !has_offsets) {
      out.emplace_back(id, kGroupIdNotFound);
      continue;
    }
    if (has_offsets && !store_->Delete(id, {}).ok()) {
      out.emplace_back(id, kUnknownServerError);
      continue;
    }
    groups_.erase(id);
    // The server-less folder goes too, as kq-groups delete removes it.
    (void)groups::RemoveGroupFolder(options_.env, options_.log_dir, id);
    out.emplace_back(id, kNone);
  }
  return out;
}

}  // namespace kq::coordinator
