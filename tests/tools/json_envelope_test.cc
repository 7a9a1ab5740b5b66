#include "common/json_envelope.h"

#include <doctest/doctest.h>

#include <random>
#include <string>
#include <vector>

namespace kq::tools {
namespace {

using OwnedHeaders = std::vector<std::pair<std::string, std::optional<std::string>>>;

// Encodes a record built from owned data, decodes the line, and checks that
// every field came back exactly.
void CheckRoundTrip(const std::optional<std::string>& key, const std::optional<std::string>& value,
                    const OwnedHeaders& headers, int64_t ts = 1793491200000) {
  std::vector<HeaderView> views;
  for (const auto& [name, v] : headers) {
    views.emplace_back(name, v ? std::optional<std::string_view>(*v) : std::nullopt);
  }
  FormattedRecord r;
  r.topic = "t.1";
  r.partition = 7;
  r.offset = 99;
  r.timestamp = ts;
  if (key) r.key = *key;
  if (value) r.value = *value;
  r.headers = views;
  std::string line;
  EncodeJsonEnvelope(r, &line);
  CAPTURE(line);
  REQUIRE(line.find('\n') == std::string::npos);
  Result<ParsedEnvelope> p = DecodeJsonEnvelope(line);
  REQUIRE(p.ok());
  CHECK(p->topic == "t.1");
  CHECK(p->partition == 7);
  CHECK(p->timestamp == std::optional<int64_t>(ts));
  CHECK(p->key == key);
  CHECK(p->value == value);
  CHECK(p->headers == headers);
}

std::string Encode(const FormattedRecord& r) {
  std::string out;
  EncodeJsonEnvelope(r, &out);
  return out;
}

TEST_CASE("json_envelope: output matches kcat's field names and order") {
  std::vector<HeaderView> headers = {{"trace", "abc"}, {"flag", std::nullopt}};
  FormattedRecord r;
  r.topic = "orders";
  r.partition = 0;
  r.offset = 42;
  r.timestamp = 1793491200000;
  r.key = "user1";
  r.value = "hello";
  r.headers = headers;
  CHECK(Encode(r) ==
        R"({"topic":"orders","partition":0,"offset":42,"tstype":"create","ts":1793491200000,)"
        R"("headers":["trace","abc","flag",null],"key":"user1","payload":"hello"})");
  r.headers = {};
  r.key.reset();
  r.value.reset();
  r.log_append_time = true;
  CHECK(Encode(r) == R"({"topic":"orders","partition":0,"offset":42,"tstype":"logappend",)"
                     R"("ts":1793491200000,"key":null,"payload":null})");
  r.timestamp = -1;
  CHECK(Encode(r).find(R"("tstype":"unknown","ts":-1)") != std::string::npos);
}

TEST_CASE("json_envelope: strings are escaped and binary becomes base64") {
  FormattedRecord r;
  r.topic = "t";
  std::string value("q\"b\\n\n\t\r\b\f\x01\x1f\x7f", 13);
  r.value = value;
  r.key = std::string_view("\xff\x00", 2);
  std::string line = Encode(r);
  CHECK(line.find(R"("payload":"q\"b\\n\n\t\r\b\f\u0001\u001f)"
                  "\x7f"
                  R"(")") != std::string::npos);
  CHECK(line.find(R"("key_b64":"/wA=")") != std::string::npos);
  std::vector<HeaderView> headers = {{"\xc3", "\xfe"}};
  r.headers = headers;
  CHECK(Encode(r).find(R"("headers":[{"b64":"ww=="},{"b64":"/g=="}])") != std::string::npos);
  r.value = "caf\xc3\xa9 \xf0\x9f\x98\x80";
  CHECK(Encode(r).find("\"payload\":\"caf\xc3\xa9 \xf0\x9f\x98\x80\"") != std::string::npos);
}

TEST_CASE("json_envelope: nulls, empties and duplicate headers round trip") {
  CheckRoundTrip(std::nullopt, std::nullopt, {});
  CheckRoundTrip("", "", {});
  CheckRoundTrip(std::nullopt, "", {{"", std::nullopt}, {"", ""}});
  CheckRoundTrip("k", std::nullopt, {{"a", "1"}, {"a", "2"}, {"b", std::nullopt}, {"a", "1"}});
  CheckRoundTrip(std::string("\0", 1), std::string("a\0b", 3), {{std::string("\0", 1), "\x01"}});
  CheckRoundTrip("\xff", "\xc0\x80", {{"\xed\xa0\x80", "\xf4\x90\x80\x80"}});
  CheckRoundTrip("\"\\/", "\x7f\x1b[0m", {});
  CheckRoundTrip("k", "v", {}, 0);
}

TEST_CASE("json_envelope: random binary records round trip") {
  std::mt19937 rng(42);
  auto random_bytes = [&](bool mostly_text) {
    std::string s(rng() % 40, '\0');
    for (char& c : s) c = static_cast<char>(mostly_text ? 0x20 + rng() % 0x60 : rng());
    return s;
  };
  auto maybe = [&](bool mostly_text) -> std::optional<std::string> {
    if (rng() % 5 == 0) return std::nullopt;
    return random_bytes(mostly_text);
  };
  for (int i = 0; i < 500; ++i) {
    bool text = i % 2 == 0;
    OwnedHeaders headers;
    for (unsigned h = rng() % 4; h > 0; --h) headers.emplace_back(random_bytes(text), maybe(text));
    CheckRoundTrip(maybe(text), maybe(text), headers, rng() % 2000000000000);
  }
}

TEST_CASE("json_envelope: decoding accepts minimal input") {
  Result<ParsedEnvelope> p = DecodeJsonEnvelope(R"({"payload":"x"})");
  REQUIRE(p.ok());
  CHECK(p->value == "x");
  CHECK_FALSE(p->key.has_value());
  CHECK_FALSE(p->topic.has_value());
  CHECK_FALSE(p->partition.has_value());
  CHECK_FALSE(p->timestamp.has_value());

  p = DecodeJsonEnvelope(R"( {"offset":5,"tstype":"create","key":"k","ts":-1,"payload":null} )");
  REQUIRE(p.ok());
  CHECK(p->key == "k");
  CHECK_FALSE(p->value.has_value());
  CHECK_FALSE(p->timestamp.has_value());
  CHECK(*DecodeJsonEnvelope(R"({"payload":null})") == ParsedEnvelope{});
  CHECK(DecodeJsonEnvelope(R"({"key_b64":"AAE=","payload_b64":null,"headers":null})")->key ==
        std::string("\0\x01", 2));
}

TEST_CASE("json_envelope: a line without a payload is an error, not a tombstone") {
  const char* kMessage =
      "no 'payload' or 'payload_b64' field (write \"payload\":null for a tombstone)";
  for (const char* line : {"{}", R"({"key":"a"})", R"({"key":"a","headers":["h","v"]})"}) {
    CAPTURE(line);
    Result<ParsedEnvelope> p = DecodeJsonEnvelope(line);
    REQUIRE_FALSE(p.ok());
    CHECK(p.status().message() == kMessage);
  }
  // An explicit null in either spelling is a tombstone.
  CHECK_FALSE(DecodeJsonEnvelope(R"({"key":"a","payload":null})")->value.has_value());
  CHECK_FALSE(DecodeJsonEnvelope(R"({"key":"a","payload_b64":null})")->value.has_value());
}

TEST_CASE("json_envelope: unknown fields are an error, or ignored and listed when lenient") {
  // The typo that would have deleted key "a" in a compacted topic.
  Result<ParsedEnvelope> p = DecodeJsonEnvelope(R"({"key":"a","value":"1"})");
  REQUIRE_FALSE(p.ok());
  CHECK(p.status().message().starts_with("unknown field 'value' (the fields are topic,"));
  CHECK(p.status().message().ends_with("--lenient ignores others)"));

  p = DecodeJsonEnvelope(R"({"key":"a","broker":1,"payload":"v","extra":{"a":[1]}})",
                         {.lenient = true});
  REQUIRE(p.ok());
  CHECK(p->value == "v");
  CHECK(p->ignored_fields == std::vector<std::string>{"broker", "extra"});
  // Lenient does not make a missing payload a tombstone.
  CHECK_FALSE(DecodeJsonEnvelope(R"({"key":"a","value":"1"})", {.lenient = true}).ok());
}

TEST_CASE("json_envelope: headers may be kcat's object form") {
  Result<ParsedEnvelope> p =
      DecodeJsonEnvelope(R"({"headers":{"z":"1","a":null,"b":{"b64":"/w=="}},"payload":"v"})");
  REQUIRE(p.ok());
  const std::vector<std::pair<std::string, std::optional<std::string>>> expected = {
      {"a", std::nullopt}, {"b", std::string("\xff")}, {"z", std::string("1")}};
  CHECK(p->headers == expected);
  p = DecodeJsonEnvelope(R"({"headers":{"a":1},"payload":"v"})");
  REQUIRE_FALSE(p.ok());
  CHECK(p.status().message() == "field 'headers.a': expected a string or {\"b64\": \"...\"}");
}

TEST_CASE("json_envelope: malformed input is rejected naming the field") {
  struct Case {
    const char* line;
    const char* message;  // exact, or nullptr to check only that it fails
  };
  const Case cases[] = {
      {R"({"partition":"0"})", "field 'partition': expected an integer"},
      {R"({"partition":1.5})", "field 'partition': expected an integer"},
      {R"({"partition":4294967296})", "field 'partition': 4294967296 is out of range"},
      {R"({"partition":-1})", "field 'partition': -1 is negative"},
      {R"({"ts":"now"})", "field 'ts': expected an integer"},
      {R"({"topic":5})", "field 'topic': expected a string"},
      {R"({"key":1})", "field 'key': expected a string or null"},
      {R"({"payload":[]})", "field 'payload': expected a string or null"},
      {R"({"key":"a","key_b64":"YQ=="})", "fields 'key' and 'key_b64' both given: use one"},
      {R"({"payload":"a","payload_b64":"YQ=="})",
       "fields 'payload' and 'payload_b64' both given: use one"},
      {R"({"payload_b64":"YQ="})", "field 'payload_b64': base64: length 3 is not a multiple of 4"},
      {R"({"key_b64":7})", "field 'key_b64': expected a base64 string or null"},
      {R"({"headers":"a"})",
       "field 'headers': expected an array [name, value, ...] or an object {name: value}"},
      {R"({"headers":["a"]})", "field 'headers': expected names and values in pairs, got 1 items"},
      {R"({"headers":[null,"v"]})", "field 'headers[0]': expected a string or {\"b64\": \"...\"}"},
      {R"({"headers":["a",1]})", "field 'headers[1]': expected a string or {\"b64\": \"...\"}"},
      {R"({"headers":["a",{"b64":"!!!!"}]})", nullptr},
      {R"({"headers":["a",{"b64":"YQ==","x":1}]})", nullptr},
      {"[1,2]", "expected a JSON object per line"},
      {"\"str\"", "expected a JSON object per line"},
      {"", nullptr},
      {"{", nullptr},
      {"{\"payload\":\"a\"} trailing", nullptr},
      {"{\"payload\":\"\xff\"}", nullptr},  // JSON text must be UTF-8
  };
  for (const Case& c : cases) {
    CAPTURE(c.line);
    Result<ParsedEnvelope> p = DecodeJsonEnvelope(c.line);
    REQUIRE_FALSE(p.ok());
    CHECK(p.status().IsInvalidArgument());
    if (c.message) CHECK(p.status().message() == c.message);
  }
  CHECK(DecodeJsonEnvelope("{").status().message().starts_with("invalid JSON: "));
  // nlohmann's exception tag stays out of messages; the column stays in.
  CHECK(DecodeJsonEnvelope(R"({"payload":)").status().message() ==
        "invalid JSON: parse error at column 12: syntax error while parsing value - unexpected "
        "end of input; expected '[', '{', or a literal");
}

TEST_CASE("json_envelope: decoding never crashes on truncated lines") {
  std::vector<HeaderView> headers = {{"h", "\xff"}, {"n", std::nullopt}};
  FormattedRecord r;
  r.topic = "t";
  r.key = "\x01\x02";
  r.value = "v\xfe";
  r.headers = headers;
  std::string line = Encode(r);
  for (size_t len = 0; len < line.size(); ++len) {
    CHECK_FALSE(DecodeJsonEnvelope(std::string_view(line).substr(0, len)).ok());
  }
}

}  // namespace
}  // namespace kq::tools
