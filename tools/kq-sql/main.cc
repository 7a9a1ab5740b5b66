// kq-sql: SQL over the topics of a log directory, with SQLite as the query
// engine (core/sql/). This file declares the flags; run_query.cc runs
// one-shot queries, follow.cc push queries.
// See man/kq-sql.1.
#include <CLI/CLI.hpp>

#include "common/common_flags.h"
#include "kq-sql/sql_tool.h"

namespace {

using kq::tools::sql::SqlFlags;

void AddSqlFlags(CLI::App& app, SqlFlags* f) {
  app.add_option("sql", f->sql,
                 "The SQL: every topic is a table (partition, offset, ts, key, value, headers, "
                 "value_json); several statements run in order")
      ->type_name("SQL")
      ->required();
  app.option_defaults()->group("Query");
  app.add_option("--table", f->tables,
                 "Read TOPIC as a table: the latest value per key, tombstones removed (the "
                 "stream stays main.TOPIC); repeatable")
      ->type_name("TOPIC")
      ->allow_extra_args(false);
  app.add_flag("-F,--follow", f->follow,
               "Push query: keep running as records arrive; filters print each new match, "
               "aggregates print the groups that changed");
  app.add_option("--poll-ms", f->poll_ms,
                 "With --follow, look for new records every MS ms. Default: 200")
      ->type_name("MS");
  app.add_option("--timeout", f->timeout,
                 "Stop the query after DURATION (500ms, 30s, 5m, 1h); exit 124")
      ->type_name("DURATION");
  app.add_flag("--stats", f->stats,
               "Print rows, bytes read from the log directory and each topic scan's bounds on "
               "stderr");
  app.option_defaults()->group("Output");
  app.add_flag("--csv", f->csv, "Print CSV (RFC 4180) with a header line");
  app.add_flag("--tsv", f->tsv,
               "Print tab-separated values with a header line (the default when stdout is not "
               "a terminal)");
  app.add_flag("-J,--json", f->json, "Print one JSON object per row (JSON lines)");
  app.add_flag("--aligned", f->aligned, "Print aligned columns (the default on a terminal)");
  app.add_flag("-N,--no-header", f->no_header, "Leave out the header line");
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "Run SQL over the topics of a log directory: each topic is a table, read through "
      "SQLite, with partition, offset and time constraints served from the log's indexes."};
  kq::tools::CommonFlags common;
  SqlFlags flags;
  kq::tools::AddCommonFlags(app, kq::tools::sql::kTool, &common);
  AddSqlFlags(app, &flags);
  kq::tools::SetExamples(
      app, {"kq-sql \"SELECT count(*) FROM orders WHERE ts > now_ms() - ms('1h')\"",
            "kq-sql --csv \"SELECT key, json_extract(value, '$.amount') FROM orders\"",
            "kq-sql --table customers \"SELECT o.key, c.value FROM orders o JOIN customers c "
            "USING (key)\"",
            "kq-sql \"SELECT window_start(ts, '1m') AS minute, count(*) FROM orders GROUP BY 1\"",
            "kq-sql -F \"SELECT iso(ts), value FROM logs WHERE value LIKE '%ERROR%'\"",
            "kq-sql --stats \"SELECT count(*) FROM \\\"page-views\\\" WHERE partition = 0\""});
  return kq::tools::RunApp(app, argc, argv, kq::tools::sql::kTool,
                           [&] { return kq::tools::sql::RunSql(common, flags); });
}
