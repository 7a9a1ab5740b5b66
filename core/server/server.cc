#include "server/server.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <fmt/format.h>
#include <uv.h>

#include "server/server_log.h"
#include "server/tcp_listen.h"

namespace kq::server {
namespace {

template <typename Handle>
void CloseAndDelete(Handle* h) {
  if (h == nullptr) return;
  uv_close(reinterpret_cast<uv_handle_t*>(h),
           [](uv_handle_t* handle) { delete reinterpret_cast<Handle*>(handle); });
}

std::string PeerName(uv_tcp_t* tcp) {
  sockaddr_storage addr{};
  int len = sizeof(addr);
  if (uv_tcp_getpeername(tcp, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return "?";
  char host[INET6_ADDRSTRLEN] = "?";
  int port = 0;
  if (addr.ss_family == AF_INET) {
    auto* in = reinterpret_cast<sockaddr_in*>(&addr);
    uv_ip4_name(in, host, sizeof(host));
    port = ntohs(in->sin_port);
  } else if (addr.ss_family == AF_INET6) {
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&addr);
    uv_ip6_name(in6, host, sizeof(host));
    port = ntohs(in6->sin6_port);
  }
  return HostPort{host, static_cast<uint16_t>(port)}.ToString();
}

}  // namespace

Server::Server(uv_loop_s* loop, ServerOptions options, RequestHandler* handler)
    : loop_(loop), options_(std::move(options)), handler_(handler) {
  limits_.max_request_bytes = options_.max_request_bytes;
  limits_.max_queued_request_bytes = options_.max_queued_request_bytes;
}

Server::~Server() {
  auto all = std::move(connections_);
  connections_.clear();
  for (auto& [id, conn] : all) conn->Close("server stopped");
  CloseAndDelete(listener_);
  CloseAndDelete(idle_timer_);
  CloseAndDelete(grace_timer_);
}

Status Server::Listen() {
  KQ_ASSIGN_OR_RETURN(port_, ListenTcp(
                                 loop_, options_.listen, "Kafka clients", this,
                                 [](uv_stream_t* s, int status) {
                                   static_cast<Server*>(s->data)->OnConnection(status);
                                 },
                                 &listener_));

  idle_timer_ = new uv_timer_t;
  uv_timer_init(loop_, idle_timer_);
  idle_timer_->data = this;
  uint64_t every =
      static_cast<uint64_t>(std::clamp<int64_t>(options_.idle_timeout_ms / 4, 10, 1000));
  uv_timer_start(
      idle_timer_, [](uv_timer_t* t) { static_cast<Server*>(t->data)->CheckIdle(); }, every, every);
  return Status::Ok();
}

void Server::OnConnection(int status) {
  if (status < 0) {
    LogEvent(LogLevel::kWarn, "accept_failed", {{"error", uv_strerror(status)}});
    return;
  }
  auto* tcp = new uv_tcp_t;
  uv_tcp_init(loop_, tcp);
  if (uv_accept(reinterpret_cast<uv_stream_t*>(listener_), reinterpret_cast<uv_stream_t*>(tcp)) !=
      0) {
    CloseAndDelete(tcp);
    return;
  }
  std::string peer = PeerName(tcp);
  if (shutting_down_ || static_cast<int64_t>(connections_.size()) >= options_.max_connections) {
    LogEvent(LogLevel::kWarn, "connection_refused",
             {{"peer", peer},
              {"reason", shutting_down_ ? "shutting down" : "max.connections reached"},
              {"limit", std::to_string(options_.max_connections)}});
    CloseAndDelete(tcp);
    return;
  }
  uv_tcp_nodelay(tcp, 1);
  uint64_t id = next_id_++;
  auto conn = std::make_shared<Connection>(tcp, id, peer, handler_, &limits_,
                                           [this](Connection* c) { OnConnectionClosed(c); });
  connections_.emplace(id, conn);
  LogEvent(LogLevel::kInfo, "connect", {{"conn", std::to_string(id)}, {"peer", peer}});
  conn->Start();
}

void Server::OnConnectionClosed(Connection* connection) {
  // Every path into Connection::Close holds a reference of its own, so the
  // object outlives this erase until its callback chain unwinds.
  connections_.erase(connection->id());
  // Freed request budget may let paused connections read again.
  for (auto& [id, conn] : connections_) conn->MaybeResumeReading();
  FinishShutdownIfDone();
}

void Server::CheckIdle() {
  auto now = std::chrono::steady_clock::now();
  std::vector<std::shared_ptr<Connection>> idle;
  for (auto& [id, conn] : connections_) {
    auto quiet = std::chrono::duration_cast<std::chrono::milliseconds>(now - conn->last_active());
    if (conn->outstanding() == 0 && quiet.count() >= options_.idle_timeout_ms) idle.push_back(conn);
  }
  for (auto& conn : idle) conn->Close("idle longer than connections.max.idle.ms");
  if (limits_.queued_request_bytes + limits_.buffered_bytes <= limits_.max_queued_request_bytes)
    for (auto& [id, conn] : connections_) conn->MaybeResumeReading();
}

void Server::Shutdown(int64_t grace_ms, std::function<void()> done) {
  shutting_down_ = true;
  shutdown_done_ = std::move(done);
  if (listener_) {
    CloseAndDelete(listener_);
    listener_ = nullptr;
  }
  std::vector<std::shared_ptr<Connection>> all;
  for (auto& [id, conn] : connections_) all.push_back(conn);
  for (auto& conn : all) conn->Drain();
  grace_timer_ = new uv_timer_t;
  uv_timer_init(loop_, grace_timer_);
  grace_timer_->data = this;
  uv_timer_start(
      grace_timer_,
      [](uv_timer_t* t) {
        auto* self = static_cast<Server*>(t->data);
        std::vector<std::shared_ptr<Connection>> left;
        for (auto& [id, conn] : self->connections_) left.push_back(conn);
        for (auto& conn : left) conn->Close("shutdown grace period over");
        self->FinishShutdownIfDone();
      },
      static_cast<uint64_t>(grace_ms), 0);
  FinishShutdownIfDone();
}

void Server::FinishShutdownIfDone() {
  if (!shutting_down_ || !connections_.empty() || !shutdown_done_) return;
  auto done = std::move(shutdown_done_);
  shutdown_done_ = nullptr;
  CloseAndDelete(idle_timer_);
  idle_timer_ = nullptr;
  CloseAndDelete(grace_timer_);
  grace_timer_ = nullptr;
  done();
}

}  // namespace kq::server
