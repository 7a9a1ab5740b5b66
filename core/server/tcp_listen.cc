#include "server/tcp_listen.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <fmt/format.h>
#include <uv.h>

namespace kq::server {

Result<uint16_t> ListenTcp(uv_loop_s* loop, const HostPort& address, const char* what, void* data,
                           void (*on_connection)(uv_stream_s*, int), uv_tcp_s** listener) {
  sockaddr_storage addr{};
  const std::string& host = address.host;
  int rc = host.find(':') != std::string::npos
               ? uv_ip6_addr(host.c_str(), address.port, reinterpret_cast<sockaddr_in6*>(&addr))
               : uv_ip4_addr(host.c_str(), address.port, reinterpret_cast<sockaddr_in*>(&addr));
  if (rc != 0)
    return Status::InvalidArgument(
        fmt::format("{} address '{}': {}", what, address.ToString(), uv_strerror(rc)));
  auto* tcp = new uv_tcp_t;
  uv_tcp_init(loop, tcp);
  tcp->data = data;
  *listener = tcp;
  if ((rc = uv_tcp_bind(tcp, reinterpret_cast<sockaddr*>(&addr), 0)) == 0)
    rc = uv_listen(reinterpret_cast<uv_stream_t*>(tcp), 511, on_connection);
  if (rc != 0)
    return Status::IoError(
        fmt::format("cannot listen for {} on {}: {}", what, address.ToString(), uv_strerror(rc)));
  sockaddr_storage bound{};
  int len = sizeof(bound);
  uv_tcp_getsockname(tcp, reinterpret_cast<sockaddr*>(&bound), &len);
  return ntohs(bound.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port
                                           : reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
}

}  // namespace kq::server
