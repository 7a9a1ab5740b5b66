#include "server/metrics_http.h"

namespace kq::server {

HttpListenerOptions MetricsHttpOptions(HostPort listen) {
  HttpListenerOptions options;
  options.listen = std::move(listen);
  options.name = "metrics";
  options.max_header_bytes = 8192;
  options.max_body_bytes = 8192;
  return options;
}

HttpListener::Handler MetricsHttpHandler(std::function<std::string()> render) {
  return [render = std::move(render)](const HttpRequest& r) -> HttpResponse {
    if (r.method != "GET" && r.method != "HEAD") return {405, "text/plain", "only GET /metrics\n"};
    if (r.path != "/metrics") return {404, "text/plain", "kq-serve serves GET /metrics\n"};
    return {200, "text/plain; version=0.0.4", render()};
  };
}

}  // namespace kq::server
