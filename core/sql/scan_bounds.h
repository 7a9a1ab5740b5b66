// ScanBounds: the part of a WHERE clause a topic table serves itself
// (pushdown), as inclusive integer ranges. Pure: no SQLite, no I/O.
//
// SQLite passes each usable constraint to the table (xBestIndex) and its value
// to xFilter; Narrow() folds one `column OP value` into the bounds. The table
// never tells SQLite to skip re-checking a constraint, so bounds only have to
// cover every matching row: a value that is not a number (text, blob, NULL)
// leaves the bounds as they are, and SQLite's own test decides.
//
// Thread safety: plain values.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>

namespace kq::sql {

// The operators a topic table takes from xBestIndex.
enum class BoundOp { kEq, kGt, kGe, kLt, kLe };

// An inclusive range [min, max]; empty when min > max.
struct Range {
  int64_t min = std::numeric_limits<int64_t>::min();
  int64_t max = std::numeric_limits<int64_t>::max();

  bool empty() const { return min > max; }
  bool bounded_below() const { return min != std::numeric_limits<int64_t>::min(); }
  bool bounded_above() const { return max != std::numeric_limits<int64_t>::max(); }
  // Folds `x OP v` for an integer v.
  void Narrow(BoundOp op, int64_t v);
  // Folds `x OP v` for a real v (2.5 bounds integers to 3.. or ..2; an
  // equality with a fraction matches nothing). NaN changes nothing.
  void Narrow(BoundOp op, double v);
};

struct ScanBounds {
  Range partition;
  Range offset;
  Range ts;
  bool empty() const { return partition.empty() || offset.empty() || ts.empty(); }
  // "partition [0, 0] offset [10, 19] ts [..]" for --stats and tests.
  std::string ToString() const;
};

}  // namespace kq::sql
