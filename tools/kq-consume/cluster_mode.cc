#include "kq-consume/cluster_mode.h"

#include <poll.h>

#include <atomic>
#include <csignal>
#include <optional>
#include <thread>

#include <fmt/format.h>

#include "common/exit_codes.h"
#include "kafka/consume.h"
#include "common/offset_spec.h"
#include "common/output.h"
#include "kq-consume/record_printer.h"

namespace kq::tools::consume {
namespace {

std::atomic<bool> g_cluster_stop{false};

void OnClusterStopSignal(int) { g_cluster_stop.store(true); }

// With -F nothing is written while the topic is idle, so a reader that went
// away (`kq-consume -F t | head -1`) would go unnoticed. This thread watches
// stdout for a hangup and stops the consumer, as FollowWatcher::WatchHangup
// does in directory mode.
class HangupWatch {
 public:
  HangupWatch() : thread_([this] { Run(); }) {}
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
        g_cluster_stop.store(true);
        return;
      }
    }
  }

  std::atomic<bool> done_{false};
  std::atomic<bool> hung_up_{false};
  std::thread thread_;
};

// The cluster consumer's request for the checked flags. With -G a cluster
// group resumes from its committed offsets, so -o only says where it has
// none.
Result<kafka::ConsumeRequest> RequestFor(const ConsumeSettings& settings) {
  using Kind = OffsetSpec::Kind;
  const OffsetSpec& offset = settings.offset;
  if (!settings.group.empty() && offset.kind != Kind::kBeginning && offset.kind != Kind::kEnd &&
      offset.kind != Kind::kStored) {
    return Status::InvalidArgument(fmt::format(
        "-o {}: with -G the start is the group's committed offset; -o may only say "
        "beginning, end or stored (where the group has none)",
        DescribeOffsetSpec(offset)));
  }
  kafka::ConsumeRequest request;
  request.topics = settings.selections;
  request.start = StartFor(offset);
  request.end_timestamp_ms = offset.end_timestamp_ms;
  request.follow = settings.follow;
  if (settings.count) request.max_records = static_cast<uint64_t>(*settings.count);
  request.group = settings.group;
  request.stop = &g_cluster_stop;
  return request;
}

}  // namespace

Status ConsumeFromCluster(const ConsumeSettings& settings) {
  KQ_ASSIGN_OR_RETURN(kafka::ConsumeRequest request, RequestFor(settings));
  std::signal(SIGINT, OnClusterStopSignal);
  std::signal(SIGTERM, OnClusterStopSignal);

  RecordPrinter printer(settings);
  OutputWriter out;
  const kafka::RecordSink sink = [&](const client::ConsumedRecord& r) {
    printer.Print(r, out.buffer());
    return out.MaybeFlush();
  };
  const kafka::FlushHook flush = [&] { return out.Flush(); };
  std::optional<HangupWatch> hangup;
  if (settings.follow) hangup.emplace();
  Status s = kafka::ConsumeRange(settings.cluster, request, sink, flush);
  if (hangup && hangup->hung_up()) return BrokenPipeStatus();
  Status flushed = out.Flush();
  return s.ok() ? flushed : s;
}

}  // namespace kq::tools::consume
