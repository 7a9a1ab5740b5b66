// The SQLite virtual table module "kq_topic": one topic of a log directory
// as a table, read through core/log (client::PartitionReader) on every query.
//
//   CREATE VIRTUAL TABLE main."orders" USING kq_topic('orders');
//
// Columns (TopicDatabase creates one such table per topic):
//   partition  INTEGER  the partition number
//   offset     INTEGER  the record's offset
//   ts         INTEGER  the record's timestamp, epoch ms (LogAppendTime
//                       batches: the batch's append time)
//   key        the key: TEXT when its bytes are valid UTF-8, else a BLOB;
//              NULL for a null key
//   value      the value, likewise; NULL for a null value (a tombstone)
//   headers    TEXT: a JSON array alternating names and values, as
//              kq-consume -J prints them ('[]' when there are none; a value
//              that is not UTF-8 is {"b64": "..."}, a null value is null)
//   value_json TEXT: the value when it is a JSON text, else NULL
// Control batches (transaction markers) are not rows.
//
// Pushdown: xBestIndex takes `partition`, `offset` and `ts` constraints with
// =, <, <=, >, >= (IN lists arrive as one = per value); xFilter turns them
// into ScanBounds and reads only the partitions and offsets they allow.
// A lower ts bound starts the read at Partition::OffsetForTimestamp (the
// time index); an upper ts bound ends it at the first record past it, as
// kq-consume -o @T1:T2 does, so a record written after it with an earlier
// timestamp (an out-of-order producer clock) is not seen: `+ts` in place of
// `ts` turns the pushdown off. SQLite re-checks every constraint, so the
// bounds only narrow what is read.
//
// A scan reads the log as it is when xFilter runs: records appended during
// a query are left for the next one. TopicTableContext::windows narrows the
// scans of a topic to offset windows, for push queries.
//
// Thread safety: the tables belong to one sqlite3 connection, used by one
// thread (sqlite3_interrupt may come from another).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <sqlite3.h>

#include "base/status.h"
#include "io/env.h"
#include "log/log_dir.h"
#include "sql/scan_bounds.h"

namespace kq::sql {

// What every kq_topic table of one connection shares. Owned by the caller
// (TopicDatabase); must outlive the connection.
struct TopicTableContext {
  io::Env* env = nullptr;            // reads go through it (a counting Env for --stats)
  const log::LogDir* dir = nullptr;  // topic metadata and partition paths
  size_t read_bytes = 256 * 1024;    // bytes per Partition::Read
  // One line per scan ("orders: partition all offset [10..] ts all"), newest
  // last, at most kMaxScanLog; for --stats and the tests of pushdown.
  std::vector<std::string> scans;
  static constexpr size_t kMaxScanLog = 1000;
  // Push queries (kq-sql --follow): a topic named here is read only within
  // [from, to) of each partition p, windows[topic][p] (partitions past the
  // vector's end are not read). Other topics are read whole.
  struct OffsetWindow {
    int64_t from = 0;
    int64_t to = 0;
  };
  std::map<std::string, std::vector<OffsetWindow>, std::less<>> windows;
};

// Registers the module "kq_topic" on `db`.
Status RegisterTopicModule(sqlite3* db, TopicTableContext* context);

// The column numbers of a kq_topic table.
enum TopicColumn : int {
  kColPartition = 0,
  kColOffset,
  kColTs,
  kColKey,
  kColValue,
  kColHeaders,
  kColValueJson,
};

}  // namespace kq::sql
