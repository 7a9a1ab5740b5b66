#include "common/record_format.h"

#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <vector>

namespace kq::tools {
namespace {

const std::vector<HeaderView> kHeaders = {{"trace", "abc"}, {"flag", std::nullopt}, {"trace", ""}};

FormattedRecord SampleRecord() {
  FormattedRecord r;
  r.topic = "orders";
  r.partition = 3;
  r.offset = 42;
  r.timestamp = 1793491200123;
  r.key = "user1";
  r.value = "hello";
  r.headers = kHeaders;
  return r;
}

std::string Render(std::string_view format, const FormattedRecord& r) {
  Result<RecordFormatter> f = RecordFormatter::Compile(format);
  REQUIRE(f.ok());
  std::string out;
  f->Render(r, &out);
  return out;
}

TEST_CASE("record_format: every token renders") {
  const FormattedRecord r = SampleRecord();
  struct Case {
    const char* format;
    std::string want;
  };
  const Case cases[] = {
      {"%t", "orders"},
      {"%p", "3"},
      {"%o", "42"},
      {"%k", "user1"},
      {"%K", "5"},
      {"%s", "hello"},
      {"%S", "5"},
      {"%T", "1793491200123"},
      {"%d", "2026-11-01T00:00:00.123Z"},
      {"%h", "trace=abc,flag,trace="},
      {"%%", "%"},
      {"100%%", "100%"},
      {"", ""},
      {"Topic %t [%p] at offset %o: key %k: %s\\n",
       "Topic orders [3] at offset 42: key user1: hello\n"},
      {"%k\\t%s\\r\\n", "user1\thello\r\n"},
      {"%s\\0", std::string("hello\0", 6)},
      {"\\\\%s\\x21", "\\hello!"},
      {"%s%s", "hellohello"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.format);
    CHECK(Render(c.format, r) == c.want);
  }
}

TEST_CASE("record_format: null key and value print empty with length -1") {
  FormattedRecord r = SampleRecord();
  r.key.reset();
  r.value.reset();
  r.headers = {};
  CHECK(Render("[%k][%K][%s][%S][%h]", r) == "[][-1][][-1][]");
  r.key = "";
  r.value = "";
  CHECK(Render("[%k][%K][%s][%S]", r) == "[][0][][0]");
}

TEST_CASE("record_format: binary bytes pass through unchanged") {
  FormattedRecord r = SampleRecord();
  std::string value("\0\xff\n%s\\", 6);
  r.value = value;
  CHECK(Render("%s", r) == value);
}

TEST_CASE("record_format: rendering appends to what is already in the buffer") {
  Result<RecordFormatter> f = RecordFormatter::Compile("%o\\n");
  REQUIRE(f.ok());
  std::string out = "x";
  FormattedRecord r = SampleRecord();
  f->Render(r, &out);
  r.offset = -7;
  f->Render(r, &out);
  CHECK(out == "x42\n-7\n");
}

TEST_CASE("record_format: unknown tokens and bad escapes are errors naming them") {
  const char* bad[] = {"%x", "%", "abc%", "%s %Z", "\\q", "\\x4", "%s\\"};
  for (const char* format : bad) {
    CAPTURE(format);
    CHECK_FALSE(RecordFormatter::Compile(format).ok());
  }
  CHECK(RecordFormatter::Compile("key %x").status().message() ==
        "-f: unknown token '%x' at position 4 in 'key %x': expected %t %p %o %k %K %s %S %R "
        "%T %d %h or %%");
  CHECK(RecordFormatter::Compile("%s%").status().message() ==
        "-f: lone '%' at the end of '%s%': write %% for a literal '%'");
  CHECK(RecordFormatter::Compile("%s\\q").status().message().starts_with(
      "-f: unknown escape '\\q' at position 2"));
}

TEST_CASE("record_format: rendering %s\\n is fast") {
  Result<RecordFormatter> f = RecordFormatter::Compile("%s\\n");
  REQUIRE(f.ok());
  FormattedRecord r = SampleRecord();
  std::string out;
  out.reserve(1 << 20);
  constexpr int kRecords = 2'000'000;
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < kRecords; ++i) {
    if (out.size() > (1 << 20) - 64) out.clear();
    f->Render(r, &out);
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  double rate = kRecords / seconds;
  MESSAGE("rendered %s\\n at " << rate / 1e6 << "M records/s");
  // Generous floor: shared CI machines and debug builds are slow.
  CHECK(rate > 2e6);
}

}  // namespace
}  // namespace kq::tools
