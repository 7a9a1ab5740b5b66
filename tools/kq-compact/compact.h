// kq-compact internals shared by main.cc and the action files.
//
//   targets.cc   TOPIC[:PARTITION] operands -> partitions, --max-memory SIZE
//   clean.cc     the default action (retention and compaction), --dry-run
//   inspect.cc   --verify, --repair
//   dump.cc      --dump (text like kafka-dump-log, or --json lines)
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "io/env.h"
#include "log/log_dir.h"
#include "log/topic_config.h"

namespace kq::tools::compact {

inline constexpr std::string_view kTool = "compact";

enum class Action { kClean, kDump, kVerify, kRepair };

struct Args {
  std::string dir;
  std::vector<std::string> operands;  // TOPIC[:PARTITION]
  Action action = Action::kClean;
  bool dry_run = false;
  bool print_data = false;
  bool truncate_corrupt = false;
  bool json = false;
  bool quiet = false;
  int verbose = 0;
  size_t max_memory = size_t{32} << 20;
};

struct Target {
  std::string topic;
  int32_t partition = 0;
  log::TopicConfig config;
  std::string path;  // the partition folder
  std::string Name() const { return topic + "-" + std::to_string(partition); }
};

// "32M", "512K", "1G", "4096" (bytes). InvalidArgument naming the text.
Result<size_t> ParseSize(std::string_view text);

// The partitions the operands name (every partition of every topic when
// there are none), in order. Errors: NotFound for a missing directory or
// topic, InvalidArgument for a malformed operand or a partition out of range.
Result<std::vector<Target>> ResolveTargets(io::Env* env, const std::string& dir,
                                           const std::vector<std::string>& operands);

// Each returns the exit code (0, or 1 when any partition failed or, for
// verify, had problems).
int RunClean(io::Env* env, const Args& args, const std::vector<Target>& targets);
int RunVerify(io::Env* env, const Args& args, const std::vector<Target>& targets);
int RunRepair(io::Env* env, const Args& args, const std::vector<Target>& targets);
int RunDump(io::Env* env, const Args& args, const std::vector<Target>& targets);

// "1.5 MB" style sizes for humans.
std::string HumanBytes(uint64_t bytes);
// Prints "kq-compact: <message>" to stderr.
void Warn(std::string_view message);

}  // namespace kq::tools::compact
