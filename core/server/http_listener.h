// HttpListener: a small HTTP/1.1 server on a libuv loop, for kq-serve's side
// ports (`--metrics`, `--schema-registry`). It accepts through ListenTcp,
// parses requests with libhttp-parser, calls a synchronous handler once per
// complete request and writes the answers in request order.
//
// Connections: persistent. HTTP/1.1 requests keep the connection open unless
// they say `Connection: close`; HTTP/1.0 ones only with
// `Connection: keep-alive` (http_should_keep_alive). Every response carries
// an explicit `Connection:` header and a Content-Length. Pipelined requests
// are answered in order; while more than kMaxQueuedOutputBytes of answers
// wait for a client that does not read, the connection stops reading, so a
// pipelining client cannot make the server buffer without bound.
//
// Hostile input: a malformed request is answered 400, a request head over
// max_header_bytes 431 (the URL, header names and values, 4 bytes per
// header for ": " and CRLF), an HTTP version other than 1.x 505, a body over
// max_body_bytes 413 (as soon as Content-Length announces it, before the
// body arrives); the connection is closed after that answer. Each request
// must arrive whole within request_timeout_ms of the accept or of the last
// completed write of answers, or the connection is closed (after a 408 if
// part of a request had come): this ends idle keep-alive connections and
// slowloris clients alike, whose trickle of bytes does not restart the
// clock. A client that reads its answers too slowly is closed by the same
// clock. At most max_connections are open; one more is accepted and closed
// at once.
//
// A HEAD request gets the handler's headers (Content-Length included) and
// no body, as RFC 9110 says. `Expect: 100-continue` gets its interim
// 100 Continue (or the 413). Upgrades (WebSocket, CONNECT) are not served:
// the handler answers and the connection is closed.
//
// Ownership and threads: the listener owns its sockets and timer; destroy it
// on the loop's thread (it closes them; run the loop once more to free
// them). Handlers run on the loop's thread; the request reference is valid
// during the call only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"
#include "server/server_config.h"

struct uv_loop_s;
struct uv_tcp_s;
struct uv_timer_s;

namespace kq::server {

struct HttpRequest {
  std::string method;        // "GET", "POST", ... (http_method_str)
  std::string target;        // as sent: path and optional ?query
  std::string path;          // target up to '?'
  std::string query;         // after '?', without it; "" when none
  std::string content_type;  // the Content-Type header, "" when none
  std::string body;          // de-chunked
  bool keep_alive = true;    // the connection stays open after the answer
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/plain";
  std::string body;
};

// Formats the listener's own error answers (400, 408, 413, 431) so a port
// can answer errors in its API's shape; `message` says what was wrong.
using HttpErrorFormatter = std::function<HttpResponse(int status, std::string_view message)>;

struct HttpListenerOptions {
  HostPort listen;
  std::string name = "http";  // names the listener in errors ("metrics")
  size_t max_header_bytes = 8192;
  size_t max_body_bytes = 8192;
  int64_t request_timeout_ms = 30000;
  size_t max_connections = 128;
  HttpErrorFormatter error_response;  // default: text/plain "message\n"
};

// The standard reason phrase of an HTTP status ("Not Found").
std::string_view HttpReason(int status);

class HttpListener {
 public:
  using Handler = std::function<HttpResponse(const HttpRequest&)>;
  static constexpr size_t kMaxQueuedOutputBytes = size_t{8} << 20;

  HttpListener(uv_loop_s* loop, HttpListenerOptions options, Handler handler);
  ~HttpListener();
  HttpListener(const HttpListener&) = delete;
  HttpListener& operator=(const HttpListener&) = delete;

  Status Listen();
  uint16_t port() const { return port_; }
  size_t connection_count() const { return clients_.size(); }

 private:
  struct Client;
  void OnConnection();
  void CheckTimeouts();

  uv_loop_s* loop_;
  HttpListenerOptions options_;
  Handler handler_;
  uv_tcp_s* listener_ = nullptr;
  uv_timer_s* timer_ = nullptr;
  uint16_t port_ = 0;
  std::set<Client*> clients_;
};

}  // namespace kq::server
