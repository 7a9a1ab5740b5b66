// kq-sql's one-shot path: open the log directory as a database, add the
// --table views, run each statement of the SQL text, print its rows.
#include <chrono>
#include <memory>

#include <fmt/format.h>

#include "base/time_spec.h"
#include "common/exit_codes.h"
#include "common/output.h"
#include "kq-sql/follow.h"
#include "kq-sql/query_guard.h"
#include "kq-sql/result_printer.h"
#include "kq-sql/sql_tool.h"
#include "sql/topic_database.h"

namespace kq::tools::sql {
namespace {

OutputFormat ChooseFormat(const SqlFlags& flags) {
  if (flags.csv) return OutputFormat::kCsv;
  if (flags.tsv) return OutputFormat::kTsv;
  if (flags.json) return OutputFormat::kJson;
  if (flags.aligned || (IsTerminal(1) && !flags.follow)) return OutputFormat::kAligned;
  return OutputFormat::kTsv;
}

// SQLite's message, and for an error at a known byte of the SQL text, the
// line holding it with a caret under that byte. `base`: where the statement
// SQLite was given starts in `sql`.
std::string SqlError(const kq::sql::TopicDatabase& db, std::string_view sql, size_t base) {
  std::string message = db.ErrorMessage();
  const int offset = sqlite3_error_offset(db.db());
  if (offset < 0 || base + offset > sql.size()) return message;
  const size_t at = base + offset;
  const size_t line_start = sql.rfind('\n', at == 0 ? 0 : at - 1);
  const size_t from = line_start == std::string_view::npos || at == 0 ? 0 : line_start + 1;
  size_t to = sql.find('\n', at);
  if (to == std::string_view::npos) to = sql.size();
  size_t line = 1;
  for (size_t i = 0; i < from; ++i) line += sql[i] == '\n';
  return fmt::format("{} (line {}, byte {})\n  {}\n  {}^", message, line, at,
                     sql.substr(from, to - from), std::string(at - from, ' '));
}

}  // namespace

int RunSql(const CommonFlags& common, const SqlFlags& flags) {
  if (!common.brokers.empty()) {
    return ReportError(
        kTool, Status::NotSupported("cluster mode is not available: kq-sql reads a log directory"));
  }
  if (flags.csv + flags.tsv + flags.json + flags.aligned > 1) {
    return ReportUsageError(kTool, "--csv, --tsv, --json and --aligned exclude each other");
  }
  std::optional<int64_t> timeout;
  if (!flags.timeout.empty()) {
    auto ms = ParseDuration(flags.timeout);
    if (!ms.ok()) return ReportUsageError(kTool, "--timeout: " + ms.status().message());
    timeout = *ms;
  }
  if (flags.poll_ms <= 0) return ReportUsageError(kTool, "--poll-ms must be positive");

  auto opened = kq::sql::TopicDatabase::Open(
      {.env = io::Env::Default(), .dir = common.dir, .read_bytes = size_t{1} << 20});
  if (!opened.ok()) return ReportError(kTool, opened.status());
  kq::sql::TopicDatabase& db = **opened;
  for (const std::string& topic : flags.tables) {
    if (Status s = db.AddTableView(topic); !s.ok()) return ReportError(kTool, s);
  }

  QueryGuard guard([&db] { db.Interrupt(); }, timeout);
  OutputWriter out(1);
  ResultPrinter printer(ChooseFormat(flags), !flags.no_header, &out);
  const auto started = std::chrono::steady_clock::now();
  uint64_t rows = 0;
  Status status;
  if (flags.follow) {
    status = RunFollow(db, flags, guard, &printer, &rows);
  } else {
    const char* next = flags.sql.c_str();
    while (status.ok() && *next != 0) {
      sqlite3_stmt* stmt = nullptr;
      const char* tail = nullptr;
      if (sqlite3_prepare_v2(db.db(), next, -1, &stmt, &tail) != SQLITE_OK) {
        status = Status::InvalidArgument(SqlError(db, flags.sql, next - flags.sql.c_str()));
        break;
      }
      next = tail;
      if (stmt == nullptr) continue;  // whitespace or a comment
      printer.Start(stmt);
      int rc;
      while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        ++rows;
        status = printer.Row(stmt);
        if (!status.ok()) break;
      }
      if (status.ok() && rc != SQLITE_DONE) status = Status::InvalidArgument(db.ErrorMessage());
      sqlite3_finalize(stmt);
      if (status.ok()) status = printer.Finish();
    }
  }
  if (Status s = out.Flush(); status.ok()) status = s;
  if (flags.stats) {
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    fmt::print(stderr, "kq-sql: {} rows, {} bytes read from {}, {:.3f} s\n", rows, db.bytes_read(),
               common.dir, secs);
    for (const std::string& scan : db.scans()) fmt::print(stderr, "kq-sql: scan {}\n", scan);
  }
  switch (guard.reason()) {
    case QueryGuard::Reason::kSignal:
      if (!flags.follow) fmt::print(stderr, "kq-sql: interrupted\n");
      return flags.follow && status.ok() ? kExitOk : kExitInterrupted;
    case QueryGuard::Reason::kTimeout:
      fmt::print(stderr, "kq-sql: stopped by --timeout {}\n", flags.timeout);
      return kExitTimeout;
    case QueryGuard::Reason::kNone:
      break;
  }
  return ReportError(kTool, status);
}

}  // namespace kq::tools::sql
