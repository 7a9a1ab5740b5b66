// ReplicaTracker: kq-serve as a leader with followers (kq-replicate
// --replica-id N, or anything that fetches with a replica id >= 0).
//
// Per partition it keeps each follower's position (its fetch offset: the
// follower has everything before it) and when it last caught up to the
// leader's log end. Kafka's rules (the project reference's "replication" section):
//
//   in sync       the leader, and each follower that caught up to the
//                 leader's log end within replica.lag.time.max.ms (a fetch
//                 at the log end, or at the log end of its previous fetch)
//   high water    min over the in-sync replicas' positions, never moving
//                 back; with no follower ever seen, the log end (one
//                 replica, always in sync: single-node behaviour)
//   acks=-1       answered once the high watermark passes the batch, with
//                 NOT_ENOUGH_REPLICAS_AFTER_APPEND if the in-sync set shrank
//                 below min.insync.replicas meanwhile, or REQUEST_TIMED_OUT
//                 after the produce timeout
//
// Consumers (replica id -1) are served up to the high watermark, followers
// up to the log end. When the high watermark advances, parked fetches of
// the partition are woken (FetchWaiters::Notify) and waiting produces
// checked; a timer re-evaluates the in-sync sets (a follower that stops
// fetching drops out after the lag time, which may advance the high
// watermark and answer waiting produces).
//
// State is in memory: after a restart followers are learned again from
// their next fetch.
//
// Thread safety: the loop thread only.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "io/env.h"
#include "log/partition.h"
#include "protocol/error_codes.h"

struct uv_loop_s;
struct uv_timer_s;

namespace kq::server {

class FetchWaiters;
class PartitionManager;

class ReplicaTracker {
 public:
  using Key = std::pair<std::string, int32_t>;  // topic, partition
  using Done = std::function<void(protocol::ErrorCode)>;

  ReplicaTracker(uv_loop_s* loop, io::Env* env, PartitionManager* partitions,
                 FetchWaiters* fetch_waiters, int64_t lag_time_max_ms);
  ~ReplicaTracker();
  ReplicaTracker(const ReplicaTracker&) = delete;
  ReplicaTracker& operator=(const ReplicaTracker&) = delete;

  // Follower `replica_id` fetched at `fetch_offset` (<= leader_end). Effects
  // (high watermark, waking) run from the loop shortly after, never inside
  // the caller.
  void FollowerFetched(const Key& key, int32_t replica_id, int64_t fetch_offset,
                       int64_t leader_end);

  // Whether any follower ever fetched the partition.
  bool Replicated(const Key& key) const { return partitions_state_.count(key) != 0; }
  int64_t HighWatermark(const Key& key, int64_t leader_end) const;
  // Replicas in sync, the leader included.
  int32_t InSyncCount(const Key& key) const;
  // Node ids for Metadata: the leader first, then the followers seen (or
  // in sync), ascending.
  std::vector<int32_t> Replicas(const Key& key, int32_t leader_id) const;
  std::vector<int32_t> InSync(const Key& key, int32_t leader_id) const;

  // acks=-1: calls `done` once the high watermark reaches `required` (the
  // offset after the appended batches) or timeout_ms passes. May call it
  // at once.
  void WaitForHighWatermark(const Key& key, int64_t required, int32_t min_insync,
                            int64_t timeout_ms, Done done);
  // Answers every waiting produce now with what holds (shutdown).
  void AnswerAll();
  // Forgets a deleted topic's followers.
  void Forget(const std::string& topic);

 private:
  struct Follower {
    int64_t position = 0;            // its fetch offset
    int64_t last_caught_up_ms = -1;  // -1: never
    int64_t last_fetch_ms = -1;
    int64_t last_fetch_leader_end = -1;
  };
  struct Waiter {
    int64_t required;
    int32_t min_insync;
    int64_t deadline_ms;
    Done done;
  };
  struct State {
    std::map<int32_t, Follower> followers;
    int64_t high_watermark = 0;
    std::vector<Waiter> waiters;
  };

  bool InSync(const Follower& f, int64_t now) const;
  int64_t LeaderEnd(const Key& key) const;  // -1 when the partition is not open
  // Recomputes the high watermark, wakes fetches when it moved, answers
  // waiters that may be answered (or `all`, at shutdown).
  void Check(const Key& key, bool all);
  void ArmSoon();
  void StartTick();

  uv_loop_s* loop_;
  io::Env* env_;
  PartitionManager* partitions_;
  FetchWaiters* fetch_waiters_;
  int64_t lag_time_max_ms_;
  std::map<Key, State> partitions_state_;
  uv_timer_s* soon_ = nullptr;  // runs Check for `dirty_` on the next loop turn
  uv_timer_s* tick_ = nullptr;  // re-evaluates every partition periodically
  std::vector<Key> dirty_;
};

// Cuts a located read so it holds only whole batches that end before
// `limit` (the high watermark, for a consumer): reads the batch headers from
// the file. Length 0 when the first batch reaches past the limit.
Status CapLocatedRead(log::LocatedRead* read, int64_t limit);

}  // namespace kq::server
