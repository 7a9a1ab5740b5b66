// kq-groups: the subcommands of the tool, one function each, for a log
// directory and a cluster alike. main.cc parses the flags into these structs
// and chooses the backend; each Run* returns the process exit code
// (tools/common/exit_codes.h) and prints its own messages.
//
// Exit codes: 0 success; 1 runtime error (an unknown group, an active group
// for reset --execute or delete, a missing topic, I/O); 2 usage error (bad
// flags, an invalid group or topic name, a bad time or partition list).
//
// Thread safety: call from main only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "client/group_admin.h"
#include "common/common_flags.h"
#include "common/output.h"
#include "common/table.h"

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

// Reset's usage checks: exactly one scenario, no --execute with --dry-run,
// a parseable --to-datetime, valid scopes. Prints the usage error and
// returns the exit code on the first problem; nullopt when all is well, with
// *target and *scopes filled.
std::optional<int> CheckResetArgs(const ResetArgs& args, client::ResetTarget* target,
                                  std::vector<client::ResetScope>* scopes);

struct DeleteArgs {
  std::vector<std::string> groups;
};

// Each subcommand does its work through `admin` (client/group_admin.h), the
// log directory's or the cluster's, chosen once in main.
using client::GroupAdmin;
int RunList(GroupAdmin& admin, const ListArgs& args);
int RunDescribe(const CommonFlags& common, GroupAdmin& admin, const DescribeArgs& args);
int RunReset(const CommonFlags& common, GroupAdmin& admin, const ResetArgs& args);
int RunDelete(const CommonFlags& common, GroupAdmin& admin, const DeleteArgs& args);

// Checks a group name; prints the usage error and returns false.
bool CheckGroupName(std::string_view group);

}  // namespace kq::tools::groups_tool
