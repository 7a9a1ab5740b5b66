#include "common/offset_spec.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace kq::tools {
namespace {

using Kind = OffsetSpec::Kind;
constexpr int64_t kNov1 = 1793491200000;  // 2026-11-01T00:00:00Z
constexpr int64_t kDay = 24 * 3600 * 1000;
constexpr int64_t kNow = kNov1 + kDay;

TEST_CASE("offset_spec: every -o form parses") {
  struct Case {
    const char* text;
    OffsetSpec want;
  };
  const Case cases[] = {
      {"beginning", {Kind::kBeginning, 0, std::nullopt}},
      {"end", {Kind::kEnd, 0, std::nullopt}},
      {"stored", {Kind::kStored, 0, std::nullopt}},
      {"0", {Kind::kAbsolute, 0, std::nullopt}},
      {"42", {Kind::kAbsolute, 42, std::nullopt}},
      {"-10", {Kind::kFromEnd, 10, std::nullopt}},
      {"-0", {Kind::kFromEnd, 0, std::nullopt}},
      {"s@1793491200000", {Kind::kTimestamp, kNov1, std::nullopt}},
      {"e@1793491200000", {Kind::kBeginning, 0, kNov1}},
      {"@2026-11-01T00:00:00Z", {Kind::kTimestamp, kNov1, std::nullopt}},
      {"@2026-11-01T02:00:00+02:00", {Kind::kTimestamp, kNov1, std::nullopt}},
      {"@2026-11-01", {Kind::kTimestamp, kNov1, std::nullopt}},
      {"@2026-11-01T00:00:00Z:", {Kind::kTimestamp, kNov1, std::nullopt}},
      {"@2026-11-01:2026-11-02", {Kind::kTimestamp, kNov1, kNov1 + kDay}},
      {"@2026-11-01T00:00:00Z:2026-11-02T00:00:00Z", {Kind::kTimestamp, kNov1, kNov1 + kDay}},
      {"@2026-11-01T02:00:00+02:00:2026-11-02T02:00:00+02:00",
       {Kind::kTimestamp, kNov1, kNov1 + kDay}},
      {"@2026-11-01T00:00:2026-11-02T00:00", {Kind::kTimestamp, kNov1, kNov1 + kDay}},
      {"@1793491200000:1793491200500", {Kind::kTimestamp, kNov1, kNov1 + 500}},
      {"@-1d", {Kind::kTimestamp, kNov1, std::nullopt}},
      {"@-2d:-1d", {Kind::kTimestamp, kNov1 - kDay, kNov1}},
      {"@-1h:now", {Kind::kTimestamp, kNow - 3600000, kNow}},
  };
  for (const Case& c : cases) {
    CAPTURE(c.text);
    Result<OffsetSpec> r = ParseOffsetSpec(c.text, kNow);
    REQUIRE(r.ok());
    CHECK(r->kind == c.want.kind);
    CHECK(r->value == c.want.value);
    CHECK(r->end_timestamp_ms == c.want.end_timestamp_ms);
  }
}

TEST_CASE("offset_spec: bad -o arguments are rejected with the flag quoted") {
  const char* bad[] = {"",
                       "abc",
                       "Beginning",
                       "+5",
                       "1.5",
                       "--5",
                       "s@",
                       "s@abc",
                       "e@-1",
                       "@",
                       "@abc",
                       "@1:2:3",
                       "-1h",
                       "99999999999999999999",
                       "@2026-11-02:2026-11-01",
                       "@xyz:",
                       "4x"};
  for (const char* text : bad) {
    CAPTURE(text);
    Result<OffsetSpec> r = ParseOffsetSpec(text, kNow);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().IsInvalidArgument());
    CHECK(r.status().message().starts_with("-o: "));
  }
  CHECK(ParseOffsetSpec("abc", kNow).status().message() ==
        "-o: 'abc' is not an offset: expected beginning, end, stored, N, -N, s@MS, e@MS or "
        "@TIME[:TIME]");
  CHECK(ParseOffsetSpec("-1h", kNow).status().message() ==
        "-o: '-1h' is not an offset: expected beginning, end, stored, N, -N, s@MS, e@MS or "
        "@TIME[:TIME] (for a time relative to now write @-1h)");
  CHECK(ParseOffsetSpec("s@x", kNow).status().message() ==
        "-o: 's@x': 'x' is not a timestamp in epoch milliseconds");
  CHECK(ParseOffsetSpec("@2026-11-02:2026-11-01", kNow).status().message() ==
        "-o: '@2026-11-02:2026-11-01': the end time 2026-11-01T00:00:00.000Z is before the "
        "start time 2026-11-02T00:00:00.000Z");
}

TEST_CASE("offset_spec: two -o flags combine a start and an end, as kcat's s@ and e@") {
  std::vector<std::string> both = {"s@1793491200000", "e@1793491300000"};
  Result<OffsetSpec> r = ParseOffsetSpecs(both, kNow);
  REQUIRE(r.ok());
  CHECK(*r == OffsetSpec{Kind::kTimestamp, kNov1, 1793491300000});

  std::vector<std::string> end_first = {"e@1793491300000", "42"};
  CHECK(*ParseOffsetSpecs(end_first, kNow) == OffsetSpec{Kind::kAbsolute, 42, 1793491300000});

  CHECK(*ParseOffsetSpecs({}, kNow) == OffsetSpec{});

  std::vector<std::string> two_starts = {"end", "42"};
  CHECK(ParseOffsetSpecs(two_starts, kNow).status().message() ==
        "-o: '42': a start offset was already given");
  std::vector<std::string> two_ends = {"@1:5", "e@7"};
  CHECK(ParseOffsetSpecs(two_ends, kNow).status().message() ==
        "-o: 'e@7': an end time was already given");
  std::vector<std::string> backwards = {"s@100", "e@50"};
  CHECK_FALSE(ParseOffsetSpecs(backwards, kNow).ok());
}

TEST_CASE("offset_spec: DescribeOffsetSpec reads naturally") {
  CHECK(DescribeOffsetSpec({Kind::kFromEnd, 10, std::nullopt}) == "last 10");
  CHECK(DescribeOffsetSpec({Kind::kTimestamp, kNov1, kNov1 + kDay}) ==
        "timestamp 2026-11-01T00:00:00.000Z until 2026-11-02T00:00:00.000Z");
}

}  // namespace
}  // namespace kq::tools
