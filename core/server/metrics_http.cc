#include "server/metrics_http.h"

#include "server/tcp_listen.h"

#include <http_parser.h>

#include <fmt/format.h>
#include <uv.h>

namespace kq::server {
namespace {

constexpr size_t kMaxRequestBytes = 8192;

}  // namespace

struct MetricsHttp::Client {
  MetricsHttp* owner;
  uv_tcp_t tcp;
  http_parser parser;
  http_parser_settings settings;
  std::string url;
  size_t received = 0;
  bool answered = false;
  std::string out;
  uv_write_t write;

  void Answer(int status, std::string_view reason, std::string_view type, std::string body) {
    if (answered) return;
    answered = true;
    uv_read_stop(reinterpret_cast<uv_stream_t*>(&tcp));
    out = fmt::format(
        "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        status, reason, type, body.size());
    out += body;
    uv_buf_t buf = uv_buf_init(out.data(), static_cast<unsigned>(out.size()));
    write.data = this;
    if (uv_write(&write, reinterpret_cast<uv_stream_t*>(&tcp), &buf, 1,
                 [](uv_write_t* w, int) { static_cast<Client*>(w->data)->Close(); }) != 0)
      Close();
  }

  void Close() {
    if (uv_is_closing(reinterpret_cast<uv_handle_t*>(&tcp))) return;
    owner->clients_.erase(this);
    uv_close(reinterpret_cast<uv_handle_t*>(&tcp),
             [](uv_handle_t* h) { delete static_cast<Client*>(h->data); });
  }
};

MetricsHttp::MetricsHttp(uv_loop_s* loop, HostPort listen, Render render)
    : loop_(loop), listen_(std::move(listen)), render_(std::move(render)) {}

MetricsHttp::~MetricsHttp() {
  auto clients = clients_;
  for (Client* c : clients) c->Close();
  if (listener_ != nullptr)
    uv_close(reinterpret_cast<uv_handle_t*>(listener_),
             [](uv_handle_t* h) { delete reinterpret_cast<uv_tcp_t*>(h); });
}

Status MetricsHttp::Listen() {
  KQ_ASSIGN_OR_RETURN(port_, ListenTcp(
                                 loop_, listen_, "metrics", this,
                                 [](uv_stream_t* s, int status) {
                                   if (status == 0)
                                     static_cast<MetricsHttp*>(s->data)->OnConnection();
                                 },
                                 &listener_));
  return Status::Ok();
}

void MetricsHttp::OnConnection() {
  auto* c = new Client{};
  c->owner = this;
  uv_tcp_init(loop_, &c->tcp);
  c->tcp.data = c;
  if (uv_accept(reinterpret_cast<uv_stream_t*>(listener_),
                reinterpret_cast<uv_stream_t*>(&c->tcp)) != 0) {
    uv_close(reinterpret_cast<uv_handle_t*>(&c->tcp),
             [](uv_handle_t* h) { delete static_cast<Client*>(h->data); });
    return;
  }
  clients_.insert(c);
  http_parser_init(&c->parser, HTTP_REQUEST);
  c->parser.data = c;
  http_parser_settings_init(&c->settings);
  c->settings.on_url = [](http_parser* p, const char* at, size_t n) {
    static_cast<Client*>(p->data)->url.append(at, n);
    return 0;
  };
  c->settings.on_message_complete = [](http_parser* p) {
    auto* c = static_cast<Client*>(p->data);
    if (p->method != HTTP_GET && p->method != HTTP_HEAD) {
      c->Answer(405, "Method Not Allowed", "text/plain", "only GET /metrics\n");
    } else if (c->url == "/metrics" || c->url.rfind("/metrics?", 0) == 0) {
      c->Answer(200, "OK", "text/plain; version=0.0.4", c->owner->render_());
    } else {
      c->Answer(404, "Not Found", "text/plain", "kq-serve serves GET /metrics\n");
    }
    return 1;  // one request per connection: stop parsing
  };
  uv_read_start(
      reinterpret_cast<uv_stream_t*>(&c->tcp),
      [](uv_handle_t*, size_t, uv_buf_t* buf) {
        static thread_local char scratch[4096];
        *buf = uv_buf_init(scratch, sizeof(scratch));
      },
      [](uv_stream_t* s, ssize_t n, const uv_buf_t* buf) {
        auto* c = static_cast<Client*>(s->data);
        if (n < 0) return c->Close();
        if (n == 0 || c->answered) return;
        c->received += static_cast<size_t>(n);
        if (c->received > kMaxRequestBytes)
          return c->Answer(431, "Request Header Fields Too Large", "text/plain", "too large\n");
        size_t parsed =
            http_parser_execute(&c->parser, &c->settings, buf->base, static_cast<size_t>(n));
        if (!c->answered &&
            (parsed != static_cast<size_t>(n) || HTTP_PARSER_ERRNO(&c->parser) != HPE_OK))
          c->Answer(400, "Bad Request", "text/plain",
                    fmt::format("{}\n", http_errno_description(HTTP_PARSER_ERRNO(&c->parser))));
      });
}

}  // namespace kq::server
