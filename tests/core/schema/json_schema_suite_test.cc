// The public JSON Schema Test Suite (json_schema_suite/README.md) through
// kq's JSON Schema validator: every case of drafts 4 and 7, the pass rate
// printed per draft and held above the rate measured when the suite was
// added, so a change that breaks validation shows here.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <fmt/format.h>

#include "schema/parsed_schema.h"

using namespace kq;
using namespace kq::schema;
using nlohmann::json;

namespace {

struct Tally {
  int passed = 0;
  int total = 0;
};

Tally RunDraft(const std::string& draft, const char* schema_uri) {
  Tally t;
  const std::string dir =
      std::string(KQ_SOURCE_DIR) + "/tests/core/schema/json_schema_suite/" + draft;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    std::ifstream in(entry.path());
    std::stringstream text;
    text << in.rdbuf();
    const json groups = json::parse(text.str());
    for (const json& group : groups) {
      json schema = group["schema"];
      if (schema.is_object() && !schema.contains("$schema")) schema["$schema"] = schema_uri;
      auto parsed = ParseSchema(SchemaType::kJson, schema.dump());
      for (const json& c : group["tests"]) {
        ++t.total;
        if (!parsed.ok()) continue;
        const bool valid = (*parsed)->Validate(c["data"]).ok();
        if (valid == c["valid"].get<bool>()) ++t.passed;
      }
    }
  }
  return t;
}

}  // namespace

TEST_CASE("json schema: the JSON Schema Test Suite, drafts 4 and 7") {
  const Tally d4 = RunDraft("draft4", "http://json-schema.org/draft-04/schema#");
  const Tally d7 = RunDraft("draft7", "http://json-schema.org/draft-07/schema#");
  MESSAGE(
      fmt::format("draft 4: {}/{} ({:.1f}%)", d4.passed, d4.total, 100.0 * d4.passed / d4.total));
  MESSAGE(
      fmt::format("draft 7: {}/{} ({:.1f}%)", d7.passed, d7.total, 100.0 * d7.passed / d7.total));
  CHECK(d4.total > 400);
  CHECK(d7.total > 700);
  CHECK(d4.passed * 100 >= d4.total * 95);  // 578/601 when added
  CHECK(d7.passed * 100 >= d7.total * 91);  // 834/904 when added
}
