// kq-groups: the subcommands of the tool, one function each. main.cc parses
// the flags into these structs; each Run* returns the process exit code
// (tools/common/exit_codes.h) and prints its own messages.
//
// Exit codes: 0 success; 1 runtime error (an unknown group, an active group
// for reset --execute or delete, a missing topic, I/O); 2 usage error (bad
// flags, an invalid group or topic name, a bad time or partition list).
//
// Thread safety: call from main only.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "common/common_flags.h"
#include "common/output.h"
#include "common/table.h"
#include "groups/group_registry.h"
#include "groups/offsets_store.h"
#include "groups/topic_partition.h"
#include "log/log_dir.h"

namespace kq::tools::groups_tool {

inline constexpr std::string_view kTool = "groups";

struct ListArgs {
  bool json = false;
};

struct DescribeArgs {
  std::string group;
  bool json = false;
};

struct ResetArgs {
  std::string group;
  bool to_earliest = false;
  bool to_latest = false;
  std::optional<int64_t> to_offset;
  std::string to_datetime;  // time_spec.h
  std::optional<int64_t> shift_by;
  std::vector<std::string> topics;  // TOPIC or TOPIC:P[,P...]
  bool execute = false;
  bool dry_run = false;
  bool json = false;
};

// One --topic of reset: "TOPIC" or "TOPIC:P[,P...]".
struct ResetScope {
  std::string topic;
  std::vector<int32_t> partitions;  // empty: all
};
// Reset's usage checks, shared by the directory and -b modes: exactly one
// scenario, no --execute with --dry-run, a parseable --to-datetime (into
// *datetime_ms), valid scopes. Prints the usage error and returns the exit
// code on the first problem; nullopt when all is well.
std::optional<int> CheckResetArgs(const ResetArgs& args, int64_t* datetime_ms,
                                  std::vector<ResetScope>* scopes);

struct DeleteArgs {
  std::vector<std::string> groups;
};

int RunList(const CommonFlags& common, const ListArgs& args);
int RunDescribe(const CommonFlags& common, const DescribeArgs& args);
int RunReset(const CommonFlags& common, const ResetArgs& args);
int RunDelete(const CommonFlags& common, const DeleteArgs& args);

// --- shared by the subcommands (support.cc) ---

// The directory, its offsets store and the group's state on disk.
struct GroupState {
  std::map<groups::TopicPartition, groups::CommittedOffset> offsets;
  std::vector<groups::LiveMember> members;
  std::map<groups::TopicPartition, std::string> owners;
  bool exists() const { return !offsets.empty() || !members.empty(); }
};

struct Context {
  std::optional<log::LogDir> dir;
  std::unique_ptr<groups::OffsetsStore> store;
};

// Opens the directory (never creating it) and the store.
Result<Context> OpenContext(const CommonFlags& common);
Result<GroupState> LoadGroup(Context& ctx, std::string_view group);
// NotFound "group 'g' does not exist in DIR".
Status UnknownGroup(const Context& ctx, std::string_view group);
// Checks a group name; prints the usage error and returns false.
bool CheckGroupName(std::string_view group);

// Start and end offsets of each partition, opening topics as needed.
// nullopt for a partition whose topic or partition no longer exists.
struct PartitionRange {
  int64_t start = 0;
  int64_t end = 0;
};
class PartitionRanges {
 public:
  explicit PartitionRanges(const log::LogDir& dir) : dir_(dir) {}
  Result<std::optional<PartitionRange>> Get(const groups::TopicPartition& tp);
  // The first offset with a timestamp >= ts (log end when none).
  Result<int64_t> OffsetForTimestamp(const groups::TopicPartition& tp, int64_t ts);
  // Partition count of `topic`; NotFound when it does not exist.
  Result<int32_t> Partitions(const std::string& topic);

 private:
  const log::LogDir& dir_;
  std::map<std::string, std::optional<log::TopicInfo>> topics_;
};

}  // namespace kq::tools::groups_tool
