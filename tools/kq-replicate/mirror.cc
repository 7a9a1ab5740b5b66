// kq-replicate SOURCE kafka://HOST:PORT: mirrors a directory's topics into a
// Kafka cluster (Apache Kafka or kq-serve) through librdkafka, like
// MirrorMaker: every record with its key, value, headers and timestamp goes to
// the same partition number of the same topic (created with the source's
// partition count when missing); offsets there are the cluster's own.
//
// The source is read through DirSource (CRC-checked reads, and with
// --follow its inotify wait), in rounds of at most max_bytes per partition.
// Progress is the committed offsets of group kq-replicate.<HOST:PORT> in the
// SOURCE directory's __consumer_offsets, committed after each round once the
// cluster has acknowledged every record sent, so a rerun resumes where the
// last acknowledged round stopped. Delivery is at least once: a run killed
// between the cluster's acknowledgement and the commit sends that round's
// records again (only that round's: earlier ones were committed). Control
// batches (transaction markers) are not records and are not sent. Internal
// topics (names starting with "__") are not mirrored.
#include <fmt/format.h>

#include <map>
#include <memory>

#include "common/exit_codes.h"
#include "common/output.h"
#include "format/record.h"
#include "groups/offsets_store.h"
#include "io/env.h"
#include "kafka/produce.h"
#include "replica/dir_source.h"
#include "replica/sync.h"
#include "replicate.h"

namespace kq::tools::replicate {
namespace {

using namespace std::chrono_literals;

constexpr size_t kRoundBytesPerPartition = size_t{1} << 20;

struct MirrorTotals {
  replica::SyncSummary summary;
  int64_t records = 0;
};

class Mirror {
 public:
  Mirror(const Args& args, replica::DirSource& source, groups::OffsetsStore& store,
         kafka::ClusterConfig config, std::string group,
         std::map<groups::TopicPartition, groups::CommittedOffset> committed)
      : args_(args),
        source_(source),
        store_(store),
        config_(std::move(config)),
        group_(std::move(group)),
        committed_(std::move(committed)) {}

  // Picks up source topics not followed yet (opening their producers).
  Status AddNewTopics() {
    KQ_ASSIGN_OR_RETURN(std::vector<replica::SourceTopic> topics, source_.ListTopics());
    for (const replica::SourceTopic& t : topics) {
      if (t.name.starts_with("__") || !replica::TopicSelected(args_.topics, t.name) ||
          producers_.contains(t.name))
        continue;
      kafka::ProduceOptions options;
      options.create_partitions = t.partitions;
      KQ_ASSIGN_OR_RETURN(auto producer, kafka::ClusterProducer::Open(config_, options, t.name));
      if (producer->partition_count() < t.partitions) {
        return Status::InvalidArgument(
            fmt::format("topic '{}' has {} partitions in the cluster and {} in the source; "
                        "records keep their partition, so add partitions there first",
                        t.name, producer->partition_count(), t.partitions));
      }
      producers_[t.name] = std::move(producer);
      for (int32_t p = 0; p < t.partitions; ++p) {
        auto it = committed_.find({t.name, p});
        const Offset from(it == committed_.end() ? 0 : it->second.offset);
        positions_.push_back({t.name, PartitionId(p), from});
        acked_.push_back(from);
        totals_.summary.partitions++;
      }
    }
    return Status::Ok();
  }

  // One fetch round (waiting up to `wait` for the source to grow), its
  // records sent, acknowledged and committed. *sent: whether any batch was
  // read.
  Status Round(std::chrono::milliseconds wait, bool* sent) {
    *sent = false;
    KQ_ASSIGN_OR_RETURN(std::vector<replica::FetchedPartition> fetched,
                        source_.Fetch(positions_, kRoundBytesPerPartition, wait));
    std::vector<size_t> gone;
    totals_.summary.lag.clear();
    for (size_t i = 0; i < fetched.size(); ++i) {
      replica::FetchPosition& pos = positions_[i];
      replica::FetchedPartition& f = fetched[i];
      if (f.status.IsOutOfRange() && pos.from < f.offsets.log_start) {
        // Retention removed records not mirrored yet: there is nothing to
        // send for them; go on from the source's start.
        Note(fmt::format("{}-{}: offsets {}..{} were deleted at the source before they were sent",
                         pos.topic, pos.partition.value(), pos.from.value(),
                         f.offsets.log_start.value() - 1));
        pos.from = f.offsets.log_start;
        totals_.summary.restarts++;
        continue;
      }
      if (f.status.IsNotFound()) {
        Note(fmt::format("{}-{}: gone at the source: {}", pos.topic, pos.partition.value(),
                         f.status.message()));
        gone.push_back(i);
        continue;
      }
      if (!f.status.ok()) return f.status;
      KQ_RETURN_IF_ERROR(SendBatches(pos, f.batches));
      *sent = *sent || !f.batches.empty();
      totals_.summary.lag.push_back(
          {pos.topic, pos.partition, pos.from, std::max(f.offsets.log_end, pos.from)});
    }
    if (*sent) KQ_RETURN_IF_ERROR(AcknowledgeAndCommit());
    for (auto it = gone.rbegin(); it != gone.rend(); ++it) {
      const std::string topic = positions_[*it].topic;
      positions_.erase(positions_.begin() + static_cast<std::ptrdiff_t>(*it));
      acked_.erase(acked_.begin() + static_cast<std::ptrdiff_t>(*it));
      // A topic deleted at the source and created again starts afresh.
      std::erase_if(committed_, [&](const auto& c) { return c.first.topic == topic; });
      if (auto p = producers_.find(topic); p != producers_.end()) {
        KQ_RETURN_IF_ERROR(p->second->Flush());
        producers_.erase(p);
      }
    }
    return Status::Ok();
  }

  // Waits for the cluster to acknowledge every record sent so far, then
  // commits the positions that moved: nothing is committed that the cluster
  // might not have.
  Status AcknowledgeAndCommit() {
    for (auto& [name, producer] : producers_) {
      Status s = producer->Flush();
      if (!s.ok()) return s.WithPrefix(fmt::format("{} -> {}", name, args_.dest));
    }
    std::vector<std::pair<groups::TopicPartition, groups::CommittedOffset>> progress;
    for (size_t i = 0; i < positions_.size(); ++i) {
      if (positions_[i].from == acked_[i]) continue;
      progress.push_back({{positions_[i].topic, positions_[i].partition.value()},
                          groups::CommittedOffset{positions_[i].from.value(), -1, "", 0}});
    }
    if (progress.empty()) return Status::Ok();
    KQ_RETURN_IF_ERROR(store_.Commit(group_, progress));
    for (size_t i = 0; i < positions_.size(); ++i) acked_[i] = positions_[i].from;
    return Status::Ok();
  }

  const MirrorTotals& totals() const { return totals_; }

 private:
  // Sends the records of `batches` at or after pos.from and moves pos.from
  // past the last batch.
  Status SendBatches(replica::FetchPosition& pos, const std::vector<std::string>& batches) {
    if (batches.empty()) return Status::Ok();
    kafka::ClusterProducer& producer = *producers_.at(pos.topic);
    for (const std::string& b : batches) {
      KQ_ASSIGN_OR_RETURN(format::BatchHeader h, format::DecodeBatchHeader(b));
      totals_.summary.batches++;
      totals_.summary.bytes += static_cast<int64_t>(b.size());
      if (!h.is_control()) {
        Status s = format::ForEachRecord(b, &scratch_, [&](const format::RecordView& r) -> Status {
          if (Offset(r.offset) < pos.from) return Status::Ok();  // before the resume point
          record_.partition = pos.partition.value();
          record_.key = r.key ? std::optional<std::string>(*r.key) : std::nullopt;
          record_.value = r.value ? std::optional<std::string>(*r.value) : std::nullopt;
          record_.headers.clear();
          for (const format::HeaderView& hv : r.headers) {
            record_.headers.emplace_back(
                std::string(hv.key),
                hv.value ? std::optional<std::string>(*hv.value) : std::nullopt);
          }
          record_.timestamp_ms = r.timestamp;
          totals_.records++;
          return producer.Send(record_);
        });
        if (!s.ok()) {
          return s.WithPrefix(fmt::format("{}-{} at offset {} -> {}", pos.topic,
                                          pos.partition.value(), h.base_offset, args_.dest));
        }
      }
      pos.from = std::max(pos.from, Offset(h.next_offset()));
    }
    return Status::Ok();
  }

  void Note(std::string_view line) {
    if (args_.common.verbose > 0) fmt::print(stderr, "{}: {}\n", ProgramName(kTool), line);
  }

  const Args& args_;
  replica::DirSource& source_;
  groups::OffsetsStore& store_;
  kafka::ClusterConfig config_;
  std::string group_;
  std::map<groups::TopicPartition, groups::CommittedOffset> committed_;  // at the start
  std::map<std::string, std::unique_ptr<kafka::ClusterProducer>> producers_;
  std::vector<replica::FetchPosition> positions_;  // next offset to send
  std::vector<Offset> acked_;                      // last committed, per position
  MirrorTotals totals_;
  std::string scratch_;
  kafka::ProduceRecord record_;
};

}  // namespace

int RunMirror(const Args& args) {
  if (args.source.starts_with("kafka://")) {
    return ReportUsageError(kTool, "SOURCE must be a directory when DEST is kafka://");
  }
  io::Env* env = io::Env::Default();
  auto source = replica::DirSource::Open(env, args.source);
  if (!source.ok()) return ReportError(kTool, source.status().WithPrefix("source " + args.source));
  kafka::ClusterConfig config;
  config.brokers = args.dest.substr(std::string_view("kafka://").size());
  config.verbose = args.common.verbose;
  if (config.brokers.empty()) return ReportUsageError(kTool, "DEST kafka:// needs HOST:PORT");
  std::string group = "kq-replicate." + config.brokers;
  auto store = groups::OffsetsStore::Open(env, args.source);
  if (!store.ok()) return ReportError(kTool, store.status());
  auto committed = (*store)->Fetch(group);
  if (!committed.ok()) return ReportError(kTool, committed.status());

  if (args.follow) StopOnSignals();
  Reporter reporter(env, args);
  Mirror mirror(args, **source, **store, config, group, std::move(*committed));
  // Without --follow: rounds until one reads nothing. With it: until a
  // signal, waiting on the source between rounds and looking for new topics
  // about once a second.
  auto last_listing = std::chrono::steady_clock::time_point{};
  for (bool sent = true;;) {
    Status s;
    if (std::chrono::steady_clock::now() - last_listing >= 1s) {
      s = mirror.AddNewTopics();
      last_listing = std::chrono::steady_clock::now();
    }
    if (s.ok()) s = mirror.Round(args.follow && !sent ? 500ms : 0ms, &sent);
    if (!s.ok()) {
      reporter.Clear();
      return ReportError(kTool, s.WithPrefix(fmt::format("{} -> {}", args.source, args.dest)));
    }
    reporter.Round(mirror.totals().summary);
    if (args.follow ? StopRequested() : !sent) break;
  }
  reporter.Clear();
  const MirrorTotals& totals = mirror.totals();
  if (!args.status_file.empty()) reporter.WriteStatus(totals.summary);
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
