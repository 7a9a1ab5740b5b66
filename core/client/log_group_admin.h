// LogGroupAdmin: GroupAdmin (client/group_admin.h) over a log directory:
// committed offsets from the offsets store (groups/offsets_store.h, the
// __consumer_offsets topic), live members and partition owners from the
// membership folders (groups/group_registry.h), offsets and times from the
// partitions (LogDir::OpenPartition).
//
// A group exists while it has committed offsets or live members. Reset
// follows kafka-consumer-groups: offsets are kept within each partition's
// log start and end; --shift-by needs a commit to shift; a committed
// partition whose topic or partition is gone is left out with a note.
//
// The directory and the store are opened on first use (NotFound for a
// missing directory; the store never creates __consumer_offsets to read).
// Thread safety: one thread at a time. The Env must outlive the admin.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "client/group_admin.h"
#include "groups/group_registry.h"
#include "groups/offsets_store.h"
#include "io/env.h"
#include "log/log_dir.h"

namespace kq::client {

class LogGroupAdmin final : public GroupAdmin {
 public:
  LogGroupAdmin(io::Env* env, std::string path) : env_(env), path_(std::move(path)) {}

  Result<std::vector<GroupListing>> ListGroups() override;
  Result<GroupDescription> DescribeGroup(std::string_view group) override;
  Result<ResetPlan> PlanReset(std::string_view group, const std::vector<ResetScope>& scopes,
                              const ResetTarget& target) override;
  Status CommitOffsets(std::string_view group, const std::vector<PlannedOffset>& offsets) override;
  Status DeleteGroups(const std::vector<std::string>& groups) override;

 private:
  // A group's state on disk.
  struct State {
    std::map<groups::TopicPartition, groups::CommittedOffset> offsets;
    std::vector<groups::LiveMember> members;
    std::map<groups::TopicPartition, std::string> owners;
    bool exists() const { return !offsets.empty() || !members.empty(); }
  };
  struct Range {
    int64_t start = 0;
    int64_t end = 0;
  };

  Status Open();
  Result<State> Load(std::string_view group);
  // NotFound "group 'g' does not exist in DIR".
  Status UnknownGroup(std::string_view group) const;
  // "2 live member(s), e.g. m-1". REQUIRES: some.
  static std::string LiveMembers(const State& state);
  // Partition count of `topic` (NotFound when missing), cached per run.
  Result<int32_t> Partitions(const std::string& topic);
  // Start and end of a partition; nullopt when its topic or partition is gone.
  Result<std::optional<Range>> RangeOf(const groups::TopicPartition& tp);
  Result<int64_t> OffsetForTimestamp(const groups::TopicPartition& tp, int64_t ts);

  io::Env* env_;
  std::string path_;
  std::optional<log::LogDir> dir_;
  std::unique_ptr<groups::OffsetsStore> store_;
  std::map<std::string, std::optional<log::TopicInfo>> topics_;  // Partitions' cache
};

}  // namespace kq::client
