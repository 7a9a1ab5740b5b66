#include "replica/wire_client.h"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>

#include "base/encoding.h"
#include "protocol/error_codes.h"
#include "protocol/messages/api_versions.h"

namespace kq::replica {

using Clock = std::chrono::steady_clock;

Result<std::pair<std::string, uint16_t>> ParseHostPort(std::string_view text) {
  auto bad = [&](std::string_view why) {
    return Status::InvalidArgument(fmt::format("'{}': {} (expected HOST:PORT)", text, why));
  };
  size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) return bad("no port");
  std::string_view host = text.substr(0, colon);
  std::string_view port_text = text.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  if (host.empty()) return bad("no host");
  unsigned port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port == 0 || port > 65535)
    return bad(fmt::format("bad port '{}'", port_text));
  return std::make_pair(std::string(host), static_cast<uint16_t>(port));
}

WireClient::WireClient(std::string host, uint16_t port, WireClientOptions options)
    : host_(std::move(host)), port_(port), options_(std::move(options)) {}

WireClient::~WireClient() { Close(); }

void WireClient::Close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  versions_.clear();
}

Status WireClient::Fail(const Status& s, std::string_view what) {
  Close();
  return Status::FromCode(s.code(), fmt::format("{} ({}): {}", Describe(), what, s.message()));
}

namespace {

// Waits until fd is ready for `events` or the deadline passes.
Status WaitFor(int fd, short events, Clock::time_point deadline, std::string_view what) {
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return Status::Busy(fmt::format("timed out waiting to {}", what));
    pollfd p{fd, events, 0};
    int n = ::poll(&p, 1, static_cast<int>(std::min<int64_t>(left.count(), INT32_MAX)));
    if (n > 0) return Status::Ok();
    if (n < 0 && errno != EINTR)
      return Status::IoError(fmt::format("poll: {}", std::strerror(errno)));
  }
}

}  // namespace

Status WireClient::ConnectSocket() {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  std::string port = std::to_string(port_);
  if (int rc = ::getaddrinfo(host_.c_str(), port.c_str(), &hints, &found); rc != 0)
    return Status::IoError(
        fmt::format("{}: cannot resolve host: {}", Describe(), ::gai_strerror(rc)));
  Status last = Status::IoError(fmt::format("{}: no address", Describe()));
  auto deadline = Clock::now() + options_.connect_timeout;
  for (addrinfo* a = found; a != nullptr; a = a->ai_next) {
    int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) {
      last = Status::IoError(fmt::format("{}: socket: {}", Describe(), std::strerror(errno)));
      continue;
    }
    int rc = ::connect(fd, a->ai_addr, a->ai_addrlen);
    if (rc != 0 && errno == EINPROGRESS) {
      Status s = WaitFor(fd, POLLOUT, deadline, "connect");
      int err = 0;
      socklen_t len = sizeof(err);
      if (s.ok() && ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0) {
        rc = 0;
      } else {
        last = s.ok() ? Status::IoError(fmt::format("{}: connect: {}", Describe(),
                                                    std::strerror(err != 0 ? err : errno)))
                      : Status::FromCode(s.code(), fmt::format("{}: {}", Describe(), s.message()));
        ::close(fd);
        continue;
      }
    } else if (rc != 0) {
      last = Status::IoError(fmt::format("{}: connect: {}", Describe(), std::strerror(errno)));
      ::close(fd);
      continue;
    }
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    fd_ = fd;
    ::freeaddrinfo(found);
    return Status::Ok();
  }
  ::freeaddrinfo(found);
  return last;
}

Status WireClient::Connect() {
  if (fd_ >= 0) return Status::Ok();
  KQ_RETURN_IF_ERROR(ConnectSocket());
  return Negotiate();
}

Status WireClient::Negotiate() {
  // v3 first; a broker that does not know it answers UNSUPPORTED_VERSION in
  // a v0 body (the response header of ApiVersions is always v0), listing
  // what it has, so v0 decodes it.
  protocol::ApiVersionsRequest request;
  request.client_software_name = "kq";
  request.client_software_version = "1";
  protocol::ApiVersionsResponse response;
  int16_t version = 3;
  protocol::WireWriter w;
  int32_t correlation_id = next_correlation_id_++;
  protocol::EncodeRequestHeader(w, {static_cast<int16_t>(protocol::ApiKey::kApiVersions), version,
                                    correlation_id, options_.client_id});
  request.Encode(w, version);
  size_t body_offset = 0;
  KQ_RETURN_IF_ERROR(RoundTrip(w, static_cast<int16_t>(protocol::ApiKey::kApiVersions), version,
                               correlation_id, std::chrono::milliseconds(0), &body_offset));
  Status s = protocol::DecodeBody(frame_, body_offset, version, &response);
  if (!s.ok()) {
    // Perhaps the v0 error body.
    protocol::ApiVersionsResponse v0;
    if (!protocol::DecodeBody(frame_, body_offset, 0, &v0).ok() ||
        v0.error_code != protocol::ToWire(protocol::ErrorCode::kUnsupportedVersion))
      return Fail(s, "ApiVersions");
    response = std::move(v0);
  }
  if (response.error_code != 0 &&
      response.error_code != protocol::ToWire(protocol::ErrorCode::kUnsupportedVersion))
    return Fail(
        Status::IoError(fmt::format("error {}", protocol::ErrorCodeName(response.error_code))),
        "ApiVersions");
  versions_.clear();
  for (const auto& v : response.api_keys) {
    if (v.min_version < 0 || v.max_version < v.min_version) continue;  // ignore nonsense
    versions_[v.api_key] = {v.min_version, v.max_version};
  }
  if (versions_.empty()) return Fail(Status::Corruption("the peer lists no API"), "ApiVersions");
  return Status::Ok();
}

Result<int16_t> WireClient::Version(protocol::ApiKey key, int16_t min, int16_t max) {
  KQ_RETURN_IF_ERROR(Connect());
  auto it = versions_.find(static_cast<int16_t>(key));
  if (it != versions_.end()) {
    int16_t best = std::min(max, it->second.second);
    if (best >= std::max(min, it->second.first)) return best;
  }
  return Status::NotSupported(fmt::format("{}: the peer serves no {} version in {}..{}", Describe(),
                                          protocol::ApiName(key), min, max));
}

Status WireClient::SendAll(std::string_view bytes, Clock::time_point deadline) {
  while (!bytes.empty()) {
    ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n > 0) {
      bytes.remove_prefix(static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      KQ_RETURN_IF_ERROR(WaitFor(fd_, POLLOUT, deadline, "send the request"));
      continue;
    }
    return Status::BrokenPipe(fmt::format("send: {}", std::strerror(errno)));
  }
  return Status::Ok();
}

Status WireClient::RecvAll(char* dst, size_t n, Clock::time_point deadline) {
  size_t got = 0;
  while (got < n) {
    ssize_t r = ::recv(fd_, dst + got, n - got, 0);
    if (r > 0) {
      got += static_cast<size_t>(r);
      continue;
    }
    if (r == 0)
      return Status::BrokenPipe(
          fmt::format("the peer closed the connection after {} of {} bytes", got, n));
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      KQ_RETURN_IF_ERROR(WaitFor(fd_, POLLIN, deadline, "receive the response"));
      continue;
    }
    return Status::IoError(fmt::format("recv: {}", std::strerror(errno)));
  }
  return Status::Ok();
}

Status WireClient::RoundTrip(protocol::WireWriter& w, int16_t api_key, int16_t version,
                             int32_t correlation_id, std::chrono::milliseconds extra_wait,
                             size_t* body_offset) {
  std::string_view api = protocol::ApiName(static_cast<protocol::ApiKey>(api_key));
  if (fd_ < 0) {
    if (api_key == static_cast<int16_t>(protocol::ApiKey::kApiVersions)) {
      return Status::Internal("ApiVersions without a connection");
    }
    KQ_RETURN_IF_ERROR(Connect());
  }
  std::string out;
  for (auto& chunk : w.TakeFrame()) out += chunk.bytes;  // requests have no file chunks
  auto deadline = Clock::now() + options_.request_timeout + extra_wait;
  if (Status s = SendAll(out, deadline); !s.ok()) return Fail(s, api);
  char size_bytes[4];
  if (Status s = RecvAll(size_bytes, 4, deadline); !s.ok()) return Fail(s, api);
  // Checked before anything is allocated: a hostile peer's 2 GB size
  // fails here.
  int32_t size = static_cast<int32_t>(DecodeFixed32BE(size_bytes));
  if (size < 0 || static_cast<uint32_t>(size) > options_.max_response_bytes)
    return Fail(Status::Corruption(fmt::format("response size {} is outside 0..{}", size,
                                               options_.max_response_bytes)),
                api);
  frame_.resize(static_cast<size_t>(size));
  if (Status s = RecvAll(frame_.data(), frame_.size(), deadline); !s.ok()) return Fail(s, api);
  int32_t got_id = 0;
  auto offset = protocol::DecodeResponseHeader(frame_, api_key, version, &got_id);
  if (!offset.ok()) return Fail(offset.status(), api);
  if (got_id != correlation_id)
    return Fail(Status::Corruption(
                    fmt::format("response correlation id {}, expected {}", got_id, correlation_id)),
                api);
  *body_offset = *offset;
  return Status::Ok();
}

}  // namespace kq::replica
