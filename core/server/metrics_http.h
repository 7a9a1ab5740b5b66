// MetricsHttp: `--metrics HOST:PORT`, Prometheus' scrape endpoint on the
// server's own loop. GET /metrics answers the rendered Metrics; anything
// else is 404 (405 for other methods). Requests are parsed by
// libhttp-parser; a request head over 8 KiB or a malformed one is answered
// 400/431 and the connection closed. One response per connection
// (Connection: close), which is all a scraper needs.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <string>

#include "base/status.h"
#include "server/server_config.h"

struct uv_loop_s;
struct uv_tcp_s;

namespace kq::server {

class MetricsHttp {
 public:
  using Render = std::function<std::string()>;
  MetricsHttp(uv_loop_s* loop, HostPort listen, Render render);
  ~MetricsHttp();

  Status Listen();
  uint16_t port() const { return port_; }

 private:
  struct Client;
  void OnConnection();

  uv_loop_s* loop_;
  HostPort listen_;
  Render render_;
  uv_tcp_s* listener_ = nullptr;
  uint16_t port_ = 0;
  std::set<Client*> clients_;
};

}  // namespace kq::server
