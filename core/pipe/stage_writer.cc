#include "pipe/stage_writer.h"

#include <algorithm>
#include <utility>

#include <fmt/format.h>

#include "format/record_batch.h"
#include "format/record_batch_builder.h"

namespace kq::pipe {
namespace {

// A view into a Pending arena: -1 length is null.
struct Span {
  size_t offset = 0;
  int64_t length = -1;
};

// Per-record framing the size estimate adds to key, value and headers.
constexpr size_t kRecordOverhead = 32;

}  // namespace

// One partition's buffered records, their bytes in one arena (a record per
// allocation would dominate a fast pipe), and where groups end.
struct StageWriter::Pending {
  struct Header {
    Span key;
    Span value;
  };
  struct Record {
    int64_t timestamp = -1;
    Span key;
    Span value;
    size_t first_header = 0;
    size_t header_count = 0;
    size_t size = 0;  // estimate
  };
  struct Group {
    size_t end = 0;  // records [previous end, end)
    Position position;
  };
  std::string arena;
  std::vector<Record> records;
  std::vector<Header> headers;
  std::vector<Group> groups;

  Span Put(std::optional<std::string_view> bytes) {
    if (!bytes) return {};
    Span s{arena.size(), static_cast<int64_t>(bytes->size())};
    arena.append(*bytes);
    return s;
  }
  std::optional<std::string_view> View(Span s) const {
    if (s.length < 0) return std::nullopt;
    return std::string_view(arena).substr(s.offset, static_cast<size_t>(s.length));
  }
  // The headers of `r`, as views into the arena, in *hv (cleared first).
  void HeadersOf(const Record& r, std::vector<format::HeaderView>* hv) const {
    hv->clear();
    for (size_t h = 0; h < r.header_count; ++h) {
      const Header& x = headers[r.first_header + h];
      hv->push_back({*View(x.key), View(x.value)});
    }
  }
  // The size estimate of records [begin, end).
  size_t SizeOf(size_t begin, size_t end) const {
    size_t size = 0;
    for (size_t i = begin; i < end; ++i) size += records[i].size;
    return size;
  }
  // Drops the records of finished groups, keeping those after the last one.
  void DropFinished() {
    if (groups.empty()) return;
    const size_t done = groups.back().end;
    groups.clear();
    if (done == records.size()) {
      arena.clear();
      records.clear();
      headers.clear();
      return;
    }
    // Rare (records added but their group not ended): rebuild the rest.
    Pending rest;
    std::vector<format::HeaderView> hv;
    for (size_t i = done; i < records.size(); ++i) {
      const Record& r = records[i];
      HeadersOf(r, &hv);
      rest.Add(r.timestamp, View(r.key), View(r.value), hv);
    }
    *this = std::move(rest);
  }
  size_t Add(int64_t ts, std::optional<std::string_view> key, std::optional<std::string_view> value,
             std::span<const format::HeaderView> hs) {
    Record r;
    r.timestamp = ts;
    r.key = Put(key);
    r.value = Put(value);
    r.first_header = headers.size();
    r.header_count = hs.size();
    r.size = kRecordOverhead + (key ? key->size() : 0) + (value ? value->size() : 0);
    for (const auto& h : hs) {
      headers.push_back({Put(h.key), Put(h.value)});
      r.size += 10 + h.key.size() + (h.value ? h.value->size() : 0);
    }
    records.push_back(r);
    return r.size;
  }
};

StageWriter::StageWriter(log::LogDir dir, log::TopicInfo topic, const StageWriterOptions& options)
    : dir_(std::move(dir)), topic_(std::move(topic)), options_(options) {
  flush_ = options.flush.value_or(topic_.config.flush);
  const size_t max_message = static_cast<size_t>(std::max(topic_.config.max_message_bytes, 1024));
  batch_limit_ = std::min(options.batch_bytes, max_message - std::min(max_message, size_t{512}));
  batch_limit_ = std::max<size_t>(batch_limit_, 1);
}

StageWriter::~StageWriter() = default;

Result<std::unique_ptr<StageWriter>> StageWriter::Open(log::LogDir dir, std::string_view topic,
                                                       const StageWriterOptions& options) {
  if (options.env == nullptr) return Status::InvalidArgument("StageWriter needs an Env");
  log::TopicInfo info;
  if (options.create_topic) {
    KQ_ASSIGN_OR_RETURN(info, dir.EnsureTopic(topic, options.partitions, options.create_config));
  } else {
    KQ_ASSIGN_OR_RETURN(info, dir.DescribeTopic(topic));
  }
  return std::unique_ptr<StageWriter>(new StageWriter(std::move(dir), std::move(info), options));
}

Result<log::Partition*> StageWriter::PartitionLog(int32_t partition) {
  auto it = logs_.find(partition);
  if (it != logs_.end()) return it->second.get();
  if (partition < 0 || partition >= topic_.partitions) {
    return Status::InvalidArgument(
        fmt::format("partition {} of topic '{}' does not exist (it has {})", partition, topic_.name,
                    topic_.partitions));
  }
  KQ_ASSIGN_OR_RETURN(auto log,
                      dir_.OpenPartition(topic_, PartitionId(partition), log::OpenMode::kWrite));
  log::Partition* p = log.get();
  logs_.emplace(partition, std::move(log));
  return p;
}

Status StageWriter::OpenPartition(int32_t partition) { return PartitionLog(partition).status(); }

void StageWriter::Add(int32_t partition, int64_t timestamp, std::optional<std::string_view> key,
                      std::optional<std::string_view> value,
                      std::span<const format::HeaderView> headers) {
  pending_bytes_ += pending_[partition].Add(timestamp, key, value, headers);
}

void StageWriter::EndGroup(int32_t partition, Position position) {
  Pending& p = pending_[partition];
  if (!p.groups.empty() && p.groups.back().end == p.records.size()) {
    // No records since the last group: this position supersedes that one.
    p.groups.back().position = std::move(position);
    return;
  }
  p.groups.push_back({p.records.size(), std::move(position)});
}

Status StageWriter::CommitPartition(int32_t partition, Pending& pending) {
  if (pending.groups.empty() || pending.groups.back().end == 0) {
    pending.groups.clear();
    return Status::Ok();
  }
  KQ_ASSIGN_OR_RETURN(log::Partition * log, PartitionLog(partition));
  format::RecordBatchBuilder builder({.compression = options_.compression});
  std::vector<std::string> batches;
  std::vector<format::HeaderView> hv;
  size_t record = 0;
  size_t batch_size = 0;
  // Each group's size is summed once, as the next group's, then carried.
  size_t group_size = pending.SizeOf(0, pending.groups.front().end);
  for (size_t g = 0; g < pending.groups.size(); ++g) {
    const auto& group = pending.groups[g];
    const bool last_group = g + 1 == pending.groups.size();
    const size_t next_size = last_group ? 0 : pending.SizeOf(group.end, pending.groups[g + 1].end);
    if (group.end == record) {  // only when the very first group is empty
      group_size = next_size;
      continue;
    }
    // A batch ends where the next group would overflow it or where the
    // groups end; its last group's position goes on its last record.
    const bool last_of_batch = last_group || batch_size + group_size + next_size > batch_limit_;
    KQ_ASSIGN_OR_RETURN(std::string encoded,
                        last_of_batch ? EncodePosition(group.position) : Result<std::string>(""));
    for (size_t i = record; i < group.end; ++i) {
      const Pending::Record& r = pending.records[i];
      pending.HeadersOf(r, &hv);
      if (last_of_batch && i + 1 == group.end) hv.push_back({kPositionHeader, encoded});
      builder.Add(r.timestamp, pending.View(r.key), pending.View(r.value), hv);
    }
    record = group.end;
    batch_size += group_size;
    group_size = next_size;
    if (last_of_batch) {
      KQ_ASSIGN_OR_RETURN(std::string batch, builder.Finish());
      batches.push_back(std::move(batch));
      batch_size = 0;
    }
  }
  KQ_ASSIGN_OR_RETURN(log::AppendResult appended, log->Append(std::span<std::string>(batches)));
  (void)appended;
  appended_records_ += pending.groups.back().end;  // every record up to the last group
  pending.DropFinished();
  switch (flush_.kind) {
    case log::FlushPolicy::Kind::kFsync:
      return log->Sync();
    case log::FlushPolicy::Kind::kInterval: {
      const int64_t now = options_.env->NowMs();
      int64_t& last = last_sync_ms_[partition];
      if (now - last < flush_.interval_ms) return Status::Ok();
      last = now;
      return log->Sync();
    }
    case log::FlushPolicy::Kind::kOs:
      return Status::Ok();
  }
  return Status::Ok();
}

Status StageWriter::Commit() {
  for (auto& [partition, pending] : pending_) {
    KQ_RETURN_IF_ERROR(CommitPartition(partition, pending));
  }
  pending_bytes_ = 0;
  for (const auto& [partition, pending] : pending_) {
    for (const auto& r : pending.records) pending_bytes_ += r.size;
  }
  return Status::Ok();
}

Status StageWriter::Close() {
  Status first;
  const auto how = flush_.kind == log::FlushPolicy::Kind::kOs ? log::Partition::CloseSync::kNoSync
                                                              : log::Partition::CloseSync::kSync;
  for (auto& [partition, log] : logs_) {
    Status s = log->Close(how);
    if (first.ok() && !s.ok()) first = s;
  }
  logs_.clear();
  pending_.clear();
  pending_bytes_ = 0;
  return first;
}

}  // namespace kq::pipe
