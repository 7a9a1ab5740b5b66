// kq-serve: serves a log directory over the Kafka wire protocol, so Kafka
// clients (kcat, librdkafka, kafkajs, the Java client) and `kq-* -b` work
// against it while the kq tools keep using the directory. This file only
// turns flags into a ServerConfig; the server is core/server/.
#include <CLI/CLI.hpp>

#include "common/common_flags.h"
#include "common/exit_codes.h"
#include "server/serve.h"
#include "server/server_log.h"

using namespace kq::tools;

namespace {

constexpr std::string_view kTool = "serve";

struct ServeFlags {
  std::vector<std::string> configs;  // --config key=value, in order
  std::string config_file;
  std::string listen;
  std::string advertise;
  std::string users;
  std::string acl;
  std::string metrics;
  std::string schema_registry;
};

int Run(const CommonFlags& common, const ServeFlags& flags) {
  if (!common.brokers.empty())
    return ReportUsageError(kTool, "-b makes no sense here: kq-serve serves a log directory (-d)");
  if (!flags.acl.empty() && flags.users.empty())
    return ReportUsageError(kTool, "--acl needs --users: ACL rules name authenticated users");
  kq::server::ServeOptions options;
  options.log_dir = common.dir;
  options.users_file = flags.users;
  options.acl_file = flags.acl;
  options.metrics_listen = flags.metrics;
  options.schema_registry_listen = flags.schema_registry;
  kq::server::ServerConfig& config = options.config;
  // Precedence, lowest first: the file, then --config, then the shorthands.
  if (!flags.config_file.empty())
    if (kq::Status s = config.LoadPropertiesFile(flags.config_file); !s.ok())
      return s.IsInvalidArgument() ? ReportUsageError(kTool, s.message()) : ReportError(kTool, s);
  for (const std::string& kv : flags.configs) {
    auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0)
      return ReportUsageError(kTool, "--config " + kv + ": expected KEY=VALUE");
    if (kq::Status s = config.Set(kv.substr(0, eq), kv.substr(eq + 1)); !s.ok())
      return ReportUsageError(kTool, "--config: " + s.message());
  }
  if (!flags.listen.empty())
    if (kq::Status s = config.Set("listeners", flags.listen); !s.ok())
      return ReportUsageError(kTool, "--listen: " + s.message());
  if (!flags.advertise.empty())
    if (kq::Status s = config.Set("advertised.listeners", flags.advertise); !s.ok())
      return ReportUsageError(kTool, "--advertise: " + s.message());
  if (config.IsSet("log.dirs") && !config.Get("log.dirs").empty())
    options.log_dir = config.Get("log.dirs");
  if (common.quiet) kq::server::SetLogLevel(kq::server::LogLevel::kWarn);
  if (common.verbose > 0) kq::server::SetLogLevel(kq::server::LogLevel::kDebug);
  kq::Status s = kq::server::RunServer(options);
  return s.ok() ? 0 : ReportError(kTool, s);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "Serve a kq log directory over the Kafka wire protocol: Kafka clients produce, consume and "
      "administer topics through it while the kq tools keep working on the same directory. "
      "Plaintext only: for TLS, put a TLS terminator (stunnel, haproxy) in front."};
  CommonFlags common;
  AddCommonFlags(app, kTool, &common);
  ServeFlags flags;
  app.add_option("--config", flags.configs,
                 "Set a Kafka broker config, e.g. num.partitions=3 (repeatable; wins over "
                 "--config-file)")
      ->type_name("KEY=VALUE");
  app.add_option("--config-file", flags.config_file,
                 "Read broker configs from a Kafka server.properties file")
      ->type_name("FILE");
  app.add_option("--listen", flags.listen,
                 "Address to listen on (listeners); default 127.0.0.1:9092")
      ->type_name("HOST:PORT");
  app.add_option("--advertise", flags.advertise,
                 "Address clients are told to connect to (advertised.listeners); default: the "
                 "listen address")
      ->type_name("HOST:PORT");
  app.add_option("--users", flags.users,
                 "Require SASL/PLAIN authentication against FILE (lines of NAME:PASSWORD)")
      ->type_name("FILE");
  app.add_option("--acl", flags.acl,
                 "Allow only what FILE's rules grant (lines of PRINCIPAL read|write|admin|all "
                 "topic|group NAME); needs --users")
      ->type_name("FILE");
  app.add_option("--metrics", flags.metrics,
                 "Serve Prometheus metrics at http://HOST:PORT/metrics (requests, errors, "
                 "latency, bytes, partition offsets, group lag)")
      ->type_name("HOST:PORT");
  app.add_option("--schema-registry", flags.schema_registry,
                 "Serve the directory's schema registry at http://HOST:PORT with Confluent "
                 "Schema Registry's REST API")
      ->type_name("HOST:PORT");
  SetExamples(app, {"kq-serve -d /var/lib/kq",
                    "kq-serve --listen 127.0.0.1:19092 --config num.partitions=3",
                    "kq-serve --config-file server.properties",
                    "kq-serve --users users.txt --acl acl.txt", "kcat -b 127.0.0.1:9092 -L"});
  return RunApp(app, argc, argv, kTool, [&] { return Run(common, flags); });
}
