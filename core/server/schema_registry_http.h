// SchemaRegistryHttp: `kq-serve --schema-registry HOST:PORT`, Confluent
// Schema Registry's REST API (core/schema/registry_rest.h) over the log
// directory's registry, on the server's own loop, so Confluent's
// serializers work against kq-serve unchanged. Requests are parsed by
// libhttp-parser (as MetricsHttp's); a request over 4 MiB or a malformed one
// is answered 413/400 and the connection closed. One response per
// connection (Connection: close). Registrations sync the `_schemas`
// partition on the loop: they are rare, and a client waits for its id.
//
// Thread safety: the loop's thread only.
#pragma once

#include <cstdint>
#include <memory>
#include <set>
#include <string>

#include "base/status.h"
#include "schema/registry.h"
#include "server/server_config.h"

struct uv_loop_s;
struct uv_tcp_s;

namespace kq::server {

class SchemaRegistryHttp {
 public:
  SchemaRegistryHttp(uv_loop_s* loop, HostPort listen, std::unique_ptr<schema::Registry> registry);
  ~SchemaRegistryHttp();

  Status Listen();
  uint16_t port() const { return port_; }

 private:
  struct Client;
  void OnConnection();

  uv_loop_s* loop_;
  HostPort listen_;
  std::unique_ptr<schema::Registry> registry_;
  uv_tcp_s* listener_ = nullptr;
  uint16_t port_ = 0;
  std::set<Client*> clients_;
};

}  // namespace kq::server
