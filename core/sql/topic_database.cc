#include "sql/topic_database.h"

#include <fmt/format.h>

#include "base/closest_name.h"
#include "sql/sql_functions.h"
#include "sql/window_table.h"

namespace kq::sql {

std::string QuoteIdentifier(std::string_view name) {
  std::string out = "\"";
  for (char ch : name) {
    if (ch == '"') out += '"';
    out += ch;
  }
  out += '"';
  return out;
}

Result<std::unique_ptr<TopicDatabase>> TopicDatabase::Open(const TopicDatabaseOptions& options) {
  std::unique_ptr<TopicDatabase> t(new TopicDatabase());
  t->counting_env_ = std::make_unique<io::ReadCountingEnv>(options.env);
  KQ_ASSIGN_OR_RETURN(log::LogDir dir,
                      log::LogDir::Open(t->counting_env_.get(), options.dir, false));
  t->dir_ = std::make_unique<log::LogDir>(std::move(dir));
  KQ_ASSIGN_OR_RETURN(t->topics_, t->dir_->ListTopics());
  t->context_.env = t->counting_env_.get();
  t->context_.dir = t->dir_.get();
  t->context_.read_bytes = options.read_bytes;
  if (sqlite3_open_v2(":memory:", &t->db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
      SQLITE_OK) {
    return Status::Internal(fmt::format("cannot open SQLite: {}", sqlite3_errmsg(t->db_)));
  }
  sqlite3_extended_result_codes(t->db_, 1);
  KQ_RETURN_IF_ERROR(RegisterTopicModule(t->db_, &t->context_));
  KQ_RETURN_IF_ERROR(RegisterSqlFunctions(t->db_, options.env));
  KQ_RETURN_IF_ERROR(RegisterWindowTable(t->db_));
  for (const std::string& topic : t->topics_) {
    // Topic names are [a-zA-Z0-9._-]: safe inside single quotes.
    KQ_RETURN_IF_ERROR(t->Exec(fmt::format("CREATE VIRTUAL TABLE main.{} USING kq_topic('{}')",
                                           QuoteIdentifier(topic), topic)));
  }
  return t;
}

TopicDatabase::~TopicDatabase() { sqlite3_close_v2(db_); }

Status TopicDatabase::Exec(const std::string& sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string message = err != nullptr ? err : sqlite3_errmsg(db_);
    sqlite3_free(err);
    return Status::InvalidArgument(message);
  }
  return Status::Ok();
}

Status TopicDatabase::AddTableView(std::string_view topic) {
  if (std::find(topics_.begin(), topics_.end(), topic) == topics_.end()) {
    std::string hint = ClosestName(topic, topics_);
    return Status::NotFound(
        fmt::format("--table {}: no topic '{}' in {}{}", topic, topic, dir_->path(),
                    hint.empty() ? "" : fmt::format("; did you mean '{}'?", hint)));
  }
  const std::string name = QuoteIdentifier(topic);
  // SQLite takes the bare columns of an aggregate with a single max() from
  // the row holding the maximum: the latest record of each key.
  return Exec(fmt::format(
      "CREATE TEMP VIEW {0} AS SELECT partition, offset, ts, key, value, headers, value_json "
      "FROM (SELECT partition, max(offset) AS offset, ts, key, value, headers, value_json "
      "FROM main.{0} WHERE key IS NOT NULL GROUP BY partition, key) WHERE value IS NOT NULL",
      name));
}

std::string TopicDatabase::ErrorMessage() const {
  std::string message = sqlite3_errmsg(db_);
  constexpr std::string_view kNoTable = "no such table: ";
  if (message.starts_with(kNoTable)) {
    std::string table = message.substr(kNoTable.size());
    if (auto dot = table.find('.');
        dot != std::string::npos && (table.starts_with("main.") || table.starts_with("temp."))) {
      table = table.substr(dot + 1);
    }
    std::string hint = ClosestName(table, topics_);
    message += fmt::format(" (no topic '{}' in {}{})", table, dir_->path(),
                           hint.empty() ? "" : fmt::format("; did you mean '{}'?", hint));
  }
  return message;
}

}  // namespace kq::sql
