// TopicDatabase: an in-memory SQLite connection in which every topic of a
// log directory is a table (kq_topic, topic_table.h), with kq's SQL
// functions (sql_functions.h) and hopping_windows (window_table.h).
//
//   auto db = TopicDatabase::Open({.env = Env::Default(), .dir = "kq-data"});
//   KQ_RETURN_IF_ERROR((*db)->AddTableView("customers"));   // --table
//   sqlite3_prepare_v2((*db)->db(), "SELECT count(*) FROM orders", ...);
//
// Names: topic T is the virtual table main."T" (quote names that are not
// SQL identifiers: "page-views", "logs.v2"). AddTableView(T) adds the view
// temp."T", the latest value per key without tombstones; SQLite looks in
// temp first, so the unqualified name T then means the table and main."T"
// still names the stream.
//
// Reads go through a ReadCountingEnv over options.env: bytes_read() is what
// queries read from the log directory's files (segments and indexes).
//
// Thread safety: one thread uses the connection; Interrupt() may be called
// from any thread (sqlite3_interrupt), never from a signal handler.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <sqlite3.h>

#include "base/result.h"
#include "io/env.h"
#include "io/read_counting_env.h"
#include "log/log_dir.h"
#include "sql/topic_table.h"

namespace kq::sql {

struct TopicDatabaseOptions {
  io::Env* env = nullptr;          // required
  std::string dir;                 // the log directory; NotFound when it is not one
  size_t read_bytes = 256 * 1024;  // bytes per partition read
};

class TopicDatabase {
 public:
  static Result<std::unique_ptr<TopicDatabase>> Open(const TopicDatabaseOptions& options);
  ~TopicDatabase();
  TopicDatabase(const TopicDatabase&) = delete;
  TopicDatabase& operator=(const TopicDatabase&) = delete;

  sqlite3* db() const { return db_; }
  const log::LogDir& log_dir() const { return *dir_; }
  const std::vector<std::string>& topics() const { return topics_; }

  // Creates temp."topic": per (partition, key) the record with the highest
  // offset, without those whose value is NULL (tombstones) or key is NULL.
  // Columns as the topic's. NotFound names a missing topic.
  Status AddTableView(std::string_view topic);

  // Runs statements that return no rows (CREATE TEMP TABLE, ...).
  Status Exec(const std::string& sql);

  // The message for the connection's last error, with a hint for a missing
  // table that names the topics closest to it ("no such table: ordres (no
  // topic 'ordres' in DIR; did you mean 'orders'?)").
  std::string ErrorMessage() const;

  void Interrupt() { sqlite3_interrupt(db_); }

  uint64_t bytes_read() const { return counting_env_->bytes_read(); }
  void ResetBytesRead() { counting_env_->Reset(); }
  // One line per topic scan, in order (TopicTableContext::scans).
  const std::vector<std::string>& scans() const { return context_.scans; }
  // The state the connection's topic tables share (push queries set its
  // windows).
  TopicTableContext& context() { return context_; }

 private:
  TopicDatabase() = default;

  std::unique_ptr<io::ReadCountingEnv> counting_env_;
  std::unique_ptr<log::LogDir> dir_;
  std::vector<std::string> topics_;
  TopicTableContext context_;
  sqlite3* db_ = nullptr;
};

// "orders" → "\"orders\"": a name as an SQL identifier (double quotes
// doubled inside).
std::string QuoteIdentifier(std::string_view name);

}  // namespace kq::sql
