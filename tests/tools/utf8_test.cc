#include "common/utf8.h"

#include <doctest/doctest.h>

#include <string>

namespace kq::tools {
namespace {

TEST_CASE("utf8: well-formed text is accepted") {
  const std::string good[] = {
      "",
      "plain ascii, long enough to use the 8-byte fast path",
      std::string("nul\0inside", 10),
      "\xc2\x80",          // U+0080, smallest 2-byte
      "\xdf\xbf",          // U+07FF
      "\xe0\xa0\x80",      // U+0800, smallest 3-byte
      "\xed\x9f\xbf",      // U+D7FF, just below the surrogates
      "\xee\x80\x80",      // U+E000, just above
      "\xef\xbf\xbf",      // U+FFFF
      "\xf0\x90\x80\x80",  // U+10000, smallest 4-byte
      "\xf4\x8f\xbf\xbf",  // U+10FFFF, the largest
      "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
  };
  for (const std::string& s : good) {
    CAPTURE(s);
    CHECK(IsValidUtf8(s));
  }
}

TEST_CASE("utf8: overlongs, surrogates, out of range and truncation are rejected") {
  const std::string bad[] = {
      "\x80",  // lone continuation
      "\xbf",
      "\xc0\x80",      // overlong NUL
      "\xc1\xbf",      // overlong
      "\xe0\x80\x80",  // overlong 3-byte
      "\xe0\x9f\xbf",
      "\xf0\x80\x80\x80",  // overlong 4-byte
      "\xf0\x8f\xbf\xbf",
      "\xed\xa0\x80",      // U+D800
      "\xed\xbf\xbf",      // U+DFFF
      "\xf4\x90\x80\x80",  // U+110000
      "\xf5\x80\x80\x80",
      "\xff",
      "\xfe",
      "\xc3",  // truncated
      "\xe2\x82",
      "\xf0\x9f\x98",
      "abcdefgh\xc3",  // truncated after the fast path
      "\xc3\x28",      // bad continuation
      "\xe2\x28\xa1",
      "\xf0\x9f\x28\x80",
  };
  for (const std::string& s : bad) {
    CAPTURE(s);
    CHECK_FALSE(IsValidUtf8(s));
  }
}

}  // namespace
}  // namespace kq::tools
