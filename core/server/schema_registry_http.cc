#include "server/schema_registry_http.h"

#include <nlohmann/json.hpp>

#include "schema/registry_rest.h"

namespace kq::server {

HttpListenerOptions SchemaRegistryHttpOptions(HostPort listen) {
  HttpListenerOptions options;
  options.listen = std::move(listen);
  options.name = "schema registry";
  options.max_header_bytes = size_t{64} << 10;
  options.max_body_bytes = size_t{4} << 20;
  options.error_response = [](int status, std::string_view message) {
    nlohmann::json j = {{"error_code", status * 100}, {"message", message}};
    return HttpResponse{status, schema::kRegistryContentType, j.dump()};
  };
  return options;
}

HttpListener::Handler SchemaRegistryHttpHandler(std::shared_ptr<schema::Registry> registry) {
  return [registry = std::move(registry)](const HttpRequest& r) {
    schema::RestResponse out = schema::HandleRegistryRequest(*registry, r.method, r.target, r.body);
    const bool raw = out.status == 200 && r.path.ends_with("/schema");
    return HttpResponse{out.status, raw ? "application/json" : schema::kRegistryContentType,
                        std::move(out.body)};
  };
}

}  // namespace kq::server
