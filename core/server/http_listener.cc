#include "server/http_listener.h"

#include <http_parser.h>

#include <algorithm>
#include <climits>
#include <strings.h>

#include <fmt/format.h>
#include <uv.h>

#include "server/tcp_listen.h"

namespace kq::server {
namespace {

HttpResponse PlainError(int status, std::string_view message) {
  return {status, "text/plain", fmt::format("{}\n", message)};
}

uv_stream_t* Stream(uv_tcp_t* tcp) { return reinterpret_cast<uv_stream_t*>(tcp); }

}  // namespace

std::string_view HttpReason(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 204:
      return "No Content";
    case 400:
      return "Bad Request";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 413:
      return "Content Too Large";
    case 415:
      return "Unsupported Media Type";
    case 422:
      return "Unprocessable Entity";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    case 505:
      return "HTTP Version Not Supported";
    default:
      return status >= 500 ? "Server Error" : status >= 400 ? "Client Error" : "Unknown";
  }
}

// One connection. Bytes read go to `in`, which is parsed one request at a
// time (the parser pauses after each), so answering can stop between
// pipelined requests when the client does not read. Answers collect in
// `pending` and go out in one uv_write at a time (`writing`).
struct HttpListener::Client {
  HttpListener* owner = nullptr;
  uv_tcp_t tcp;
  http_parser parser;
  uv_write_t write;

  HttpRequest request;       // the request being parsed
  std::string field, value;  // the header being parsed
  bool value_seen = false;
  bool expect_continue = false;  // "Expect: 100-continue"
  size_t head_bytes = 0;
  bool started = false;  // part of a request has come

  int fail_status = 0;  // set by a parser callback that refused the request
  std::string fail_message;

  std::string in;       // read, not yet parsed
  std::string pending;  // answers not yet handed to uv_write
  std::string writing;  // the answers uv_write is sending
  bool write_in_flight = false;
  bool close_after_write = false;  // no more requests: close when written
  bool reading = false;
  bool closing = false;
  bool timed_out = false;
  uint64_t since = 0;  // accept, or the last time a write of answers completed

  const HttpListenerOptions& options() const { return owner->options_; }
  size_t queued() const { return pending.size() + writing.size(); }

  int Fail(int status, std::string message) {
    fail_status = status;
    fail_message = std::move(message);
    return -1;  // stops http_parser_execute with a callback error
  }

  int CountHead(size_t n) {
    head_bytes += n;
    if (head_bytes > options().max_header_bytes)
      return Fail(431, fmt::format("request head over {} bytes", options().max_header_bytes));
    return 0;
  }

  void FinishHeader() {
    if (value_seen && strcasecmp(field.c_str(), "content-type") == 0) request.content_type = value;
    if (value_seen && strcasecmp(field.c_str(), "expect") == 0 &&
        strcasecmp(value.c_str(), "100-continue") == 0)
      expect_continue = true;
    field.clear();
    value.clear();
    value_seen = false;
  }

  void Queue(const HttpResponse& r, bool keep_alive, bool head) {
    pending += fmt::format(
        "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\n"
        "Connection: {}\r\n\r\n",
        r.status, HttpReason(r.status), r.content_type, r.body.size(),
        keep_alive ? "keep-alive" : "close");
    if (!head) pending += r.body;
    if (!keep_alive) close_after_write = true;
  }

  void AnswerError(int status, std::string_view message) {
    const HttpErrorFormatter& format = options().error_response;
    Queue(format ? format(status, message) : PlainError(status, message), false, false);
  }

  // Parses what has come, one request at a time, while answers are not
  // piling up; then writes and adjusts reading.
  void Pump() {
    size_t pos = 0;
    while (!closing && !close_after_write && pos < in.size() && queued() <= kMaxQueuedOutputBytes) {
      size_t n = http_parser_execute(&parser, &Settings(), in.data() + pos, in.size() - pos);
      pos += n;
      const http_errno err = HTTP_PARSER_ERRNO(&parser);
      if (err == HPE_PAUSED) {  // one request answered
        http_parser_pause(&parser, 0);
        continue;
      }
      if (fail_status != 0) {
        AnswerError(fail_status, fail_message);
      } else if (err != HPE_OK) {
        AnswerError(err == HPE_HEADER_OVERFLOW ? 431 : 400,
                    fmt::format("malformed request: {}", http_errno_description(err)));
      }
      if (err != HPE_OK) break;
      if (n == 0) {  // no progress without an error: never loop on it
        AnswerError(400, "malformed request: parser stopped");
        break;
      }
    }
    in.erase(0, pos);
    if (close_after_write) in.clear();
    Flush();
    UpdateReading();
  }

  void Flush() {
    if (closing || write_in_flight) return;
    if (pending.empty()) {
      if (close_after_write) Close();
      return;
    }
    writing.swap(pending);
    pending.clear();
    uv_buf_t buf = uv_buf_init(writing.data(), static_cast<unsigned>(writing.size()));
    write.data = this;
    write_in_flight = true;
    if (uv_write(&write, Stream(&tcp), &buf, 1, [](uv_write_t* w, int status) {
          static_cast<Client*>(w->data)->OnWritten(status);
        }) != 0) {
      write_in_flight = false;
      Close();
    }
  }

  void OnWritten(int status) {
    write_in_flight = false;
    writing.clear();
    if (closing) return;  // closed meanwhile (the write was cancelled)
    if (status < 0) return Close();
    since = uv_now(owner->loop_);  // progress: the clock restarts
    Pump();                        // parse what waited for the answers to drain
  }

  void UpdateReading() {
    if (closing) return;
    const bool want = !close_after_write && queued() <= kMaxQueuedOutputBytes;
    if (want == reading) return;
    reading = want;
    if (want) {
      uv_read_start(
          Stream(&tcp),
          [](uv_handle_t*, size_t, uv_buf_t* buf) {
            static thread_local char scratch[65536];
            *buf = uv_buf_init(scratch, sizeof(scratch));
          },
          [](uv_stream_t* s, ssize_t n, const uv_buf_t* buf) {
            static_cast<Client*>(s->data)->OnRead(n, buf);
          });
    } else {
      uv_read_stop(Stream(&tcp));
    }
  }

  void OnRead(ssize_t n, const uv_buf_t* buf) {
    if (n == UV_EOF) {  // half-closed: answer what came, then close
      close_after_write = true;
      Flush();
      UpdateReading();
      return;
    }
    if (n < 0) return Close();
    in.append(buf->base, static_cast<size_t>(n));
    Pump();
  }

  void OnTimeout() {
    if (started && !timed_out && queued() == 0) {
      timed_out = true;  // one more period to deliver the 408
      since = uv_now(owner->loop_);
      AnswerError(408,
                  fmt::format("request not complete within {} ms", options().request_timeout_ms));
      Pump();
      return;
    }
    Close();
  }

  void Close() {
    if (closing) return;
    closing = true;
    owner->clients_.erase(this);
    uv_close(reinterpret_cast<uv_handle_t*>(&tcp),
             [](uv_handle_t* h) { delete static_cast<Client*>(h->data); });
  }

  static Client& Of(http_parser* p) { return *static_cast<Client*>(p->data); }

  static const http_parser_settings& Settings() {
    static const http_parser_settings settings = [] {
      http_parser_settings s;
      http_parser_settings_init(&s);
      s.on_message_begin = [](http_parser* p) {
        Client& c = Of(p);
        c.request = HttpRequest{};
        c.field.clear();
        c.value.clear();
        c.value_seen = false;
        c.expect_continue = false;
        c.head_bytes = 0;
        c.started = true;
        return 0;
      };
      s.on_url = [](http_parser* p, const char* at, size_t n) {
        Client& c = Of(p);
        if (c.CountHead(n) != 0) return -1;
        c.request.target.append(at, n);
        return 0;
      };
      s.on_header_field = [](http_parser* p, const char* at, size_t n) {
        Client& c = Of(p);
        // ": " and CRLF count too, so many tiny headers add up.
        const bool starts = c.field.empty() || c.value_seen;
        if (c.CountHead(n + (starts ? 4 : 0)) != 0) return -1;
        if (c.value_seen) c.FinishHeader();
        c.field.append(at, n);
        return 0;
      };
      s.on_header_value = [](http_parser* p, const char* at, size_t n) {
        Client& c = Of(p);
        if (c.CountHead(n) != 0) return -1;
        c.value_seen = true;
        c.value.append(at, n);
        return 0;
      };
      s.on_headers_complete = [](http_parser* p) {
        Client& c = Of(p);
        c.FinishHeader();
        if (p->http_major != 1)  // http_parser takes any digit: 0.9 and 2.0 are not ours
          return c.Fail(505,
                        fmt::format("HTTP/{}.{} is not supported", p->http_major, p->http_minor));
        HttpRequest& r = c.request;
        const size_t q = r.target.find('?');
        r.path = r.target.substr(0, q);
        r.query = q == std::string::npos ? "" : r.target.substr(q + 1);
        // Refuse an announced oversized body before it is sent.
        if (p->content_length != ULLONG_MAX && p->content_length > c.options().max_body_bytes)
          return c.Fail(413, fmt::format("request body over {} bytes", c.options().max_body_bytes));
        // The client waits for this before it sends the body (curl does,
        // for large bodies); a refused body got its 413 above instead.
        if (c.expect_continue) c.pending += "HTTP/1.1 100 Continue\r\n\r\n";
        return 0;
      };
      s.on_body = [](http_parser* p, const char* at, size_t n) {
        Client& c = Of(p);
        if (c.request.body.size() + n > c.options().max_body_bytes)  // chunked bodies
          return c.Fail(413, fmt::format("request body over {} bytes", c.options().max_body_bytes));
        c.request.body.append(at, n);
        return 0;
      };
      s.on_message_complete = [](http_parser* p) {
        Client& c = Of(p);
        HttpRequest& r = c.request;
        r.method = http_method_str(static_cast<http_method>(p->method));
        // Upgrades (WebSocket, CONNECT) are not served: after the answer
        // the bytes that follow are not HTTP, so the connection ends.
        r.keep_alive = http_should_keep_alive(p) != 0 && p->upgrade == 0;
        c.Queue(c.owner->handler_(r), r.keep_alive, p->method == HTTP_HEAD);
        c.started = false;
        http_parser_pause(p, 1);  // one request at a time (see Pump)
        return 0;
      };
      return s;
    }();
    return settings;
  }
};

HttpListener::HttpListener(uv_loop_s* loop, HttpListenerOptions options, Handler handler)
    : loop_(loop), options_(std::move(options)), handler_(std::move(handler)) {}

HttpListener::~HttpListener() {
  auto clients = clients_;
  for (Client* c : clients) c->Close();
  if (timer_ != nullptr)
    uv_close(reinterpret_cast<uv_handle_t*>(timer_),
             [](uv_handle_t* h) { delete reinterpret_cast<uv_timer_t*>(h); });
  if (listener_ != nullptr)
    uv_close(reinterpret_cast<uv_handle_t*>(listener_),
             [](uv_handle_t* h) { delete reinterpret_cast<uv_tcp_t*>(h); });
}

Status HttpListener::Listen() {
  KQ_ASSIGN_OR_RETURN(port_, ListenTcp(
                                 loop_, options_.listen, options_.name.c_str(), this,
                                 [](uv_stream_t* s, int status) {
                                   if (status == 0)
                                     static_cast<HttpListener*>(s->data)->OnConnection();
                                 },
                                 &listener_));
  timer_ = new uv_timer_t;
  uv_timer_init(loop_, timer_);
  timer_->data = this;
  const auto every =
      static_cast<uint64_t>(std::clamp<int64_t>(options_.request_timeout_ms / 4, 10, 1000));
  uv_timer_start(
      timer_, [](uv_timer_t* t) { static_cast<HttpListener*>(t->data)->CheckTimeouts(); }, every,
      every);
  return Status::Ok();
}

void HttpListener::CheckTimeouts() {
  const uint64_t now = uv_now(loop_);
  std::vector<Client*> late;
  for (Client* c : clients_)
    if (now - c->since >= static_cast<uint64_t>(options_.request_timeout_ms)) late.push_back(c);
  for (Client* c : late) c->OnTimeout();
}

void HttpListener::OnConnection() {
  auto* c = new Client;
  c->owner = this;
  uv_tcp_init(loop_, &c->tcp);
  c->tcp.data = c;
  if (uv_accept(reinterpret_cast<uv_stream_t*>(listener_), Stream(&c->tcp)) != 0 ||
      clients_.size() >= options_.max_connections) {
    c->closing = true;
    uv_close(reinterpret_cast<uv_handle_t*>(&c->tcp),
             [](uv_handle_t* h) { delete static_cast<Client*>(h->data); });
    return;
  }
  clients_.insert(c);
  c->since = uv_now(loop_);
  http_parser_init(&c->parser, HTTP_REQUEST);
  c->parser.data = c;
  c->UpdateReading();
}

}  // namespace kq::server
