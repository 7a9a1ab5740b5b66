#include "replica/sync.h"

#include <fnmatch.h>

#include <set>

#include <fmt/format.h>

#include "replica/follower.h"

namespace kq::replica {

bool TopicSelected(const std::vector<std::string>& globs, const std::string& topic) {
  if (globs.empty()) return true;
  for (const std::string& g : globs) {
    if (fnmatch(g.c_str(), topic.c_str(), 0) == 0) return true;
  }
  return false;
}

namespace {

class Syncer {
 public:
  Syncer(Source& source, const log::LogDir& dest, const SyncOptions& options)
      : source_(source), options_(options), follower_(dest, &summary_) {}

  Result<SyncSummary> Run() {
    KQ_RETURN_IF_ERROR(Discover());
    bool idle = false;
    for (;;) {
      if (options_.follow && options_.stop && options_.stop()) break;
      const auto wait = options_.follow && idle ? options_.max_wait : std::chrono::milliseconds(0);
      KQ_ASSIGN_OR_RETURN(bool moved, Round(wait));
      if (options_.on_round) options_.on_round(summary_);
      if (moved) {
        idle = false;
        continue;
      }
      KQ_RETURN_IF_ERROR(follower_.SyncAll());
      if (!options_.follow) break;
      if (idle) KQ_RETURN_IF_ERROR(Discover());  // new topics or partitions
      idle = true;
    }
    KQ_RETURN_IF_ERROR(follower_.Close());
    return summary_;
  }

 private:
  std::string Name(const FetchPosition& p) const {
    return fmt::format("{}: {}-{}", source_.Describe(), p.topic, p.partition.value());
  }

  // Lists the source's topics; prepares and reconciles partitions not seen yet.
  Status Discover() {
    KQ_ASSIGN_OR_RETURN(std::vector<SourceTopic> topics, source_.ListTopics());
    for (const SourceTopic& t : topics) {
      if (!TopicSelected(options_.topics, t.name)) continue;
      auto known = partitions_seen_.find(t.name);
      if (known != partitions_seen_.end() && known->second >= t.partitions) continue;
      Status s = follower_.EnsureTopic(t);
      if (!s.ok()) return s.WithPrefix(fmt::format("{}: topic '{}'", source_.Describe(), t.name));
      const int32_t from = known == partitions_seen_.end() ? 0 : known->second;
      for (int32_t p = from; p < t.partitions; ++p) {
        FetchPosition pos{t.name, PartitionId(p), Offset(0)};
        KQ_RETURN_IF_ERROR(Prepare(pos));
        positions_.push_back(pos);
        lag_index_.push_back(summary_.lag.size());
        summary_.lag.push_back({t.name, PartitionId(p), Offset(0), Offset(0)});
      }
      partitions_seen_[t.name] = t.partitions;
    }
    return Status::Ok();
  }

  Status Prepare(const FetchPosition& pos) {
    KQ_ASSIGN_OR_RETURN(SourceOffsets leader, source_.Offsets(pos.topic, pos.partition));
    Status s = follower_.Reconcile(pos.topic, pos.partition, leader, [&](Epoch e) {
      return source_.EndOffsetForEpoch(pos.topic, pos.partition, e);
    });
    return s.ok() ? s : s.WithPrefix(Name(pos));
  }

  // One fetch of every partition; true when DEST changed.
  Result<bool> Round(std::chrono::milliseconds wait) {
    for (FetchPosition& pos : positions_) {
      KQ_ASSIGN_OR_RETURN(log::Partition * p, follower_.Open(pos.topic, pos.partition));
      pos.from = p->log_end_offset();
    }
    KQ_ASSIGN_OR_RETURN(std::vector<FetchedPartition> fetched,
                        source_.Fetch(positions_, options_.max_bytes_per_partition, wait));
    if (fetched.size() != positions_.size()) {
      return Status::Internal(fmt::format("{}: fetch answered {} partitions of {}",
                                          source_.Describe(), fetched.size(), positions_.size()));
    }
    bool moved = false;
    std::vector<size_t> gone;
    for (size_t i = 0; i < fetched.size(); ++i) {
      if (options_.follow && fetched[i].status.IsNotFound()) {
        // Deleted at the source: DEST keeps its copy and stops following
        // it; a topic created again under the name is discovered again.
        gone.push_back(i);
        continue;
      }
      KQ_ASSIGN_OR_RETURN(bool m, Apply(positions_[i], fetched[i]));
      moved = moved || m;
      KQ_ASSIGN_OR_RETURN(log::Partition * p,
                          follower_.Open(positions_[i].topic, positions_[i].partition));
      PartitionLag& lag = summary_.lag[lag_index_[i]];
      lag.dest_end = p->log_end_offset();
      lag.source_end = std::max(fetched[i].offsets.log_end, lag.dest_end);
      if (m && lag.dest_end >= fetched[i].offsets.log_end) {
        KQ_RETURN_IF_ERROR(follower_.SyncPartition(positions_[i].topic, positions_[i].partition));
      }
    }
    for (size_t k = gone.size(); k-- > 0;) {
      const size_t i = gone[k];
      PartitionLag& lag = summary_.lag[lag_index_[i]];
      lag.source_end = lag.dest_end;
      partitions_seen_.erase(positions_[i].topic);
      positions_.erase(positions_.begin() + static_cast<ptrdiff_t>(i));
      lag_index_.erase(lag_index_.begin() + static_cast<ptrdiff_t>(i));
    }
    return moved;
  }

  Result<bool> Apply(const FetchPosition& pos, FetchedPartition& f) {
    if (f.status.IsOutOfRange()) {
      // The source moved under us: its log start passed our end, or its end
      // fell below ours (a new leader). The rules run again.
      // A position the rules did not move would be asked again forever.
      KQ_RETURN_IF_ERROR(Prepare(pos));
      Status s = follower_.TruncateToLeaderEnd(pos.topic, pos.partition, f.offsets.log_end);
      if (!s.ok()) return s.WithPrefix(Name(pos));
      KQ_ASSIGN_OR_RETURN(log::Partition * p, follower_.Open(pos.topic, pos.partition));
      if (p->log_end_offset() == pos.from) {
        return f.status.WithPrefix(fmt::format("{}: the follower's end {} stays out of range",
                                               Name(pos), pos.from.value()));
      }
      return true;
    }
    if (!f.status.ok()) return f.status.WithPrefix(Name(pos));
    if (f.batches.empty()) return false;
    KQ_RETURN_IF_ERROR(follower_.Append(pos.topic, pos.partition, f.batches, source_.Describe()));
    return true;
  }

  Source& source_;
  const SyncOptions& options_;
  SyncSummary summary_;
  Follower follower_;
  std::map<std::string, int32_t> partitions_seen_;
  std::vector<FetchPosition> positions_;
  std::vector<size_t> lag_index_;
};

}  // namespace

Result<SyncSummary> Sync(Source& source, const log::LogDir& dest, const SyncOptions& options) {
  Syncer syncer(source, dest, options);
  return syncer.Run();
}

}  // namespace kq::replica
