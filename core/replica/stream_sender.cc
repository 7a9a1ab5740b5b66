#include "replica/stream_sender.h"

#include <fmt/format.h>

#include "replica/stream_format.h"

namespace kq::replica {
namespace {

// Where the receiver should get this partition from.
Result<Offset> StartFor(const stream::PartitionFrame& p, const SendOptions& options) {
  if (options.since == nullptr) return p.offsets.log_start;
  auto it = options.since->find({p.topic, p.partition.value()});
  if (it == options.since->end()) return p.offsets.log_start;
  KQ_ASSIGN_OR_RETURN(
      Offset common,
      CommonEnd(it->second, p.offsets.log_end, [&](Epoch e) -> Result<log::EpochEndOffset> {
        return log::leader_epoch::EndOffsetFor(p.epochs, e, p.offsets.log_end);
      }));
  // The receiver restarts at the log start when it is behind it, and keeps
  // more than the sender has only until the divergence rule cuts it.
  return std::clamp(common, p.offsets.log_start, p.offsets.log_end);
}

class Sender {
 public:
  Sender(DirSource& source, const SendOptions& options, const StreamWriteFn& write)
      : source_(source), options_(options), write_(write) {}

  Result<SyncSummary> Run() {
    stream::AppendHeader(&buffer_);
    KQ_ASSIGN_OR_RETURN(std::vector<SourceTopic> topics, source_.ListTopics());
    for (const SourceTopic& t : topics) {
      if (!TopicSelected(options_.topics, t.name)) continue;
      stream::AppendTopic(t, &buffer_);
      ++frames_;
      for (int32_t p = 0; p < t.partitions; ++p)
        KQ_RETURN_IF_ERROR(SendPartition(t.name, PartitionId(p)));
    }
    stream::AppendEnd({frames_, summary_.batches, summary_.bytes}, &buffer_);
    KQ_RETURN_IF_ERROR(Flush());
    return summary_;
  }

 private:
  Status Flush() {
    Status s = write_(buffer_);
    buffer_.clear();
    return s;
  }

  Status SendPartition(const std::string& topic, PartitionId partition) {
    stream::PartitionFrame frame{topic, partition, {}, {}};
    KQ_ASSIGN_OR_RETURN(frame.offsets, source_.Offsets(topic, partition));
    KQ_ASSIGN_OR_RETURN(frame.epochs, source_.Epochs(topic, partition));
    KQ_ASSIGN_OR_RETURN(Offset from, StartFor(frame, options_));
    stream::AppendPartition(frame, &buffer_);
    ++frames_;
    summary_.partitions++;
    // Up to the end seen now: a growing source is sent by the next run.
    while (from < frame.offsets.log_end) {
      FetchPosition pos{topic, partition, from};
      KQ_ASSIGN_OR_RETURN(std::vector<FetchedPartition> got,
                          source_.Fetch(std::span(&pos, 1), options_.max_frame_bytes,
                                        std::chrono::milliseconds(0)));
      FetchedPartition& f = got.at(0);
      if (!f.status.ok()) {
        return f.status.WithPrefix(
            fmt::format("{}: {}-{}", source_.Describe(), topic, partition.value()));
      }
      if (f.batches.empty()) break;
      std::string joined;
      for (const std::string& b : f.batches) joined += b;
      stream::AppendBatches(topic, partition, joined, &buffer_);
      ++frames_;
      summary_.batches += static_cast<int64_t>(f.batches.size());
      summary_.bytes += static_cast<int64_t>(joined.size());
      auto last = format::DecodeBatchHeader(f.batches.back());
      KQ_RETURN_IF_ERROR(last.status());
      from = Offset(last->next_offset());
      if (buffer_.size() >= options_.max_frame_bytes) KQ_RETURN_IF_ERROR(Flush());
    }
    return Status::Ok();
  }

  DirSource& source_;
  const SendOptions& options_;
  const StreamWriteFn& write_;
  std::string buffer_;
  int64_t frames_ = 0;
  SyncSummary summary_;
};

}  // namespace

Result<SyncSummary> Send(DirSource& source, const SendOptions& options,
                         const StreamWriteFn& write) {
  Sender sender(source, options, write);
  return sender.Run();
}

}  // namespace kq::replica
