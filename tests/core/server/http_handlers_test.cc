// The two handlers on HttpListener, as pure request -> response: routing,
// content types and the shape of the listener's own errors per port.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "log/log_dir.h"
#include "schema/registry_rest.h"
#include "server/metrics_http.h"
#include "server/schema_registry_http.h"
#include "support/log_helpers.h"

namespace kq::server {
namespace {

HttpRequest Request(std::string method, std::string target, std::string body = "") {
  HttpRequest r;
  r.method = std::move(method);
  r.target = std::move(target);
  const size_t q = r.target.find('?');
  r.path = r.target.substr(0, q);
  r.query = q == std::string::npos ? "" : r.target.substr(q + 1);
  r.body = std::move(body);
  return r;
}

TEST_CASE("metrics handler: GET/HEAD /metrics, 404 elsewhere, 405 for other methods") {
  auto handler = MetricsHttpHandler([] { return std::string("kq_up 1\n"); });
  HttpResponse r = handler(Request("GET", "/metrics?name[]=x"));
  CHECK(r.status == 200);
  CHECK(r.content_type == "text/plain; version=0.0.4");
  CHECK(r.body == "kq_up 1\n");
  CHECK(handler(Request("HEAD", "/metrics")).status == 200);
  CHECK(handler(Request("GET", "/metricsx")).status == 404);
  CHECK(handler(Request("GET", "/")).status == 404);
  CHECK(handler(Request("POST", "/metrics")).status == 405);
  const HttpListenerOptions o = MetricsHttpOptions(HostPort{"127.0.0.1", 0});
  CHECK(o.name == "metrics");
  CHECK(o.max_header_bytes == 8192);
  CHECK(!o.error_response);  // text/plain errors
}

TEST_CASE("schema registry handler: Confluent's content types and error shape") {
  kq::testing::TempDir tmp;
  const std::string dir = tmp.path() + "/d";
  REQUIRE(log::LogDir::Open(io::Env::Default(), dir, true).ok());
  auto registry = schema::Registry::Open(io::Env::Default(), dir);
  REQUIRE(registry.ok());
  auto handler = SchemaRegistryHttpHandler(std::move(*registry));
  const std::string avro = R"({"type":"record","name":"R","fields":[]})";
  HttpResponse r = handler(
      Request("POST", "/subjects/s-value/versions", nlohmann::json{{"schema", avro}}.dump()));
  CHECK(r.status == 200);
  CHECK(r.content_type == schema::kRegistryContentType);
  CHECK(r.body == R"({"id":1})");
  // The schema text endpoints answer the bare schema, with a query too.
  for (const char* target : {"/schemas/ids/1/schema", "/schemas/ids/1/schema?subject=s-value",
                             "/subjects/s-value/versions/1/schema"}) {
    CAPTURE(target);
    r = handler(Request("GET", target));
    CHECK(r.status == 200);
    CHECK(r.content_type == "application/json");
    CHECK(r.body == avro);
  }
  r = handler(Request("GET", "/subjects/nope/versions/1/schema"));
  CHECK(r.status == 404);
  CHECK(r.content_type == schema::kRegistryContentType);

  const HttpListenerOptions o = SchemaRegistryHttpOptions(HostPort{"127.0.0.1", 0});
  CHECK(o.max_body_bytes == size_t{4} << 20);
  REQUIRE(o.error_response);
  HttpResponse e = o.error_response(413, "request body over 4194304 bytes");
  CHECK(e.status == 413);
  CHECK(e.content_type == schema::kRegistryContentType);
  CHECK(nlohmann::json::parse(e.body) ==
        nlohmann::json{{"error_code", 41300}, {"message", "request body over 4194304 bytes"}});
  // Messages are JSON-escaped.
  CHECK(nlohmann::json::parse(o.error_response(400, "a \"quoted\"\n").body)["message"] ==
        "a \"quoted\"\n");
}

}  // namespace
}  // namespace kq::server
