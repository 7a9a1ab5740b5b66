// kq-topics: the subcommands of the tool, one function each, for a log
// directory and a cluster alike. main.cc parses the flags into these structs
// and chooses the backend; each Run* returns the process exit code
// (tools/common/exit_codes.h) and prints its own messages.
//
// Exit codes: 0 success; 1 runtime error (a missing topic, an existing
// topic on create, an offset past the log end, I/O); 2 usage error (bad
// flags, an invalid topic name, an unknown config key or bad value).
//
// Thread safety: call from main only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "client/consumer.h"
#include "client/topic_admin.h"
#include "common/common_flags.h"
#include "common/output.h"
#include "log/log_dir.h"
#include "maint/delete_records.h"

namespace kq::tools::topics {

inline constexpr std::string_view kTool = "topics";

struct CreateArgs {
  std::vector<std::string> topics;
  int32_t partitions = 1;
  std::vector<std::string> configs;  // KEY=VALUE
  bool if_not_exists = false;
};

struct AlterArgs {
  std::string topic;
  std::vector<std::string> set_configs;     // KEY=VALUE
  std::vector<std::string> delete_configs;  // KEY
  std::optional<int32_t> partitions;
};

struct DeleteArgs {
  std::vector<std::string> topics;
  bool if_exists = false;
  bool force_internal = false;
};

struct ListArgs {
  bool json = false;
};

struct DescribeArgs {
  std::vector<std::string> topics;  // empty: every topic
  bool json = false;
};

struct TrimArgs {
  std::vector<std::string> targets;  // TOPIC or TOPIC:PARTITION
  std::string before;                // OFFSET or "end"
  std::string before_time;           // time_spec.h
  bool json = false;
};

struct OffsetsArgs {
  std::vector<std::string> topics;
  std::string at;  // time_spec.h; empty: earliest and latest
  bool json = false;
};

// What `trim` asks for, checked. A target is TOPIC (every partition) or
// TOPIC:N, as everywhere else.
struct TrimRequest {
  maint::DeleteBefore before = maint::DeleteBefore::End();
  std::optional<int64_t> before_offset;  // --before N, for messages
  std::vector<client::TopicSelection> targets;
};
// Checks the trim flags and targets; prints the usage error and returns
// nullopt on the first problem.
std::optional<TrimRequest> ParseTrimArgs(const TrimArgs& args);

// Each subcommand does its work through `admin` (client/topic_admin.h), the
// log directory's or the cluster's, chosen once in main.
using client::TopicAdmin;
int RunCreate(const CommonFlags& common, TopicAdmin& admin, const CreateArgs& args);
int RunAlter(const CommonFlags& common, TopicAdmin& admin, const AlterArgs& args);
int RunDelete(const CommonFlags& common, TopicAdmin& admin, const DeleteArgs& args);
int RunList(TopicAdmin& admin, const ListArgs& args);
int RunDescribe(const CommonFlags& common, TopicAdmin& admin, const DescribeArgs& args);
int RunTrim(const CommonFlags& common, TopicAdmin& admin, const TrimArgs& args);
int RunOffsets(TopicAdmin& admin, const OffsetsArgs& args);  // offsets.cc

// --- shared by the subcommands (support.cc) ---

// Usage-checks every name (ValidateTopicName); prints the first problem and
// returns false.
bool CheckTopicNames(const std::vector<std::string>& names);
// Refuses to delete an internal topic without --force-internal (both
// backends: a cluster may refuse it too, a directory would not); prints the
// usage error and returns false.
bool CheckDeletable(const DeleteArgs& args);
// Splits each "KEY=VALUE" of `flag` (each KEY of --delete-config: a reset)
// and checks it as the backend will (TopicAdmin::CheckConfig). On error
// prints the usage message and returns false.
bool ParseConfigArgs(const TopicAdmin& admin, const std::vector<std::string>& args,
                     std::vector<log::ConfigChange>* out);
bool ParseDeleteConfigArgs(const TopicAdmin& admin, const std::vector<std::string>& keys,
                           std::vector<log::ConfigChange>* out);

}  // namespace kq::tools::topics
