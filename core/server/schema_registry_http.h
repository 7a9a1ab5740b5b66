// `kq-serve --schema-registry HOST:PORT`: Confluent Schema Registry's REST
// API (core/schema/registry_rest.h) over the log directory's registry, as a
// handler on HttpListener (core/server/http_listener.h: keep-alive, limits,
// timeouts), so Confluent's serializers work against kq-serve unchanged.
// Request heads over 64 KiB are 431, bodies over 4 MiB 413, malformed
// requests 400; the listener's errors have Confluent's shape
// {"error_code": STATUS*100, "message": ...}. The schema text endpoints
// (.../schema) answer the bare schema as application/json. Registrations
// sync the `_schemas` partition on the loop: they are rare, and a client
// waits for its id.
//
// Thread safety: the handler runs on the loop's thread only.
#pragma once

#include <memory>

#include "schema/registry.h"
#include "server/http_listener.h"

namespace kq::server {

HttpListenerOptions SchemaRegistryHttpOptions(HostPort listen);

HttpListener::Handler SchemaRegistryHttpHandler(std::shared_ptr<schema::Registry> registry);

}  // namespace kq::server
