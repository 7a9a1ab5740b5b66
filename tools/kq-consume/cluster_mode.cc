#include "kq-consume/cluster_mode.h"

#include <atomic>
#include <csignal>

#include "common/kafka_consume.h"
#include "common/output.h"
#include "kq-consume/record_printer.h"

namespace kq::tools::consume {
namespace {

std::atomic<bool> g_cluster_stop{false};

void OnClusterStopSignal(int) { g_cluster_stop.store(true); }

}  // namespace

Status ConsumeFromCluster(const ConsumeSettings& settings) {
  kafka::ConsumeRequest request;
  for (const client::TopicSelection& sel : settings.selections) {
    request.topics.push_back({sel.topic, sel.partition});
  }
  request.start = settings.offset;
  request.follow = settings.follow;
  if (settings.count) request.max_records = static_cast<uint64_t>(*settings.count);
  request.group = settings.group;
  request.stop = &g_cluster_stop;
  std::signal(SIGINT, OnClusterStopSignal);
  std::signal(SIGTERM, OnClusterStopSignal);

  RecordPrinter printer(settings);
  OutputWriter out;
  const kafka::RecordSink sink = [&](const FormattedRecord& r) {
    printer.Print(r, out.buffer());
    return out.MaybeFlush();
  };
  const kafka::FlushHook flush = [&] { return out.Flush(); };
  Status s = kafka::ConsumeRange(settings.cluster, request, sink, flush);
  Status flushed = out.Flush();
  return s.ok() ? flushed : s;
}

}  // namespace kq::tools::consume
