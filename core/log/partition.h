// Partition: one topic-partition directory of segments, shared safely by any
// number of processes (DESIGN.md, "Concurrency between processes").
//
//   DIR/<topic>-<p>/
//     <base>.log / .index / .timeindex   segments (segment.h)
//     leader-epoch-checkpoint            epoch -> start offset
//     recovery-point-offset-checkpoint   how far the log is known durable
//     log-start-offset-checkpoint        the log start offset, once advanced
//     .lock                              flock target for writers
//
// Writers take the partition lock for one Append call (any number of
// batches), re-read the tail after acquiring it (another process may have
// appended, rolled or truncated), repair a torn tail left by a crashed writer,
// assign offsets, write, update the indexes and release. Readers take no lock:
// they read up to the size they observe; an incomplete batch at the tail is
// "not yet written", never an error.
//
// Durability: Append leaves data in the page cache; Sync() makes everything
// appended so far by any process durable (fdatasync) and lets the recovery
// point advance. Sealed segments are synced when they are rolled. A server
// that must not wait for the disk on its own thread splits Sync in three
// (BeginSync, SyncJob::Run on any thread, FinishSync): see there.
//
// Thread safety: a Partition object is used by one thread at a time. Several
// objects (threads or processes) may share one directory. The one exception
// is a SyncJob, which owns what it touches and may run on another thread
// while the object goes on being used, closed or destroyed.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "base/result.h"
#include "base/status.h"
#include "base/strong_types.h"
#include "format/record_batch.h"
#include "io/env.h"
#include "log/leader_epoch_checkpoint.h"
#include "log/recovery.h"
#include "log/topic_config.h"

namespace kq::log {

class Segment;

struct PartitionOptions {
  io::Env* env = nullptr;  // required
  // For messages and checkpoint files.
  std::string topic;
  PartitionId partition{0};
  // Kafka's topic configs that shape segments.
  uint64_t segment_bytes = uint64_t{1} << 30;       // segment.bytes
  int64_t segment_ms = 7LL * 24 * 3600 * 1000;      // segment.ms
  uint32_t index_interval_bytes = 4096;             // index.interval.bytes
  uint64_t segment_index_bytes = 10 * 1024 * 1024;  // segment.index.bytes
  size_t max_batch_bytes = format::kDefaultMaxBatchBytes;
  // The leader epoch stamped on appended batches; -1 = the latest epoch in
  // leader-epoch-checkpoint (0 for a new partition).
  int32_t leader_epoch = -1;
  // Minimum time between two recovery-point checkpoint writes by Sync().
  int64_t recovery_point_interval_ms = 2000;
  // Verify each batch's CRC on Read (readers should; fetch paths may not).
  bool verify_reads = true;
  // The topic's flush policy (or the producer's override). With `os` the
  // partition syncs nothing when it is created either: not the directory
  // after its first segment, not the leader-epoch-checkpoint (Sync and
  // Close(kSync) still sync when called).
  FlushPolicy::Kind flush = FlushPolicy::Kind::kFsync;
};

// Options for partition `partition` of `topic` from the topic's configs.
PartitionOptions PartitionOptionsFor(io::Env* env, std::string topic, PartitionId partition,
                                     const TopicConfig& config);

enum class OpenMode {
  kRead,   // no lock is taken; Append is refused
  kWrite,  // takes the lock once to recover, then per Append
};

struct AppendResult {
  Offset first_offset;
  Offset last_offset;
  uint64_t bytes = 0;
};

// Where the batches a Read would return lie in a segment file, so a server
// can send them with sendfile(2) without copying them through user space.
// `file` keeps the segment's .log open: when the segment is rolled or
// deleted meanwhile the bytes stay readable (POSIX keeps an open unlinked
// file); a truncation of the same file (TruncateTo, by any process) may
// shorten it, so a sender treats a short send as the end of the data.
struct LocatedRead {
  std::shared_ptr<const io::RandomAccessFile> file;  // null when length == 0
  FilePos position{0};                               // the first batch's first byte
  uint64_t length = 0;  // whole batches, back to back; 0 at the end of the log
  Offset next_offset;   // where the next read continues
  // The descriptor to sendfile from; -1 when the Env has none (MemEnv).
  int fd() const { return file ? file->NativeHandle() : -1; }
};

// How AppendAsFollower checks the batches' offsets.
struct FollowerAppendOptions {
  // False: the first batch starts exactly at the log end and each next one
  // right after the previous. True: gaps are allowed where a compacted
  // leader removed whole batches (offsets still only go up).
  bool allow_gaps = false;
};

struct ReadChunk {
  std::string bytes;   // whole batches, back to back (may start before `offset`)
  Offset next_offset;  // where the next Read continues
};

struct SegmentInfo {
  Offset base_offset;
  Offset next_offset;  // one past the last offset in the segment
  uint64_t size_bytes = 0;
  int64_t max_timestamp = -1;
  bool active = false;
  std::string log_path;
};

class Partition {
 public:
  ~Partition();
  Partition(const Partition&) = delete;
  Partition& operator=(const Partition&) = delete;

  // Opens the partition in `dir` (created in kWrite mode when missing).
  // kWrite runs recovery under the lock: validates past the recovery point,
  // truncates a torn tail there, rebuilds missing or bad indexes. Damage
  // below the recovery point or in a sealed segment is Corruption (file,
  // position, offset), never cut.
  static Result<std::unique_ptr<Partition>> Open(const std::string& dir,
                                                 const PartitionOptions& options, OpenMode mode);

  // Appends whole batches (any base offset; each is validated, then its base
  // offset and leader epoch are patched in place, so the caller's strings
  // change). All batches get consecutive offsets in order. Page cache only.
  Result<AppendResult> Append(std::span<std::string> batches);
  Result<AppendResult> Append(std::string& batch) {
    return Append(std::span<std::string>(&batch, 1));
  }

  // Appends batches built elsewhere (a leader's, a replication stream's)
  // as they are: their base offsets and partition leader epochs are kept,
  // bytes unchanged. Each batch must pass ValidateBatch (length, magic 2,
  // CRC) and fit max_batch_bytes; offsets must continue the log (see
  // FollowerAppendOptions); leader epochs must not go below the latest one in
  // leader-epoch-checkpoint nor below the previous batch's. Any violation is
  // refused whole (InvalidArgument naming the batch) before a byte is
  // written. A new epoch is recorded in leader-epoch-checkpoint (before the
  // data, durably unless the flush policy is os) at its first batch's base
  // offset. Page cache only, as
  // Append; a crash keeps a prefix of whole batches, and the checkpoint is
  // cut back to the log end on the next open.
  Result<AppendResult> AppendAsFollower(std::span<const std::string> batches,
                                        const FollowerAppendOptions& follower = {});

  // Makes everything appended so far (by any process) durable, then lets the
  // recovery point follow (at most every recovery_point_interval_ms).
  Status Sync();

  // Sync() with its fdatasync run off the object's thread:
  //   1. BeginSync (the object's thread) captures what a Sync now would
  //      cover: the log end and a duplicate handle of the active segment's
  //      .log (segments rolled before it were synced when sealed). Appends
  //      made after it are not covered, however the sync ends.
  //   2. SyncJob::Run (any thread) fdatasyncs that handle. It touches nothing
  //      of the Partition, so the object may meanwhile append, roll, truncate,
  //      close or be destroyed.
  //   3. FinishSync (the object's thread), only after Run succeeded, records
  //      the durable end and lets the recovery point follow as Sync does. A
  //      job begun by another object (the partition was closed and reopened
  //      meanwhile) is ignored; after a truncation since BeginSync the end is
  //      not recorded (the bytes below it may have changed).
  // A failed Run records nothing: the next sync covers the same bytes again.
  struct SyncJob {
    std::unique_ptr<io::AppendableFile> file;  // null: nothing left to sync
    Offset end{0};                             // the log end the sync covers
    uint64_t owner = 0;                        // the Partition that began it
    uint64_t truncations = 0;                  // its truncation count then
    Status Run() const { return file ? file->Sync() : Status::Ok(); }
  };
  Result<SyncJob> BeginSync();
  Status FinishSync(const SyncJob& job);
  // Sync() and a final recovery-point write (with kNoSync, neither: the flush
  // policy `os` leaves durability to the kernel, and the recovery point stays
  // where it was, so the next open validates what this object wrote). The
  // object may be dropped after.
  enum class CloseSync { kSync, kNoSync };
  Status Close(CloseSync sync = CloseSync::kSync);

  // Picks up appends, rolls, truncations and deletions made by others.
  Status Refresh();

  Offset log_start_offset() const { return log_start_; }
  Offset log_end_offset() const { return log_end_; }
  const std::string& dir() const { return dir_; }
  const PartitionOptions& options() const { return options_; }
  std::string Name() const;  // "topic-p" for messages

  // Reads whole batches starting with the one that holds `offset`, about
  // max_bytes (always at least one whole batch when one exists). Empty at the
  // end of the log. OutOfRange below the log start or past the end.
  // With verify_reads, a bad batch is Corruption naming file, position, offset.
  Result<ReadChunk> Read(Offset offset, size_t max_bytes);

  // Where the bytes Read(offset, max_bytes) would return lie: the same whole
  // batches of one segment, the same next_offset, the same errors. With
  // verify_reads the batches are read once to check their CRCs; without it
  // only their headers are read, so a Fetch path copies nothing.
  Result<LocatedRead> Locate(Offset offset, size_t max_bytes);

  // The first offset whose record timestamp is >= ts (Kafka's ListOffsets),
  // or log end when there is none.
  Result<Offset> OffsetForTimestamp(int64_t ts);

  std::vector<SegmentInfo> Segments() const;
  uint64_t size_bytes() const;

  // Removes every record at or after `new_end` (under the lock): whole
  // batches, so the log may end below `new_end` when it falls inside one
  // (Kafka's rule for a follower that diverged from its leader). The
  // leader-epoch-checkpoint loses the epochs that start at or after the new
  // end. Crash-safe: segments past the end are removed (and the directory
  // synced) before the last one is cut, so a crash leaves a prefix of the
  // old log, never one with a hole.
  Status TruncateTo(Offset new_end);
  // Advances the log start offset (Kafka's DeleteRecords); whole segments
  // below it are deleted (under the lock).
  Status AdvanceLogStart(Offset new_start);

  // The leader epoch appends are stamped with.
  Epoch leader_epoch() const { return leader_epoch_; }

  // What the last recovery (at Open in kWrite mode) did.
  const RecoveryReport& recovery_report() const { return recovery_; }

  // OK, or why this object refuses all further work: a failed write whose
  // reload of the segment files failed too (for example, out of file
  // descriptors) leaves no trustworthy view of the log. Reopen to go on.
  const Status& broken() const { return broken_; }

 private:
  Partition(std::string dir, PartitionOptions options, OpenMode mode);

  Result<std::unique_ptr<io::FileLock>> LockPartition();
  Status LoadSegments();
  Status Recover(Offset recovery_point);
  Status CheckTail();
  bool RolledElsewhere(const Segment& active) const;
  Status Roll(Offset new_base);
  bool NeedsRoll(const Segment& active, uint64_t pending_bytes,
                 const format::BatchHeader& incoming) const;
  Status AppendLocked(std::span<std::string> batches, AppendResult* result);
  Status TruncateLocked(Offset new_end);
  // The frame both appends share: mode and broken checks, the partition
  // lock, and a reload when a failed append changed what is in memory.
  Result<AppendResult> AppendUnderLock(size_t batch_count,
                                       const std::function<Status(AppendResult*)>& append_locked);
  // OK when a batch read at `position` of `seg`, offsets base..base +
  // last_delta, starts at or after min_base and ends below limit; otherwise
  // Corruption naming the segment, position and offsets.
  Status CheckBatchOffsets(const Segment& seg, uint64_t position, int64_t base, int32_t last_delta,
                           int64_t min_base, int64_t limit) const;
  Status AdvanceLogStartLocked(Offset new_start);
  Status FollowerAppendLocked(std::span<const std::string> batches,
                              const FollowerAppendOptions& follower, AppendResult* result);
  // Validates each batch (size, framing, CRC) and decodes its header.
  Result<std::vector<format::BatchHeader>> CheckBatches(std::span<const std::string> batches) const;
  // Writes batches whose headers carry their final offsets, rolling where
  // needed, and moves the log end past them.
  Status WriteBatches(std::span<const std::string> batches,
                      std::span<const format::BatchHeader> headers);
  Status WriteGroup(std::span<const std::string> batches,
                    std::span<const format::BatchHeader> headers);
  // After a failed write: re-learns the segments from the files (a partial
  // write is cut as a torn tail by the next writer); when that fails too
  // the partition is broken.
  void ReloadAfterFailure();
  // Walks the whole batches Read(offset, max_bytes) delivers from
  // `position` in `segment` without reading their bodies (verify_reads off).
  Status LocateBatches(size_t segment, uint64_t position, size_t max_bytes, LocatedRead* out);
  // Shared by Read and Locate: finds the segment and position of `offset`
  // and calls `at(segment, position)` until it delivers something.
  template <typename Out, typename At>
  Status Seek(Offset offset, Out* out, At&& at);
  Status WriteOffsetCheckpoint(const char* name, Offset offset);
  Result<Offset> ReadOffsetCheckpoint(const char* name, Offset if_missing);
  Status LoadLogStart();
  Status LoadLeaderEpoch();
  Status RecordEpochStart(Offset start);
  // Writes leader-epoch-checkpoint: atomically and durably, or under the
  // flush policy os without a sync.
  Status WriteEpochs(const std::vector<EpochEntry>& entries);
  // The epoch table the batches' headers give (Kafka's recovery rebuilds it
  // the same way): for a checkpoint that a power cut left unreadable under
  // the flush policy os, which writes it without a sync.
  Result<std::vector<EpochEntry>> EpochsFromBatches() const;
  bool syncs_metadata() const { return options_.flush != FlushPolicy::Kind::kOs; }
  Status LowerRecoveryPoint(Offset end);
  // Index of the segment that holds `offset` or the first one after it.
  size_t SegmentIndexFor(Offset offset) const;
  Status ReadBatches(size_t segment, uint64_t position, size_t max_bytes, ReadChunk* out);
  // One past the largest offset segment `segment` may hold: the next
  // segment's base, or the log end.
  Offset OffsetLimitOf(size_t segment) const;
  std::string PathOf(const char* name) const;

  std::string dir_;
  PartitionOptions options_;
  OpenMode mode_;
  std::vector<std::unique_ptr<Segment>> segments_;  // ascending base offsets
  Offset log_start_{0};
  Offset log_end_{0};
  Epoch leader_epoch_{0};
  Epoch recorded_epoch_ = kNoEpoch;  // latest epoch in leader-epoch-checkpoint
  Offset recovery_point_written_{0};
  // The log end this object last fdatasynced, -1 once it wrote anything
  // since (a truncation and new appends can reach the same end with other
  // bytes): lets Close skip a sync that Flush just did.
  Offset durable_end_{-1};
  // For SyncJobs: which object began one, and what changed since.
  const uint64_t instance_;
  uint64_t truncations_ = 0;  // truncations and reloads after a failure
  // The durable end is `synced_end` now: the recovery point may follow.
  Status AdvanceRecoveryPoint(Offset synced_end);
  int64_t recovery_point_written_ms_ = 0;
  RecoveryReport recovery_;
  Status broken_;
};

}  // namespace kq::log
