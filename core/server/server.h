// Server: the listening socket and the connections on one libuv loop. It
// knows framing limits, connection counts and idle timeouts; what a request
// means is the RequestHandler's business (the Broker).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>

#include "base/status.h"
#include "server/connection.h"
#include "server/server_config.h"

struct uv_loop_s;
struct uv_tcp_s;
struct uv_timer_s;

namespace kq::server {

struct ServerOptions {
  HostPort listen;
  int64_t max_connections = 1000;    // max.connections
  int64_t idle_timeout_ms = 600000;  // connections.max.idle.ms
  int64_t max_request_bytes = 104857600;
  int64_t max_queued_request_bytes = 268435456;
};

class Server {
 public:
  Server(uv_loop_s* loop, ServerOptions options, RequestHandler* handler);
  ~Server();

  // Binds and listens. The port actually bound (for port 0) is port().
  Status Listen();
  uint16_t port() const { return port_; }

  // Stops accepting, lets every connection finish and write what it is
  // answering (no new requests are read), then calls `done`. Connections
  // still busy after `grace_ms` are closed.
  void Shutdown(int64_t grace_ms, std::function<void()> done);

  size_t connection_count() const { return connections_.size(); }

 private:
  void OnConnection(int status);
  void CheckIdle();
  void OnConnectionClosed(Connection* connection);
  void FinishShutdownIfDone();

  uv_loop_s* loop_;
  ServerOptions options_;
  RequestHandler* handler_;
  ConnectionLimits limits_;
  uv_tcp_s* listener_ = nullptr;
  uv_timer_s* idle_timer_ = nullptr;
  uv_timer_s* grace_timer_ = nullptr;
  uint16_t port_ = 0;
  uint64_t next_id_ = 1;
  std::map<uint64_t, std::shared_ptr<Connection>> connections_;
  std::function<void()> shutdown_done_;
  bool shutting_down_ = false;
};

}  // namespace kq::server
