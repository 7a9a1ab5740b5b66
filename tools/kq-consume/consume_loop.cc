// kq-consume's run: checked settings → one RecordSource, chosen once from
// -d/-b (a log directory or a cluster) → records through RecordPrinter into
// one OutputWriter buffer. The buffer is flushed when full and whenever the
// reader catches up (so `kq-consume -F t | grep x` never stalls); the source
// commits a group's positions only after such a flush.
#include <poll.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <memory>
#include <optional>
#include <thread>

#include <fmt/format.h>

#include "client/log_record_source.h"
#include "client/record_source.h"
#include "common/exit_codes.h"
#include "common/output.h"
#include "io/env.h"
#include "kafka/cluster_record_source.h"
#include "kq-consume/consume_settings.h"
#include "kq-consume/record_printer.h"

namespace kq::tools::consume {
namespace {

constexpr std::string_view kTool = "consume";

std::atomic<client::RecordSource*> g_source{nullptr};

void OnStopSignal(int) {
  if (client::RecordSource* s = g_source.load()) s->Stop();
}

// A cluster follower writes nothing while the topic is idle, and librdkafka's
// poll cannot watch stdout, so a reader that went away
// (`kq-consume -b B -F t | head -1`) would go unnoticed: this thread watches
// stdout for a hangup and stops the source. (A log directory's source
// watches it itself: LogRecordSourceOptions::hangup_fd.)
class HangupWatch {
 public:
  explicit HangupWatch(client::RecordSource* source)
      : source_(source), thread_([this] { Run(); }) {}
  ~HangupWatch() {
    done_.store(true);
    thread_.join();
  }
  bool hung_up() const { return hung_up_.load(); }

 private:
  void Run() {
    while (!done_.load()) {
      pollfd p{1, 0, 0};  // POLLERR/POLLHUP are reported whatever is asked
      if (::poll(&p, 1, 100) > 0 && (p.revents & (POLLERR | POLLHUP)) != 0) {
        hung_up_.store(true);
        source_->Stop();
        return;
      }
    }
  }

  client::RecordSource* source_;
  std::atomic<bool> done_{false};
  std::atomic<bool> hung_up_{false};
  std::thread thread_;
};

}  // namespace

std::unique_ptr<client::RecordSource> OpenSource(const ConsumeSettings& s, int hangup_fd) {
  if (s.use_cluster) return std::make_unique<kafka::ClusterRecordSource>(s.cluster);
  return std::make_unique<client::LogRecordSource>(
      client::LogRecordSourceOptions{.env = io::Env::Default(),
                                     .log_dir = s.dir,
                                     .poll_interval = std::chrono::milliseconds(s.poll_ms),
                                     .hangup_fd = hangup_fd});
}

Result<client::ReadRequest> RequestFor(const ConsumeSettings& s) {
  using Kind = OffsetSpec::Kind;
  // A cluster group resumes from its committed offsets, so -o only says
  // where it has none (a directory's group also takes -N, s@, ...).
  if (s.use_cluster && !s.group.empty() && s.offset.kind != Kind::kBeginning &&
      s.offset.kind != Kind::kEnd && s.offset.kind != Kind::kStored) {
    return Status::InvalidArgument(
        fmt::format("-o {}: with -G the start is the group's committed offset; -o may only say "
                    "beginning, end or stored (where the group has none)",
                    DescribeOffsetSpec(s.offset)));
  }
  client::ReadRequest r;
  r.selections = s.selections;
  r.start = StartFor(s.offset);
  r.end_timestamp_ms = s.offset.end_timestamp_ms;
  r.follow = s.follow;
  r.ordered = s.ordered;
  if (s.count) r.max_records = static_cast<uint64_t>(*s.count);
  r.group = s.group;
  return r;
}

namespace {

Status Consume(const ConsumeSettings& s) {
  KQ_ASSIGN_OR_RETURN(client::ReadRequest request, RequestFor(s));
  std::unique_ptr<client::RecordSource> source = OpenSource(s, /*hangup_fd=*/1);
  RecordPrinter printer(s);
  // -s: keys and values decoded with the registry before printing.
  std::unique_ptr<SchemaDecoder> decoder;
  if (s.serdes.any()) {
    KQ_ASSIGN_OR_RETURN(decoder, SchemaDecoder::Open(s.dir, s.serdes));
  }
  client::ConsumedRecord decoded;
  OutputWriter out;
  Progress progress(IsTerminal(2) && !IsTerminal(1) && !s.quiet);
  int64_t printed = 0;
  client::ReadCallbacks cb;
  cb.sink = [&](const client::ConsumedRecord& r) {
    if (decoder && !decoder->Decode(r, &decoded)) return Status::Ok();
    printer.Print(decoder ? decoded : r, out.buffer());
    ++printed;
    if (progress.Due()) progress.Show(fmt::format("{} records", printed));
    return out.MaybeFlush();
  };
  cb.flush = [&] { return out.Flush(); };
  if (!s.quiet) {
    cb.on_skipped = [](std::string_view topic, int32_t partition, Offset wanted,
                       Offset resumed_at) {
      fmt::print(stderr,
                 "kq-consume: {}:{}: offsets {}..{} are gone (retention or trim); continuing at "
                 "{}\n",
                 topic, partition, wanted.value(), resumed_at.value() - 1, resumed_at.value());
    };
  }
  if (s.verbose > 0) {
    cb.note = [](std::string_view text) { fmt::print(stderr, "kq-consume: {}\n", text); };
  }
  g_source.store(source.get());
  // SIGINT/SIGTERM end a follower (and any cluster read, which must leave
  // its group) like the end of the log, after a last flush and commit. A
  // plain directory read keeps the default: it holds nothing to hand back.
  if (s.follow || s.use_cluster) {
    std::signal(SIGINT, OnStopSignal);
    std::signal(SIGTERM, OnStopSignal);
  }
  std::optional<HangupWatch> hangup;
  if (s.use_cluster && s.follow) hangup.emplace(source.get());
  Status st = source->Read(request, cb);
  const bool hung_up = hangup && hangup->hung_up();
  hangup.reset();
  g_source.store(nullptr);
  progress.Clear();
  if (hung_up) return BrokenPipeStatus();
  Status flushed = out.Flush();
  if (st.ok() && flushed.ok() && decoder && decoder->failures() > 0) {
    return Status::InvalidArgument(fmt::format("{} record{} could not be decoded (-s)",
                                               decoder->failures(),
                                               decoder->failures() == 1 ? "" : "s"));
  }
  return st.ok() ? flushed : st;
}

}  // namespace

int RunConsume(const CommonFlags& common, const ConsumeFlags& flags) {
  auto settings = CheckFlags(common, flags);
  if (!settings.ok()) {
    if (settings.status().IsInvalidArgument()) {
      return ReportUsageError(kTool, settings.status().message());
    }
    return ReportError(kTool, settings.status());
  }
  return ReportError(kTool, Consume(*settings));
}

}  // namespace kq::tools::consume
