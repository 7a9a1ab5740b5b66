// kq-sql's flags and the entry points of its parts: one-shot queries
// (run_query.cc), push queries (follow.cc), result rows to stdout
// (result_printer.cc) and the Ctrl-C/--timeout guard (query_guard.cc).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/common_flags.h"

namespace kq::tools::sql {

inline constexpr const char* kTool = "sql";

// Exit codes besides 0, 1 and 2 (exit_codes.h), as timeout(1) and shells use.
inline constexpr int kExitTimeout = 124;
inline constexpr int kExitInterrupted = 130;

enum class OutputFormat { kAuto, kAligned, kCsv, kTsv, kJson };

struct SqlFlags {
  std::string sql;
  std::vector<std::string> tables;  // --table TOPIC
  bool csv = false;
  bool tsv = false;
  bool json = false;
  bool aligned = false;
  bool no_header = false;
  bool stats = false;
  std::string timeout;  // a duration ('30s'); empty: none
  bool follow = false;
  int64_t poll_ms = 200;
};

int RunSql(const CommonFlags& common, const SqlFlags& flags);

}  // namespace kq::tools::sql
