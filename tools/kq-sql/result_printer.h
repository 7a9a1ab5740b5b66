// Result rows of a prepared SQLite statement on stdout, in one of kq-sql's
// formats:
//   aligned  columns as wide as their widest cell, NULL printed as NULL (all
//            rows are held until the end to measure them)
//   tsv      tab-separated, a header line; NULL is empty, and \t \n \r \\ in
//            text are escaped as \t \n \r \\
//   csv      RFC 4180: a header line, fields quoted when they hold a comma,
//            a quote, CR or LF (quotes doubled); NULL is empty
//   json     one JSON object per row (JSON lines), columns in order; NULL is
//            null, integers and reals are numbers (reals
//            in their shortest exact form), text a string, a blob
//            {"b64": "..."}
// Blobs are x'hex' in the text formats.
//
// Thread safety: one thread.
#pragma once

#include <string>
#include <vector>

#include <sqlite3.h>

#include "base/status.h"
#include "common/output.h"
#include "kq-sql/sql_tool.h"

namespace kq::tools::sql {

class ResultPrinter {
 public:
  ResultPrinter(OutputFormat format, bool header, OutputWriter* out);

  // Takes the column names of `stmt` (prints the header line of csv/tsv
  // once, the first time).
  void Start(sqlite3_stmt* stmt);
  // The current row of `stmt` (after SQLITE_ROW).
  Status Row(sqlite3_stmt* stmt);
  // Writes what is held (aligned), then flushes.
  Status Finish();

 private:
  void Cell(sqlite3_stmt* stmt, int i, std::string* out) const;

  OutputFormat format_;
  bool header_;
  bool header_done_ = false;
  OutputWriter* out_;
  std::vector<std::string> names_;
  std::vector<std::vector<std::string>> held_;  // aligned rows
};

}  // namespace kq::tools::sql
