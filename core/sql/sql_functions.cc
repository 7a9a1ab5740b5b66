#include "sql/sql_functions.h"

#include <string>
#include <string_view>

#include <fmt/format.h>

#include "base/time_spec.h"

namespace kq::sql {
namespace {

io::Env* EnvOf(sqlite3_context* ctx) { return static_cast<io::Env*>(sqlite3_user_data(ctx)); }

std::string_view TextOf(sqlite3_value* v) {
  const auto* text = reinterpret_cast<const char*>(sqlite3_value_text(v));
  return text == nullptr ? std::string_view() : std::string_view(text, sqlite3_value_bytes(v));
}

void ResultError(sqlite3_context* ctx, const char* function, const Status& s) {
  std::string message = fmt::format("{}(): {}", function, s.message());
  sqlite3_result_error(ctx, message.c_str(), static_cast<int>(message.size()));
}

void NowMsFn(sqlite3_context* ctx, int, sqlite3_value**) {
  sqlite3_result_int64(ctx, EnvOf(ctx)->NowMs());
}

// A duration argument: a 'count+unit' text, or a number of ms as it is.
bool DurationArg(sqlite3_context* ctx, const char* function, sqlite3_value* v, int64_t* ms) {
  if (sqlite3_value_type(v) == SQLITE_INTEGER) {
    *ms = sqlite3_value_int64(v);
    return true;
  }
  auto parsed = ParseDuration(TextOf(v));
  if (!parsed.ok()) {
    ResultError(ctx, function, parsed.status());
    return false;
  }
  *ms = *parsed;
  return true;
}

void MsFn(sqlite3_context* ctx, int, sqlite3_value** argv) {
  if (sqlite3_value_type(argv[0]) == SQLITE_NULL) return sqlite3_result_null(ctx);
  int64_t ms;
  if (DurationArg(ctx, "ms", argv[0], &ms)) sqlite3_result_int64(ctx, ms);
}

void TimeMsFn(sqlite3_context* ctx, int, sqlite3_value** argv) {
  if (sqlite3_value_type(argv[0]) == SQLITE_NULL) return sqlite3_result_null(ctx);
  auto parsed = ParseTime(TextOf(argv[0]), EnvOf(ctx)->NowMs());
  if (!parsed.ok()) return ResultError(ctx, "time_ms", parsed.status());
  sqlite3_result_int64(ctx, *parsed);
}

void IsoFn(sqlite3_context* ctx, int, sqlite3_value** argv) {
  if (sqlite3_value_type(argv[0]) == SQLITE_NULL) return sqlite3_result_null(ctx);
  std::string text = FormatIso8601Ms(sqlite3_value_int64(argv[0]));
  sqlite3_result_text(ctx, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
}

// Floor division, so windows before 1970 (negative ts) are aligned too.
int64_t FloorTo(int64_t ts, int64_t size) {
  int64_t q = ts / size;
  if (ts % size != 0 && ts < 0) --q;
  return q * size;
}

void WindowStartFn(sqlite3_context* ctx, int, sqlite3_value** argv) {
  if (sqlite3_value_type(argv[0]) == SQLITE_NULL || sqlite3_value_type(argv[1]) == SQLITE_NULL) {
    return sqlite3_result_null(ctx);
  }
  int64_t size;
  if (!DurationArg(ctx, "window_start", argv[1], &size)) return;
  if (size <= 0) {
    return ResultError(ctx, "window_start",
                       Status::InvalidArgument("the window size must be positive"));
  }
  sqlite3_result_int64(ctx, FloorTo(sqlite3_value_int64(argv[0]), size));
}

}  // namespace

Status RegisterSqlFunctions(sqlite3* db, io::Env* env) {
  struct Fn {
    const char* name;
    int args;
    bool deterministic;
    void (*fn)(sqlite3_context*, int, sqlite3_value**);
  };
  const Fn fns[] = {
      {"now_ms", 0, false, NowMsFn},   {"ms", 1, true, MsFn},
      {"time_ms", 1, false, TimeMsFn},  // relative forms depend on now
      {"iso", 1, true, IsoFn},         {"window_start", 2, true, WindowStartFn},
  };
  for (const Fn& f : fns) {
    const int flags = SQLITE_UTF8 | (f.deterministic ? SQLITE_DETERMINISTIC : 0);
    if (sqlite3_create_function_v2(db, f.name, f.args, flags, env, f.fn, nullptr, nullptr,
                                   nullptr) != SQLITE_OK) {
      return Status::Internal(fmt::format("registering {}(): {}", f.name, sqlite3_errmsg(db)));
    }
  }
  return Status::Ok();
}

}  // namespace kq::sql
