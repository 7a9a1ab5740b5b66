// hopping_windows: a table-valued function (an eponymous SQLite virtual
// table) giving the hopping windows a timestamp belongs to:
//
//   SELECT w.window_start, count(*)
//   FROM orders, hopping_windows(orders.ts, '5m', '1m') AS w
//   GROUP BY w.window_start;
//
// Windows are [start, start + size) with start a multiple of `advance`
// (aligned to the epoch, as Kafka Streams' hopping windows), so a record is
// in size/advance windows (rounded up). Columns: window_start, window_end
// (exclusive); the arguments are the hidden columns ts, size and advance
// (durations as ms() takes them: '5m', or a number of ms). With advance =
// size the windows are tumbling, the same as window_start(ts, size). A NULL
// ts gives no rows; bad sizes are SQL errors. At most 10000 windows per ts.
//
// Thread safety: per connection.
#pragma once

#include <sqlite3.h>

#include "base/status.h"

namespace kq::sql {

Status RegisterWindowTable(sqlite3* db);

}  // namespace kq::sql
