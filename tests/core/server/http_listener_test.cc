// HttpListener against hostile and unusual clients over real sockets: the
// listener runs on its own loop thread, the test talks to it with blocking
// sockets. Each case checks the status answered and whether the connection
// stays open or is closed.
#include "server/http_listener.h"

#include <doctest/doctest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <thread>

#include <fmt/format.h>
#include <uv.h>

namespace kq::server {
namespace {

using namespace std::chrono_literals;

std::atomic<int> big_answers{0};

// Echoes the parsed request, so the tests see what the parser made of it.
HttpResponse Echo(const HttpRequest& r) {
  if (r.path == "/big") {
    ++big_answers;
    return {200, "text/plain", std::string(size_t{1} << 20, 'b')};
  }
  return {
      200, "text/plain",
      fmt::format("{} {} q={} ct={} body={}", r.method, r.path, r.query, r.content_type, r.body)};
}

class TestServer {
 public:
  explicit TestServer(HttpListenerOptions options = Options()) {
    std::promise<uint16_t> ready;
    thread_ = std::thread([&] {
      uv_loop_init(&loop_);
      uv_async_init(&loop_, &stop_, [](uv_async_t* a) {
        static_cast<TestServer*>(a->data)->listener_.reset();
        uv_close(reinterpret_cast<uv_handle_t*>(a), nullptr);
      });
      stop_.data = this;
      listener_ = std::make_unique<HttpListener>(&loop_, options, Echo);
      Status s = listener_->Listen();
      ready.set_value(s.ok() ? listener_->port() : 0);
      uv_run(&loop_, UV_RUN_DEFAULT);
      uv_loop_close(&loop_);
    });
    port_ = ready.get_future().get();
    REQUIRE(port_ != 0);
  }
  ~TestServer() {
    uv_async_send(&stop_);
    thread_.join();
  }

  static HttpListenerOptions Options() {
    HttpListenerOptions o;
    o.listen = HostPort{"127.0.0.1", 0};
    o.max_header_bytes = 1024;
    o.max_body_bytes = 4096;
    o.request_timeout_ms = 5000;
    return o;
  }

  uint16_t port() const { return port_; }

 private:
  uv_loop_t loop_;
  uv_async_t stop_;
  std::unique_ptr<HttpListener> listener_;
  std::thread thread_;
  uint16_t port_ = 0;
};

struct Response {
  int status = 0;
  std::string head;
  std::string body;
  bool Has(std::string_view header) const { return head.find(header) != std::string::npos; }
};

// A blocking client connection with a read timeout.
class Client {
 public:
  explicit Client(uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd_ >= 0);
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    timeval tv{3, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
  }
  ~Client() { ::close(fd_); }

  void Send(std::string_view data) {
    while (!data.empty()) {
      ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return;  // the server may have closed: the reads tell
      data.remove_prefix(static_cast<size_t>(n));
    }
  }

  Response Ask(std::string_view request) {
    Send(request);
    return Read();
  }

  // Reads one response; status 0 if the connection ended or timed out first.
  Response Read() {
    Response r;
    size_t end;
    while ((end = buf_.find("\r\n\r\n")) == std::string::npos)
      if (!Fill()) return r;
    r.head = buf_.substr(0, end + 4);
    buf_.erase(0, end + 4);
    r.status = std::stoi(r.head.substr(9, 3));
    size_t length = 0;
    if (size_t at = r.head.find("Content-Length: "); at != std::string::npos)
      length = std::stoul(r.head.substr(at + 16));
    while (buf_.size() < length)
      if (!Fill()) return Response{};
    r.body = buf_.substr(0, length);
    buf_.erase(0, length);
    return r;
  }

  // True if the server closes the connection (EOF or reset) before a read
  // timeout, with nothing more sent.
  void ShutdownWrite() { ::shutdown(fd_, SHUT_WR); }

  // True if bytes wait to be read, without blocking.
  bool Readable() {
    char c;
    return ::recv(fd_, &c, 1, MSG_PEEK | MSG_DONTWAIT) > 0;
  }

  bool Closed() {
    char c;
    ssize_t n = ::recv(fd_, &c, 1, 0);
    return n == 0 || (n < 0 && errno == ECONNRESET);
  }

 private:
  bool Fill() {
    char chunk[65536];
    ssize_t n = ::recv(fd_, chunk, sizeof(chunk), 0);
    if (n <= 0) return false;
    buf_.append(chunk, static_cast<size_t>(n));
    return true;
  }

  int fd_ = -1;
  std::string buf_;
};

TEST_CASE("http: keep-alive, path, query, Content-Type and bodies as parsed") {
  TestServer server;
  Client c(server.port());
  Response r = c.Ask("GET /a/b?x=1&y=2 HTTP/1.1\r\nHost: h\r\n\r\n");
  CHECK(r.status == 200);
  CHECK(r.Has("Connection: keep-alive\r\n"));
  CHECK(r.body == "GET /a/b q=x=1&y=2 ct= body=");
  // Same connection: a POST with a body, then a chunked one.
  r = c.Ask(
      "POST /p HTTP/1.1\r\nhost: h\r\ncontent-TYPE: application/json\r\n"
      "Content-Length: 7\r\n\r\n{\"a\":1}");
  CHECK(r.status == 200);
  CHECK(r.body == "POST /p q= ct=application/json body={\"a\":1}");
  r = c.Ask(
      "PUT /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n");
  CHECK(r.body == "PUT /c q= ct= body=abcde");
  // HEAD: the headers, Content-Length included, and no body.
  // Read() honours Content-Length, so a HEAD body would be taken as the next.
  r = c.Ask("HEAD /h HTTP/1.1\r\n\r\nGET /after HTTP/1.1\r\n\r\n");
  CHECK(r.status == 200);
  CHECK(r.Has(fmt::format("Content-Length: {}\r\n", std::string("HEAD /h q= ct= body=").size())));
  CHECK(r.body.rfind("HTTP/1.1 200", 0) == 0);  // the next answer, not a HEAD body
}

TEST_CASE("http: Connection: close and HTTP/1.0 end the connection after the answer") {
  TestServer server;
  {
    Client c(server.port());
    Response r = c.Ask("GET / HTTP/1.1\r\nConnection: close\r\n\r\n");
    CHECK(r.status == 200);
    CHECK(r.Has("Connection: close\r\n"));
    CHECK(c.Closed());
  }
  {
    // Half-closed after two requests: both answered, then closed.
    Client c(server.port());
    c.Send("GET /1 HTTP/1.1\r\n\r\nGET /2 HTTP/1.1\r\n\r\n");
    c.ShutdownWrite();
    CHECK(c.Read().body == "GET /1 q= ct= body=");
    CHECK(c.Read().body == "GET /2 q= ct= body=");
    CHECK(c.Closed());
  }
  {
    Client c(server.port());
    CHECK(c.Ask("GET / HTTP/1.0\r\n\r\n").Has("Connection: close\r\n"));
    CHECK(c.Closed());
  }
  {
    Client c(server.port());
    CHECK(c.Ask("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
              .Has("Connection: keep-alive\r\n"));
    CHECK(c.Ask("GET /2 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").body.find("/2") !=
          std::string::npos);
  }
}

TEST_CASE("http: garbage is 400, another HTTP version 505, closed; the listener still serves") {
  TestServer server;
  for (std::string_view garbage :
       {std::string_view("\x00\x01garbage\r\n\r\n", 13),
        std::string_view("GET / HTTP/1.1\r\nContent-Length: x\r\n\r\n"),
        std::string_view("GET / HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: "
                         "chunked\r\n\r\n"),
        std::string_view("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")}) {
    CAPTURE(garbage);
    Client c(server.port());
    Response r = c.Ask(garbage);
    CHECK(r.status == 400);
    CHECK(r.Has("Connection: close\r\n"));
    CHECK(r.body.rfind("malformed request: ", 0) == 0);
    CHECK(c.Closed());
  }
  {
    Client c(server.port());
    Response r = c.Ask("GET / HTTP/9.9\r\n\r\n");
    CHECK(r.status == 505);
    CHECK(r.body == "HTTP/9.9 is not supported\n");
    CHECK(c.Closed());
  }
  Client c(server.port());
  CHECK(c.Ask("GET /ok HTTP/1.1\r\n\r\n").status == 200);
}

TEST_CASE("http: a head over the limit is 431, a body over the limit 413, both closed") {
  TestServer server;  // head 1 KiB, body 4 KiB
  {
    Client c(server.port());
    Response r = c.Ask("GET / HTTP/1.1\r\nX-Big: " + std::string(1100, 'a') + "\r\n\r\n");
    CHECK(r.status == 431);
    CHECK(r.body == "request head over 1024 bytes\n");
    CHECK(c.Closed());
  }
  {
    Client c(server.port());  // many small headers add up
    std::string req = "GET / HTTP/1.1\r\n";
    for (int i = 0; i < 200; ++i) req += fmt::format("H{}: v\r\n", i);
    CHECK(c.Ask(req + "\r\n").status == 431);
    CHECK(c.Closed());
  }
  {
    Client c(server.port());  // a long URL
    CHECK(c.Ask("GET /" + std::string(2000, 'u') + " HTTP/1.1\r\n\r\n").status == 431);
  }
  {
    // Announced: refused before the body is sent.
    Client c(server.port());
    Response r = c.Ask("POST / HTTP/1.1\r\nContent-Length: 4097\r\n\r\n");
    CHECK(r.status == 413);
    CHECK(r.body == "request body over 4096 bytes\n");
    CHECK(c.Closed());
  }
  {
    Client c(server.port());  // exactly the limit is fine
    CHECK(
        c.Ask("POST / HTTP/1.1\r\nContent-Length: 4096\r\n\r\n" + std::string(4096, 'x')).status ==
        200);
  }
  {
    // Chunked: refused once the chunks pass the limit.
    Client c(server.port());
    std::string req = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (int i = 0; i < 5; ++i) req += "400\r\n" + std::string(1024, 'c') + "\r\n";
    CHECK(c.Ask(req + "0\r\n\r\n").status == 413);
    CHECK(c.Closed());
  }
}

TEST_CASE("http: Expect: 100-continue, and upgrades end the connection") {
  TestServer server;
  {
    Client c(server.port());
    Response r = c.Ask("PUT /e HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n");
    CHECK(r.status == 100);
    r = c.Ask("abc");
    CHECK(r.status == 200);
    CHECK(r.body == "PUT /e q= ct= body=abc");
    // Refused without the interim answer.
    r = c.Ask("PUT /e HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 5000\r\n\r\n");
    CHECK(r.status == 413);
  }
  for (std::string_view upgrade :
       {"GET /ws HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n\x81\x05hello",
        "CONNECT example.com:443 HTTP/1.1\r\n\r\n\x16\x03\x01"}) {
    CAPTURE(upgrade);
    Client c(server.port());
    Response r = c.Ask(upgrade);
    CHECK(r.status == 200);
    CHECK(r.Has("Connection: close\r\n"));
    CHECK(c.Closed());
  }
}

TEST_CASE("http: a request sent one byte at a time") {
  TestServer server;
  Client c(server.port());
  const std::string req =
      "POST /slow?q=1 HTTP/1.1\r\nContent-Type: text/x\r\nContent-Length: 5\r\n\r\nhello";
  for (char ch : req) {
    c.Send(std::string_view(&ch, 1));
    std::this_thread::sleep_for(200us);
  }
  Response r = c.Read();
  CHECK(r.status == 200);
  CHECK(r.body == "POST /slow q=q=1 ct=text/x body=hello");
}

TEST_CASE("http: a half request then silence is 408 and closed; an idle connection is closed") {
  HttpListenerOptions o = TestServer::Options();
  o.request_timeout_ms = 300;
  TestServer server(o);
  const auto start = std::chrono::steady_clock::now();
  Client half(server.port());
  half.Send("POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc");
  Client idle(server.port());
  // Slowloris: a byte every 50 ms, never done; the clock runs from the
  // accept, not from the last byte.
  Client slow(server.port());
  slow.Send("GET /");
  while (!slow.Readable() && std::chrono::steady_clock::now() - start < 2s) {
    slow.Send("a");
    std::this_thread::sleep_for(50ms);
  }
  CHECK(std::chrono::steady_clock::now() - start < 1s);
  CHECK(slow.Read().status == 408);
  Response r = half.Read();
  CHECK(r.status == 408);
  CHECK(r.body == "request not complete within 300 ms\n");
  CHECK(half.Closed());
  CHECK(idle.Closed());
  CHECK(slow.Closed());
  CHECK(std::chrono::steady_clock::now() - start < 2500ms);
  // Kept alive but quiet after an answer: closed too.
  Client c(server.port());
  CHECK(c.Ask("GET / HTTP/1.1\r\n\r\n").status == 200);
  CHECK(c.Closed());
}

TEST_CASE("http: pipelined requests are answered in order; a bad one stops the rest") {
  TestServer server;
  Client c(server.port());
  c.Send(
      "GET /1 HTTP/1.1\r\n\r\nPOST /2 HTTP/1.1\r\nContent-Length: 2\r\n\r\nhiGET /3 "
      "HTTP/1.1\r\n\r\n"
      "BAD\r\n\r\nGET /4 HTTP/1.1\r\n\r\n");
  CHECK(c.Read().body == "GET /1 q= ct= body=");
  CHECK(c.Read().body == "POST /2 q= ct= body=hi");
  CHECK(c.Read().body == "GET /3 q= ct= body=");
  CHECK(c.Read().status == 400);
  CHECK(c.Closed());
}

TEST_CASE("http: a pipelining client that does not read gets every answer when it does") {
  TestServer server;
  Client c(server.port());
  // 64 MiB of answers asked for before reading any: the listener answers
  // until 8 MiB wait (plus what the kernel's socket buffers took), then
  // stops reading and parsing until the client reads.
  constexpr int kBig = 64;
  big_answers = 0;
  std::string reqs;
  for (int i = 0; i < kBig; ++i) reqs += "GET /big HTTP/1.1\r\n\r\n";
  c.Send(reqs + "GET /last HTTP/1.1\r\n\r\n");
  std::this_thread::sleep_for(300ms);
  CHECK(big_answers.load() < 24);
  for (int i = 0; i < kBig; ++i) {
    Response r = c.Read();
    REQUIRE(r.status == 200);
    CHECK(r.body.size() == size_t{1} << 20);
  }
  CHECK(c.Read().body == "GET /last q= ct= body=");
}

TEST_CASE("http: the error formatter shapes the listener's own errors") {
  HttpListenerOptions o = TestServer::Options();
  o.error_response = [](int status, std::string_view) {
    return HttpResponse{status, "application/json", fmt::format("{{\"e\":{}}}", status * 100)};
  };
  TestServer server(o);
  Client c(server.port());
  Response r = c.Ask("junk\r\n\r\n");
  CHECK(r.status == 400);
  CHECK(r.Has("Content-Type: application/json\r\n"));
  CHECK(r.body == "{\"e\":40000}");
}

TEST_CASE("http: connections over max_connections are closed at once") {
  HttpListenerOptions o = TestServer::Options();
  o.max_connections = 2;
  TestServer server(o);
  Client a(server.port()), b(server.port());
  a.Send("GET / HTTP/1.1\r\n\r\n");
  b.Send("GET / HTTP/1.1\r\n\r\n");
  CHECK(a.Read().status == 200);
  CHECK(b.Read().status == 200);
  Client third(server.port());
  CHECK(third.Closed());
}

TEST_CASE("http: reason phrases") {
  CHECK(HttpReason(404) == "Not Found");
  CHECK(HttpReason(431) == "Request Header Fields Too Large");
  CHECK(HttpReason(499) == "Client Error");
}

}  // namespace
}  // namespace kq::server
