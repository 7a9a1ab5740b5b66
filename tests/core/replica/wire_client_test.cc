// WireClient against a hostile peer: a fake server on 127.0.0.1 that answers
// garbage, truncated frames, huge sizes, wrong correlation ids, or nothing.
// Every case must end in a clear Status within the timeouts: no crash, no
// hang, no allocation of a forged size.
#include "replica/wire_client.h"

#include <doctest/doctest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <functional>
#include <string>
#include <thread>

#include "base/encoding.h"
#include "protocol/messages/api_versions.h"
#include "protocol/messages/metadata.h"

namespace kq::replica {
namespace {

using namespace std::chrono_literals;

// Listens on 127.0.0.1:0; for each accepted connection runs `serve` with the
// socket, then closes it.
class FakeServer {
 public:
  explicit FakeServer(std::function<void(int fd)> serve) : serve_(std::move(serve)) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    REQUIRE(listen_fd_ >= 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
    REQUIRE(::listen(listen_fd_, 4) == 0);
    socklen_t len = sizeof(addr);
    REQUIRE(::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] {
      int fd = ::accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) return;
      serve_(fd);
      ::close(fd);
    });
  }
  ~FakeServer() {
    ::shutdown(listen_fd_, SHUT_RDWR);
    ::close(listen_fd_);
    thread_.join();
  }
  uint16_t port() const { return port_; }

 private:
  std::function<void(int)> serve_;
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::thread thread_;
};

// Reads one request frame; returns its correlation id (-1 on EOF).
int32_t ReadRequest(int fd) {
  char size_bytes[4];
  if (::recv(fd, size_bytes, 4, MSG_WAITALL) != 4) return -1;
  std::string frame(DecodeFixed32BE(size_bytes), '\0');
  if (::recv(fd, frame.data(), frame.size(), MSG_WAITALL) != static_cast<ssize_t>(frame.size()))
    return -1;
  return static_cast<int32_t>(DecodeFixed32BE(frame.data() + 4));
}

void Send(int fd, std::string_view bytes) {
  (void)::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
}

std::string Frame(std::string_view payload) {
  std::string out(4, '\0');
  EncodeFixed32BE(out.data(), static_cast<uint32_t>(payload.size()));
  return out + std::string(payload);
}

// A v0 ApiVersions answer listing Metadata 0..12 and ApiVersions 0..3.
std::string ApiVersionsAnswer(int32_t correlation_id) {
  protocol::WireWriter w;
  w.WriteInt32(correlation_id);
  protocol::ApiVersionsResponse r;
  r.error_code = 35;  // UNSUPPORTED_VERSION: the client retries in v0 form
  r.api_keys = {{3, 0, 12}, {18, 0, 3}};
  r.Encode(w, 0);
  std::string payload;
  for (auto& c : w.TakeChunks()) payload += c.bytes;
  return Frame(payload);
}

WireClientOptions Quick() {
  WireClientOptions o;
  o.connect_timeout = 2s;
  o.request_timeout = 300ms;
  o.max_response_bytes = 1 << 20;
  return o;
}

Status CallMetadata(WireClient& client) {
  protocol::MetadataRequest request;
  protocol::MetadataResponse response;
  return client.Call(request, 1, &response);
}

}  // namespace

TEST_CASE("ParseHostPort accepts HOST:PORT and names bad input") {
  auto ok = ParseHostPort("127.0.0.1:9092");
  REQUIRE(ok.ok());
  CHECK(ok->first == "127.0.0.1");
  CHECK(ok->second == 9092);
  auto v6 = ParseHostPort("[::1]:19092");
  REQUIRE(v6.ok());
  CHECK(v6->first == "::1");
  for (const char* bad : {"", "host", "host:", ":9092", "host:0", "host:65536", "host:12x"}) {
    auto r = ParseHostPort(bad);
    CHECK_MESSAGE(r.status().IsInvalidArgument(), bad);
  }
}

TEST_CASE("a refused connection is an IoError naming the peer") {
  uint16_t port = 0;
  {
    FakeServer closed([](int) {});
    port = closed.port();
    // Connect once so the fake's accept returns; then it is gone.
    WireClient c("127.0.0.1", port, Quick());
    (void)c.Connect();
  }
  WireClient client("127.0.0.1", port, Quick());
  Status s = client.Connect();
  CHECK(!s.ok());
  CHECK(s.message().find(fmt::format("127.0.0.1:{}", port)) != std::string::npos);
}

TEST_CASE("hostile answers to ApiVersions end in a clear error, never a hang") {
  struct Case {
    const char* name;
    std::function<void(int)> serve;
    const char* expect;  // in the message
  };
  std::vector<Case> cases = {
      {"huge size",
       [](int fd) {
         ReadRequest(fd);
         Send(fd, "\x7f\xff\xff\xff");
       },
       "outside"},
      {"negative size",
       [](int fd) {
         ReadRequest(fd);
         Send(fd, "\xff\xff\xff\xfe");
       },
       "outside"},
      {"truncated frame",
       [](int fd) {
         ReadRequest(fd);
         Send(fd, std::string("\x00\x00\x00\x10\x00\x00", 6));
       },
       "closed the connection"},
      {"garbage body",
       [](int fd) {
         int32_t id = ReadRequest(fd);
         std::string p(4, '\0');
         EncodeFixed32BE(p.data(), static_cast<uint32_t>(id));
         Send(fd, Frame(p + "\x01\x02\x03"));
       },
       "ApiVersions"},
      {"wrong correlation id",
       [](int fd) {
         int32_t id = ReadRequest(fd);
         Send(fd, ApiVersionsAnswer(id + 7));
       },
       "correlation id"},
      {"silence",
       [](int fd) {
         ReadRequest(fd);
         std::this_thread::sleep_for(1s);
       },
       "timed out"},
      {"close at once", [](int) {}, "(ApiVersions)"},
  };
  for (auto& c : cases) {
    std::string name = c.name;
    CAPTURE(name);
    FakeServer server(c.serve);
    WireClient client("127.0.0.1", server.port(), Quick());
    auto started = std::chrono::steady_clock::now();
    Status s = client.Connect();
    CHECK(!s.ok());
    CHECK_MESSAGE(s.message().find(c.expect) != std::string::npos, s.ToString());
    CHECK(!client.connected());
    CHECK(std::chrono::steady_clock::now() - started < 3s);
  }
}

TEST_CASE("a response after negotiation is checked: size, id, body") {
  SUBCASE("trailing bytes after the body") {
    FakeServer server([](int fd) {
      Send(fd, ApiVersionsAnswer(ReadRequest(fd)));
      int32_t id = ReadRequest(fd);
      protocol::WireWriter w;
      w.WriteInt32(id);
      protocol::MetadataResponse r;
      r.Encode(w, 1);
      std::string payload;
      for (auto& c : w.TakeChunks()) payload += c.bytes;
      Send(fd, Frame(payload + "junk"));
    });
    WireClient client("127.0.0.1", server.port(), Quick());
    REQUIRE(client.Connect().ok());
    auto v = client.Version(protocol::ApiKey::kMetadata, 1, 20);
    REQUIRE(v.ok());
    CHECK(*v == 12);
    CHECK(client.Version(protocol::ApiKey::kFetch, 0, 12).status().code() ==
          Status::Code::kNotSupported);
    Status s = CallMetadata(client);
    CHECK(s.IsCorruption());
    CHECK(s.message().find("trailing") != std::string::npos);
  }
  SUBCASE("a forged element count") {
    FakeServer server([](int fd) {
      Send(fd, ApiVersionsAnswer(ReadRequest(fd)));
      int32_t id = ReadRequest(fd);
      std::string p(4, '\0');
      EncodeFixed32BE(p.data(), static_cast<uint32_t>(id));
      p += std::string("\x7f\xff\xff\xff", 4);  // brokers: 2^31-1 of them
      Send(fd, Frame(p));
    });
    WireClient client("127.0.0.1", server.port(), Quick());
    REQUIRE(client.Connect().ok());
    Status s = CallMetadata(client);
    CHECK(s.IsCorruption());
    CHECK(!client.connected());
  }
}

}  // namespace kq::replica
