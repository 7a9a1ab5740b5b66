// Compatibility: a table of schema changes (old -> new) with the verdict
// Avro's resolution rules and Confluent's JSON Schema rules give in each
// direction, checked under every level; transitive levels against several
// versions; refusals naming the field and the rule.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "schema/compatibility.h"

using namespace kq;
using namespace kq::schema;

namespace {

struct Change {
  const char* what;
  SchemaType type;
  const char* old_schema;
  const char* new_schema;
  bool backward;     // the new schema reads old data
  bool forward;      // the old schema reads new data
  const char* rule;  // a rule named in the refusal (when one is refused)
};

#define REC(fields) "{\"type\":\"record\",\"name\":\"R\",\"fields\":[" fields "]}"
#define OBJ(body) "{\"type\":\"object\"," body "}"

const Change kChanges[] = {
    {"avro: field added with a default", SchemaType::kAvro, REC(R"({"name":"a","type":"int"})"),
     REC(R"({"name":"a","type":"int"},{"name":"b","type":"string","default":"x"})"), true, true,
     ""},
    {"avro: field added without a default", SchemaType::kAvro, REC(R"({"name":"a","type":"int"})"),
     REC(R"({"name":"a","type":"int"},{"name":"b","type":"string"})"), false, true,
     "$.b: READER_FIELD_MISSING_DEFAULT_VALUE"},
    {"avro: field with a default removed", SchemaType::kAvro,
     REC(R"({"name":"a","type":"int"},{"name":"b","type":"string","default":"x"})"),
     REC(R"({"name":"a","type":"int"})"), true, true, ""},
    {"avro: field without a default removed", SchemaType::kAvro,
     REC(R"({"name":"a","type":"int"},{"name":"b","type":"string"})"),
     REC(R"({"name":"a","type":"int"})"), true, false, "$.b: READER_FIELD_MISSING_DEFAULT_VALUE"},
    {"avro: int promoted to long", SchemaType::kAvro, REC(R"({"name":"a","type":"int"})"),
     REC(R"({"name":"a","type":"long"})"), true, false, "$.a: TYPE_MISMATCH"},
    {"avro: long narrowed to int", SchemaType::kAvro, REC(R"({"name":"a","type":"long"})"),
     REC(R"({"name":"a","type":"int"})"), false, true, "$.a: TYPE_MISMATCH"},
    {"avro: float promoted to double", SchemaType::kAvro, R"("float")", R"("double")", true, false,
     "TYPE_MISMATCH"},
    {"avro: string to bytes", SchemaType::kAvro, R"("string")", R"("bytes")", true, true, ""},
    {"avro: string to int", SchemaType::kAvro, REC(R"({"name":"a","type":"string"})"),
     REC(R"({"name":"a","type":"int"})"), false, false, "$.a: TYPE_MISMATCH"},
    {"avro: enum symbol added", SchemaType::kAvro,
     R"({"type":"enum","name":"E","symbols":["A","B"]})",
     R"({"type":"enum","name":"E","symbols":["A","B","C"]})", true, false, "MISSING_ENUM_SYMBOLS"},
    {"avro: enum symbol added, the enum has a default", SchemaType::kAvro,
     R"({"type":"enum","name":"E","symbols":["A","B"],"default":"A"})",
     R"({"type":"enum","name":"E","symbols":["A","B","C"],"default":"A"})", true, true, ""},
    {"avro: enum symbol removed", SchemaType::kAvro,
     R"({"type":"enum","name":"E","symbols":["A","B"]})",
     R"({"type":"enum","name":"E","symbols":["A"]})", false, true, "MISSING_ENUM_SYMBOLS"},
    {"avro: type made nullable (a union)", SchemaType::kAvro,
     REC(R"({"name":"a","type":"string"})"),
     REC(R"({"name":"a","type":["null","string"],"default":null})"), true, false,
     "$.a: TYPE_MISMATCH"},
    {"avro: union branch removed", SchemaType::kAvro, R"(["null","int","string"])",
     R"(["null","int"])", false, true, "MISSING_UNION_BRANCH"},
    {"avro: field renamed with an alias", SchemaType::kAvro, REC(R"({"name":"a","type":"int"})"),
     REC(R"({"name":"b","type":"int","aliases":["a"]})"), true, false,
     "$.a: READER_FIELD_MISSING_DEFAULT_VALUE"},
    {"avro: record renamed with an alias", SchemaType::kAvro,
     R"({"type":"record","name":"R","fields":[]})",
     R"({"type":"record","name":"S","aliases":["R"],"fields":[]})", true, false, "NAME_MISMATCH"},
    {"avro: record renamed without an alias", SchemaType::kAvro,
     R"({"type":"record","name":"R","fields":[]})", R"({"type":"record","name":"S","fields":[]})",
     false, false, "NAME_MISMATCH"},
    {"avro: fixed size changed", SchemaType::kAvro, R"({"type":"fixed","name":"F","size":4})",
     R"({"type":"fixed","name":"F","size":8})", false, false, "FIXED_SIZE_MISMATCH"},
    {"avro: nested record field added without a default", SchemaType::kAvro,
     REC(R"({"name":"addr","type":{"type":"record","name":"A","fields":[{"name":"city","type":"string"}]}})"),
     REC(R"({"name":"addr","type":{"type":"record","name":"A","fields":[{"name":"city","type":"string"},{"name":"zip","type":"string"}]}})"),
     false, true, "$.addr.zip: READER_FIELD_MISSING_DEFAULT_VALUE"},
    {"avro: array items promoted", SchemaType::kAvro, R"({"type":"array","items":"int"})",
     R"({"type":"array","items":"long"})", true, false, "$[]: TYPE_MISMATCH"},
    {"avro: map unchanged", SchemaType::kAvro, R"({"type":"map","values":"int"})",
     R"({"type":"map","values":"int"})", true, true, ""},
    {"json: optional property added to an open model", SchemaType::kJson,
     OBJ(R"("properties":{"a":{"type":"string"}})"),
     OBJ(R"("properties":{"a":{"type":"string"},"b":{"type":"integer"}})"), false, true,
     "$.b: PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL"},
    {"json: optional property added to a closed model", SchemaType::kJson,
     OBJ(R"("properties":{"a":{"type":"string"}},"additionalProperties":false)"),
     OBJ(R"("properties":{"a":{"type":"string"},"b":{"type":"integer"}},"additionalProperties":false)"),
     true, false, "$.b: PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL"},
    {"json: property removed from an open model", SchemaType::kJson,
     OBJ(R"("properties":{"a":{"type":"string"},"b":{"type":"integer"}})"),
     OBJ(R"("properties":{"a":{"type":"string"}})"), true, false,
     "$.b: PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL"},
    {"json: required property added", SchemaType::kJson,
     OBJ(R"("properties":{"a":{"type":"string"}},"additionalProperties":false)"),
     OBJ(R"("properties":{"a":{"type":"string"},"b":{"type":"integer"}},"required":["b"],"additionalProperties":false)"),
     false, false, "$.b: "},
    {"json: integer widened to number", SchemaType::kJson, R"({"type":"integer"})",
     R"({"type":"number"})", true, false, "TYPE_NARROWED"},
    {"json: maxLength added", SchemaType::kJson, R"({"type":"string"})",
     R"({"type":"string","maxLength":5})", false, true, "MAX_LENGTH_ADDED"},
    {"json: enum widened", SchemaType::kJson, R"({"enum":["a"]})", R"({"enum":["a","b"]})", true,
     false, "ENUM_ARRAY_NARROWED"},
    {"json: additional properties closed", SchemaType::kJson,
     OBJ(R"("properties":{"a":{"type":"string"}})"),
     OBJ(R"("properties":{"a":{"type":"string"}},"additionalProperties":false)"), false, true,
     "ADDITIONAL_PROPERTIES_REMOVED"},
};

std::unique_ptr<ParsedSchema> Parse(SchemaType type, const char* text) {
  auto s = ParseSchema(type, text);
  REQUIRE_MESSAGE(s.ok(), text, ": ", s.status().ToString());
  return std::move(*s);
}

std::string Joined(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += s + "\n";
  return out;
}

}  // namespace

TEST_CASE("compatibility: the table of changes under every level") {
  for (const Change& c : kChanges) {
    const std::string what = c.what;
    CAPTURE(what);
    auto old_schema = Parse(c.type, c.old_schema);
    auto new_schema = Parse(c.type, c.new_schema);
    const std::vector<std::pair<int, const ParsedSchema*>> existing = {{1, old_schema.get()}};
    struct Level {
      Compatibility level;
      bool expected;
    };
    const Level levels[] = {
        {Compatibility::kBackward, c.backward},
        {Compatibility::kBackwardTransitive, c.backward},
        {Compatibility::kForward, c.forward},
        {Compatibility::kForwardTransitive, c.forward},
        {Compatibility::kFull, c.backward && c.forward},
        {Compatibility::kFullTransitive, c.backward && c.forward},
        {Compatibility::kNone, true},
    };
    for (const Level& l : levels) {
      CAPTURE(CompatibilityName(l.level));
      const auto problems = CheckCompatibility(l.level, *new_schema, existing);
      CHECK_MESSAGE(problems.empty() == l.expected, Joined(problems));
      if (!problems.empty()) {
        CHECK_MESSAGE(Joined(problems).find(c.rule) != std::string::npos, Joined(problems));
        CHECK(Joined(problems).find("version 1") != std::string::npos);
      }
    }
  }
}

TEST_CASE("compatibility: transitive levels check every version, plain ones the latest") {
  // v1 long, v2 double, v3 double: the promotion long -> double reads
  // forward only, so v3 differs from v1 in one direction alone.
  auto v1 = Parse(SchemaType::kAvro, R"("long")");
  auto v2 = Parse(SchemaType::kAvro, R"("double")");
  auto v3 = Parse(SchemaType::kAvro, R"("double")");
  // BACKWARD: v3 (double) reads v2 (double): ok; reads v1 (long): ok (promotion).
  const std::vector<std::pair<int, const ParsedSchema*>> existing = {{1, v1.get()}, {2, v2.get()}};
  CHECK(CheckCompatibility(Compatibility::kBackwardTransitive, *v3, existing).empty());
  // FORWARD: v2 reads v3: ok; v1 (long) reads v3 (double): refused, only transitively.
  CHECK(CheckCompatibility(Compatibility::kForward, *v3, existing).empty());
  auto problems = CheckCompatibility(Compatibility::kForwardTransitive, *v3, existing);
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].find("version 1") != std::string::npos);
  CHECK(problems[0].find("TYPE_MISMATCH") != std::string::npos);
  CHECK_FALSE(CheckCompatibility(Compatibility::kFullTransitive, *v3, existing).empty());
  CHECK(CheckCompatibility(Compatibility::kFull, *v3, existing).empty());
}

TEST_CASE("compatibility: different schema types and level names") {
  auto a = Parse(SchemaType::kAvro, R"("string")");
  auto j = Parse(SchemaType::kJson, R"({"type":"string"})");
  CHECK_FALSE(ReadProblems(*a, *j).empty());
  CHECK(*ParseCompatibility("full_transitive") == Compatibility::kFullTransitive);
  CHECK(ParseCompatibility("sideways").status().ToString().find("BACKWARD_TRANSITIVE") !=
        std::string::npos);
}

TEST_CASE("compatibility: a recursive record is checked without looping") {
  const char* list = R"({"type":"record","name":"L","fields":[{"name":"v","type":"int"},
                       {"name":"next","type":["null","L"],"default":null}]})";
  const char* list2 = R"({"type":"record","name":"L","fields":[{"name":"v","type":"long"},
                        {"name":"next","type":["null","L"],"default":null}]})";
  auto a = Parse(SchemaType::kAvro, list);
  auto b = Parse(SchemaType::kAvro, list2);
  CHECK(ReadProblems(*b, *a).empty());
  CHECK_FALSE(ReadProblems(*a, *b).empty());
}
