#include "server/replica_tracker.h"

#include <uv.h>

#include <algorithm>

#include "format/record_batch.h"
#include "server/fetch_waiters.h"
#include "server/partition_manager.h"

namespace kq::server {

using protocol::ErrorCode;

namespace {

uv_timer_t* NewTimer(uv_loop_s* loop, void* data) {
  auto* t = new uv_timer_t;
  uv_timer_init(loop, t);
  t->data = data;
  return t;
}

void CloseTimer(uv_timer_t* t) {
  if (t == nullptr) return;
  uv_timer_stop(t);
  uv_close(reinterpret_cast<uv_handle_t*>(t),
           [](uv_handle_t* h) { delete reinterpret_cast<uv_timer_t*>(h); });
}

}  // namespace

ReplicaTracker::ReplicaTracker(uv_loop_s* loop, io::Env* env, PartitionManager* partitions,
                               FetchWaiters* fetch_waiters, int64_t lag_time_max_ms)
    : loop_(loop),
      env_(env),
      partitions_(partitions),
      fetch_waiters_(fetch_waiters),
      lag_time_max_ms_(lag_time_max_ms) {
  soon_ = NewTimer(loop, this);
  tick_ = NewTimer(loop, this);
}

ReplicaTracker::~ReplicaTracker() {
  AnswerAll();
  CloseTimer(soon_);
  CloseTimer(tick_);
}

bool ReplicaTracker::InSync(const Follower& f, int64_t now) const {
  return f.last_caught_up_ms >= 0 && now - f.last_caught_up_ms <= lag_time_max_ms_;
}

int64_t ReplicaTracker::LeaderEnd(const Key& key) const {
  log::Partition* p = partitions_->FindOpen(key.first, key.second);
  return p == nullptr ? -1 : p->log_end_offset().value();
}

void ReplicaTracker::FollowerFetched(const Key& key, int32_t replica_id, int64_t fetch_offset,
                                     int64_t leader_end) {
  int64_t now = env_->NowMs();
  State& state = partitions_state_[key];
  Follower& f = state.followers[replica_id];
  // Kafka's Replica.updateFetchState: caught up now when fetching at the
  // log end; caught up as of the previous fetch when fetching at the log
  // end the leader had then.
  if (fetch_offset >= leader_end)
    f.last_caught_up_ms = now;
  else if (f.last_fetch_leader_end >= 0 && fetch_offset >= f.last_fetch_leader_end)
    f.last_caught_up_ms = std::max(f.last_caught_up_ms, f.last_fetch_ms);
  f.position = fetch_offset;
  f.last_fetch_ms = now;
  f.last_fetch_leader_end = leader_end;
  if (std::find(dirty_.begin(), dirty_.end(), key) == dirty_.end()) dirty_.push_back(key);
  ArmSoon();
  StartTick();
}

void ReplicaTracker::StartTick() {
  if (uv_is_active(reinterpret_cast<uv_handle_t*>(tick_))) return;
  // Often enough that a follower dropping out is noticed well within the
  // lag time, and produce timeouts are kept to within 100 ms.
  uint64_t period = static_cast<uint64_t>(std::clamp<int64_t>(lag_time_max_ms_ / 4, 10, 100));
  uv_timer_start(
      tick_,
      [](uv_timer_t* t) {
        auto* self = static_cast<ReplicaTracker*>(t->data);
        std::vector<Key> keys;
        for (const auto& [key, state] : self->partitions_state_) keys.push_back(key);
        for (const auto& key : keys) self->Check(key, false);
      },
      period, period);
}

void ReplicaTracker::ArmSoon() {
  if (uv_is_active(reinterpret_cast<uv_handle_t*>(soon_))) return;
  uv_timer_start(
      soon_,
      [](uv_timer_t* t) {
        auto* self = static_cast<ReplicaTracker*>(t->data);
        std::vector<Key> keys = std::move(self->dirty_);
        self->dirty_.clear();
        for (const auto& key : keys) self->Check(key, false);
      },
      0, 0);
}

int64_t ReplicaTracker::HighWatermark(const Key& key, int64_t leader_end) const {
  auto it = partitions_state_.find(key);
  if (it == partitions_state_.end()) return leader_end;
  int64_t now = env_->NowMs();
  int64_t hw = leader_end;
  for (const auto& [id, f] : it->second.followers)
    if (InSync(f, now)) hw = std::min(hw, f.position);
  // Never back (a follower that truncated, or rejoined behind), never past
  // the log end (another process truncated it).
  return std::min(std::max(hw, it->second.high_watermark), leader_end);
}

int32_t ReplicaTracker::InSyncCount(const Key& key) const {
  auto it = partitions_state_.find(key);
  if (it == partitions_state_.end()) return 1;
  int64_t now = env_->NowMs();
  int32_t n = 1;
  for (const auto& [id, f] : it->second.followers) n += InSync(f, now) ? 1 : 0;
  return n;
}

std::vector<int32_t> ReplicaTracker::Replicas(const Key& key, int32_t leader_id) const {
  std::vector<int32_t> out = {leader_id};
  auto it = partitions_state_.find(key);
  if (it != partitions_state_.end())
    for (const auto& [id, f] : it->second.followers)
      if (id != leader_id) out.push_back(id);
  return out;
}

std::vector<int32_t> ReplicaTracker::InSync(const Key& key, int32_t leader_id) const {
  std::vector<int32_t> out = {leader_id};
  auto it = partitions_state_.find(key);
  if (it == partitions_state_.end()) return out;
  int64_t now = env_->NowMs();
  for (const auto& [id, f] : it->second.followers)
    if (id != leader_id && InSync(f, now)) out.push_back(id);
  return out;
}

void ReplicaTracker::WaitForHighWatermark(const Key& key, int64_t required, int32_t min_insync,
                                          int64_t timeout_ms, Done done) {
  int64_t end = LeaderEnd(key);
  if (end >= 0 && HighWatermark(key, end) >= required) {
    return done(InSyncCount(key) >= min_insync ? ErrorCode::kNone
                                               : ErrorCode::kNotEnoughReplicasAfterAppend);
  }
  partitions_state_[key].waiters.push_back(
      {required, min_insync, env_->NowMs() + std::max<int64_t>(timeout_ms, 0), std::move(done)});
  StartTick();
}

void ReplicaTracker::Check(const Key& key, bool all) {
  auto it = partitions_state_.find(key);
  if (it == partitions_state_.end()) return;
  int64_t end = LeaderEnd(key);
  if (end >= 0) {
    int64_t hw = HighWatermark(key, end);
    if (hw > it->second.high_watermark) {
      it->second.high_watermark = hw;
      if (log::Partition* p = partitions_->FindOpen(key.first, key.second))
        fetch_waiters_->Notify(p->dir());
      it = partitions_state_.find(key);  // Notify may have run handlers
      if (it == partitions_state_.end()) return;
    }
  }
  int64_t now = env_->NowMs();
  int64_t hw = it->second.high_watermark;
  int32_t in_sync = InSyncCount(key);
  std::vector<Waiter> answer;
  auto& waiters = it->second.waiters;
  for (auto w = waiters.begin(); w != waiters.end();) {
    if (all || (end >= 0 && hw >= w->required) || now >= w->deadline_ms) {
      answer.push_back(std::move(*w));
      w = waiters.erase(w);
    } else {
      ++w;
    }
  }
  for (auto& w : answer) {
    ErrorCode code = ErrorCode::kRequestTimedOut;
    if (end >= 0 && hw >= w.required)
      code = in_sync >= w.min_insync ? ErrorCode::kNone : ErrorCode::kNotEnoughReplicasAfterAppend;
    w.done(code);
  }
}

void ReplicaTracker::AnswerAll() {
  std::vector<Key> keys;
  for (const auto& [key, state] : partitions_state_) keys.push_back(key);
  for (const auto& key : keys) Check(key, true);
}

void ReplicaTracker::Forget(const std::string& topic) {
  for (auto it = partitions_state_.begin(); it != partitions_state_.end();) {
    if (it->first.first != topic) {
      ++it;
      continue;
    }
    std::vector<Waiter> waiters = std::move(it->second.waiters);
    it = partitions_state_.erase(it);
    for (auto& w : waiters) w.done(ErrorCode::kUnknownTopicOrPartition);
  }
}

Status CapLocatedRead(log::LocatedRead* read, int64_t limit) {
  uint64_t kept = 0;
  std::string header;
  while (kept < read->length) {
    KQ_RETURN_IF_ERROR(
        read->file->Read(read->position.value() + kept, format::kBatchHeaderSize, &header));
    if (header.size() < format::kBatchHeaderSize) break;  // cut by a truncation
    KQ_ASSIGN_OR_RETURN(format::BatchHeader h, format::DecodeBatchHeader(header));
    if (h.next_offset() > limit) break;
    kept += h.total_size();
    read->next_offset = Offset(h.next_offset());
  }
  read->length = std::min(kept, read->length);
  return Status::Ok();
}

}  // namespace kq::server
