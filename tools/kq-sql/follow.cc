#include "kq-sql/follow.h"

#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "log/partition.h"

namespace kq::tools::sql {
namespace {

using kq::sql::QuoteIdentifier;
using kq::sql::TopicDatabase;

// True when SQLite's plan for `sql` aggregates (its bytecode has AggStep).
Result<bool> IsAggregate(TopicDatabase& db, const std::string& sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db.db(), ("EXPLAIN " + sql).c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
    return Status::InvalidArgument(db.ErrorMessage());
  }
  bool aggregate = false;
  while (sqlite3_step(stmt) == SQLITE_ROW) {
    const auto* op = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 1));
    if (op != nullptr && std::string_view(op).starts_with("AggStep")) aggregate = true;
  }
  sqlite3_finalize(stmt);
  return aggregate;
}

// One stream topic: its open partitions and how far rounds have read.
struct Stream {
  std::string topic;
  std::vector<std::unique_ptr<log::Partition>> partitions;
};

Result<std::vector<Stream>> OpenStreams(TopicDatabase& db, const SqlFlags& flags) {
  std::vector<Stream> streams;
  for (const std::string& topic : db.topics()) {
    if (std::find(flags.tables.begin(), flags.tables.end(), topic) != flags.tables.end()) continue;
    KQ_ASSIGN_OR_RETURN(log::TopicInfo info, db.log_dir().DescribeTopic(topic));
    Stream s{topic, {}};
    for (int32_t p = 0; p < info.partitions; ++p) {
      KQ_ASSIGN_OR_RETURN(auto partition,
                          db.log_dir().OpenPartition(info, PartitionId(p), log::OpenMode::kRead));
      s.partitions.push_back(std::move(partition));
    }
    streams.push_back(std::move(s));
  }
  return streams;
}

// Moves every stream's window to [previous end, current end); true when
// any record arrived.
Result<bool> NextWindows(std::vector<Stream>& streams, kq::sql::TopicTableContext* context) {
  bool any = false;
  for (Stream& s : streams) {
    auto& windows = context->windows[s.topic];
    windows.resize(s.partitions.size());
    for (size_t p = 0; p < s.partitions.size(); ++p) {
      KQ_RETURN_IF_ERROR(s.partitions[p]->Refresh());
      auto& w = windows[p];
      w.from = std::max(w.to, s.partitions[p]->log_start_offset().value());
      w.to = s.partitions[p]->log_end_offset().value();
      any = any || w.to > w.from;
    }
  }
  return any;
}

// A row as one string, to compare rounds: type-tagged cells.
std::string RowKey(sqlite3_stmt* stmt) {
  std::string key;
  for (int i = 0; i < sqlite3_column_count(stmt); ++i) {
    const int type = sqlite3_column_type(stmt, i);
    const auto* bytes = static_cast<const char*>(
        type == SQLITE_BLOB ? sqlite3_column_blob(stmt, i) : sqlite3_column_text(stmt, i));
    const int n = sqlite3_column_bytes(stmt, i);
    key += fmt::format("{}:{}:", type, n);
    if (bytes != nullptr) key.append(bytes, n);
  }
  return key;
}

}  // namespace

Status RunFollow(TopicDatabase& db, const SqlFlags& flags, const QueryGuard& guard,
                 ResultPrinter* printer, uint64_t* rows) {
  KQ_ASSIGN_OR_RETURN(bool aggregate, IsAggregate(db, flags.sql));
  KQ_ASSIGN_OR_RETURN(std::vector<Stream> streams, OpenStreams(db, flags));
  kq::sql::TopicTableContext* context = &db.context();
  std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> ingest(nullptr, sqlite3_finalize);
  if (aggregate) {
    // temp."<topic>" holds the stream's records; the query reads it.
    std::string sql;
    for (const Stream& s : streams) {
      const std::string name = QuoteIdentifier(s.topic);
      sql += fmt::format("CREATE TEMP TABLE {0} AS SELECT * FROM main.{0} WHERE 0; ", name);
    }
    KQ_RETURN_IF_ERROR(db.Exec(sql));
  }
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db.db(), flags.sql.c_str(), -1, &raw, nullptr) != SQLITE_OK) {
    return Status::InvalidArgument(db.ErrorMessage());
  }
  std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> query(raw, sqlite3_finalize);
  std::map<std::string, int> previous;  // changelog: last round's rows
  printer->Start(query.get());
  while (!guard.stopped()) {
    KQ_ASSIGN_OR_RETURN(bool any, NextWindows(streams, context));
    if (!any) {
      std::this_thread::sleep_for(std::chrono::milliseconds(flags.poll_ms));
      continue;
    }
    if (aggregate) {
      for (const Stream& s : streams) {
        const std::string name = QuoteIdentifier(s.topic);
        KQ_RETURN_IF_ERROR(
            db.Exec(fmt::format("INSERT INTO temp.{0} SELECT * FROM main.{0}", name)));
      }
    }
    sqlite3_reset(query.get());
    std::map<std::string, int> current;
    int rc;
    while ((rc = sqlite3_step(query.get())) == SQLITE_ROW) {
      if (aggregate) {
        std::string key = RowKey(query.get());
        auto seen = previous.find(key);
        const bool unchanged = seen != previous.end() && seen->second > 0;
        if (unchanged) --seen->second;
        ++current[key];
        if (unchanged) continue;
      }
      ++*rows;
      KQ_RETURN_IF_ERROR(printer->Row(query.get()));
    }
    if (rc != SQLITE_DONE) {
      if (guard.stopped()) return Status::Ok();
      return Status::InvalidArgument(db.ErrorMessage());
    }
    if (aggregate) previous = std::move(current);
    KQ_RETURN_IF_ERROR(printer->Finish());
  }
  return Status::Ok();
}

}  // namespace kq::tools::sql
