// FlushQueue: group commit for acknowledgements. A Produce that must wait
// for durability (acks=1 or -1 on a topic whose flush policy is fsync) asks
// to be called back after its partition's next sync; every request that
// arrived in the same loop turn, from any connection, shares that one
// fdatasync per partition. The sync runs right after the loop has handled
// all ready sockets (a uv_check handle), with an idle handle keeping the
// loop from sleeping meanwhile.
//
// Partitions with the interval flush policy get a timer instead: their
// appends are acknowledged at once and synced at most every interval.
//
// Thread safety: the loop thread only.
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

  FlushQueue(uv_loop_s* loop, PartitionManager* partitions);
  ~FlushQueue();

  // Calls `done` with the outcome of a sync of the partition that covers
  // everything appended to it so far.
  void AfterSync(const Key& partition, std::function<void(Status)> done);
  // Syncs the partition within interval_ms (interval policy).
  void SyncWithin(const Key& partition, int64_t interval_ms);
  // Syncs everything pending now and runs the callbacks (shutdown).
  void FlushNow();

 private:
  void RunPending();

  uv_loop_s* loop_;
  PartitionManager* partitions_;
  uv_check_s* check_;
  uv_idle_s* idle_;
  std::map<Key, std::vector<std::function<void(Status)>>> pending_;
  std::map<Key, uv_timer_s*> interval_timers_;
};

}  // namespace kq::server
