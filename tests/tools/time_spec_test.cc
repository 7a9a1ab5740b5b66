#include "common/time_spec.h"

#include <doctest/doctest.h>

#include <string>

namespace kq::tools {
namespace {

constexpr int64_t kNov1 = 1793491200000;  // 2026-11-01T00:00:00Z
constexpr int64_t kNow = kNov1 + 12 * 3600 * 1000;
constexpr int64_t kHour = 3600 * 1000;

TEST_CASE("time_spec: accepted forms parse to epoch milliseconds") {
  struct Case {
    const char* text;
    int64_t want;
  };
  const Case cases[] = {
      {"2026-11-01T00:00:00Z", kNov1},
      {"2026-11-01t00:00:00z", kNov1},
      {"2026-11-01 00:00:00Z", kNov1},
      {"2026-11-01", kNov1},
      {"2026-11-01T00:00Z", kNov1},
      {"2026-11-01T00:00:00", kNov1},  // no zone: UTC, never local time
      {"2026-11-01T02:00:00+02:00", kNov1},
      {"2026-11-01T02:00:00+0200", kNov1},
      {"2026-10-31T19:30:00-04:30", kNov1},
      {"2026-11-01T00:00:00.250Z", kNov1 + 250},
      {"2026-11-01T00:00:00.2Z", kNov1 + 200},
      {"2026-11-01T00:00:00.123456789Z", kNov1 + 123},
      {"2026-11-01T00:00:00,5Z", kNov1 + 500},
      {"2000-02-29T12:34:56.789Z", 951827696789},
      {"1970-01-01T00:00:00Z", 0},
      {"9999-12-31T23:59:59.999Z", 253402300799999},
      {"1793491200000", kNov1},
      {"0", 0},
      {"-1h", kNow - kHour},
      {"-15m", kNow - 15 * 60 * 1000},
      {"-30s", kNow - 30 * 1000},
      {"-2d", kNow - 48 * kHour},
      {"-1w", kNow - 7 * 24 * kHour},
      {"-500ms", kNow - 500},
      {"-0s", kNow},
      {"now", kNow},
  };
  for (const Case& c : cases) {
    CAPTURE(c.text);
    Result<int64_t> r = ParseTime(c.text, kNow);
    REQUIRE(r.ok());
    CHECK(*r == c.want);
  }
}

TEST_CASE("time_spec: garbage is rejected with the accepted forms listed") {
  const char* bad[] = {
      "",
      "abc",
      "2026-13-01",
      "2026-02-29",
      "2026-11-31",
      "2026-11-00",
      "2026-1-01",
      "2026-11-01T",
      "2026-11-01T24:00:00Z",
      "2026-11-01T10:60Z",
      "2026-11-01T10:00:60Z",
      "2026-11-01T10Z",
      "2026-11-01T00:00:00+2",
      "2026-11-01T00:00:00+25:00",
      "2026-11-01T00:00:00.Z",
      "2026-11-01T00:00:00.1234567890Z",
      "2026-11-01T00:00:00Zjunk",
      "2026-11-01x",
      "-1",
      "-1y",
      "-h",
      "--1h",
      "1h",
      "+1h",
      "12a",
      "99999999999999999999",
      "-99999999999999999999d",
      " 2026-11-01",
      "1969-12-31",
  };
  for (const char* text : bad) {
    CAPTURE(text);
    Result<int64_t> r = ParseTime(text, kNow);
    CHECK_FALSE(r.ok());
    CHECK(r.status().IsInvalidArgument());
  }
  CHECK(ParseTime("abc", kNow).status().message() ==
        "'abc' is not a time: expected ISO-8601 (2026-11-01T00:00:00Z, "
        "2026-11-01T02:00:00+02:00, 2026-11-01), epoch milliseconds, or a time relative to "
        "now (-1h, -15m, -30s, -2d, -500ms)");
  CHECK(ParseTime("1969-12-31", kNow).status().message() ==
        "'1969-12-31' is before 1970-01-01T00:00:00Z, which Kafka timestamps cannot express");
}

TEST_CASE("time_spec: FormatIso8601Ms prints UTC with milliseconds") {
  CHECK(FormatIso8601Ms(kNov1) == "2026-11-01T00:00:00.000Z");
  CHECK(FormatIso8601Ms(951827696789) == "2000-02-29T12:34:56.789Z");
  CHECK(FormatIso8601Ms(0) == "1970-01-01T00:00:00.000Z");
  CHECK(FormatIso8601Ms(-1) == "1969-12-31T23:59:59.999Z");
  CHECK(FormatIso8601Ms(253402300799999) == "9999-12-31T23:59:59.999Z");
}

TEST_CASE("time_spec: formatting and parsing round trip across many days") {
  for (int64_t ms = 0; ms < 400LL * 366 * 24 * kHour; ms += 7 * 24 * kHour + 3723456) {
    std::string text = FormatIso8601Ms(ms);
    Result<int64_t> back = ParseTime(text, 0);
    REQUIRE(back.ok());
    REQUIRE(*back == ms);
  }
}

TEST_CASE("time_spec: civil date conversion matches known days") {
  CHECK(DaysFromCivil(1970, 1, 1) == 0);
  CHECK(DaysFromCivil(2000, 3, 1) == 11017);
  CHECK(DaysFromCivil(1969, 12, 31) == -1);
  for (int64_t d = -800000; d < 800000; d += 97) {
    int64_t y;
    int m, day;
    CivilFromDays(d, &y, &m, &day);
    REQUIRE(DaysFromCivil(y, m, day) == d);
  }
}

}  // namespace
}  // namespace kq::tools
