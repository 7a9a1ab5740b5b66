// SQL functions kq-sql adds to SQLite, for times and windows:
//
//   now_ms()                 the current time, epoch ms (Env::NowMs)
//   ms('1h')                 a duration in ms: a count and a unit
//                            (ms, s, m, h, d, w), as in kq-consume -o -1h
//   time_ms('2026-11-01T00:00:00Z'), time_ms('-1h'), time_ms('now')
//                            a time in epoch ms, parsed as kq-consume -o @T
//                            parses it (ParseTime: ISO-8601, epoch ms,
//                            relative to now)
//   iso(ts)                  epoch ms → '2026-11-01T00:00:00.000Z' (UTC)
//   window_start(ts, '1m')   the start of the tumbling window holding ts:
//                            ts rounded down to a multiple of the size
//                            (windows are aligned to the epoch, as Kafka
//                            Streams aligns them)
// Hopping windows are the table-valued function hopping_windows (see
// window_table.h). Bad arguments are SQL errors naming the function and the
// argument; NULL in gives NULL out.
//
// Thread safety: registered per connection; `env` must outlive it.
#pragma once

#include <sqlite3.h>

#include "base/status.h"
#include "io/env.h"

namespace kq::sql {

Status RegisterSqlFunctions(sqlite3* db, io::Env* env);

}  // namespace kq::sql
