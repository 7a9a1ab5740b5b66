#include "base/time_spec.h"

#include <charconv>
#include <chrono>
#include <limits>

#include <fmt/format.h>

namespace kq {
namespace {

constexpr int64_t kMsPerSecond = 1000;
constexpr int64_t kMsPerMinute = 60 * kMsPerSecond;
constexpr int64_t kMsPerHour = 60 * kMsPerMinute;
constexpr int64_t kMsPerDay = 24 * kMsPerHour;

Status NotATime(std::string_view text) {
  return Status::InvalidArgument(
      fmt::format("'{}' is not a time: expected ISO-8601 (2026-11-01T00:00:00Z, "
                  "2026-11-01T02:00:00+02:00, 2026-11-01), epoch milliseconds, "
                  "or a time relative to now (-1h, -15m, -30s, -2d, -500ms)",
                  text));
}

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// Parses digits-only `s` into *v; false on overflow or non-digits.
bool ParseDigits(std::string_view s, int64_t* v) {
  if (!AllDigits(s)) return false;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), *v);
  return ec == std::errc() && ptr == s.data() + s.size();
}

// Reads exactly `n` digits at *s and advances past them.
bool TakeDigits(std::string_view* s, size_t n, int* v) {
  if (s->size() < n) return false;
  int64_t value;
  if (!ParseDigits(s->substr(0, n), &value)) return false;
  *v = static_cast<int>(value);
  s->remove_prefix(n);
  return true;
}

bool TakeChar(std::string_view* s, char c) {
  if (s->empty() || s->front() != c) return false;
  s->remove_prefix(1);
  return true;
}

int DaysInMonth(int64_t year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[month - 1];
}

// "15m" → 15 minutes in ms. Returns false when `text` is not of that form.
bool ParseDurationText(std::string_view text, int64_t* ms) {
  size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  int64_t count;
  if (!ParseDigits(text.substr(0, digits), &count)) return false;
  std::string_view unit = text.substr(digits);
  int64_t scale;
  if (unit == "ms")
    scale = 1;
  else if (unit == "s")
    scale = kMsPerSecond;
  else if (unit == "m")
    scale = kMsPerMinute;
  else if (unit == "h")
    scale = kMsPerHour;
  else if (unit == "d")
    scale = kMsPerDay;
  else if (unit == "w")
    scale = 7 * kMsPerDay;
  else
    return false;
  if (count > std::numeric_limits<int64_t>::max() / scale) return false;
  *ms = count * scale;
  return true;
}

// "-15m" → now - 15 minutes. Returns false when `text` is not of that form.
bool ParseRelative(std::string_view text, int64_t now_ms, int64_t* ms) {
  if (!TakeChar(&text, '-')) return false;
  int64_t span;
  if (!ParseDurationText(text, &span)) return false;
  *ms = now_ms - span;
  return true;
}

// "+02:00", "-0530", "Z" → offset east of UTC in minutes.
bool ParseZone(std::string_view* s, int* offset_minutes) {
  if (TakeChar(s, 'Z') || TakeChar(s, 'z')) {
    *offset_minutes = 0;
    return true;
  }
  int sign = 0;
  if (TakeChar(s, '+'))
    sign = 1;
  else if (TakeChar(s, '-'))
    sign = -1;
  else
    return false;
  int hh, mm;
  if (!TakeDigits(s, 2, &hh)) return false;
  TakeChar(s, ':');
  if (!TakeDigits(s, 2, &mm) || hh > 23 || mm > 59) return false;
  *offset_minutes = sign * (hh * 60 + mm);
  return true;
}

// Parses "[T|space]HH:MM[:SS[.fff]][zone]" after a date into ms since midnight.
bool ParseTimeOfDay(std::string_view s, int64_t* ms_of_day, int* offset_minutes) {
  int hh, mi, ss = 0;
  if (!TakeDigits(&s, 2, &hh) || !TakeChar(&s, ':') || !TakeDigits(&s, 2, &mi)) return false;
  int64_t millis = 0;
  if (TakeChar(&s, ':')) {
    if (!TakeDigits(&s, 2, &ss)) return false;
    if (TakeChar(&s, '.') || TakeChar(&s, ',')) {
      size_t n = 0;
      while (n < s.size() && s[n] >= '0' && s[n] <= '9') ++n;
      if (n == 0 || n > 9) return false;
      for (size_t i = 0; i < 3; ++i) millis = millis * 10 + (i < n ? s[i] - '0' : 0);
      s.remove_prefix(n);
    }
  }
  if (hh > 23 || mi > 59 || ss > 59) return false;
  *offset_minutes = 0;
  if (!s.empty() && !ParseZone(&s, offset_minutes)) return false;
  if (!s.empty()) return false;
  *ms_of_day = hh * kMsPerHour + mi * kMsPerMinute + ss * kMsPerSecond + millis;
  return true;
}

bool ParseIso8601(std::string_view s, int64_t* ms) {
  int year, month, day;
  if (!TakeDigits(&s, 4, &year) || !TakeChar(&s, '-') || !TakeDigits(&s, 2, &month) ||
      !TakeChar(&s, '-') || !TakeDigits(&s, 2, &day)) {
    return false;
  }
  if (month < 1 || month > 12 || day < 1 || day > DaysInMonth(year, month)) return false;
  int64_t ms_of_day = 0;
  int offset_minutes = 0;
  if (!s.empty()) {
    if (!(TakeChar(&s, 'T') || TakeChar(&s, 't') || TakeChar(&s, ' '))) return false;
    if (!ParseTimeOfDay(s, &ms_of_day, &offset_minutes)) return false;
  }
  *ms = DaysFromCivil(year, month, day) * kMsPerDay + ms_of_day -
        int64_t{offset_minutes} * kMsPerMinute;
  return true;
}

}  // namespace

// Howard Hinnant's days_from_civil: shifts the year to start in March so the
// leap day is last, then counts 400-year eras of 146097 days.
int64_t DaysFromCivil(int64_t year, int month, int day) {
  year -= month <= 2;
  const int64_t era = (year >= 0 ? year : year - 399) / 400;
  const int64_t yoe = year - era * 400;
  const int64_t mp = (month + 9) % 12;
  const int64_t doy = (153 * mp + 2) / 5 + day - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

void CivilFromDays(int64_t days, int64_t* year, int* month, int* day) {
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const int64_t doe = days - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  *day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  *month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  *year = yoe + era * 400 + (*month <= 2);
}

Result<int64_t> ParseTime(std::string_view text, int64_t now_ms) {
  int64_t ms = 0;
  bool parsed = false;
  if (text == "now") {
    ms = now_ms;
    parsed = true;
  } else if (AllDigits(text)) {
    parsed = ParseDigits(text, &ms);
  } else if (!text.empty() && text.front() == '-') {
    parsed = ParseRelative(text, now_ms, &ms);
  } else {
    parsed = ParseIso8601(text, &ms);
  }
  if (!parsed) return NotATime(text);
  if (ms < 0) {
    return Status::InvalidArgument(fmt::format(
        "'{}' is before 1970-01-01T00:00:00Z, which Kafka timestamps cannot express", text));
  }
  return ms;
}

Result<int64_t> ParseDuration(std::string_view text) {
  int64_t ms = 0;
  if (!ParseDurationText(text, &ms)) {
    return Status::InvalidArgument(fmt::format(
        "'{}' is not a duration (expected a count and a unit: 500ms, 30s, 15m, 1h, 2d, 1w)", text));
  }
  return ms;
}

void AppendIso8601Ms(int64_t ms, std::string* out) {
  // Floor division, so -1 ms is 1969-12-31T23:59:59.999Z.
  int64_t days = ms / kMsPerDay;
  int64_t rem = ms % kMsPerDay;
  if (rem < 0) {
    rem += kMsPerDay;
    --days;
  }
  int64_t year;
  int month, day;
  CivilFromDays(days, &year, &month, &day);
  char buf[48];
  auto end = fmt::format_to_n(buf, sizeof(buf), "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", year,
                              month, day, rem / kMsPerHour, rem / kMsPerMinute % 60,
                              rem / kMsPerSecond % 60, rem % kMsPerSecond);
  out->append(buf, end.out);
}

std::string FormatIso8601Ms(int64_t ms) {
  std::string out;
  AppendIso8601Ms(ms, &out);
  return out;
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace kq
