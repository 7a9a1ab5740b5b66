#include "server/serve.h"

#include <sys/stat.h>

#include <csignal>

#include <fmt/format.h>
#include <uv.h>

#include "io/env.h"
#include "log/log_dir.h"
#include "server/broker.h"
#include "server/metrics_http.h"
#include "server/schema_registry_http.h"
#include "server/server.h"
#include "server/server_log.h"

namespace kq::server {
namespace {

struct SignalContext {
  Server* server;
  Broker* broker;
  uv_signal_t sigterm;
  uv_signal_t sigint;
  uv_loop_t* loop;
  int64_t grace_ms;
  bool stopping = false;
};

void OnSignal(uv_signal_t* handle, int signum) {
  auto* ctx = static_cast<SignalContext*>(handle->data);
  if (ctx->stopping) return;
  ctx->stopping = true;
  LogEvent(LogLevel::kInfo, "shutdown", {{"signal", signum == SIGTERM ? "SIGTERM" : "SIGINT"}});
  // The connections stop reading new requests and drain; what waits is
  // answered now: fetches with what they have, produces after their sync,
  // joins and syncs with NOT_COORDINATOR (clients look for it again).
  ctx->server->Shutdown(ctx->grace_ms, [ctx] {
    uv_signal_stop(&ctx->sigterm);
    uv_signal_stop(&ctx->sigint);
    uv_stop(ctx->loop);
  });
  ctx->broker->AnswerWaiting();
}

}  // namespace

Status RunServer(const ServeOptions& options) {
  std::signal(SIGPIPE, SIG_IGN);  // a vanished client is an EPIPE, not a death
  std::optional<Users> users;
  std::optional<Acl> acl;
  if (!options.users_file.empty()) {
    KQ_ASSIGN_OR_RETURN(users, Users::Load(options.users_file));
    struct stat st {};
    if (::stat(options.users_file.c_str(), &st) == 0 && (st.st_mode & 0077) != 0)
      LogEvent(LogLevel::kWarn, "users_file_readable",
               {{"file", options.users_file}, {"advice", "chmod 600: it holds passwords"}});
  }
  std::optional<HostPort> metrics_listen;
  if (!options.metrics_listen.empty()) {
    auto parsed = ParseListener(options.metrics_listen);
    if (!parsed.ok())
      return Status::InvalidArgument(fmt::format("--metrics: {}", parsed.status().message()));
    metrics_listen = *parsed;
  }
  std::optional<HostPort> registry_listen;
  if (!options.schema_registry_listen.empty()) {
    auto parsed = ParseListener(options.schema_registry_listen);
    if (!parsed.ok())
      return Status::InvalidArgument(
          fmt::format("--schema-registry: {}", parsed.status().message()));
    registry_listen = *parsed;
  }
  if (!options.acl_file.empty()) {
    if (!users)
      return Status::InvalidArgument("--acl needs --users: ACLs name authenticated users");
    KQ_ASSIGN_OR_RETURN(acl, Acl::Load(options.acl_file));
  }
  KQ_ASSIGN_OR_RETURN(log::LogDir log_dir,
                      log::LogDir::Open(io::Env::Default(), options.log_dir, true));
  uv_loop_t loop;
  if (int rc = uv_loop_init(&loop); rc != 0)
    return Status::IoError(fmt::format("uv_loop_init: {}", uv_strerror(rc)));
  Status result;
  {
    auto broker = Broker::Create(&loop, options.config, std::move(log_dir));
    if (!broker.ok()) {
      result = broker.status();
    } else {
      (*broker)->SetAccess(std::move(users), std::move(acl));
      ServerOptions server_options;
      server_options.listen = options.config.listener();
      server_options.max_connections = options.config.GetInt("max.connections");
      server_options.idle_timeout_ms = options.config.GetInt("connections.max.idle.ms");
      server_options.max_request_bytes = options.config.GetInt("socket.request.max.bytes");
      server_options.max_queued_request_bytes = options.config.GetInt("queued.max.request.bytes");
      Server server(&loop, server_options, broker->get());
      result = server.Listen();
      Broker* b = broker->get();
      b->metrics().SetCollector([b, &server](std::vector<Metrics::Sample>* out) {
        out->push_back({"kq_connections", {}, static_cast<double>(server.connection_count())});
        b->CollectGauges(out);
      });
      std::unique_ptr<HttpListener> metrics_http;
      if (result.ok() && metrics_listen) {
        metrics_http = std::make_unique<HttpListener>(
            &loop, MetricsHttpOptions(*metrics_listen),
            MetricsHttpHandler([b] { return b->metrics().Render(); }));
        result = metrics_http->Listen();
        if (result.ok())
          LogEvent(LogLevel::kInfo, "metrics",
                   {{"address", HostPort{metrics_listen->host, metrics_http->port()}.ToString()}});
      }
      std::unique_ptr<HttpListener> registry_http;
      if (result.ok() && registry_listen) {
        auto registry = schema::Registry::Open(io::Env::Default(), options.log_dir);
        result = registry.status();
        if (result.ok()) {
          registry_http =
              std::make_unique<HttpListener>(&loop, SchemaRegistryHttpOptions(*registry_listen),
                                             SchemaRegistryHttpHandler(std::move(*registry)));
          result = registry_http->Listen();
        }
        if (result.ok())
          LogEvent(
              LogLevel::kInfo, "schema_registry",
              {{"address", HostPort{registry_listen->host, registry_http->port()}.ToString()}});
      }
      if (result.ok()) {
        (*broker)->SetListeningPort(server.port());
        LogEvent(LogLevel::kInfo, "listening",
                 {{"address", HostPort{server_options.listen.host, server.port()}.ToString()},
                  {"advertised", (*broker)->advertised().ToString()},
                  {"log_dir", options.log_dir}});
        if (options.on_listening) options.on_listening(server.port());
        SignalContext ctx{&server, broker->get(), {}, {}, &loop, options.shutdown_grace_ms};
        uv_signal_init(&loop, &ctx.sigterm);
        uv_signal_init(&loop, &ctx.sigint);
        ctx.sigterm.data = ctx.sigint.data = &ctx;
        uv_signal_start(&ctx.sigterm, OnSignal, SIGTERM);
        uv_signal_start(&ctx.sigint, OnSignal, SIGINT);
        uv_run(&loop, UV_RUN_DEFAULT);
        uv_close(reinterpret_cast<uv_handle_t*>(&ctx.sigterm), nullptr);
        uv_close(reinterpret_cast<uv_handle_t*>(&ctx.sigint), nullptr);
        result = (*broker)->Shutdown();
        LogEvent(LogLevel::kInfo, "stopped", {{"status", result.ok() ? "ok" : result.ToString()}});
      }
    }
  }
  // Let every closed handle's callback run before the loop goes.
  uv_run(&loop, UV_RUN_DEFAULT);
  uv_loop_close(&loop);
  return result;
}

}  // namespace kq::server
