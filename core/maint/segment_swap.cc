#include "maint/segment_swap.h"

#include <fmt/format.h>

#include "log/partition_files.h"
#include "log/segment_name.h"

namespace kq::maint {

namespace {

using log::SegmentFileKind;
using log::TransientSuffix;

std::string PathOf(const std::string& dir, Offset base, SegmentFileKind kind,
                   TransientSuffix t = TransientSuffix::kNone) {
  return io::JoinPath(dir, log::MakeSegmentFileName(base, kind, t));
}

Status RemoveIfPresent(io::Env* env, const std::string& path) {
  Status s = env->RemoveFile(path);
  return s.IsNotFound() ? Status::Ok() : s;
}

Status Step(const SwapHook& hook, const char* step) { return hook ? hook(step) : Status::Ok(); }

// Sources unchanged and still sealed: a later .log exists.
Status CheckSources(io::Env* env, const std::string& dir, const std::string& name,
                    std::span<const SwapSource> sources) {
  for (const SwapSource& s : sources) {
    const std::string path = PathOf(dir, s.base_offset, SegmentFileKind::kLog);
    auto size = env->FileSize(path);
    if (!size.ok() || *size != s.file_size) {
      return Status::Conflict(fmt::format(
          "partition {}: {} changed while it was being cleaned (retention, truncation or another "
          "tool); this partition's pass was abandoned, run again",
          name, path));
    }
  }
  KQ_ASSIGN_OR_RETURN(std::vector<std::string> names, env->ListDir(dir));
  const Offset last = sources.back().base_offset;
  for (const std::string& n : names) {
    auto parsed = log::ParseSegmentFileName(n);
    if (parsed.ok() && parsed->kind == SegmentFileKind::kLog &&
        parsed->transient == TransientSuffix::kNone && parsed->base_offset > last) {
      return Status::Ok();
    }
  }
  return Status::Conflict(fmt::format(
      "partition {}: segment {} became the active segment while it was being cleaned; this "
      "partition's pass was abandoned, run again",
      name, log::MakeSegmentFileName(last, SegmentFileKind::kLog)));
}

}  // namespace

std::string CleanerLockPath(const std::string& dir) { return io::JoinPath(dir, ".cleaner.lock"); }
std::string PartitionLockPath(const std::string& dir) {
  return io::JoinPath(dir, log::kPartitionLockFile);
}

Status SwapInCleaned(io::Env* env, const std::string& dir, const std::string& name,
                     std::span<const SwapSource> sources, const SwapHook& hook) {
  const Offset a = sources.front().base_offset;
  KQ_ASSIGN_OR_RETURN(auto lock, env->LockFile(PartitionLockPath(dir), io::LockWait::kBlock));
  KQ_RETURN_IF_ERROR(Step(hook, "locked"));
  KQ_RETURN_IF_ERROR(CheckSources(env, dir, name, sources));
  KQ_RETURN_IF_ERROR(RemoveIfPresent(env, PathOf(dir, a, SegmentFileKind::kIndex)));
  KQ_RETURN_IF_ERROR(RemoveIfPresent(env, PathOf(dir, a, SegmentFileKind::kTimeIndex)));
  KQ_RETURN_IF_ERROR(Step(hook, "removed-indexes"));
  KQ_RETURN_IF_ERROR(env->Rename(PathOf(dir, a, SegmentFileKind::kLog, TransientSuffix::kCleaned),
                                 PathOf(dir, a, SegmentFileKind::kLog)));
  KQ_RETURN_IF_ERROR(Step(hook, "renamed-log"));
  for (SegmentFileKind kind : {SegmentFileKind::kIndex, SegmentFileKind::kTimeIndex}) {
    KQ_RETURN_IF_ERROR(
        env->Rename(PathOf(dir, a, kind, TransientSuffix::kCleaned), PathOf(dir, a, kind)));
  }
  KQ_RETURN_IF_ERROR(Step(hook, "renamed-indexes"));
  for (const SwapSource& s : sources.subspan(1)) {
    // The .log last: a crash in between leaves a log without index, which
    // the loader handles, never an index without its log.
    for (SegmentFileKind kind :
         {SegmentFileKind::kIndex, SegmentFileKind::kTimeIndex, SegmentFileKind::kLog}) {
      KQ_RETURN_IF_ERROR(RemoveIfPresent(env, PathOf(dir, s.base_offset, kind)));
    }
    KQ_RETURN_IF_ERROR(Step(hook, "removed-source"));
  }
  // The renames and removals must survive a crash before we call it done.
  KQ_RETURN_IF_ERROR(env->SyncDir(dir));
  return Step(hook, "synced");
}

Result<int> RemoveStaleFiles(io::Env* env, const std::string& dir) {
  KQ_ASSIGN_OR_RETURN(std::vector<std::string> names, env->ListDir(dir));
  int removed = 0;
  for (const std::string& n : names) {
    auto parsed = log::ParseSegmentFileName(n);
    if (!parsed.ok()) continue;
    if (parsed->transient == TransientSuffix::kCleaned ||
        parsed->transient == TransientSuffix::kSwap) {
      KQ_RETURN_IF_ERROR(RemoveIfPresent(env, io::JoinPath(dir, n)));
      ++removed;
    }
  }
  if (removed > 0) KQ_RETURN_IF_ERROR(env->SyncDir(dir));
  return removed;
}

}  // namespace kq::maint
