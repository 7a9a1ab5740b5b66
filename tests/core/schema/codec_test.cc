// Schemas as codecs: the wire format, Avro through avro-c (encode, decode,
// canonical form, truncation, bad input) and JSON Schema through valijson.
#include <doctest/doctest.h>

#include <string>

#include "schema/avro_schema.h"
#include "schema/parsed_schema.h"
#include "schema/wire_format.h"

using namespace kq;
using namespace kq::schema;
using nlohmann::json;

namespace {

std::unique_ptr<ParsedSchema> Parse(SchemaType type, const std::string& text) {
  auto s = ParseSchema(type, text);
  REQUIRE_MESSAGE(s.ok(), s.status().ToString());
  return std::move(*s);
}

const char* kUser = R"({"type":"record","name":"User","namespace":"com.example","fields":[
  {"name":"id","type":"long"},
  {"name":"name","type":"string"},
  {"name":"email","type":["null","string"],"default":null},
  {"name":"tags","type":{"type":"array","items":"string"},"default":[]},
  {"name":"kind","type":{"type":"enum","name":"Kind","symbols":["A","B"]},"default":"A"},
  {"name":"raw","type":"bytes","default":""},
  {"name":"attrs","type":{"type":"map","values":"int"},"default":{}}]})";

}  // namespace

TEST_CASE("wire format: magic 0, id big-endian, payload; short or wrong magic refused") {
  const std::string w = EncodeWire(0x01020304, "xyz");
  CHECK(w == std::string("\x00\x01\x02\x03\x04xyz", 8));
  auto d = DecodeWire(w);
  REQUIRE(d.ok());
  CHECK(d->schema_id == 0x01020304);
  CHECK(d->payload == "xyz");
  for (size_t n = 0; n < 5; ++n) {
    auto bad = DecodeWire(w.substr(0, n));
    CHECK(bad.status().IsInvalidArgument());
  }
  auto magic = DecodeWire("{\"a\":1}");
  CHECK(magic.status().ToString().find("magic byte is 0x7b") != std::string::npos);
}

TEST_CASE("avro: a record round trips through binary, defaults fill missing fields") {
  auto s = Parse(SchemaType::kAvro, kUser);
  auto bytes = s->Encode(json::parse(R"({"id":7,"name":"ann","email":{"string":"a@x"}})"));
  REQUIRE_MESSAGE(bytes.ok(), bytes.status().ToString());
  // id 7 zigzag = 0x0e, "ann", union branch 1, "a@x", empty array, enum 0, empty bytes, empty map.
  CHECK(*bytes == std::string("\x0e\x06"
                              "ann"
                              "\x02\x06"
                              "a@x"
                              "\x00\x00\x00\x00",
                              14));
  auto back = s->Decode(*bytes);
  REQUIRE_MESSAGE(back.ok(), back.status().ToString());
  CHECK(*back == json::parse(R"({"id":7,"name":"ann","email":{"string":"a@x"},"tags":[],
                                 "kind":"A","raw":"","attrs":{}})"));
  // A bare value for a union picks the first branch it fits.
  auto bare = s->Encode(json::parse(R"({"id":7,"name":"ann","email":"a@x"})"));
  REQUIRE(bare.ok());
  CHECK(*bare == *bytes);
}

TEST_CASE("avro: errors name the path and the expectation") {
  auto s = Parse(SchemaType::kAvro, kUser);
  auto e1 = s->Encode(json::parse(R"({"id":"x","name":"a"})"));
  CHECK(e1.status().ToString().find("$.id: expected long, got string") != std::string::npos);
  auto e2 = s->Encode(json::parse(R"({"id":1})"));
  CHECK(e2.status().ToString().find("$.name: missing field") != std::string::npos);
  auto e3 = s->Encode(json::parse(R"({"id":1,"name":"a","kind":"C"})"));
  CHECK(e3.status().ToString().find("$.kind: 'C' is not a symbol") != std::string::npos);
  auto e4 = s->Encode(json::parse(R"({"id":1,"name":"a","nope":1})"));
  CHECK(e4.status().ToString().find("has no field 'nope'") != std::string::npos);
  auto e5 = s->Encode(json::parse(R"({"id":1,"name":"a","tags":["x",2]})"));
  CHECK(e5.status().ToString().find("$.tags[1]: expected string") != std::string::npos);
  auto e6 = s->Encode(json::parse(R"({"id":1,"name":"a","attrs":{"k":2147483648}})"));
  CHECK(e6.status().ToString().find("$.attrs.k: 2147483648 is out of range for int") !=
        std::string::npos);
}

TEST_CASE("avro: every truncation and trailing bytes are refused, never a crash") {
  auto s = Parse(SchemaType::kAvro, kUser);
  auto bytes = s->Encode(json::parse(R"({"id":300,"name":"bob","tags":["a","b"],"raw":"\u00ff"})"));
  REQUIRE(bytes.ok());
  for (size_t n = 0; n < bytes->size(); ++n) {
    CHECK_FALSE(s->Decode(bytes->substr(0, n)).ok());
  }
  auto trailing = s->Decode(*bytes + "z");
  CHECK(trailing.status().ToString().find("trailing bytes") != std::string::npos);
  // Random garbage decodes or fails cleanly.
  uint32_t x = 12345;
  for (int i = 0; i < 2000; ++i) {
    std::string junk;
    for (int j = 0; j < 12; ++j) {
      x = x * 1103515245 + 12345;
      junk.push_back(static_cast<char>(x >> 16));
    }
    (void)s->Decode(junk);
  }
}

TEST_CASE("avro: parsing canonical form strips attributes and makes names full") {
  auto a = Parse(SchemaType::kAvro,
                 R"({"type":"record","name":"R","namespace":"n","doc":"d","fields":[
                     {"name":"a","type":{"type":"int"},"doc":"x","default":1},
                     {"name":"b","type":{"type":"fixed","name":"F","size":2}},
                     {"name":"c","type":"F"}]})");
  CHECK(
      a->canonical() ==
      R"({"name":"n.R","type":"record","fields":[{"name":"a","type":"int"},)"
      R"({"name":"b","type":{"name":"n.F","type":"fixed","size":2}},{"name":"c","type":"n.F"}]})");
  CHECK(Parse(SchemaType::kAvro, R"("string")")->canonical() == R"("string")");
}

TEST_CASE("avro: malformed, unknown names and deep nesting are refused with a reason") {
  CHECK(ParseSchema(SchemaType::kAvro, "{").status().ToString().find("invalid JSON at byte") !=
        std::string::npos);
  CHECK_FALSE(ParseSchema(SchemaType::kAvro, R"({"type":"record","name":"R"})").ok());
  CHECK_FALSE(ParseSchema(SchemaType::kAvro, R"({"type":"recordz","name":"R","fields":[]})").ok());
  auto unknown = ParseSchema(
      SchemaType::kAvro, R"({"type":"record","name":"R","fields":[{"name":"a","type":"Nope"}]})");
  CHECK_FALSE(unknown.ok());
  std::string deep;
  for (int i = 0; i < 100000; ++i) deep += "[";
  auto d = ParseSchema(SchemaType::kAvro, deep);
  CHECK(d.status().ToString().find("nested deeper than") != std::string::npos);
  std::string huge(kMaxSchemaBytes + 1, ' ');
  CHECK(ParseSchema(SchemaType::kAvro, huge).status().ToString().find("the limit is") !=
        std::string::npos);
  CHECK(ParseSchemaType("protobuf").status().ToString().find("not supported") != std::string::npos);
}

TEST_CASE("avro: a recursive record encodes and decodes") {
  auto s = Parse(SchemaType::kAvro, R"({"type":"record","name":"Node","fields":[
      {"name":"v","type":"int"},{"name":"next","type":["null","Node"],"default":null}]})");
  json v = json::parse(R"({"v":1,"next":{"Node":{"v":2,"next":null}}})");
  auto bytes = s->Encode(v);
  REQUIRE_MESSAGE(bytes.ok(), bytes.status().ToString());
  auto back = s->Decode(*bytes);
  REQUIRE(back.ok());
  CHECK(*back == v);
}

TEST_CASE("json schema: draft 7 by default, draft 4 when $schema says so, errors with a path") {
  auto s = Parse(SchemaType::kJson, R"({"type":"object","properties":{
      "id":{"type":"integer"},"tags":{"type":"array","items":{"type":"string"}}},
      "required":["id"],"additionalProperties":false})");
  CHECK(s->Validate(json::parse(R"({"id":1,"tags":["a"]})")).ok());
  auto missing = s->Validate(json::parse(R"({"tags":[]})"));
  CHECK_FALSE(missing.ok());
  auto wrong = s->Validate(json::parse(R"({"id":1,"tags":["a",3]})"));
  CHECK(wrong.ToString().find("$.tags[1]") != std::string::npos);
  auto extra = s->Validate(json::parse(R"({"id":1,"x":1})"));
  CHECK_FALSE(extra.ok());
  auto enc = s->Encode(json::parse(R"({ "id" : 2 })"));
  REQUIRE(enc.ok());
  CHECK(*enc == R"({"id":2})");
  CHECK(s->Decode(R"({"id":2)").status().ToString().find("invalid JSON") != std::string::npos);
  // Draft 7's numeric exclusiveMaximum; draft 4's is a boolean beside maximum.
  auto d7 = Parse(SchemaType::kJson, R"({"exclusiveMaximum":3})");
  CHECK_FALSE(d7->Validate(json(3)).ok());
  CHECK(d7->Validate(json(2)).ok());
  // draft 4's boolean exclusiveMaximum
  auto d4max = Parse(SchemaType::kJson, R"({"$schema":"http://json-schema.org/draft-04/schema#",
                                            "maximum":3,"exclusiveMaximum":true})");
  CHECK_FALSE(d4max->Validate(json(3)).ok());
  CHECK_FALSE(ParseSchema(SchemaType::kJson, R"({"type":12})").ok());
  CHECK_FALSE(ParseSchema(SchemaType::kJson, R"([1])").ok());
}
