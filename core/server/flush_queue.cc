#include "server/flush_queue.h"

#include <uv.h>

#include "log/partition.h"
#include "server/server_log.h"

namespace kq::server {
namespace {

template <typename Handle>
void CloseAndDelete(Handle* h) {
  uv_close(reinterpret_cast<uv_handle_t*>(h),
           [](uv_handle_t* handle) { delete reinterpret_cast<Handle*>(handle); });
}

struct IntervalTimer {
  FlushQueue::Key key;
  std::function<void()> fire;
};

void LogSyncFailure(const FlushQueue::Key& key, const Status& s) {
  LogEvent(
      LogLevel::kError, "sync_failed",
      {{"topic", key.first}, {"partition", std::to_string(key.second)}, {"error", s.ToString()}});
}

}  // namespace

// One partition's sync on the thread pool. Owned by the uv_work_t callbacks:
// deleted when the work is done, whether or not the queue still exists.
struct FlushQueue::Running {
  uv_work_t req;
  FlushQueue* queue;  // null once the queue is gone: nobody to tell
  Key key;
  log::Partition::SyncJob job;
  Status status;  // written by the pool thread, read after it on the loop
  std::vector<Done> waiters;
};

FlushQueue::FlushQueue(uv_loop_s* loop, PartitionManager* partitions)
    : loop_(loop), partitions_(partitions), check_(new uv_check_t), idle_(new uv_idle_t) {
  uv_check_init(loop_, check_);
  uv_idle_init(loop_, idle_);
  check_->data = this;
}

FlushQueue::~FlushQueue() {
  FlushNow();
  for (auto& [key, r] : running_) r->queue = nullptr;
  for (auto& [key, timer] : interval_timers_) {
    delete static_cast<IntervalTimer*>(timer->data);
    CloseAndDelete(timer);
  }
  CloseAndDelete(check_);
  CloseAndDelete(idle_);
}

void FlushQueue::AfterSync(const Key& partition, Done done) {
  pending_[partition].push_back(std::move(done));
  Want(partition);
}

void FlushQueue::Want(const Key& partition) {
  pending_[partition];  // a sync is wanted even with no waiter (interval)
  // A running sync began before this: the next one starts when it ends.
  if (running_.count(partition) == 0) ArmCheck();
}

void FlushQueue::ArmCheck() {
  if (armed_) return;
  armed_ = true;
  uv_check_start(check_, [](uv_check_t* c) { static_cast<FlushQueue*>(c->data)->StartPending(); });
  uv_idle_start(idle_, [](uv_idle_t*) {});
}

void FlushQueue::StartPending() {
  armed_ = false;
  uv_check_stop(check_);
  uv_idle_stop(idle_);
  // Taken aside: a callback may append and wait again (pipelined requests).
  std::map<Key, std::vector<Done>> pending = std::move(pending_);
  pending_.clear();
  for (auto& [key, waiters] : pending) {
    if (running_.count(key) != 0) {
      // Waits for the running sync to end, ahead of any newcomer.
      auto& queue = pending_[key];
      queue.insert(queue.begin(), std::make_move_iterator(waiters.begin()),
                   std::make_move_iterator(waiters.end()));
      continue;
    }
    Start(key, std::move(waiters));
  }
}

void FlushQueue::Start(const Key& key, std::vector<Done> waiters) {
  auto fail = [&](const Status& s) {
    LogSyncFailure(key, s);
    for (auto& done : waiters) done(s);
  };
  auto p = partitions_->Get(key.first, key.second);
  if (!p.ok()) return fail(p.status());
  log::Partition* partition = *p;
  auto job = partition->BeginSync();
  if (!job.ok()) return fail(job.status());
  if (job->file == nullptr) {
    // Everything appended so far is covered by a sync that already ended.
    Status s = partition->FinishSync(*job);
    if (!s.ok()) return fail(s);
    for (auto& done : waiters) done(Status::Ok());
    return;
  }
  auto* r = new Running{{}, this, key, std::move(*job), Status::Ok(), std::move(waiters)};
  r->req.data = r;
  running_[key] = r;
  uv_queue_work(
      loop_, &r->req,
      [](uv_work_t* req) {
        auto* running = static_cast<Running*>(req->data);
        running->status = running->job.Run();
      },
      [](uv_work_t* req, int) {
        auto* running = static_cast<Running*>(req->data);
        if (running->queue == nullptr) {
          delete running;
          return;
        }
        running->queue->Finished(running);
      });
}

void FlushQueue::Finished(Running* r) {
  std::unique_ptr<Running> owned(r);
  running_.erase(r->key);
  Status s = r->status;
  if (s.ok()) {
    // The partition object may have been closed, or closed and reopened,
    // since: FinishSync ignores a job that is not its own.
    if (log::Partition* p = partitions_->FindOpen(r->key.first, r->key.second)) {
      s = p->FinishSync(r->job);
    }
  }
  if (!s.ok()) LogSyncFailure(r->key, s);
  for (auto& done : r->waiters) done(s);
  // Requests that appended while this sync ran wait for the next one.
  if (pending_.count(r->key) != 0) ArmCheck();
}

void FlushQueue::FlushNow() {
  std::map<Key, std::vector<Done>> waiting = std::move(pending_);
  pending_.clear();
  for (auto& [key, r] : running_) {
    auto& list = waiting[key];
    for (auto& done : r->waiters) list.push_back(std::move(done));
    r->waiters.clear();
  }
  for (auto& [key, callbacks] : waiting) {
    auto p = partitions_->Get(key.first, key.second);
    Status s = p.ok() ? (*p)->Sync() : p.status();
    if (!s.ok()) LogSyncFailure(key, s);
    for (auto& done : callbacks) done(s);
  }
}

void FlushQueue::SyncWithin(const Key& partition, int64_t interval_ms) {
  uv_timer_t*& timer = interval_timers_[partition];
  if (timer == nullptr) {
    timer = new uv_timer_t;
    uv_timer_init(loop_, timer);
    timer->data = new IntervalTimer{partition, [this, partition] { Want(partition); }};
  }
  if (uv_is_active(reinterpret_cast<uv_handle_t*>(timer))) return;
  uv_timer_start(
      timer, [](uv_timer_t* t) { static_cast<IntervalTimer*>(t->data)->fire(); },
      static_cast<uint64_t>(interval_ms), 0);
}

}  // namespace kq::server
