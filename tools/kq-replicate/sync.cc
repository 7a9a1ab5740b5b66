// kq-replicate SOURCE DEST: one sync, or --follow until a signal.
#include <csignal>

#include <atomic>
#include <chrono>
#include <memory>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/exit_codes.h"
#include "common/output.h"
#include "io/env.h"
#include "log/log_dir.h"
#include "replica/dir_source.h"
#include "replica/kafka_source.h"
#include "replica/sync.h"
#include "replicate.h"

namespace kq::tools::replicate {
namespace {

std::atomic<bool> g_stop{false};

void OnSignal(int) { g_stop = true; }

bool IsKafkaUrl(const std::string& s) { return s.starts_with("kafka://"); }

Result<std::unique_ptr<replica::Source>> OpenSource(io::Env* env, const Args& args) {
  if (IsKafkaUrl(args.source)) {
    replica::KafkaSourceOptions options;
    options.replica_id = args.replica_id;
    auto kafka = replica::KafkaSource::Open(args.source, options);
    if (!kafka.ok()) return kafka.status().WithPrefix(fmt::format("source {}", args.source));
    return std::unique_ptr<replica::Source>(std::move(*kafka));
  }
  auto dir = replica::DirSource::Open(env, args.source);
  if (!dir.ok()) return dir.status().WithPrefix(fmt::format("source {}", args.source));
  return std::unique_ptr<replica::Source>(std::move(*dir));
}

std::string HumanBytes(int64_t bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(bytes);
  int u = 0;
  while (v >= 1024 && u < 4) {
    v /= 1024;
    ++u;
  }
  return u == 0 ? fmt::format("{} B", bytes) : fmt::format("{:.1f} {}", v, units[u]);
}

nlohmann::json StatusJson(const Args& args, const replica::SyncSummary& s, int64_t now_ms) {
  nlohmann::json parts = nlohmann::json::array();
  for (const replica::PartitionLag& l : s.lag) {
    parts.push_back({{"topic", l.topic},
                     {"partition", l.partition.value()},
                     {"dest_end", l.dest_end.value()},
                     {"source_end", l.source_end.value()},
                     {"lag", l.lag()}});
  }
  return {{"source", args.source},        {"dest", args.dest},    {"updated_ms", now_ms},
          {"lag", s.total_lag()},         {"batches", s.batches}, {"bytes", s.bytes},
          {"truncations", s.truncations}, {"partitions", parts}};
}

}  // namespace

Reporter::Reporter(io::Env* env, const Args& args)
    : env_(env), args_(args), progress_(!args.common.quiet && IsTerminal(2)) {}

void Reporter::Round(const replica::SyncSummary& s) {
  const auto now = std::chrono::steady_clock::now();
  if (progress_.enabled() && progress_.Due()) {
    progress_.Show(fmt::format("{} partitions  {} batches  {}  lag {}", s.partitions, s.batches,
                               HumanBytes(s.bytes), s.total_lag()));
  }
  if (!args_.status_file.empty() && now - last_status_ >= std::chrono::seconds(1)) {
    WriteStatus(s);
    last_status_ = now;
  }
}

void Reporter::WriteStatus(const replica::SyncSummary& s) {
  Status st =
      env_->WriteFileAtomic(args_.status_file, StatusJson(args_, s, env_->NowMs()).dump() + "\n");
  if (!st.ok() && !warned_) {
    fmt::print(stderr, "{}: --status-file: {}\n", ProgramName(kTool), st.message());
    warned_ = true;
  }
}

void Reporter::Clear() { progress_.Clear(); }

void StopOnSignals() {
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
}

bool StopRequested() { return g_stop.load(); }

int ReportSummary(const Args& args, const replica::SyncSummary& s) {
  if (args.json) {
    nlohmann::json j = {{"topics_created", s.topics_created},
                        {"partitions", s.partitions},
                        {"batches", s.batches},
                        {"bytes", s.bytes},
                        {"truncations", s.truncations},
                        {"restarts", s.restarts},
                        {"lag", s.total_lag()}};
    return PrintOut(kTool, j.dump() + "\n");
  }
  if (!args.common.quiet) {
    fmt::print(stderr, "{}: {} partitions, {} batches, {} copied, {} truncated, {} restarted{}\n",
               ProgramName(kTool), s.partitions, s.batches, HumanBytes(s.bytes), s.truncations,
               s.restarts,
               s.topics_created ? fmt::format(", {} topics created", s.topics_created) : "");
  }
  return kExitOk;
}

int RunSync(const Args& args) {
  if (!args.status_file.empty() && !args.follow) {
    return ReportUsageError(kTool, "--status-file needs --follow");
  }
  if (args.replica_id != -1 && !IsKafkaUrl(args.source)) {
    return ReportUsageError(kTool, "--replica-id needs a kafka:// SOURCE");
  }
  if (IsKafkaUrl(args.dest)) return RunMirror(args);
  io::Env* env = io::Env::Default();
  auto source = OpenSource(env, args);
  if (!source.ok()) return ReportError(kTool, source.status());
  auto dest = log::LogDir::Open(env, args.dest, /*create_if_missing=*/true);
  if (!dest.ok()) return ReportError(kTool, dest.status().WithPrefix("DEST " + args.dest));

  Reporter reporter(env, args);
  replica::SyncOptions options;
  options.topics = args.topics;
  options.follow = args.follow;
  options.on_round = [&](const replica::SyncSummary& s) { reporter.Round(s); };
  if (args.common.verbose > 0) {
    options.note = [&](std::string_view line) {
      reporter.Clear();
      fmt::print(stderr, "{}: {}\n", ProgramName(kTool), line);
    };
  }
  if (args.follow) {
    StopOnSignals();
    options.stop = StopRequested;
  }
  auto summary = replica::Sync(**source, *dest, options);
  reporter.Clear();
  if (!summary.ok()) return ReportError(kTool, summary.status());
  if (!args.status_file.empty()) reporter.WriteStatus(*summary);
  return ReportSummary(args, *summary);
}

}  // namespace kq::tools::replicate
