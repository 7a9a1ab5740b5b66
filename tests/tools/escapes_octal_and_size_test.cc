// kcat's \NNN octal escape (escapes.h) and the %R token (record_format.h).
#include <doctest/doctest.h>

#include <string>

#include "common/escapes.h"
#include "common/record_format.h"

namespace kq::tools {
namespace {

TEST_CASE("escapes: \\NNN is one to three octal digits, as in C and kcat") {
  struct Case {
    const char* text;
    std::string want;
  };
  const Case cases[] = {
      {"\\0", std::string(1, '\0')},
      {"\\012", "\n"},
      {"\\101\\102", "AB"},
      {"\\1", "\x01"},
      {"\\377", "\xff"},
      {"\\0101", std::string("\x08") + "1"},    // three digits at most
      {"a\\18b", std::string("a\x01") + "8b"},  // 8 is not octal: the escape ends
      {"\\000", std::string(1, '\0')},
  };
  for (const Case& c : cases) {
    CAPTURE(c.text);
    Result<std::string> r = Unescape("-f", c.text);
    REQUIRE(r.ok());
    CHECK(*r == c.want);
  }
  Result<std::string> big = Unescape("-f", "x\\400");
  REQUIRE_FALSE(big.ok());
  CHECK(big.status().message().starts_with(
      "-f: octal escape '\\400' is above \\377 at position 1 in 'x\\400'"));
  CHECK_FALSE(Unescape("-f", "\\8").ok());
  CHECK_FALSE(Unescape("-f", "\\9").ok());
}

TEST_CASE("record_format: %R is the value length as 4 big-endian bytes, -1 for null") {
  Result<RecordFormatter> f = RecordFormatter::Compile("%R%s");
  REQUIRE(f.ok());
  FormattedRecord r;
  std::string out;
  r.value = "hello";
  f->Render(r, &out);
  CHECK(out == std::string("\0\0\0\x05hello", 9));

  const std::string big(70000, 'v');  // 0x00011170
  r.value = big;
  out.clear();
  f->Render(r, &out);
  CHECK(out.substr(0, 4) == std::string("\x00\x01\x11\x70", 4));
  CHECK(out.size() == 4 + big.size());

  r.value = std::string_view();
  out.clear();
  f->Render(r, &out);
  CHECK(out == std::string(4, '\0'));

  r.value.reset();
  out.clear();
  f->Render(r, &out);
  CHECK(out == "\xff\xff\xff\xff");
}

}  // namespace
}  // namespace kq::tools
