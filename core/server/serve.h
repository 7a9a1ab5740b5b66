// RunServer: kq-serve's whole life: open the log directory, listen, serve
// until SIGTERM or SIGINT, then finish what is in flight, flush and close.
#pragma once

#include <functional>
#include <string>

#include "base/status.h"
#include "server/server_config.h"

namespace kq::server {

struct ServeOptions {
  std::string log_dir;
  ServerConfig config;
  std::string users_file;      // SASL/PLAIN users; empty: no authentication
  std::string acl_file;        // ACLs; empty: authenticated users may do everything
  std::string metrics_listen;  // HOST:PORT for Prometheus' GET /metrics; empty: none
  std::string schema_registry_listen;  // HOST:PORT for the schema registry's REST API; empty: none
  // Called once the server listens, with the port bound (tests use port 0).
  std::function<void(uint16_t port)> on_listening;
  // Longest wait for in-flight requests at shutdown.
  int64_t shutdown_grace_ms = 10000;
};

// Returns when the server has stopped: OK after a clean shutdown.
Status RunServer(const ServeOptions& options);

}  // namespace kq::server
