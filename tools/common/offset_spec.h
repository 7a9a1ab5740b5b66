// The `-o` start grammar of kq-consume (kcat's, plus time ranges).
//
//   beginning            the log start offset (the default)
//   end                  the log end: only records produced from now on
//   stored               the group's committed offset (-G)
//   N                    absolute offset N (digits)
//   -N                   the last N records of each partition (digits only)
//   s@MS                 the first record with timestamp >= MS (epoch ms)
//   e@MS                 stop before the first record with timestamp >= MS
//   @T1                  from time T1, open-ended
//   @T1:T2 (or @T1:)     from T1, stopping before T2: the half-open range [T1, T2)
// T1/T2 take every form of ParseTime (time_spec.h): ISO-8601, epoch ms, or
// relative to now.
//
// "-N" vs relative times: "-5" is always "the last 5 records"; a time relative
// to now must be written after '@', as in "@-1h" or "@-2h:-1h". A bare "-1h"
// is rejected with a hint saying so.
//
// `-o` may be given twice to combine a start with an end bound, as kcat's
// `-o s@A -o e@B` does; ParseOffsetSpecs merges the list.
//
// Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "base/result.h"

namespace kq::tools {

struct OffsetSpec {
  enum class Kind {
    kBeginning,
    kEnd,
    kStored,
    kAbsolute,   // value: the offset, >= 0
    kFromEnd,    // value: N, start at max(log start, end - N)
    kTimestamp,  // value: start timestamp in epoch ms
  };
  Kind kind = Kind::kBeginning;
  int64_t value = 0;
  // When set, consuming a partition stops at its first record whose timestamp
  // is >= this (epoch ms, exclusive), as kcat's e@ does.
  std::optional<int64_t> end_timestamp_ms;

  bool operator==(const OffsetSpec&) const = default;
};

// Parses one `-o` argument. Errors are InvalidArgument, e.g.
//   -o: 'abc' is not an offset: expected beginning, end, stored, N, -N, s@MS, e@MS or @TIME[:TIME]
Result<OffsetSpec> ParseOffsetSpec(std::string_view text, int64_t now_ms);

// Merges several `-o` arguments: at most one start form and at most one end
// bound (e@ or the T2 of a range). An empty list gives kBeginning.
Result<OffsetSpec> ParseOffsetSpecs(std::span<const std::string> texts, int64_t now_ms);

// A readable form for messages and --verbose: "beginning", "offset 42",
// "last 10", "timestamp 2026-11-01T00:00:00.000Z until 2026-11-02T00:00:00.000Z".
std::string DescribeOffsetSpec(const OffsetSpec& spec);

}  // namespace kq::tools
