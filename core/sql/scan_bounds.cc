#include "sql/scan_bounds.h"

#include <cmath>

#include <fmt/format.h>

namespace kq::sql {
namespace {

constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
constexpr int64_t kMax = std::numeric_limits<int64_t>::max();

std::string RangeText(const Range& r) {
  if (r.empty()) return "none";
  if (!r.bounded_below() && !r.bounded_above()) return "all";
  std::string lo = r.bounded_below() ? fmt::format("{}", r.min) : "";
  std::string hi = r.bounded_above() ? fmt::format("{}", r.max) : "";
  return fmt::format("[{}..{}]", lo, hi);
}

}  // namespace

void Range::Narrow(BoundOp op, int64_t v) {
  switch (op) {
    case BoundOp::kEq:
      min = std::max(min, v);
      max = std::min(max, v);
      break;
    case BoundOp::kGt:
      if (v == kMax) {
        min = kMax;
        max = kMin;  // nothing is greater
      } else {
        min = std::max(min, v + 1);
      }
      break;
    case BoundOp::kGe:
      min = std::max(min, v);
      break;
    case BoundOp::kLt:
      if (v == kMin) {
        min = kMax;
        max = kMin;
      } else {
        max = std::min(max, v - 1);
      }
      break;
    case BoundOp::kLe:
      max = std::min(max, v);
      break;
  }
}

void Range::Narrow(BoundOp op, double v) {
  if (std::isnan(v)) return;
  // Beyond int64 every integer lies on one side.
  if (v >= 9.2e18) {
    if (op == BoundOp::kEq || op == BoundOp::kGt || op == BoundOp::kGe) Narrow(BoundOp::kGt, kMax);
    return;
  }
  if (v <= -9.2e18) {
    if (op == BoundOp::kEq || op == BoundOp::kLt || op == BoundOp::kLe) Narrow(BoundOp::kLt, kMin);
    return;
  }
  const double fl = std::floor(v);
  const auto lo = static_cast<int64_t>(fl);
  if (fl == v) return Narrow(op, lo);
  switch (op) {
    case BoundOp::kEq:  // no integer equals a fraction
      Narrow(BoundOp::kGt, kMax);
      break;
    case BoundOp::kGt:
    case BoundOp::kGe:
      Narrow(BoundOp::kGe, lo + 1);
      break;
    case BoundOp::kLt:
    case BoundOp::kLe:
      Narrow(BoundOp::kLe, lo);
      break;
  }
}

std::string ScanBounds::ToString() const {
  return fmt::format("partition {} offset {} ts {}", RangeText(partition), RangeText(offset),
                     RangeText(ts));
}

}  // namespace kq::sql
