#include "client/consumer.h"

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

namespace kq::client {

Result<TopicSelection> ParseTopicSelection(std::string_view text) {
  TopicSelection sel;
  const size_t colon = text.rfind(':');
  sel.topic = std::string(text.substr(0, colon));
  if (sel.topic.empty()) {
    return Status::InvalidArgument(fmt::format("'{}': the topic name is empty", text));
  }
  if (colon == std::string_view::npos) return sel;
  std::string_view digits = text.substr(colon + 1);
  int32_t p = -1;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), p);
  if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() || p < 0) {
    return Status::InvalidArgument(fmt::format(
        "'{}': '{}' is not a partition number (expected TOPIC or TOPIC:PARTITION)", text, digits));
  }
  sel.partition = p;
  return sel;
}

Result<std::unique_ptr<Consumer>> Consumer::Open(const ConsumerOptions& options) {
  if (options.env == nullptr) return Status::InvalidArgument("ConsumerOptions.env is not set");
  KQ_ASSIGN_OR_RETURN(log::LogDir dir, log::LogDir::Open(options.env, options.log_dir, false));
  return std::unique_ptr<Consumer>(new Consumer(options, std::move(dir)));
}

Result<std::vector<TopicPartition>> Consumer::Resolve(
    std::span<const TopicSelection> selections) const {
  if (selections.empty()) return Status::InvalidArgument("no topic given");
  std::vector<TopicPartition> out;
  for (const TopicSelection& sel : selections) {
    KQ_ASSIGN_OR_RETURN(log::TopicInfo info, dir_.DescribeTopic(sel.topic));
    if (sel.partition.has_value()) {
      if (*sel.partition >= info.partitions) {
        return Status::InvalidArgument(fmt::format("topic '{}' has no partition {} (it has {})",
                                                   sel.topic, *sel.partition, info.partitions));
      }
      out.push_back({sel.topic, *sel.partition});
      continue;
    }
    for (int32_t p = 0; p < info.partitions; ++p) out.push_back({sel.topic, p});
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

Result<std::vector<TopicPartition>> Consumer::PartitionsOf(
    std::span<const std::string> topics) const {
  std::vector<TopicSelection> sels;
  for (const std::string& t : topics) sels.push_back({t, std::nullopt});
  return Resolve(sels);
}

Status Consumer::Assign(const TopicPartition& tp, const StartPosition& start) {
  auto it = readers_.find(tp);
  if (it == readers_.end()) {
    PartitionReaderOptions ro{
        .env = options_.env, .read_bytes = options_.read_bytes, .on_skipped = options_.on_skipped};
    KQ_ASSIGN_OR_RETURN(
        auto reader, PartitionReader::Open(dir_.PartitionPath(tp.topic, PartitionId(tp.partition)),
                                           tp.topic, tp.partition, ro));
    it = readers_.emplace(tp, std::move(reader)).first;
  }
  PartitionReader& r = *it->second;
  KQ_RETURN_IF_ERROR(r.Refresh());
  KQ_RETURN_IF_ERROR(r.Seek(start));
  r.set_end_timestamp(options_.end_timestamp_ms);
  // The end snapshot: "the log as it was when reading started".
  if (!options_.follow) r.set_stop_offset(r.log_end_offset());
  return Status::Ok();
}

Result<std::vector<TopicPartition>> Consumer::AssignNew(std::span<const TopicSelection> selections,
                                                        const StartPosition& start) {
  KQ_ASSIGN_OR_RETURN(std::vector<TopicPartition> tps, Resolve(selections));
  std::vector<TopicPartition> added;
  for (const TopicPartition& tp : tps) {
    if (readers_.count(tp) > 0) continue;
    // kq-topics creates the directories before it writes the new count; a
    // missing one (a topic being deleted) is left for a later call.
    if (!options_.env->IsDirectory(dir_.PartitionPath(tp.topic, PartitionId(tp.partition))))
      continue;
    KQ_RETURN_IF_ERROR(Assign(tp, start));
    added.push_back(tp);
  }
  return added;
}

void Consumer::Unassign(const TopicPartition& tp) { readers_.erase(tp); }

std::vector<TopicPartition> Consumer::Assignment() const {
  std::vector<TopicPartition> out;
  for (const auto& [tp, r] : readers_) out.push_back(tp);
  return out;
}

std::map<TopicPartition, Consumer::Position> Consumer::Positions() const {
  std::map<TopicPartition, Position> out;
  for (const auto& [tp, r] : readers_) out[tp] = {r->position().value(), r->last_epoch()};
  return out;
}

Status Consumer::Refresh() {
  for (auto& [tp, r] : readers_) {
    Status s = r->Refresh();
    // A follower outlives what it follows when the topic is deleted: say
    // that, not which system call found the directory gone.
    if (!s.ok() && !options_.env->IsDirectory(r->dir()) &&
        dir_.DescribeTopic(tp.topic).status().IsNotFound()) {
      return Status::NotFound(
          fmt::format("topic '{}' was deleted while it was being read", tp.topic));
    }
    KQ_RETURN_IF_ERROR(s);
  }
  return Status::Ok();
}

std::vector<std::string> Consumer::PartitionDirs() const {
  std::vector<std::string> out;
  for (const auto& [tp, r] : readers_) out.push_back(r->dir());
  return out;
}

Result<PollState> Consumer::Poll(const RecordSink& sink, size_t max_records) {
  stop_requested_ = false;
  return options_.ordered ? PollOrdered(sink, max_records) : PollUnordered(sink, max_records);
}

PollState Consumer::Finished() const {
  if (options_.follow) return PollState::kCaughtUp;
  for (const auto& [tp, r] : readers_) {
    if (r->has_pending() || !r->done()) return PollState::kCaughtUp;
  }
  return PollState::kFinished;
}

Status Consumer::Deliver(PartitionReader& r, const RecordSink& sink, size_t* budget) {
  ConsumedRecord out{r.topic(), r.partition(), r.pending_log_append_time(), nullptr};
  while (r.has_pending() && !stop_requested_) {
    out.record = &r.front();
    KQ_RETURN_IF_ERROR(sink(out));
    r.Pop();
    if (*budget > 0) --*budget;
  }
  return Status::Ok();
}

// Round robin, one chunk per partition per turn, so a busy partition does
// not starve the others when following.
Result<PollState> Consumer::PollUnordered(const RecordSink& sink, size_t max_records) {
  std::vector<PartitionReader*> readers;
  for (auto& [tp, r] : readers_) readers.push_back(r.get());
  if (readers.empty()) return Finished();
  size_t budget = max_records;
  bool progress = true;
  while (progress) {
    progress = false;
    for (size_t n = 0; n < readers.size(); ++n) {
      PartitionReader& r = *readers[(next_reader_ + n) % readers.size()];
      KQ_RETURN_IF_ERROR(Deliver(r, sink, &budget));
      for (size_t batches = 0; !stop_requested_ && budget > 0 && batches < 64; ++batches) {
        KQ_ASSIGN_OR_RETURN(bool any, r.FillPending());
        if (!any) break;
        progress = true;
        KQ_RETURN_IF_ERROR(Deliver(r, sink, &budget));
      }
      if (stop_requested_) return PollState::kStopped;
      if (budget == 0) {
        next_reader_ = (next_reader_ + n + 1) % readers.size();
        return PollState::kMore;
      }
    }
  }
  return Finished();
}

// A k-way merge on the front record of each partition. Linear in the number
// of partitions per record, which is fine for the handful a terminal user
// merges.
Result<PollState> Consumer::PollOrdered(const RecordSink& sink, size_t max_records) {
  size_t budget = max_records;
  while (budget > 0) {
    PartitionReader* best = nullptr;
    for (auto& [tp, r] : readers_) {
      if (!r->has_pending()) {
        KQ_ASSIGN_OR_RETURN(bool any, r->FillPending());
        if (!any) continue;
      }
      if (best == nullptr || r->front().timestamp < best->front().timestamp) best = r.get();
    }
    if (best == nullptr) return Finished();
    ConsumedRecord out{best->topic(), best->partition(), best->pending_log_append_time(),
                       &best->front()};
    KQ_RETURN_IF_ERROR(sink(out));
    best->Pop();
    --budget;
    if (stop_requested_) return PollState::kStopped;
  }
  return PollState::kMore;
}

}  // namespace kq::client
