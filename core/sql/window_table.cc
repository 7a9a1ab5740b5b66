#include "sql/window_table.h"

#include <memory>
#include <string>

#include <fmt/format.h>

#include "base/time_spec.h"

namespace kq::sql {
namespace {

enum : int { kColStart = 0, kColEnd, kColTs, kColSize, kColAdvance };
constexpr int64_t kMaxWindowsPerTs = 10000;

struct WindowCursor {
  sqlite3_vtab_cursor base{};
  int64_t size = 0;
  int64_t advance = 1;
  int64_t next = 0;  // start of the current window
  int64_t last = -1;
  bool eof = true;
};

int Connect(sqlite3* db, void*, int, const char* const*, sqlite3_vtab** out, char**) {
  int rc = sqlite3_declare_vtab(db,
                                "CREATE TABLE x(window_start INTEGER, window_end INTEGER, "
                                "ts HIDDEN, size HIDDEN, advance HIDDEN)");
  if (rc != SQLITE_OK) return rc;
  *out = static_cast<sqlite3_vtab*>(sqlite3_malloc(sizeof(sqlite3_vtab)));
  if (*out == nullptr) return SQLITE_NOMEM;
  **out = sqlite3_vtab{};
  return SQLITE_OK;
}

int Disconnect(sqlite3_vtab* vtab) {
  sqlite3_free(vtab->zErrMsg);
  sqlite3_free(vtab);
  return SQLITE_OK;
}

int BestIndex(sqlite3_vtab*, sqlite3_index_info* info) {
  int found[3] = {-1, -1, -1};
  for (int i = 0; i < info->nConstraint; ++i) {
    const auto& c = info->aConstraint[i];
    if (c.iColumn < kColTs || c.op != SQLITE_INDEX_CONSTRAINT_EQ) continue;
    if (!c.usable) return SQLITE_CONSTRAINT;  // try another join order
    found[c.iColumn - kColTs] = i;
  }
  for (int k = 0; k < 3; ++k) {
    if (found[k] < 0) {
      sqlite3_free(info->idxStr);
      return SQLITE_CONSTRAINT;
    }
    info->aConstraintUsage[found[k]].argvIndex = k + 1;
    info->aConstraintUsage[found[k]].omit = 1;
  }
  info->estimatedCost = 10;
  info->estimatedRows = 10;
  return SQLITE_OK;
}

int Open(sqlite3_vtab*, sqlite3_vtab_cursor** out) {
  *out = &(new WindowCursor)->base;
  return SQLITE_OK;
}

int Close(sqlite3_vtab_cursor* cur) {
  delete reinterpret_cast<WindowCursor*>(cur);
  return SQLITE_OK;
}

Result<int64_t> DurationOf(sqlite3_value* v, const char* what) {
  int64_t ms = 0;
  if (sqlite3_value_type(v) == SQLITE_INTEGER) {
    ms = sqlite3_value_int64(v);
  } else {
    const auto* text = reinterpret_cast<const char*>(sqlite3_value_text(v));
    KQ_ASSIGN_OR_RETURN(ms, ParseDuration(text == nullptr ? "" : text));
  }
  if (ms <= 0) return Status::InvalidArgument(fmt::format("the window {} must be positive", what));
  return ms;
}

int64_t FloorTo(int64_t ts, int64_t size) {
  int64_t q = ts / size;
  if (ts % size != 0 && ts < 0) --q;
  return q * size;
}

int Filter(sqlite3_vtab_cursor* cur, int, const char*, int argc, sqlite3_value** argv) {
  auto* c = reinterpret_cast<WindowCursor*>(cur);
  c->eof = true;
  if (argc != 3 || sqlite3_value_type(argv[0]) == SQLITE_NULL) return SQLITE_OK;
  auto size = DurationOf(argv[1], "size");
  auto advance = size.ok() ? DurationOf(argv[2], "advance") : size;
  Status s = !size.ok() ? size.status() : advance.status();
  if (s.ok() && *size / *advance > kMaxWindowsPerTs) {
    s = Status::InvalidArgument(
        fmt::format("size/advance is over {} windows per record", kMaxWindowsPerTs));
  }
  if (!s.ok()) {
    sqlite3_free(cur->pVtab->zErrMsg);
    cur->pVtab->zErrMsg = sqlite3_mprintf("hopping_windows(): %s", s.message().c_str());
    return SQLITE_ERROR;
  }
  const int64_t ts = sqlite3_value_int64(argv[0]);
  c->size = *size;
  c->advance = *advance;
  // Starts s with s <= ts < s + size, s a multiple of advance.
  c->next = FloorTo(ts - *size, *advance) + *advance;
  c->last = FloorTo(ts, *advance);
  c->eof = c->next > c->last;
  return SQLITE_OK;
}

int Next(sqlite3_vtab_cursor* cur) {
  auto* c = reinterpret_cast<WindowCursor*>(cur);
  c->next += c->advance;
  c->eof = c->next > c->last;
  return SQLITE_OK;
}

int Eof(sqlite3_vtab_cursor* cur) { return reinterpret_cast<WindowCursor*>(cur)->eof; }

int Column(sqlite3_vtab_cursor* cur, sqlite3_context* ctx, int column) {
  auto* c = reinterpret_cast<WindowCursor*>(cur);
  if (column == kColStart) sqlite3_result_int64(ctx, c->next);
  if (column == kColEnd) sqlite3_result_int64(ctx, c->next + c->size);
  return SQLITE_OK;
}

int Rowid(sqlite3_vtab_cursor* cur, sqlite_int64* rowid) {
  *rowid = reinterpret_cast<WindowCursor*>(cur)->next;
  return SQLITE_OK;
}

}  // namespace

Status RegisterWindowTable(sqlite3* db) {
  static const sqlite3_module module = [] {
    sqlite3_module m{};
    m.xConnect = Connect;  // no xCreate: eponymous only
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
  }();
  if (sqlite3_create_module_v2(db, "hopping_windows", &module, nullptr, nullptr) != SQLITE_OK) {
    return Status::Internal(fmt::format("registering hopping_windows: {}", sqlite3_errmsg(db)));
  }
  return Status::Ok();
}

}  // namespace kq::sql
