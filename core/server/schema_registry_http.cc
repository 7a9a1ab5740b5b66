#include "server/schema_registry_http.h"

#include <http_parser.h>

#include <fmt/format.h>
#include <uv.h>

#include "schema/registry_rest.h"
#include "server/tcp_listen.h"

namespace kq::server {
namespace {

constexpr size_t kMaxRequestBytes = size_t{4} << 20;

std::string_view Reason(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 400:
      return "Bad Request";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 409:
      return "Conflict";
    case 413:
      return "Payload Too Large";
    case 422:
      return "Unprocessable Entity";
    default:
      return status >= 500 ? "Internal Server Error" : "Error";
  }
}

}  // namespace

struct SchemaRegistryHttp::Client {
  SchemaRegistryHttp* owner;
  uv_tcp_t tcp;
  http_parser parser;
  http_parser_settings settings;
  std::string url;
  std::string body;
  size_t received = 0;
  bool answered = false;
  std::string out;
  uv_write_t write;

  void Answer(int status, std::string_view type, std::string_view payload) {
    if (answered) return;
    answered = true;
    uv_read_stop(reinterpret_cast<uv_stream_t*>(&tcp));
    out = fmt::format(
        "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        status, Reason(status), type, payload.size());
    out += payload;
    uv_buf_t buf = uv_buf_init(out.data(), static_cast<unsigned>(out.size()));
    write.data = this;
    if (uv_write(&write, reinterpret_cast<uv_stream_t*>(&tcp), &buf, 1,
                 [](uv_write_t* w, int) { static_cast<Client*>(w->data)->Close(); }) != 0)
      Close();
  }

  void AnswerError(int status, int code, std::string_view message) {
    Answer(status, schema::kRegistryContentType,
           fmt::format("{{\"error_code\":{},\"message\":\"{}\"}}", code, message));
  }

  void Close() {
    if (uv_is_closing(reinterpret_cast<uv_handle_t*>(&tcp))) return;
    owner->clients_.erase(this);
    uv_close(reinterpret_cast<uv_handle_t*>(&tcp),
             [](uv_handle_t* h) { delete static_cast<Client*>(h->data); });
  }
};

SchemaRegistryHttp::SchemaRegistryHttp(uv_loop_s* loop, HostPort listen,
                                       std::unique_ptr<schema::Registry> registry)
    : loop_(loop), listen_(std::move(listen)), registry_(std::move(registry)) {}

SchemaRegistryHttp::~SchemaRegistryHttp() {
  auto clients = clients_;
  for (Client* c : clients) c->Close();
  if (listener_ != nullptr)
    uv_close(reinterpret_cast<uv_handle_t*>(listener_),
             [](uv_handle_t* h) { delete reinterpret_cast<uv_tcp_t*>(h); });
}

Status SchemaRegistryHttp::Listen() {
  KQ_ASSIGN_OR_RETURN(port_, ListenTcp(
                                 loop_, listen_, "schema registry", this,
                                 [](uv_stream_t* s, int status) {
                                   if (status == 0)
                                     static_cast<SchemaRegistryHttp*>(s->data)->OnConnection();
                                 },
                                 &listener_));
  return Status::Ok();
}

void SchemaRegistryHttp::OnConnection() {
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
  c->settings.on_body = [](http_parser* p, const char* at, size_t n) {
    static_cast<Client*>(p->data)->body.append(at, n);
    return 0;
  };
  c->settings.on_message_complete = [](http_parser* p) {
    auto* c = static_cast<Client*>(p->data);
    const char* method = http_method_str(static_cast<http_method>(p->method));
    schema::RestResponse r =
        schema::HandleRegistryRequest(*c->owner->registry_, method, c->url, c->body);
    // The schema text endpoints (/schema) answer the bare schema.
    const bool raw = r.status == 200 && c->url.find("/schema?") == std::string::npos &&
                     (c->url.size() >= 7 && c->url.compare(c->url.size() - 7, 7, "/schema") == 0);
    c->Answer(r.status, raw ? "application/json" : schema::kRegistryContentType, r.body);
    return 1;  // one request per connection: stop parsing
  };
  uv_read_start(
      reinterpret_cast<uv_stream_t*>(&c->tcp),
      [](uv_handle_t*, size_t, uv_buf_t* buf) {
        static thread_local char scratch[65536];
        *buf = uv_buf_init(scratch, sizeof(scratch));
      },
      [](uv_stream_t* s, ssize_t n, const uv_buf_t* buf) {
        auto* c = static_cast<Client*>(s->data);
        if (n < 0) return c->Close();
        if (n == 0 || c->answered) return;
        c->received += static_cast<size_t>(n);
        if (c->received > kMaxRequestBytes)
          return c->AnswerError(413, 41300, "request larger than 4 MiB");
        size_t parsed =
            http_parser_execute(&c->parser, &c->settings, buf->base, static_cast<size_t>(n));
        if (!c->answered &&
            (parsed != static_cast<size_t>(n) || HTTP_PARSER_ERRNO(&c->parser) != HPE_OK))
          c->AnswerError(400, 40000, http_errno_description(HTTP_PARSER_ERRNO(&c->parser)));
      });
}

}  // namespace kq::server
