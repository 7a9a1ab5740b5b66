#include "common/escapes.h"

#include <doctest/doctest.h>

#include <string>

namespace kq::tools {
namespace {

TEST_CASE("escapes: delimiters decode every supported escape") {
  struct Case {
    const char* text;
    std::string want;
  };
  const Case cases[] = {
      {"\\n", "\n"},         {"\\t", "\t"},     {"\\r", "\r"},      {"\\0", std::string(1, '\0')},
      {"\\\\", "\\"},        {"\\x1e", "\x1e"}, {"\\xFF", "\xff"},  {"\\x00", std::string(1, '\0')},
      {"--\\n--", "--\n--"}, {";", ";"},        {"\\r\\n", "\r\n"}, {"a\\x41b", "aAb"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.text);
    Result<std::string> r = ParseDelimiter(c.text);
    REQUIRE(r.ok());
    CHECK(*r == c.want);
  }
}

TEST_CASE("escapes: bad escapes are rejected naming the flag, text and position") {
  const char* bad[] = {"", "\\", "a\\", "\\q", "\\x", "\\x1", "\\xg0", "\\x1z", "\\N", "\\a"};
  for (const char* text : bad) {
    CAPTURE(text);
    Result<std::string> r = ParseDelimiter(text, "-K");
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().IsInvalidArgument());
    CHECK(r.status().message().starts_with("-K: "));
  }
  CHECK(ParseDelimiter("a\\qb").status().message() ==
        "-D: unknown escape '\\q' at position 1 in 'a\\qb': expected \\n, \\t, \\r, \\0, \\\\, "
        "\\xNN or \\NNN (octal)");
  CHECK(ParseDelimiter("", "-D").status().message() == "-D: the delimiter must not be empty");
  CHECK(ParseDelimiter("ab\\x4").status().message() ==
        "-D: '\\x' needs two hex digits at position 2 in 'ab\\x4': expected \\n, \\t, \\r, \\0, "
        "\\\\, \\xNN or \\NNN (octal)");
}

TEST_CASE("escapes: Unescape keeps plain text and allows the empty string") {
  CHECK(*Unescape("-f", "") == "");
  CHECK(*Unescape("-f", "plain %s") == "plain %s");
}

}  // namespace
}  // namespace kq::tools
