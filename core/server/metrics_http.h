// `kq-serve --metrics HOST:PORT`: Prometheus' scrape endpoint, a handler on
// HttpListener (core/server/http_listener.h: keep-alive, limits, timeouts).
// GET or HEAD /metrics (any query) answers the rendered Metrics; other
// paths are 404, other methods 405. Request heads over 8 KiB are 431,
// bodies over 8 KiB 413; errors are text/plain.
#pragma once

#include <functional>
#include <string>

#include "server/http_listener.h"

namespace kq::server {

HttpListenerOptions MetricsHttpOptions(HostPort listen);

// `render` is called on the loop's thread for each scrape.
HttpListener::Handler MetricsHttpHandler(std::function<std::string()> render);

}  // namespace kq::server
