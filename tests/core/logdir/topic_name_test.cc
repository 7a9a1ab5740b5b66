#include "log/topic_name.h"

#include <doctest/doctest.h>

#include <string>

using namespace kq::log;

TEST_CASE("topic name: Kafka's legal names are accepted") {
  const std::string accepts[] = {
      "a",   "orders", "my-topic", "my_topic",           "v1.events", "__consumer_offsets",
      "...", ".a",     "A-Z_0.9",  std::string(249, 'x')};
  for (const std::string& name : accepts) {
    CAPTURE(name);
    CHECK(ValidateTopicName(name).ok());
  }
}

TEST_CASE("topic name: rejections name the problem") {
  struct Case {
    std::string name;
    std::string message;
  };
  const Case cases[] = {
      {"", "topic name is empty"},
      {"../x",
       "topic name '../x' contains '/': only letters, digits, '.', '_' and '-' are allowed"},
      {"a/b", "topic name 'a/b' contains '/': only letters, digits, '.', '_' and '-' are allowed"},
      {"a b", "topic name 'a b' contains ' ': only letters, digits, '.', '_' and '-' are allowed"},
      {".", "topic name '.' is not allowed: '.' and '..' are reserved"},
      {"..", "topic name '..' is not allowed: '.' and '..' are reserved"},
      {std::string(250, 'a'),
       "topic name '" + std::string(32, 'a') + "...' is 250 characters long; the maximum is 249"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.name);
    kq::Status s = ValidateTopicName(c.name);
    CHECK(s.IsInvalidArgument());
    CHECK(s.message() == c.message);
  }
}

TEST_CASE("topic name: every byte outside the legal set is rejected") {
  for (int b = 0; b < 256; ++b) {
    char c = static_cast<char>(b);
    bool legal = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '.' || c == '_' || c == '-';
    std::string name = std::string("t") + c;
    CAPTURE(b);
    CHECK(ValidateTopicName(name).ok() == legal);
  }
}

TEST_CASE("topic name: unprintable characters are escaped in messages") {
  kq::Status s = ValidateTopicName(std::string("a\x01\xff\n'", 5));
  CHECK(s.message() ==
        "topic name 'a\\x01\\xff\\x0a\\'' contains '\\x01': only letters, digits, '.', '_' and "
        "'-' are allowed");
  s = ValidateTopicName("tab\there");
  CHECK(s.message().find("contains '\\x09'") != std::string::npos);
  CHECK(EscapeForMessage("back\\slash") == "back\\\\slash");
  CHECK(EscapeForMessage("abcdef", 3) == "abc...");
}
