// Env: every file-system call core makes goes through this interface
// (leveldb's Env), so tests can run on an in-memory file system (mem_env.h)
// and inject faults such as power loss (fault_env.h).
//
// Paths are plain strings; errors carry the path and the errno text.
// Durability contract for every implementation:
//   after Append: visible to readers of the file (page cache), not durable;
//   after Sync:   the file's data and size are durable;
//   a created, renamed or removed directory entry is durable only after
//   SyncDir of its parent.
// Thread safety: Env methods are safe to call concurrently. A file object is
// used by one thread at a time unless its class says otherwise.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/status.h"

namespace kq::io {

struct FileInfo {
  uint64_t size = 0;
  bool unlinked = false;  // the open file no longer has a name (removed or replaced)
};

// Read-only access at arbitrary positions. Safe for concurrent use.
class RandomAccessFile {
 public:
  virtual ~RandomAccessFile() = default;
  // Reads up to n bytes at `offset` into *out (replacing its contents). Returns
  // fewer bytes only at end of file; zero bytes past it.
  virtual Status Read(uint64_t offset, size_t n, std::string* out) const = 0;
  virtual Result<FileInfo> Stat() const = 0;
  virtual const std::string& path() const = 0;
  // The OS descriptor for zero-copy sends, or -1 when there is none (mem env).
  virtual int NativeHandle() const { return -1; }
};

// Appends at the end of a file (O_APPEND on POSIX: other processes' appends,
// made under the partition lock, are never overwritten). Not thread-safe.
class AppendableFile {
 public:
  virtual ~AppendableFile() = default;
  virtual Status Append(std::string_view data) = 0;
  // fdatasync: everything appended so far is durable.
  virtual Status Sync() = 0;
  // Cuts the file to `size` bytes (later appends continue from there).
  virtual Status Truncate(uint64_t size) = 0;
  // The file as it is now, including other processes' appends.
  virtual Result<FileInfo> Stat() const = 0;
  virtual Status Close() = 0;
  virtual const std::string& path() const = 0;
  // A second, independent handle on the same open file (dup(2) on POSIX),
  // so one thread can Sync it while another goes on appending through this
  // one: a Sync on either makes durable everything appended through both.
  // It stays valid after this one is closed or the file is unlinked.
  // NotSupported where an implementation has none.
  virtual Result<std::unique_ptr<AppendableFile>> Duplicate() {
    return Status::NotSupported(path() + ": no duplicate handle");
  }
};

// An exclusive advisory lock (flock on POSIX), released by the destructor or
// when the process dies. Two FileLocks on the same path exclude each other
// even inside one process.
class FileLock {
 public:
  virtual ~FileLock() = default;
};

enum class LockWait { kBlock, kTry };

class Env {
 public:
  virtual ~Env() = default;

  // The process-wide POSIX Env. Never destroyed.
  static Env* Default();

  virtual Result<std::unique_ptr<RandomAccessFile>> OpenRandomAccess(const std::string& path) = 0;
  // Opens `path` for appending, creating it (empty) when missing. Creating
  // does not sync the parent directory: call SyncDir.
  virtual Result<std::unique_ptr<AppendableFile>> OpenAppendable(const std::string& path) = 0;
  // Creates `path` empty, truncating it when it exists.
  virtual Result<std::unique_ptr<AppendableFile>> CreateTruncated(const std::string& path) = 0;

  virtual bool FileExists(const std::string& path) = 0;
  virtual bool IsDirectory(const std::string& path) = 0;
  virtual Result<uint64_t> FileSize(const std::string& path) = 0;
  // Entry names in `dir`, without "." and "..", in no particular order.
  virtual Result<std::vector<std::string>> ListDir(const std::string& dir) = 0;
  // Creates `dir` (and missing parents). OK when it already exists.
  virtual Status CreateDir(const std::string& dir) = 0;
  virtual Status RemoveFile(const std::string& path) = 0;
  // Removes an empty directory.
  virtual Status RemoveDir(const std::string& dir) = 0;
  // Atomically replaces `to` with `from`.
  virtual Status Rename(const std::string& from, const std::string& to) = 0;
  virtual Status TruncateFile(const std::string& path, uint64_t size) = 0;
  // Makes the directory's entries (creations, renames, removals) durable.
  virtual Status SyncDir(const std::string& dir) = 0;
  // Takes an exclusive lock on `path` (created when missing). With kTry,
  // returns Busy when another holder has it.
  virtual Result<std::unique_ptr<FileLock>> LockFile(const std::string& path, LockWait wait) = 0;
  // Wall-clock time in milliseconds since the Unix epoch.
  virtual int64_t NowMs() = 0;

  // --- helpers built on the primitives above ---
  Result<std::string> ReadFileToString(const std::string& path);
  // Crash-safe replace: write `path`.tmp, sync it, rename over `path`, sync the
  // directory. After return, `path` holds `data` durably; a crash at any point
  // leaves either the old or the new contents.
  Status WriteFileAtomic(const std::string& path, std::string_view data);
  // The same write and rename without either sync, for the flush policy
  // `os`: after a crash `path` may hold the old contents, the new ones, or
  // (the rename reached the disk, the data did not) a short or damaged file.
  Status ReplaceFileNoSync(const std::string& path, std::string_view data);
  // Removes `dir` and everything below it.
  Status RemoveTree(const std::string& dir);
};

// "a/b" + "c" -> "a/b/c".
std::string JoinPath(std::string_view dir, std::string_view name);
// "a/b/c" -> "a/b"; "c" -> ".".
std::string DirName(std::string_view path);

}  // namespace kq::io
