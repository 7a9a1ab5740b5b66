// kq-replicate SOURCE kafka://HOST:PORT: mirrors a directory's topics into a
// Kafka cluster (Apache Kafka or kq-serve) through librdkafka, like
// MirrorMaker: every record with its key, value, headers and timestamp goes to
// the same partition number of the same topic (created with the source's
// partition count when missing); offsets there are the cluster's own.
//
// Progress is the committed offsets of group kq-replicate.<HOST:PORT> in the
// SOURCE directory's __consumer_offsets, committed per topic once the
// cluster has acknowledged everything sent for it, so a rerun resumes where
// the last acknowledged run stopped. Delivery is at least once: a run killed
// between the cluster's acknowledgement and the commit sends those records
// again. Control batches (transaction markers) are not records and are not
// sent. Internal topics (names starting with "__") are not mirrored.
#include <fmt/format.h>

#include "common/exit_codes.h"
#include "common/output.h"
#include "format/record.h"
#include "groups/offsets_store.h"
#include "io/env.h"
#include "kafka/produce.h"
#include "log/log_dir.h"
#include "replica/batch_split.h"
#include "replica/sync.h"
#include "replicate.h"

namespace kq::tools::replicate {
namespace {

struct MirrorTotals {
  replica::SyncSummary summary;
  int64_t records = 0;
};

// Sends partition `p` of `topic` from `from` to its end; returns where it
// stopped (the offset to commit).
Result<Offset> SendPartition(log::LogDir& dir, const log::TopicInfo& topic, PartitionId p,
                             Offset from, kafka::ClusterProducer& producer, MirrorTotals* totals) {
  KQ_ASSIGN_OR_RETURN(auto part, dir.OpenPartition(topic, p, log::OpenMode::kRead));
  Offset at = std::max(from, part->log_start_offset());
  const Offset end = part->log_end_offset();
  std::string scratch;
  kafka::ProduceRecord record;
  while (at < end) {
    KQ_ASSIGN_OR_RETURN(log::ReadChunk chunk, part->Read(at, size_t{1} << 20));
    // Read verified every CRC.
    KQ_ASSIGN_OR_RETURN(replica::SplitResult split,
                        replica::SplitBatches(chunk.bytes, part->Name(), {.check_crc = false}));
    if (split.batches.empty()) break;
    for (const std::string& b : split.batches) {
      KQ_ASSIGN_OR_RETURN(format::BatchHeader h, format::DecodeBatchHeader(b));
      totals->summary.batches++;
      totals->summary.bytes += static_cast<int64_t>(b.size());
      if (h.is_control()) continue;
      Status s = format::ForEachRecord(b, &scratch, [&](const format::RecordView& r) -> Status {
        if (Offset(r.offset) < at) return Status::Ok();  // before the resume point
        record.partition = p.value();
        record.key = r.key ? std::optional<std::string>(*r.key) : std::nullopt;
        record.value = r.value ? std::optional<std::string>(*r.value) : std::nullopt;
        record.headers.clear();
        for (const format::HeaderView& hv : r.headers) {
          record.headers.emplace_back(
              std::string(hv.key), hv.value ? std::optional<std::string>(*hv.value) : std::nullopt);
        }
        record.timestamp_ms = r.timestamp;
        totals->records++;
        return producer.Send(record);
      });
      if (!s.ok()) return s.WithPrefix(fmt::format("{} at offset {}", part->Name(), h.base_offset));
    }
    at = chunk.next_offset;
  }
  return at;
}

Status MirrorTopic(log::LogDir& dir, const kafka::ClusterConfig& config, const log::TopicInfo& t,
                   groups::OffsetsStore& store, const std::string& group,
                   const std::map<groups::TopicPartition, groups::CommittedOffset>& committed,
                   MirrorTotals* totals) {
  kafka::ProduceOptions options;
  options.create_partitions = t.partitions;
  KQ_ASSIGN_OR_RETURN(auto producer, kafka::ClusterProducer::Open(config, options, t.name));
  if (producer->partition_count() < t.partitions) {
    return Status::InvalidArgument(
        fmt::format("topic '{}' has {} partitions in the cluster and {} in the source; "
                    "records keep their partition, so add partitions there first",
                    t.name, producer->partition_count(), t.partitions));
  }
  std::vector<std::pair<groups::TopicPartition, groups::CommittedOffset>> progress;
  for (int32_t p = 0; p < t.partitions; ++p) {
    groups::TopicPartition tp{t.name, p};
    auto it = committed.find(tp);
    const Offset from(it == committed.end() ? 0 : it->second.offset);
    KQ_ASSIGN_OR_RETURN(Offset next,
                        SendPartition(dir, t, PartitionId(p), from, *producer, totals));
    if (next != from) progress.push_back({tp, groups::CommittedOffset{next.value(), -1, "", 0}});
    totals->summary.partitions++;
  }
  // Commit only what the cluster acknowledged.
  kafka::ProduceReport report;
  KQ_RETURN_IF_ERROR(producer->Finish(&report));
  if (!progress.empty()) KQ_RETURN_IF_ERROR(store.Commit(group, progress));
  return Status::Ok();
}

}  // namespace

int RunMirror(const Args& args) {
  if (args.follow) return ReportUsageError(kTool, "--follow is not available with a kafka:// DEST");
  if (args.source.starts_with("kafka://")) {
    return ReportUsageError(kTool, "SOURCE must be a directory when DEST is kafka://");
  }
  io::Env* env = io::Env::Default();
  auto dir = log::LogDir::Open(env, args.source, /*create_if_missing=*/false);
  if (!dir.ok()) return ReportError(kTool, dir.status().WithPrefix("source " + args.source));
  kafka::ClusterConfig config;
  config.brokers = args.dest.substr(std::string_view("kafka://").size());
  config.verbose = args.common.verbose;
  if (config.brokers.empty()) return ReportUsageError(kTool, "DEST kafka:// needs HOST:PORT");
  const std::string group = "kq-replicate." + config.brokers;
  auto store = groups::OffsetsStore::Open(env, args.source);
  if (!store.ok()) return ReportError(kTool, store.status());
  auto committed = (*store)->Fetch(group);
  if (!committed.ok()) return ReportError(kTool, committed.status());
  auto names = dir->ListTopics();
  if (!names.ok()) return ReportError(kTool, names.status());
  MirrorTotals totals;
  for (const std::string& name : *names) {
    if (name.starts_with("__") || !replica::TopicSelected(args.topics, name)) continue;
    auto info = dir->DescribeTopic(name);
    if (!info.ok()) return ReportError(kTool, info.status());
    Status s = MirrorTopic(*dir, config, *info, **store, group, *committed, &totals);
    if (!s.ok()) return ReportError(kTool, s.WithPrefix(fmt::format("{} -> {}", name, args.dest)));
  }
  if (args.json) {
    return PrintOut(kTool, fmt::format("{{\"partitions\":{},\"batches\":{},\"bytes\":{},"
                                       "\"records\":{},\"group\":\"{}\"}}\n",
                                       totals.summary.partitions, totals.summary.batches,
                                       totals.summary.bytes, totals.records, group));
  }
  if (!args.common.quiet) {
    fmt::print(stderr, "{}: {} partitions, {} records sent to {}; progress in group {}\n",
               ProgramName(kTool), totals.summary.partitions, totals.records, args.dest, group);
  }
  return kExitOk;
}

}  // namespace kq::tools::replicate
