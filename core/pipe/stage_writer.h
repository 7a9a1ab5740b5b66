// StageWriter: the output side of a pipeline stage over a log directory. It
// appends records together with the stage's input position (position.h), so
// that the data and the position reach a partition in ONE Partition::Append:
//
//   KQ_ASSIGN_OR_RETURN(auto w, StageWriter::Open(dir, "out", {.env = env}));
//   w->Add(p, ts, key, value, headers);       // records of one input unit
//   w->EndGroup(p, position);                 // the input position after them
//   KQ_RETURN_IF_ERROR(w->Commit());          // one append per partition, synced
//
// A group is the unit that must not be split from its position: the lines
// of one read, the output of one input record. Commit packs a partition's
// finished groups into batches of about batch_bytes, cutting only between
// groups, and puts the position of a batch's last group on that batch's last
// record (kq.position). All of a partition's batches go in one append; a
// crash may keep a prefix of them, and each kept batch carries the position
// that matches exactly what was kept. A group without records has no record
// to carry its position: the next group's position supersedes it, and when
// none follows, that position is simply not written (a restart redoes that
// input, which produced nothing).
//
// Durability: after Commit returns OK the records are durable per the
// topic's flush policy (or the override): fsync syncs each appended
// partition; interval syncs at most every interval_ms; os never syncs.
// Close syncs and closes every partition (except under os).
//
// Thread safety: one thread at a time. Other processes may write the same
// partitions (each append takes the partition's lock).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/status.h"
#include "format/compression.h"
#include "format/record.h"
#include "io/env.h"
#include "log/log_dir.h"
#include "log/partition.h"
#include "log/topic_config.h"
#include "pipe/position.h"

namespace kq::pipe {

struct StageWriterOptions {
  io::Env* env = nullptr;  // required; must outlive the writer
  // A missing topic is created with `partitions` and `create_config`;
  // with create_topic = false it is NotFound.
  bool create_topic = true;
  int32_t partitions = 1;
  log::TopicConfig create_config;
  std::optional<log::FlushPolicy> flush;  // overrides the topic's `flush`
  format::Compression compression = format::Compression::kNone;
  // Batches are cut (between groups) once about this many bytes; capped by
  // the topic's max.message.bytes.
  size_t batch_bytes = size_t{512} << 10;
};

class StageWriter {
 public:
  static Result<std::unique_ptr<StageWriter>> Open(log::LogDir dir, std::string_view topic,
                                                   const StageWriterOptions& options);
  ~StageWriter();

  const std::string& topic() const { return topic_.name; }
  int32_t partition_count() const { return topic_.partitions; }
  const log::TopicInfo& topic_info() const { return topic_; }

  // Opens `partition` for writing now (recovery runs under its lock), so an
  // unwritable directory fails before input is read. InvalidArgument when
  // out of range.
  Status OpenPartition(int32_t partition);

  // Buffers one record for `partition` (copied). REQUIRES: 0 <= partition <
  // partition_count(); headers must not include kq.position.
  void Add(int32_t partition, int64_t timestamp, std::optional<std::string_view> key,
           std::optional<std::string_view> value, std::span<const format::HeaderView> headers);
  // Ends a group of `partition`: `position` is where the input stands after
  // every record added to it so far.
  void EndGroup(int32_t partition, Position position);

  // Appends the finished groups of every partition (one Append each, in
  // partition order) and syncs per the flush policy. Records after the last
  // EndGroup stay buffered. On error nothing more should be written: drop
  // the writer (what was appended before the error is in the log).
  Status Commit();
  // Bytes buffered, finished groups or not.
  size_t pending_bytes() const { return pending_bytes_; }
  // Records appended so far.
  uint64_t appended_records() const { return appended_records_; }
  // Syncs (unless the policy is os) and closes every partition. Pending
  // records are dropped: Commit first.
  Status Close();

 private:
  struct Pending;

  StageWriter(log::LogDir dir, log::TopicInfo topic, const StageWriterOptions& options);
  Result<log::Partition*> PartitionLog(int32_t partition);
  Status CommitPartition(int32_t partition, Pending& pending);

  log::LogDir dir_;
  log::TopicInfo topic_;
  StageWriterOptions options_;
  log::FlushPolicy flush_;
  size_t batch_limit_ = 0;
  std::map<int32_t, std::unique_ptr<log::Partition>> logs_;
  std::map<int32_t, Pending> pending_;
  std::map<int32_t, int64_t> last_sync_ms_;
  size_t pending_bytes_ = 0;
  uint64_t appended_records_ = 0;
};

}  // namespace kq::pipe
