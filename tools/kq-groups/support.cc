// Helpers shared by the kq-groups subcommands: opening the directory and the
// offsets store, a group's state, partition offsets, tables and output.
#include <algorithm>
#include <cstdio>
#include <iterator>

#include <fmt/format.h>

#include "common/exit_codes.h"
#include "common/output.h"
#include "groups/offset_commit_codec.h"
#include "groups_tool.h"
#include "io/env.h"
#include "log/partition.h"
#include "log/topic_name.h"

namespace kq::tools::groups_tool {

Result<Context> OpenContext(const CommonFlags& common) {
  io::Env* env = io::Env::Default();
  Context ctx;
  KQ_ASSIGN_OR_RETURN(log::LogDir dir, log::LogDir::Open(env, common.dir, false));
  ctx.dir = std::move(dir);
  KQ_ASSIGN_OR_RETURN(ctx.store, groups::OffsetsStore::Open(env, common.dir));
  return ctx;
}

Result<GroupState> LoadGroup(Context& ctx, std::string_view group) {
  io::Env* env = io::Env::Default();
  GroupState state;
  KQ_ASSIGN_OR_RETURN(state.offsets, ctx.store->Fetch(group));
  KQ_ASSIGN_OR_RETURN(state.members, groups::ListLiveMembers(env, ctx.dir->path(), group));
  KQ_ASSIGN_OR_RETURN(state.owners,
                      groups::ListPartitionOwners(env, ctx.dir->path(), group, state.members));
  return state;
}

Status UnknownGroup(const Context& ctx, std::string_view group) {
  return Status::NotFound(fmt::format("group '{}' does not exist in {}",
                                      log::EscapeForMessage(group), ctx.dir->path()));
}

bool CheckGroupName(std::string_view group) {
  if (Status s = groups::ValidateGroupName(group); !s.ok()) {
    ReportUsageError(kTool, s.message());
    return false;
  }
  return true;
}

Result<int32_t> PartitionRanges::Partitions(const std::string& topic) {
  auto it = topics_.find(topic);
  if (it == topics_.end()) {
    Result<log::TopicInfo> info = dir_.DescribeTopic(topic);
    if (!info.ok() && !info.status().IsNotFound()) return info.status();
    it = topics_.emplace(topic, info.ok() ? std::optional(std::move(*info)) : std::nullopt).first;
  }
  if (!it->second) {
    return Status::NotFound(
        fmt::format("topic '{}' does not exist in {}", log::EscapeForMessage(topic), dir_.path()));
  }
  return it->second->partitions;
}

namespace {

Result<std::unique_ptr<log::Partition>> OpenForRead(const log::LogDir& dir,
                                                    const std::string& topic, int32_t partition) {
  log::PartitionOptions options;
  options.env = io::Env::Default();
  options.topic = topic;
  options.partition = partition;
  return log::Partition::Open(dir.PartitionPath(topic, PartitionId(partition)), options,
                              log::OpenMode::kRead);
}

}  // namespace

Result<std::optional<PartitionRange>> PartitionRanges::Get(const groups::TopicPartition& tp) {
  Result<int32_t> count = Partitions(tp.topic);
  if (!count.ok()) {
    if (count.status().IsNotFound()) return std::optional<PartitionRange>();
    return count.status();
  }
  if (tp.partition >= *count) return std::optional<PartitionRange>();
  KQ_ASSIGN_OR_RETURN(auto p, OpenForRead(dir_, tp.topic, tp.partition));
  return std::optional(PartitionRange{p->log_start_offset().value(), p->log_end_offset().value()});
}

Result<int64_t> PartitionRanges::OffsetForTimestamp(const groups::TopicPartition& tp, int64_t ts) {
  KQ_ASSIGN_OR_RETURN(auto p, OpenForRead(dir_, tp.topic, tp.partition));
  KQ_ASSIGN_OR_RETURN(Offset offset, p->OffsetForTimestamp(ts));
  return offset.value();
}

}  // namespace kq::tools::groups_tool
