// The REST API as pure requests: routes, Confluent's bodies and error codes.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "log/log_dir.h"
#include "schema/registry_rest.h"
#include "support/log_helpers.h"

using namespace kq;
using namespace kq::schema;
using nlohmann::json;

TEST_CASE("registry REST: register, read back, look up, errors with Confluent's codes") {
  kq::testing::TempDir tmp;
  io::Env* env = io::Env::Default();
  const std::string dir = tmp.path() + "/d";
  REQUIRE(log::LogDir::Open(env, dir, true).ok());
  auto registry = Registry::Open(env, dir);
  REQUIRE(registry.ok());
  Registry& r = **registry;
  auto call = [&](const char* method, const std::string& target, const std::string& body = "") {
    return HandleRegistryRequest(r, method, target, body);
  };
  const std::string avro = json{{"schema", R"({"type":"record","name":"R","fields":[]})"}}.dump();
  auto reg = call("POST", "/subjects/a%2Fb-value/versions", avro);
  CHECK(reg.status == 200);
  CHECK(reg.body == R"({"id":1})");
  CHECK(call("GET", "/subjects").body == R"(["a/b-value"])");
  CHECK(call("GET", "/subjects/a%2Fb-value/versions").body == "[1]");
  auto latest = json::parse(call("GET", "/subjects/a%2Fb-value/versions/latest").body);
  CHECK(latest["id"] == 1);
  CHECK(latest["version"] == 1);
  CHECK_FALSE(latest.contains("schemaType"));
  CHECK(call("GET", "/subjects/a%2Fb-value/versions/1/schema").body ==
        R"({"type":"record","name":"R","fields":[]})");
  CHECK(json::parse(call("GET", "/schemas/ids/1").body)["schema"].is_string());
  CHECK(call("GET", "/schemas/types").body == R"(["JSON","AVRO"])");
  CHECK(json::parse(call("POST", "/subjects/a%2Fb-value", avro).body)["version"] == 1);
  auto json_reg = call("POST", "/subjects/j/versions",
                       json{{"schema", R"({"type":"object"})"}, {"schemaType", "JSON"}}.dump());
  CHECK(json_reg.body == R"({"id":2})");
  CHECK(json::parse(call("GET", "/schemas/ids/2").body)["schemaType"] == "JSON");

  struct Bad {
    const char* method;
    std::string target;
    std::string body;
    int status;
    int code;
  };
  const Bad bad[] = {
      {"GET", "/subjects/nope/versions", "", 404, 40401},
      {"GET", "/subjects/a%2Fb-value/versions/7", "", 404, 40402},
      {"GET", "/subjects/a%2Fb-value/versions/x", "", 422, 42202},
      {"GET", "/schemas/ids/99", "", 404, 40403},
      {"POST", "/subjects/s/versions", R"({"schema":"{\"type\":"})", 422, 42201},
      {"POST", "/subjects/s/versions", "not json", 422, 42201},
      {"POST", "/subjects/s/versions", R"({"schema":"\"int\"","schemaType":"PROTOBUF"})", 422,
       42201},
      {"POST", "/subjects/s/versions",
       R"({"schema":"\"int\"","references":[{"name":"x","subject":"y","version":1}]})", 422, 42201},
      {"PUT", "/config", R"({"compatibility":"SIDEWAYS"})", 422, 42203},
      {"GET", "/config/j", "", 404, 40408},
      {"DELETE", "/subjects/j?permanent=true", "", 404, 40405},
      {"POST", "/subjects/a%2Fb-value/versions",
       json{{"schema", R"({"type":"record","name":"R","fields":[{"name":"x","type":"int"}]})"}}
           .dump(),
       409, 409},
  };
  for (const Bad& b : bad) {
    CAPTURE(b.target);
    auto resp = call(b.method, b.target, b.body);
    CHECK(resp.status == b.status);
    auto body = json::parse(resp.body);
    CHECK(body["error_code"] == b.code);
    CHECK(body["message"].is_string());
  }
  CHECK(call("PUT", "/config/j", R"({"compatibility":"full"})").body ==
        R"({"compatibility":"FULL"})");
  CHECK(call("GET", "/config/j").body == R"({"compatibilityLevel":"FULL"})");
  CHECK(call("GET", "/config").body == R"({"compatibilityLevel":"BACKWARD"})");
  auto compat =
      call("POST", "/compatibility/subjects/a%2Fb-value/versions/latest?verbose=true",
           json{{"schema", R"({"type":"record","name":"R","fields":[{"name":"x","type":"int"}]})"}}
               .dump());
  auto c = json::parse(compat.body);
  CHECK(c["is_compatible"] == false);
  CHECK(c["messages"].size() == 1);
  CHECK(call("DELETE", "/subjects/j/versions/1").body == "1");
  CHECK(call("DELETE", "/subjects/j/versions/1?permanent=true").body == "1");
  CHECK(call("GET", "/subjects").body == R"(["a/b-value"])");
}
