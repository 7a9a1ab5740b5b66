#include "replica/stream_receiver.h"

#include <set>

#include <fmt/format.h>

#include "replica/follower.h"

namespace kq::replica {
namespace {

Status ApplyFrame(const stream::Frame& f, Follower& follower, std::set<std::string>* topics,
                  std::set<std::pair<std::string, int32_t>>* partitions) {
  switch (f.type) {
    case stream::FrameType::kTopic:
      KQ_RETURN_IF_ERROR(follower.EnsureTopic(f.topic));
      topics->insert(f.topic.name);
      return Status::Ok();
    case stream::FrameType::kPartition: {
      const stream::PartitionFrame& p = f.partition;
      if (!topics->contains(p.topic)) {
        return Status::Corruption(
            fmt::format("partition of topic '{}' before its TOPIC frame", p.topic));
      }
      KQ_RETURN_IF_ERROR(follower.Open(p.topic, p.partition).status());
      KQ_RETURN_IF_ERROR(follower.Reconcile(
          p.topic, p.partition, p.offsets, [&](Epoch e) -> Result<log::EpochEndOffset> {
            return log::leader_epoch::EndOffsetFor(p.epochs, e, p.offsets.log_end);
          }));
      partitions->insert({p.topic, p.partition.value()});
      return Status::Ok();
    }
    case stream::FrameType::kBatches: {
      const stream::BatchesFrame& b = f.batches;
      if (!partitions->contains({b.topic, b.partition.value()})) {
        return Status::Corruption(fmt::format("batches of {}-{} before its PARTITION frame",
                                              b.topic, b.partition.value()));
      }
      return follower.Append(b.topic, b.partition, b.batches, "replication stream");
    }
    case stream::FrameType::kEnd:
      return Status::Ok();
  }
  return Status::Internal("unreachable frame type");
}

}  // namespace

Result<SyncSummary> Receive(stream::StreamReader& reader, const log::LogDir& dest) {
  SyncSummary summary;
  Follower follower(dest, &summary);
  std::set<std::string> topics;
  std::set<std::pair<std::string, int32_t>> partitions;
  for (;;) {
    KQ_ASSIGN_OR_RETURN(stream::Frame f, reader.Next());
    Status s = ApplyFrame(f, follower, &topics, &partitions);
    if (!s.ok()) {
      (void)follower.SyncAll();  // keep what the good frames brought
      return s.WithPrefix(
          fmt::format("replication stream: frame {} at byte {}", f.number, f.position));
    }
    if (f.type == stream::FrameType::kEnd) {
      if (f.end.frames != f.number - 1) {
        return Status::Corruption(fmt::format(
            "replication stream: frame {} at byte {}: END counts {} frames before it, {} arrived",
            f.number, f.position, f.end.frames, f.number - 1));
      }
      break;
    }
  }
  KQ_RETURN_IF_ERROR(follower.Close());
  return summary;
}

}  // namespace kq::replica
