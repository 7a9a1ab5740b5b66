#include "server/producer_state.h"

#include <charconv>

#include <fmt/format.h>

namespace kq::server {
namespace {

constexpr int64_t kBlockSize = 1000;

int32_t NextSequence(int32_t seq) { return seq == INT32_MAX ? 0 : seq + 1; }

int32_t LastSequence(const format::BatchHeader& h) {
  int64_t last = int64_t{h.base_sequence} + h.last_offset_delta;
  return static_cast<int32_t>(last > INT32_MAX ? last - INT32_MAX - 1 : last);
}

}  // namespace

Result<std::unique_ptr<ProducerIds>> ProducerIds::Open(io::Env* env, const std::string& log_dir) {
  std::string dir = log_dir + "/.kq/server";
  KQ_RETURN_IF_ERROR(env->CreateDir(log_dir + "/.kq"));
  KQ_RETURN_IF_ERROR(env->CreateDir(dir));
  std::unique_ptr<ProducerIds> ids(new ProducerIds(env, dir + "/producer-id-block"));
  if (env->FileExists(ids->path_)) {
    KQ_ASSIGN_OR_RETURN(std::string text, env->ReadFileToString(ids->path_));
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    int64_t end = 0;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), end);
    if (ec != std::errc() || p != text.data() + text.size() || end < 0)
      return Status::Corruption(
          fmt::format("{}: expected one non-negative integer, found '{}'", ids->path_, text));
    ids->next_ = ids->block_end_ = end;
  }
  return ids;
}

Result<int64_t> ProducerIds::Next() {
  if (next_ >= block_end_) {
    int64_t end = next_ + kBlockSize;
    KQ_RETURN_IF_ERROR(env_->WriteFileAtomic(path_, fmt::format("{}\n", end)));
    block_end_ = end;
  }
  return next_++;
}

Result<std::unique_ptr<PartitionProducers>> PartitionProducers::Rebuild(log::Partition* partition) {
  auto state = std::make_unique<PartitionProducers>();
  Offset at = partition->log_start_offset();
  while (at < partition->log_end_offset()) {
    KQ_ASSIGN_OR_RETURN(log::LocatedRead located, partition->Locate(at, 8 << 20));
    if (located.length == 0) break;
    uint64_t pos = located.position.value();
    uint64_t end = pos + located.length;
    std::string header_bytes;
    while (pos < end) {
      KQ_RETURN_IF_ERROR(located.file->Read(pos, format::kBatchHeaderSize, &header_bytes));
      KQ_ASSIGN_OR_RETURN(format::BatchHeader h, format::DecodeBatchHeader(header_bytes));
      if (h.producer_id >= 0 && !h.is_control()) state->Record(h);
      pos += h.total_size();
    }
    if (located.next_offset <= at) break;
    at = located.next_offset;
  }
  return state;
}

SequenceCheck PartitionProducers::Check(const format::BatchHeader& h,
                                        int64_t* duplicate_base_offset) const {
  auto it = producers_.find(h.producer_id);
  // An unknown producer (new, or its state expired with the log it wrote):
  // accepted at any sequence, as Kafka does since KIP-360.
  if (it == producers_.end()) return SequenceCheck::kAppend;
  const Producer& p = it->second;
  if (h.producer_epoch < p.epoch) return SequenceCheck::kInvalidEpoch;
  if (h.producer_epoch > p.epoch)
    return h.base_sequence == 0 ? SequenceCheck::kAppend : SequenceCheck::kOutOfOrder;
  int32_t last = LastSequence(h);
  for (const BatchSeq& b : p.recent) {
    if (b.first_seq == h.base_sequence && b.last_seq == last) {
      *duplicate_base_offset = b.base_offset;
      return SequenceCheck::kDuplicate;
    }
  }
  if (p.recent.empty() || h.base_sequence == NextSequence(p.recent.back().last_seq))
    return SequenceCheck::kAppend;
  return SequenceCheck::kOutOfOrder;
}

void PartitionProducers::Record(const format::BatchHeader& h) {
  Producer& p = producers_[h.producer_id];
  if (h.producer_epoch != p.epoch) {
    p.epoch = h.producer_epoch;
    p.recent.clear();
  }
  p.recent.push_back({h.base_sequence, LastSequence(h), h.base_offset});
  if (p.recent.size() > kRecent) p.recent.pop_front();
}

}  // namespace kq::server
