#include "common/base64.h"

#include <doctest/doctest.h>

#include <random>
#include <string>

namespace kq::tools {
namespace {

TEST_CASE("base64: RFC 4648 test vectors encode and decode") {
  const std::pair<const char*, const char*> vectors[] = {
      {"", ""},
      {"f", "Zg=="},
      {"fo", "Zm8="},
      {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="},
      {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"},
  };
  for (const auto& [plain, encoded] : vectors) {
    CAPTURE(plain);
    CHECK(Base64Encode(plain) == encoded);
    Result<std::string> d = Base64Decode(encoded);
    REQUIRE(d.ok());
    CHECK(*d == plain);
  }
}

TEST_CASE("base64: random binary round trips") {
  std::mt19937 rng(7);
  for (int len = 0; len < 200; ++len) {
    std::string bytes(len, '\0');
    for (char& c : bytes) c = static_cast<char>(rng());
    Result<std::string> d = Base64Decode(Base64Encode(bytes));
    REQUIRE(d.ok());
    CHECK(*d == bytes);
  }
}

TEST_CASE("base64: malformed text is rejected") {
  const char* bad[] = {"Zg=",  "Zg",   "Z===", "====", "Zm9v\n",   "Zm 9", "Zm9-",
                       "Zm_v", "Zh==", "Zm9=", "=Zm9", "Zg==Zg==", "Zm=v"};
  for (const char* text : bad) {
    CAPTURE(text);
    Result<std::string> r = Base64Decode(text);
    CHECK_FALSE(r.ok());
  }
  CHECK(Base64Decode("Zm-v").status().message() == "base64: invalid character '-' at position 2");
  CHECK(Base64Decode("Zm9").status().message() == "base64: length 3 is not a multiple of 4");
  CHECK(Base64Decode("Zh==").status().message() ==
        "base64: non-zero padding bits in character at position 1");
}

}  // namespace
}  // namespace kq::tools
