// kq-topics: the subcommands of the tool, one function each. main.cc parses
// the flags into these structs; each Run* returns the process exit code
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

#include <nlohmann/json.hpp>

#include "base/result.h"
#include "client/consumer.h"
#include "common/common_flags.h"
#include "common/output.h"
#include "io/env.h"
#include "log/log_dir.h"
#include "log/partition.h"

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

// What `trim` asks for, checked: shared by the directory and -b modes. A
// target is TOPIC (every partition) or TOPIC:N, as everywhere else.
using TrimTarget = client::TopicSelection;
struct TrimRequest {
  std::optional<int64_t> before_offset;  // --before N (neither: --before end)
  std::optional<int64_t> before_ms;      // --before-time
  std::vector<TrimTarget> targets;
};
// Checks the trim flags and targets; prints the usage error and returns
// nullopt on the first problem.
std::optional<TrimRequest> ParseTrimArgs(const TrimArgs& args);

int RunCreate(const CommonFlags& common, const CreateArgs& args);
int RunAlter(const CommonFlags& common, const AlterArgs& args);
int RunDelete(const CommonFlags& common, const DeleteArgs& args);
int RunList(const CommonFlags& common, const ListArgs& args);
int RunDescribe(const CommonFlags& common, const DescribeArgs& args);
int RunTrim(const CommonFlags& common, const TrimArgs& args);
int RunOffsets(const CommonFlags& common, const OffsetsArgs& args);  // offsets.cc

// --- shared by the subcommands (support.cc) ---

// Usage-checks every name (ValidateTopicName); prints the first problem and
// returns false.
bool CheckTopicNames(const std::vector<std::string>& names);
// Refuses to delete an internal topic without --force-internal (both modes:
// a cluster may refuse it too, a directory would not); prints the usage
// error and returns false.
bool CheckDeletable(const DeleteArgs& args);
// Splits "KEY=VALUE" and checks both on a scratch TopicConfig. On error
// prints the usage message and returns nullopt.
std::optional<log::ConfigChange> ParseConfigArg(std::string_view arg);

// Opens the log directory of `common`; create_if_missing only for create.
Result<log::LogDir> OpenLogDir(const CommonFlags& common, bool create_if_missing);

// Opens partition `partition` of `topic` in `dir`.
Result<std::unique_ptr<log::Partition>> OpenPartition(const log::LogDir& dir,
                                                      const log::TopicInfo& topic,
                                                      int32_t partition, log::OpenMode mode);

// Prints describe's reports: a JSON array with --json, else each report's
// text, a blank line between them.
template <typename Report, typename ToJsonFn, typename AppendTextFn>
int PrintReports(const std::vector<Report>& reports, bool json, ToJsonFn to_json,
                 AppendTextFn append_text) {
  std::string out;
  if (json) {
    nlohmann::json list = nlohmann::json::array();
    for (const Report& r : reports) list.push_back(to_json(r));
    out = list.dump() + "\n";
  } else {
    for (size_t i = 0; i < reports.size(); ++i) {
      if (i > 0) out += "\n";
      append_text(reports[i], &out);
    }
  }
  return PrintOut(kTool, out);
}

}  // namespace kq::tools::topics
