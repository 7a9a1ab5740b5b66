// Confluent Schema Registry's REST API over a Registry, as pure request ->
// response (no sockets: core/server/schema_registry_http.h carries it over
// HTTP). Endpoints:
//
//   GET    /subjects                                 ["a-value", ...] (?deleted=true)
//   GET    /subjects/{s}/versions                    [1, 2]
//   GET    /subjects/{s}/versions/{v}                {subject, id, version, schema[, schemaType]}
//   GET    /subjects/{s}/versions/{v}/schema         the schema text
//   POST   /subjects/{s}/versions                    {"schema":..., "schemaType":...} -> {"id": N}
//   POST   /subjects/{s}                             look up: {subject, id, version, schema}
//   DELETE /subjects/{s}[?permanent=true]            [1, 2]
//   DELETE /subjects/{s}/versions/{v}[?permanent=true]  1
//   GET    /schemas/ids/{id}                         {schema[, schemaType]}
//   GET    /schemas/ids/{id}/schema                  the schema text
//   GET    /schemas/ids/{id}/versions                [{subject, version}]
//   GET    /schemas/types                            ["JSON", "AVRO"]
//   POST   /compatibility/subjects/{s}/versions[/{v}]  {"is_compatible": bool[, "messages"]}
//   GET    /config, /config/{s}                      {"compatibilityLevel": LEVEL}
//   PUT    /config, /config/{s}                      {"compatibility": LEVEL}
//   GET    /                                         {}
//
// {v} is a number or "latest". Errors are Confluent's: an HTTP status and
// {"error_code": 40401, "message": "..."}. Bodies are
// application/vnd.schemaregistry.v1+json.
//
// Thread safety: as the Registry (one thread at a time).
#pragma once

#include <string>
#include <string_view>

#include "schema/registry.h"

namespace kq::schema {

inline constexpr char kRegistryContentType[] = "application/vnd.schemaregistry.v1+json";

struct RestResponse {
  int status = 200;
  std::string body;
};

// `target` is the request target: path and optional ?query.
RestResponse HandleRegistryRequest(Registry& registry, std::string_view method,
                                   std::string_view target, std::string_view body);

}  // namespace kq::schema
