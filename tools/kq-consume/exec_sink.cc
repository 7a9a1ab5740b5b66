#include "kq-consume/exec_sink.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "base/time_spec.h"
#include "client/producer.h"
#include "client/record_source.h"
#include "common/exit_codes.h"
#include "groups/offsets_store.h"
#include "io/env.h"
#include "kq-consume/record_printer.h"
#include "kq-consume/schema_decoder.h"
#include "log/log_dir.h"
#include "log/topic_name.h"
#include "pipe/command.h"
#include "pipe/steady_clock.h"

namespace kq::tools::consume {
namespace {

constexpr std::string_view kTool = "consume";
// The longest wait between two retries.
constexpr int64_t kMaxBackoffMs = 60000;

std::atomic<client::RecordSource*> g_exec_source{nullptr};

void OnExecStop(int) {
  if (client::RecordSource* s = g_exec_source.load()) s->Stop();
}

// One record kept for a dead-letter write.
struct KeptRecord {
  int64_t offset = 0;
  int64_t timestamp = -1;
  std::optional<std::string> key;
  std::optional<std::string> value;
  std::vector<std::pair<std::string, std::optional<std::string>>> headers;
};

// One partition's batch being collected.
struct Batch {
  std::string topic;
  int32_t partition = 0;
  int64_t first_offset = -1;
  int64_t last_offset = -1;
  uint64_t records = 0;
  int64_t started_ms = 0;
  std::string input;             // the records as CMD reads them
  std::vector<KeptRecord> kept;  // for --dead-letter only
};

class ExecSink {
 public:
  ExecSink(const ConsumeSettings& settings, const ExecFlags& exec)
      : settings_(settings), exec_(exec), printer_(settings) {}

  Status OpenDeadLetter() {
    // -s: what CMD reads is decoded with the registry, as kq-consume prints it.
    if (settings_.serdes.any()) {
      KQ_ASSIGN_OR_RETURN(decoder_, SchemaDecoder::Open(settings_.dir, settings_.serdes));
    }
    if (exec_.dead_letter.empty()) return Status::Ok();
    io::Env* env = io::Env::Default();
    KQ_ASSIGN_OR_RETURN(log::LogDir dir, log::LogDir::Open(env, settings_.dir, false));
    client::ProducerOptions o;
    o.env = env;
    o.flush = log::FlushPolicy{};  // fsync: durable before the commit that follows
    KQ_ASSIGN_OR_RETURN(dead_letter_, client::LogProducer::Open(dir, exec_.dead_letter, o));
    return Status::Ok();
  }

  Status Take(const client::ConsumedRecord& r) {
    if (!failed_.ok()) return failed_;
    // A record -s cannot decode is reported (by the decoder) and left out.
    if (decoder_ != nullptr && !decoder_->Decode(r, &decoded_)) return Status::Ok();
    auto key = std::make_pair(std::string(r.topic), r.partition);
    Batch& b = batches_[key];
    if (b.records == 0) {
      b.topic = std::string(r.topic);
      b.partition = r.partition;
      b.first_offset = r.record->offset;
      b.started_ms = pipe::SteadyMs();
    }
    b.last_offset = r.record->offset;
    ++b.records;
    printer_.Print(decoder_ != nullptr ? decoded_ : r, &b.input);
    if (dead_letter_ != nullptr) {
      KeptRecord k;
      k.offset = r.record->offset;
      k.timestamp = r.record->timestamp;
      if (r.record->key) k.key = std::string(*r.record->key);
      if (r.record->value) k.value = std::string(*r.record->value);
      for (const auto& h : r.record->headers) {
        k.headers.emplace_back(
            std::string(h.key),
            h.value ? std::optional<std::string>(std::string(*h.value)) : std::nullopt);
      }
      b.kept.push_back(std::move(k));
    }
    if (b.records >= static_cast<uint64_t>(exec_.batch_records) ||
        b.input.size() >= static_cast<size_t>(exec_.batch_bytes)) {
      return RunBatch(key);
    }
    // Batches of other partitions that have waited long enough.
    const int64_t now = pipe::SteadyMs();
    for (auto it = batches_.begin(); it != batches_.end(); ++it) {
      if (it->second.records > 0 && now - it->second.started_ms >= exec_.batch_ms) {
        KQ_RETURN_IF_ERROR(RunBatch(it->first));
      }
    }
    return Status::Ok();
  }

  // Runs every pending batch: called when the reader caught up and before
  // each group commit, so a commit never covers a batch not run to exit 0.
  Status Flush() {
    if (!failed_.ok()) return failed_;
    for (auto& [key, b] : batches_) {
      if (b.records > 0) KQ_RETURN_IF_ERROR(RunBatch(key));
    }
    return Status::Ok();
  }

 private:
  Status RunBatch(const std::pair<std::string, int32_t>& key) {
    Batch& b = batches_[key];
    pipe::CommandOptions c;
    c.argv = {"/bin/sh", "-c", exec_.command};
    c.capture_stdout = false;
    Status last;
    for (int64_t attempt = 0; attempt <= exec_.retries; ++attempt) {
      if (attempt > 0) {
        const int64_t wait =
            std::min(kMaxBackoffMs, exec_.retry_backoff_ms << std::min<int64_t>(attempt - 1, 20));
        std::this_thread::sleep_for(std::chrono::milliseconds(wait));
      }
      c.env = {{"KQ_TOPIC", b.topic},
               {"KQ_PARTITION", std::to_string(b.partition)},
               {"KQ_FIRST_OFFSET", std::to_string(b.first_offset)},
               {"KQ_LAST_OFFSET", std::to_string(b.last_offset)},
               {"KQ_RECORDS", std::to_string(b.records)},
               {"KQ_GROUP", settings_.group},
               {"KQ_ATTEMPT", std::to_string(attempt + 1)}};
      Result<pipe::CommandRun> run = pipe::RunCommand(c, b.input, std::nullopt);
      if (!run.ok()) {
        last = run.status();
        break;  // cannot start the shell: retrying will not help
      }
      if (run->status.ok()) {
        good_end_[key] = b.last_offset + 1;
        Clear(b);
        return Status::Ok();
      }
      last_status_ = run->status;
      last = Status::IoError(
          fmt::format("--exec command failed ({}) on the batch of {}:{} offsets {}..{}",
                      run->status.ToString(), b.topic, b.partition, b.first_offset, b.last_offset));
      if (!settings_.quiet) {
        fmt::print(stderr, "kq-consume: {}{}\n", last.message(),
                   attempt < exec_.retries ? "; retrying" : "");
      }
    }
    if (dead_letter_ == nullptr) {
      failed_ = Status::IoError(
          fmt::format("{} (after {} retr{}); nothing was committed past offset {}", last.message(),
                      exec_.retries, exec_.retries == 1 ? "y" : "ies", b.first_offset));
      // The group commit only follows a flush, which this failure stops:
      // the good batches run since the last one are committed here.
      if (Status c = CommitGood(); !c.ok()) {
        failed_ = Status::IoError(fmt::format("{}; and committing the batches before it failed: {}",
                                              failed_.message(), c.message()));
      }
      return failed_;
    }
    KQ_RETURN_IF_ERROR(WriteDeadLetter(b, last));
    if (!settings_.quiet) {
      fmt::print(stderr, "kq-consume: wrote {} record{} of {}:{} to dead-letter topic '{}'\n",
                 b.records, b.records == 1 ? "" : "s", b.topic, b.partition, exec_.dead_letter);
    }
    Clear(b);
    return Status::Ok();
  }

  // Connect's error-reporting headers (__connect.errors.*), per record.
  Status WriteDeadLetter(const Batch& b, const Status& why) {
    const std::string partition = std::to_string(b.partition);
    const std::string status = last_status_.signaled ? fmt::format("signal {}", last_status_.signal)
                                                     : std::to_string(last_status_.code);
    for (const KeptRecord& k : b.kept) {
      const std::string offset = std::to_string(k.offset);
      std::vector<format::HeaderView> h;
      for (const auto& [name, value] : k.headers) {
        h.push_back({name, value ? std::optional<std::string_view>(*value) : std::nullopt});
      }
      h.push_back({"__connect.errors.topic", std::string_view(b.topic)});
      h.push_back({"__connect.errors.partition", std::string_view(partition)});
      h.push_back({"__connect.errors.offset", std::string_view(offset)});
      h.push_back({"__connect.errors.stage", std::string_view("TASK_PUT")});
      h.push_back(
          {"__connect.errors.exception.class.name", std::string_view("kq.exec.CommandFailed")});
      h.push_back({"__connect.errors.exception.message", std::string_view(why.message())});
      h.push_back({"__connect.errors.exec.exit.status", std::string_view(status)});
      client::ProducerRecord r;
      if (k.key) r.key = *k.key;
      if (k.value) r.value = *k.value;
      r.headers = h;
      r.timestamp = k.timestamp;
      KQ_RETURN_IF_ERROR(dead_letter_->Add(r).status());
    }
    return dead_letter_->Flush();
  }

  // Commits, per partition, the end of its last batch that ran to exit 0,
  // where that is past the group's committed offset (a partition that moved
  // to another member and on is left alone). Log directories only: with -b
  // the group's last commit stands.
  Status CommitGood() {
    if (settings_.group.empty() || settings_.use_cluster || good_end_.empty()) {
      return Status::Ok();
    }
    KQ_ASSIGN_OR_RETURN(auto store, groups::OffsetsStore::Open(io::Env::Default(), settings_.dir));
    KQ_ASSIGN_OR_RETURN(auto committed, store->Fetch(settings_.group));
    const int64_t now = kq::NowMs();
    std::vector<std::pair<groups::TopicPartition, groups::CommittedOffset>> batch;
    for (const auto& [key, end] : good_end_) {
      const groups::TopicPartition tp{key.first, key.second};
      auto it = committed.find(tp);
      if (it != committed.end() && it->second.offset >= end) continue;
      batch.push_back({tp, groups::CommittedOffset{end, -1, "", now}});
    }
    if (batch.empty()) return Status::Ok();
    return store->Commit(settings_.group, batch);
  }

  static void Clear(Batch& b) {
    b.records = 0;
    b.input.clear();
    b.kept.clear();
  }

  const ConsumeSettings& settings_;
  const ExecFlags& exec_;
  RecordPrinter printer_;
  std::map<std::pair<std::string, int32_t>, Batch> batches_;
  // Per partition, the offset after its last batch that ran to exit 0.
  std::map<std::pair<std::string, int32_t>, int64_t> good_end_;
  std::unique_ptr<client::LogProducer> dead_letter_;
  std::unique_ptr<SchemaDecoder> decoder_;
  client::ConsumedRecord decoded_;
  pipe::ExitStatus last_status_;
  Status failed_;  // once a batch failed for good, nothing more runs
};

Status CheckExecFlags(const ConsumeSettings& s, const ExecFlags& e) {
  const auto usage = [](std::string m) { return Status::InvalidArgument(std::move(m)); };
  if (e.batch_records < 1) return usage("--batch-records must be at least 1");
  if (e.batch_bytes < 1) return usage("--batch-bytes must be at least 1");
  if (e.batch_ms < 0) return usage("--batch-ms must not be negative");
  if (e.retries < 0 || e.retries > 100) return usage("--retries: expected 0..100");
  if (e.retry_backoff_ms < 0 || e.retry_backoff_ms > kMaxBackoffMs) {
    return usage(fmt::format("--retry-backoff-ms: expected 0..{}", kMaxBackoffMs));
  }
  if (!e.dead_letter.empty()) {
    if (Status v = log::ValidateTopicName(e.dead_letter); !v.ok()) {
      return usage(fmt::format("--dead-letter: {}", v.message()));
    }
    if (s.use_cluster) return usage("--dead-letter writes to a log directory only (not with -b)");
  }
  if (s.count) return usage("-c cannot be used with --exec");
  return Status::Ok();
}

}  // namespace

void AddExecFlags(CLI::App& app, ExecFlags* f) {
  app.option_defaults()->group("Running a command per batch");
  app.add_option("--exec", f->command,
                 "Run CMD (with sh -c) once per batch of one partition's records, the batch on "
                 "its stdin in the output format; with -G commit only after it exits 0")
      ->type_name("CMD");
  app.add_option("--batch-records", f->batch_records,
                 "With --exec: a batch ends at N records. Default: 500")
      ->type_name("N");
  app.add_option("--batch-bytes", f->batch_bytes,
                 "With --exec: a batch ends at N bytes of output. Default: 1048576")
      ->type_name("N");
  app.add_option("--batch-ms", f->batch_ms,
                 "With --exec: a batch ends when its first record is MS ms old (and whenever "
                 "the reader catches up). Default: 1000")
      ->type_name("MS");
  app.add_option("--retries", f->retries,
                 "With --exec: run a failed batch again up to N times. Default: 3")
      ->type_name("N");
  app.add_option("--retry-backoff-ms", f->retry_backoff_ms,
                 "With --exec: wait MS ms before the first retry, doubling each time. "
                 "Default: 100")
      ->type_name("MS");
  app.add_option("--dead-letter", f->dead_letter,
                 "With --exec: write a batch that still fails to TOPIC with "
                 "__connect.errors.* headers, commit, and go on (default: stop, exit 1)")
      ->type_name("TOPIC");
}

int RunExec(const CommonFlags& common, const ConsumeFlags& flags, const ExecFlags& exec) {
  Result<ConsumeSettings> settings = CheckFlags(common, flags);
  if (!settings.ok()) {
    if (settings.status().IsInvalidArgument()) {
      return ReportUsageError(kTool, settings.status().message());
    }
    return ReportError(kTool, settings.status());
  }
  const ConsumeSettings& s = *settings;
  if (Status e = CheckExecFlags(s, exec); !e.ok()) return ReportUsageError(kTool, e.message());
  ExecSink sink(s, exec);
  if (Status d = sink.OpenDeadLetter(); !d.ok()) return ReportError(kTool, d);

  // No hang-up watch: CMD, not kq-consume, writes to stdout.
  std::unique_ptr<client::RecordSource> source = OpenSource(s, /*hangup_fd=*/-1);
  Result<client::ReadRequest> request = RequestFor(s);
  if (!request.ok()) return ReportError(kTool, request.status());
  const client::ReadRequest& r = *request;
  client::ReadCallbacks cb;
  cb.sink = [&](const client::ConsumedRecord& rec) { return sink.Take(rec); };
  cb.flush = [&] { return sink.Flush(); };
  if (s.verbose > 0) {
    cb.note = [](std::string_view text) { fmt::print(stderr, "kq-consume: {}\n", text); };
  }
  ::signal(SIGPIPE, SIG_IGN);  // a CMD that does not read its input
  g_exec_source.store(source.get());
  struct sigaction sa {};
  sa.sa_handler = OnExecStop;
  sigemptyset(&sa.sa_mask);
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);
  Status st = source->Read(r, cb);
  g_exec_source.store(nullptr);
  return ReportError(kTool, st);
}

}  // namespace kq::tools::consume
