#include "kq-sql/follow.h"

#include <algorithm>
#include <map>
#include <set>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "log/partition.h"
#include "pipe/position.h"

namespace kq::tools::sql {
namespace {

using kq::sql::QuoteIdentifier;
using kq::sql::TopicDatabase;

constexpr int64_t kIntoRoundOffsets = 256;

// What preparing the query tells: whether SQLite's plan aggregates (its
// bytecode has AggStep), and which tables of schema main it reads (the
// authorizer sees every table a statement reads, through views too).
struct QueryShape {
  bool aggregate = false;
  std::set<std::string> tables;
};

int CollectTables(void* shape, int action, const char* table, const char*, const char* db,
                  const char*) {
  if (action == SQLITE_READ && table != nullptr && db != nullptr &&
      std::string_view(db) == "main") {
    static_cast<QueryShape*>(shape)->tables.insert(table);
  }
  return SQLITE_OK;
}

Result<QueryShape> ShapeOf(TopicDatabase& db, const std::string& sql) {
  QueryShape shape;
  sqlite3_set_authorizer(db.db(), CollectTables, &shape);
  sqlite3_stmt* stmt = nullptr;
  const int rc = sqlite3_prepare_v2(db.db(), ("EXPLAIN " + sql).c_str(), -1, &stmt, nullptr);
  sqlite3_set_authorizer(db.db(), nullptr, nullptr);
  if (rc != SQLITE_OK) return Status::InvalidArgument(db.ErrorMessage());
  while (sqlite3_step(stmt) == SQLITE_ROW) {
    const auto* op = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 1));
    if (op != nullptr && std::string_view(op).starts_with("AggStep")) shape.aggregate = true;
  }
  sqlite3_finalize(stmt);
  return shape;
}

// One stream topic: its open partitions and how far rounds have read.
struct Stream {
  std::string topic;
  std::vector<std::unique_ptr<log::Partition>> partitions;
};

// The stream topics: the topics the query reads, except --table ones and
// the --into topic.
Result<std::vector<Stream>> OpenStreams(TopicDatabase& db, const SqlFlags& flags,
                                        const QueryShape& shape) {
  std::vector<Stream> streams;
  for (const std::string& topic : db.topics()) {
    if (!shape.tables.contains(topic) || topic == flags.into) continue;
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
  if (streams.empty()) {
    return Status::InvalidArgument("--follow: the query reads no topic to follow");
  }
  return streams;
}

// Where the stream windows stand: the input position of a round.
pipe::Position PositionOf(const std::vector<Stream>& streams,
                          const kq::sql::TopicTableContext& context) {
  pipe::Position position;
  for (const Stream& s : streams) {
    const auto& windows = context.windows.at(s.topic);
    for (size_t p = 0; p < windows.size(); ++p) {
      position.Set(pipe::TopicOffset{s.topic, static_cast<int32_t>(p), windows[p].to});
    }
  }
  return position;
}

// Moves every stream's window to [previous end, current end), at most
// `max_offsets` long when positive; true when any record arrived.
Result<bool> NextWindows(std::vector<Stream>& streams, kq::sql::TopicTableContext* context,
                         int64_t max_offsets) {
  ++context->generation;  // tables read whole may have grown too
  bool any = false;
  for (Stream& s : streams) {
    auto& windows = context->windows[s.topic];
    windows.resize(s.partitions.size());
    for (size_t p = 0; p < s.partitions.size(); ++p) {
      KQ_RETURN_IF_ERROR(s.partitions[p]->Refresh());
      auto& w = windows[p];
      w.from = std::max(w.to, s.partitions[p]->log_start_offset().value());
      w.to = s.partitions[p]->log_end_offset().value();
      if (max_offsets > 0) w.to = std::min(w.to, w.from + max_offsets);
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
                 ResultPrinter* printer, IntoWriter* into, uint64_t* rows) {
  KQ_ASSIGN_OR_RETURN(QueryShape shape, ShapeOf(db, flags.sql));
  const bool aggregate = shape.aggregate;
  KQ_ASSIGN_OR_RETURN(std::vector<Stream> streams, OpenStreams(db, flags, shape));
  kq::sql::TopicTableContext* context = &db.context();
  for (const Stream& s : streams) context->windows[s.topic].resize(s.partitions.size());
  if (aggregate) {
    // temp."<topic>" holds the stream's records; the query reads it.
    std::string sql;
    for (const Stream& s : streams) {
      sql += fmt::format("CREATE TEMP TABLE {0} AS SELECT * FROM main.{0} WHERE 0; ",
                         QuoteIdentifier(s.topic));
    }
    KQ_RETURN_IF_ERROR(db.Exec(sql));
  }
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db.db(), flags.sql.c_str(), -1, &raw, nullptr) != SQLITE_OK) {
    return Status::InvalidArgument(db.ErrorMessage());
  }
  std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> query(raw, sqlite3_finalize);
  std::map<std::string, int> previous;  // changelog: last round's rows

  // Resuming --into: every input before the position was accounted for.
  // A changelog rebuilds its state from those records without printing.
  bool replay = false;
  if (into != nullptr) {
    KQ_ASSIGN_OR_RETURN(std::optional<pipe::Position> resume, into->LatestPosition());
    if (resume.has_value()) {
      for (const Stream& s : streams) {
        auto& windows = context->windows[s.topic];
        for (size_t p = 0; p < windows.size(); ++p) {
          const pipe::TopicOffset* at = resume->FindTopic(s.topic, static_cast<int32_t>(p));
          windows[p] = {0, at != nullptr ? at->next_offset : 0};
        }
      }
      replay = aggregate;
    }
  }
  if (into == nullptr) printer->Start(query.get());
  while (!guard.stopped()) {
    bool any = true;
    if (!replay) {
      // With --into a round's rows are one group of the output, which must
      // fit a batch: rounds take at most kIntoRoundOffsets per partition.
      KQ_ASSIGN_OR_RETURN(any,
                          NextWindows(streams, context, into != nullptr ? kIntoRoundOffsets : 0));
    }
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
        if (unchanged || replay) continue;
      }
      ++*rows;
      if (into != nullptr) {
        KQ_RETURN_IF_ERROR(into->Add(query.get()));
      } else {
        KQ_RETURN_IF_ERROR(printer->Row(query.get()));
      }
    }
    if (rc != SQLITE_DONE) {
      if (guard.stopped()) return Status::Ok();
      return Status::InvalidArgument(db.ErrorMessage());
    }
    if (aggregate) previous = std::move(current);
    if (into != nullptr && !replay) {
      KQ_RETURN_IF_ERROR(into->Commit(PositionOf(streams, *context)));
    }
    replay = false;
    KQ_RETURN_IF_ERROR(printer->Finish());
  }
  return Status::Ok();
}

}  // namespace kq::tools::sql
