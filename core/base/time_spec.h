// Times on the command line (kq-consume -o @T1:T2, retention arguments) and in
// kq-sql's SQL helpers, and the ISO-8601 form the tools print (%d in -f).
//
// Accepted forms (all results are milliseconds since the Unix epoch, UTC):
//   2026-11-01T00:00:00Z          ISO-8601 date-time; 'T' may also be a space
//   2026-11-01T02:00:00+02:00     with a UTC offset (+HH:MM or +HHMM, or -)
//   2026-11-01T00:00:00.250Z      fractional seconds, 1..9 digits (truncated to ms)
//   2026-11-01T00:00Z             seconds may be left out
//   2026-11-01                    a date alone is midnight UTC
//   1793491200000                 epoch milliseconds (digits only)
//   -1h -15m -30s -2d -500ms -1w  relative to `now_ms` (the count is digits)
//   now                           `now_ms` itself
// A date-time without a zone is taken as UTC, never as local time: kq does not
// depend on the machine's time zone or locale. Results before 1970 are
// rejected, since Kafka reserves negative timestamps for special meanings.
//
// Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"

namespace kq {

// Parses one of the forms above. The error (InvalidArgument) quotes the text
// and lists the accepted forms.
Result<int64_t> ParseTime(std::string_view text, int64_t now_ms);

// "15m" → 900000: the count and unit of the relative forms above, without
// the sign (ms, s, m, h, d, w). InvalidArgument quotes the text.
Result<int64_t> ParseDuration(std::string_view text);

// Milliseconds since the epoch → "2026-11-01T00:00:00.000Z" (always UTC, always
// three fraction digits). Negative values are formatted as times before 1970.
std::string FormatIso8601Ms(int64_t ms);
// The same, appended to *out without any other allocation.
void AppendIso8601Ms(int64_t ms, std::string* out);

// Days since 1970-01-01 for a proleptic Gregorian date, and back.
// REQUIRES: 1 <= month <= 12, 1 <= day <= 31.
int64_t DaysFromCivil(int64_t year, int month, int day);
void CivilFromDays(int64_t days, int64_t* year, int* month, int* day);

// The current wall-clock time in epoch milliseconds.
int64_t NowMs();

}  // namespace kq
