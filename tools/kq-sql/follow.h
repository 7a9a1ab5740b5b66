// Push queries (kq-sql --follow): the query runs again each time records
// arrive, over what arrived.
//
// The stream topics are the topics of the directory not named by --table.
// Each round refreshes their partitions' log ends, narrows their scans to
// the offsets that arrived since the last round (TopicTableContext::windows,
// so every record is read from the log once), runs the query and prints:
//
//   streaming  (no aggregate in the query): every result row of the round.
//              Filters and projections see each record exactly once; a join
//              between two streams joins records of the same round only.
//   changelog  (an aggregate: GROUP BY, count(), window functions; SQLite's
//              plan has an AggStep): the new records are appended to an
//              in-memory table temp."<topic>" that stands for the topic
//              (unqualified names find temp first), the query runs over it,
//              and only the result rows that are new or changed since the
//              last round are printed: the changed groups. The log is read
//              once, but each round re-aggregates the records held in
//              memory, which grow with the stream: for long-running
//              aggregations bound the input with WHERE ts > ... or use
//              windows, whose closed groups no longer print.
//
// A round starts every --poll-ms while nothing arrives. Ctrl-C or
// --timeout ends it between rounds or within one (QueryGuard).
#pragma once

#include <cstdint>

#include "base/status.h"
#include "kq-sql/query_guard.h"
#include "kq-sql/result_printer.h"
#include "kq-sql/sql_tool.h"
#include "sql/topic_database.h"

namespace kq::tools::sql {

Status RunFollow(kq::sql::TopicDatabase& db, const SqlFlags& flags, const QueryGuard& guard,
                 ResultPrinter* printer, uint64_t* rows);

}  // namespace kq::tools::sql
