#include "sql/topic_table.h"

#include <algorithm>
#include <memory>
#include <optional>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/base64.h"
#include "base/utf8.h"
#include "client/consumer_partition.h"

namespace kq::sql {
namespace {

// The argv layout xBestIndex chooses and xFilter decodes: idxStr holds two
// characters per argument, the column ('p', 'o', 't') and the operator
// ('=', '>', 'g' for >=, '<', 'l' for <=).
char ColumnCode(int column) {
  switch (column) {
    case kColPartition:
      return 'p';
    case kColOffset:
      return 'o';
    case kColTs:
      return 't';
    default:
      return 0;
  }
}

char OpCode(unsigned char op) {
  switch (op) {
    case SQLITE_INDEX_CONSTRAINT_EQ:
      return '=';
    case SQLITE_INDEX_CONSTRAINT_GT:
      return '>';
    case SQLITE_INDEX_CONSTRAINT_GE:
      return 'g';
    case SQLITE_INDEX_CONSTRAINT_LT:
      return '<';
    case SQLITE_INDEX_CONSTRAINT_LE:
      return 'l';
    default:
      return 0;
  }
}

BoundOp OpOf(char code) {
  switch (code) {
    case '=':
      return BoundOp::kEq;
    case '>':
      return BoundOp::kGt;
    case 'g':
      return BoundOp::kGe;
    case '<':
      return BoundOp::kLt;
    default:
      return BoundOp::kLe;
  }
}

struct TopicTable {
  sqlite3_vtab base{};  // first: SQLite casts between the two
  TopicTableContext* context = nullptr;
  log::TopicInfo info;
};

struct TopicCursor {
  sqlite3_vtab_cursor base{};
  TopicTable* table = nullptr;
  ScanBounds bounds;
  std::vector<int32_t> partitions;  // still to read, in order
  size_t next_partition = 0;
  std::unique_ptr<client::PartitionReader> reader;
  bool eof = true;
};

int SetError(sqlite3_vtab* vtab, const Status& s) {
  sqlite3_free(vtab->zErrMsg);
  vtab->zErrMsg = sqlite3_mprintf("%s", s.ToString().c_str());
  return SQLITE_ERROR;
}

// Strips one pair of quotes from a module argument: 'orders' → orders.
std::string Unquote(std::string_view arg) {
  if (arg.size() >= 2 && (arg.front() == '\'' || arg.front() == '"') && arg.back() == arg.front()) {
    return std::string(arg.substr(1, arg.size() - 2));
  }
  return std::string(arg);
}

int Connect(sqlite3* db, void* aux, int argc, const char* const* argv, sqlite3_vtab** out,
            char** err) {
  auto* context = static_cast<TopicTableContext*>(aux);
  if (argc != 4) {
    *err = sqlite3_mprintf("kq_topic takes one argument, the topic name");
    return SQLITE_ERROR;
  }
  auto info = context->dir->DescribeTopic(Unquote(argv[3]));
  if (!info.ok()) {
    *err = sqlite3_mprintf("%s", info.status().ToString().c_str());
    return SQLITE_ERROR;
  }
  int rc = sqlite3_declare_vtab(db,
                                "CREATE TABLE x(partition INTEGER, offset INTEGER, ts INTEGER, "
                                "key, value, headers TEXT, value_json TEXT)");
  if (rc != SQLITE_OK) return rc;
  auto table = std::make_unique<TopicTable>();
  table->context = context;
  table->info = std::move(*info);
  *out = &table.release()->base;
  return SQLITE_OK;
}

int Disconnect(sqlite3_vtab* vtab) {
  sqlite3_free(vtab->zErrMsg);
  delete reinterpret_cast<TopicTable*>(vtab);
  return SQLITE_OK;
}

int BestIndex(sqlite3_vtab* vtab, sqlite3_index_info* info) {
  auto* table = reinterpret_cast<TopicTable*>(vtab);
  std::string plan;
  double rows = 1e6;
  int argv_index = 0;
  for (int i = 0; i < info->nConstraint; ++i) {
    const auto& c = info->aConstraint[i];
    if (!c.usable) continue;
    const char column = ColumnCode(c.iColumn);
    const char op = OpCode(c.op);
    if (column == 0 || op == 0) continue;
    info->aConstraintUsage[i].argvIndex = ++argv_index;
    info->aConstraintUsage[i].omit = 0;  // SQLite re-checks: bounds only narrow
    plan += column;
    plan += op;
    if (column == 'p') {
      rows /= op == '=' ? std::max(1, table->info.partitions) : 2;
    } else if (column == 'o' && op == '=') {
      rows = std::min(rows, 1.0);
    } else {
      rows /= op == '=' ? 100 : 4;
    }
  }
  info->idxNum = argv_index;
  info->idxStr = sqlite3_mprintf("%s", plan.c_str());
  info->needToFreeIdxStr = 1;
  // SQLite takes a cheaper plan when it has one, so served constraints pay.
  info->estimatedRows = static_cast<sqlite3_int64>(std::max(rows, 1.0));
  info->estimatedCost = std::max(rows, 1.0) * 10;
  if (info->nOrderBy == 1 && info->aOrderBy[0].iColumn == kColOffset && !info->aOrderBy[0].desc &&
      table->info.partitions == 1) {
    info->orderByConsumed = 1;  // one partition is read in offset order
  }
  return SQLITE_OK;
}

int Open(sqlite3_vtab* vtab, sqlite3_vtab_cursor** out) {
  auto cursor = std::make_unique<TopicCursor>();
  cursor->table = reinterpret_cast<TopicTable*>(vtab);
  *out = &cursor.release()->base;
  return SQLITE_OK;
}

int Close(sqlite3_vtab_cursor* cur) {
  delete reinterpret_cast<TopicCursor*>(cur);
  return SQLITE_OK;
}

// Opens the next partition of the scan and positions it within the bounds;
// eof when none is left.
Status OpenNextPartition(TopicCursor* c) {
  const TopicTableContext& context = *c->table->context;
  while (c->next_partition < c->partitions.size()) {
    const int32_t p = c->partitions[c->next_partition++];
    client::PartitionReaderOptions options;
    options.env = context.env;
    options.read_bytes = context.read_bytes;
    // A range may end soon after it starts: reads start small and grow.
    options.first_read_bytes = 32 * 1024;
    KQ_ASSIGN_OR_RETURN(c->reader,
                        client::PartitionReader::Open(
                            context.dir->PartitionPath(c->table->info.name, PartitionId(p)),
                            c->table->info.name, p, options));
    const Range& off = c->bounds.offset;
    const Range& ts = c->bounds.ts;
    int64_t end = c->reader->log_end_offset().value();
    int64_t start = std::max(c->reader->log_start_offset().value(), off.min);
    if (auto w = context.windows.find(c->table->info.name); w != context.windows.end()) {
      if (static_cast<size_t>(p) >= w->second.size()) continue;
      start = std::max(start, w->second[p].from);
      end = std::min(end, w->second[p].to);
    }
    if (start >= end) continue;
    // The reader's stop is one past the last offset to read.
    int64_t stop = end;
    if (off.bounded_above()) stop = std::min(stop, off.max + 1);
    if (start >= stop) continue;
    if (ts.bounded_below()) {
      KQ_RETURN_IF_ERROR(c->reader->Seek(client::StartPosition::AtTimestamp(ts.min)));
      start = std::max(start, c->reader->position().value());
      if (start >= stop) continue;
    }
    KQ_RETURN_IF_ERROR(c->reader->Seek(client::StartPosition::AtOffset(start)));
    c->reader->set_stop_offset(Offset(stop));
    if (ts.bounded_above()) c->reader->set_end_timestamp(ts.max + 1);
    KQ_ASSIGN_OR_RETURN(bool any, c->reader->FillPending());
    if (any) {
      c->eof = false;
      return Status::Ok();
    }
  }
  c->reader.reset();
  c->eof = true;
  return Status::Ok();
}

int Filter(sqlite3_vtab_cursor* cur, int, const char* plan, int argc, sqlite3_value** argv) {
  auto* c = reinterpret_cast<TopicCursor*>(cur);
  c->bounds = ScanBounds();
  for (int i = 0; i < argc && plan[2 * i] != 0; ++i) {
    Range* range = plan[2 * i] == 'p'   ? &c->bounds.partition
                   : plan[2 * i] == 'o' ? &c->bounds.offset
                                        : &c->bounds.ts;
    const BoundOp op = OpOf(plan[2 * i + 1]);
    // The column's INTEGER affinity applies to the other operand: '5' is 5.
    switch (sqlite3_value_numeric_type(argv[i])) {
      case SQLITE_INTEGER:
        range->Narrow(op, static_cast<int64_t>(sqlite3_value_int64(argv[i])));
        break;
      case SQLITE_FLOAT:
        range->Narrow(op, sqlite3_value_double(argv[i]));
        break;
      default:
        break;  // text, blob or NULL: SQLite's own test decides
    }
  }
  TopicTable& table = *c->table;
  c->partitions.clear();
  c->next_partition = 0;
  if (!c->bounds.empty()) {
    const int64_t lo = std::max<int64_t>(0, c->bounds.partition.min);
    const int64_t hi = std::min<int64_t>(table.info.partitions - 1, c->bounds.partition.max);
    for (int64_t p = lo; p <= hi; ++p) c->partitions.push_back(static_cast<int32_t>(p));
  }
  auto& scans = table.context->scans;
  if (scans.size() < TopicTableContext::kMaxScanLog) {
    scans.push_back(fmt::format("{}: {}", table.info.name, c->bounds.ToString()));
  }
  Status s = OpenNextPartition(c);
  if (!s.ok()) return SetError(cur->pVtab, s);
  return SQLITE_OK;
}

int Next(sqlite3_vtab_cursor* cur) {
  auto* c = reinterpret_cast<TopicCursor*>(cur);
  c->reader->Pop();
  if (c->reader->has_pending()) return SQLITE_OK;
  auto any = c->reader->FillPending();
  if (!any.ok()) return SetError(cur->pVtab, any.status());
  if (*any) return SQLITE_OK;
  Status s = OpenNextPartition(c);
  if (!s.ok()) return SetError(cur->pVtab, s);
  return SQLITE_OK;
}

int Eof(sqlite3_vtab_cursor* cur) { return reinterpret_cast<TopicCursor*>(cur)->eof ? 1 : 0; }

// Bytes as SQL: TEXT when valid UTF-8, else a BLOB; NULL stays NULL.
void ResultBytes(sqlite3_context* ctx, const std::optional<std::string_view>& bytes) {
  if (!bytes.has_value()) {
    sqlite3_result_null(ctx);
  } else if (IsValidUtf8(*bytes)) {
    sqlite3_result_text64(ctx, bytes->data(), bytes->size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  } else {
    sqlite3_result_blob64(ctx, bytes->data(), bytes->size(), SQLITE_TRANSIENT);
  }
}

nlohmann::json JsonBytes(std::string_view bytes) {
  if (IsValidUtf8(bytes)) return std::string(bytes);
  return nlohmann::json{{"b64", Base64Encode(bytes)}};
}

std::string HeadersJson(const format::RecordView& r) {
  nlohmann::json array = nlohmann::json::array();
  for (const auto& h : r.headers) {
    array.push_back(JsonBytes(h.key));
    array.push_back(h.value.has_value() ? JsonBytes(*h.value) : nlohmann::json(nullptr));
  }
  return array.dump();
}

int Column(sqlite3_vtab_cursor* cur, sqlite3_context* ctx, int column) {
  auto* c = reinterpret_cast<TopicCursor*>(cur);
  const format::RecordView& r = c->reader->front();
  switch (column) {
    case kColPartition:
      sqlite3_result_int(ctx, c->reader->partition());
      break;
    case kColOffset:
      sqlite3_result_int64(ctx, r.offset);
      break;
    case kColTs:
      sqlite3_result_int64(ctx, r.timestamp);
      break;
    case kColKey:
      ResultBytes(ctx, r.key);
      break;
    case kColValue:
      ResultBytes(ctx, r.value);
      break;
    case kColHeaders: {
      std::string json = HeadersJson(r);
      sqlite3_result_text64(ctx, json.data(), json.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
      break;
    }
    case kColValueJson:
      if (r.value.has_value() && nlohmann::json::accept(*r.value)) {
        sqlite3_result_text64(ctx, r.value->data(), r.value->size(), SQLITE_TRANSIENT, SQLITE_UTF8);
      } else {
        sqlite3_result_null(ctx);
      }
      break;
    default:
      sqlite3_result_null(ctx);
  }
  return SQLITE_OK;
}

int Rowid(sqlite3_vtab_cursor* cur, sqlite_int64* rowid) {
  auto* c = reinterpret_cast<TopicCursor*>(cur);
  *rowid = c->reader->front().offset;
  return SQLITE_OK;
}

sqlite3_module MakeModule() {
  sqlite3_module m{};
  m.iVersion = 0;
  m.xCreate = Connect;
  m.xConnect = Connect;
  m.xBestIndex = BestIndex;
  m.xDisconnect = Disconnect;
  m.xDestroy = Disconnect;
  m.xOpen = Open;
  m.xClose = Close;
  m.xFilter = Filter;
  m.xNext = Next;
  m.xEof = Eof;
  m.xColumn = Column;
  m.xRowid = Rowid;
  return m;
}

const sqlite3_module kTopicModule = MakeModule();

}  // namespace

Status RegisterTopicModule(sqlite3* db, TopicTableContext* context) {
  int rc = sqlite3_create_module_v2(db, "kq_topic", &kTopicModule, context, nullptr);
  if (rc != SQLITE_OK) {
    return Status::Internal(fmt::format("registering kq_topic: {}", sqlite3_errmsg(db)));
  }
  return Status::Ok();
}

}  // namespace kq::sql
