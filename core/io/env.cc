// The Env helpers that are built only on Env's primitives, so every Env
// (POSIX, in-memory, fault-injecting) gets the same behaviour.
#include "io/env.h"

#include <algorithm>

namespace kq::io {

Result<std::string> Env::ReadFileToString(const std::string& path) {
  KQ_ASSIGN_OR_RETURN(std::unique_ptr<RandomAccessFile> file, OpenRandomAccess(path));
  std::string contents;
  std::string chunk;
  // Read until a short read rather than trusting Stat: another process may
  // still be appending, and a short read is the only reliable end marker.
  // Chunks start small and double: most files read here (topic metadata,
  // checkpoints) are tiny, and a read buffer is zero-filled before the read.
  for (size_t want = 16 << 10;; want = std::min<size_t>(want * 2, 1 << 20)) {
    KQ_RETURN_IF_ERROR(file->Read(contents.size(), want, &chunk));
    contents += chunk;
    if (chunk.size() < want) break;
  }
  return contents;
}

namespace {

// The temporary file WriteFileAtomic renames into place: `path` plus ".tmp",
// with the name shortened where that would pass the usual 255-byte limit on
// a file name, since a name that fits may still be 254 bytes long (a topic of
// Kafka's maximum 249 characters has "<topic>.json"). The shortened name
// keeps the ".tmp" end that directory listings skip.
std::string TempPathFor(const std::string& path) {
  constexpr size_t kMaxNameBytes = 255;
  constexpr std::string_view kSuffix = ".tmp";
  const size_t slash = path.rfind('/');
  const size_t name_start = slash == std::string::npos ? 0 : slash + 1;
  const size_t name_bytes = path.size() - name_start;
  if (name_bytes + kSuffix.size() <= kMaxNameBytes) return path + std::string(kSuffix);
  return path.substr(0, name_start + kMaxNameBytes - kSuffix.size() - 1) + "~" +
         std::string(kSuffix);
}

}  // namespace

// WriteFileAtomic and ReplaceFileNoSync: write `path`.tmp, then rename it
// over `path`, syncing both when `sync`.
static Status ReplaceFile(Env& env, const std::string& path, std::string_view data, bool sync) {
  const std::string tmp = TempPathFor(path);
  Status s = [&]() -> Status {
    KQ_ASSIGN_OR_RETURN(std::unique_ptr<AppendableFile> file, env.CreateTruncated(tmp));
    KQ_RETURN_IF_ERROR(file->Append(data));
    // The data must be durable before the rename publishes it, or a crash
    // could leave `path` naming an empty or partial file.
    if (sync) KQ_RETURN_IF_ERROR(file->Sync());
    KQ_RETURN_IF_ERROR(file->Close());
    return env.Rename(tmp, path);
  }();
  if (!s.ok()) {
    (void)env.RemoveFile(tmp);  // best effort: the original error is what matters
    return s;
  }
  // Without this the rename itself may not survive a crash.
  return sync ? env.SyncDir(DirName(path)) : Status::Ok();
}

Status Env::WriteFileAtomic(const std::string& path, std::string_view data) {
  return ReplaceFile(*this, path, data, /*sync=*/true);
}

Status Env::ReplaceFileNoSync(const std::string& path, std::string_view data) {
  return ReplaceFile(*this, path, data, /*sync=*/false);
}

Status Env::RemoveTree(const std::string& dir) {
  // Try the entry as a file first: a symlink to a directory is then removed
  // as a link instead of having its target's contents deleted.
  Status s = RemoveFile(dir);
  if (s.ok() || s.IsNotFound() || !IsDirectory(dir)) return s;
  KQ_ASSIGN_OR_RETURN(std::vector<std::string> names, ListDir(dir));
  for (const std::string& name : names) {
    KQ_RETURN_IF_ERROR(RemoveTree(JoinPath(dir, name)));
  }
  return RemoveDir(dir);
}

std::string JoinPath(std::string_view dir, std::string_view name) {
  if (dir.empty()) return std::string(name);
  std::string path(dir);
  if (path.back() != '/') path += '/';
  path += name;
  return path;
}

std::string DirName(std::string_view path) {
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  const size_t slash = path.rfind('/');
  if (slash == std::string_view::npos) return ".";
  if (slash == 0) return "/";
  std::string_view dir = path.substr(0, slash);
  while (dir.size() > 1 && dir.back() == '/') dir.remove_suffix(1);
  return std::string(dir);
}

}  // namespace kq::io
