// FlushQueue: group commit for acknowledgements, with the fdatasync off the
// event loop. A Produce that must wait for durability (acks=1 or -1 on a
// topic whose flush policy is fsync) asks to be called back after a sync of
// its partition that covers its append.
//
// Per partition, at most one sync runs at a time, on libuv's thread pool
// (uv_queue_work; several partitions sync in parallel there):
//   - Requests wait in `pending` until the loop has handled every ready
//     socket (a uv_check handle, with an idle handle keeping the loop from
//     sleeping meanwhile). Then, for each partition with waiters and no sync
//     running, Partition::BeginSync captures the log end on the loop and the
//     waiters move into that sync: they all share one fdatasync.
//   - While it runs the loop goes on serving every connection. Requests that
//     append to the partition meanwhile wait for the next sync, never for the
//     running one (it began before their append, so it may not cover it).
//   - When it ends, back on the loop: on success Partition::FinishSync
//     records the durable end and the waiters get OK; on failure every waiter
//     gets the error (the producer answers KAFKA_STORAGE_ERROR) and nothing
//     is recorded, so no later sync reports those appends as durable for
//     them. Then the next sync starts for whoever waits.
//   - A partition closed or deleted (DeleteTopics, a config change) while
//     its sync runs is never touched: the running sync owns a duplicate of
//     the segment's descriptor, and FinishSync ignores a job begun by an
//     object that is gone (the waiters still get the fdatasync's outcome).
//
// Partitions with the interval flush policy get a timer instead: their
// appends are acknowledged at once and synced (on the pool too) at most
// every interval.
//
// FlushNow (SIGTERM, destruction) answers every waiter at once: pending and
// running ones alike get the outcome of a Partition::Sync run on the loop,
// which covers everything appended so far. A sync still running then ends
// later with no one to tell (the queue may be gone by then; the loop must
// run until it has, as serve.cc's final uv_run does).
//
// Thread safety: the loop thread only (the pool runs SyncJob::Run alone).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "base/status.h"
#include "server/partition_manager.h"

struct uv_loop_s;
struct uv_check_s;
struct uv_idle_s;
struct uv_timer_s;

namespace kq::server {

class FlushQueue {
 public:
  using Key = std::pair<std::string, int32_t>;  // topic, partition
  using Done = std::function<void(Status)>;

  FlushQueue(uv_loop_s* loop, PartitionManager* partitions);
  ~FlushQueue();

  // Calls `done` (on the loop) with the outcome of a sync of the partition
  // that began after this call, so it covers everything appended to it so
  // far.
  void AfterSync(const Key& partition, Done done);
  // Syncs the partition within interval_ms (interval policy).
  void SyncWithin(const Key& partition, int64_t interval_ms);
  // Syncs everything waiting now, on the loop, and runs the callbacks
  // (shutdown).
  void FlushNow();

  // Syncs running on the thread pool now.
  size_t running() const { return running_.size(); }

 private:
  struct Running;
  // Wanted: a sync of `partition` soon (waiters or the interval timer).
  void Want(const Key& partition);
  void ArmCheck();
  void StartPending();
  void Start(const Key& partition, std::vector<Done> waiters);
  void Finished(Running* r);

  uv_loop_s* loop_;
  PartitionManager* partitions_;
  uv_check_s* check_;
  uv_idle_s* idle_;
  bool armed_ = false;
  // Waiting for the next sync of their partition (possibly empty: a sync
  // wanted by the interval timer).
  std::map<Key, std::vector<Done>> pending_;
  std::map<Key, Running*> running_;
  std::map<Key, uv_timer_s*> interval_timers_;
};

}  // namespace kq::server
