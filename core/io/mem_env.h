// MemEnv: an in-memory file system behind the Env interface, for unit tests.
//
// It follows POSIX where kq depends on it:
//   - a file is an inode shared by every open handle; removing or renaming
//     over a name keeps the data readable through handles already open, and
//     their Stat().unlinked turns true once the inode has no name left;
//   - directories must exist before files are created in them; RemoveDir of
//     a non-empty directory fails; missing paths are NotFound;
//   - locks exclude each other across LockFile calls (kTry -> Busy, kBlock
//     waits); they are keyed by path, not inode.
// Paths are normalized ("a//b/./c" is "a/b/c"); "/" and "." always exist.
// Everything is durable at once: Sync and SyncDir only check their argument.
// FaultEnv (fault_env.h) layers power-loss simulation on top.
//
// Thread safety: all methods, and every file object, are safe to call
// concurrently. Lifetime: the MemEnv must outlive the files and locks it
// hands out. The clock is settable and never moves by itself.
#pragma once

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "io/env.h"

namespace kq::io {

class MemEnv final : public Env {
 public:
  // NowMs() starts here (2023-11-14T22:13:20Z) so timestamps are realistic
  // and tests are deterministic.
  static constexpr int64_t kStartNowMs = 1'700'000'000'000;

  MemEnv() = default;
  MemEnv(const MemEnv&) = delete;
  MemEnv& operator=(const MemEnv&) = delete;

  Result<std::unique_ptr<RandomAccessFile>> OpenRandomAccess(const std::string& path) override;
  Result<std::unique_ptr<AppendableFile>> OpenAppendable(const std::string& path) override;
  Result<std::unique_ptr<AppendableFile>> CreateTruncated(const std::string& path) override;
  bool FileExists(const std::string& path) override;
  bool IsDirectory(const std::string& path) override;
  Result<uint64_t> FileSize(const std::string& path) override;
  Result<std::vector<std::string>> ListDir(const std::string& dir) override;
  Status CreateDir(const std::string& dir) override;
  Status RemoveFile(const std::string& path) override;
  // Also removes a directory when it is empty, like POSIX rmdir.
  Status RemoveDir(const std::string& dir) override;
  // Files replace files; a directory may be renamed onto a missing name or
  // an empty directory, taking everything below it along.
  Status Rename(const std::string& from, const std::string& to) override;
  Status TruncateFile(const std::string& path, uint64_t size) override;
  Status SyncDir(const std::string& dir) override;
  Result<std::unique_ptr<FileLock>> LockFile(const std::string& path, LockWait wait) override;
  int64_t NowMs() override { return now_ms_.load(); }

  void SetNowMs(int64_t ms) { now_ms_.store(ms); }
  void AdvanceMs(int64_t delta_ms) { now_ms_.fetch_add(delta_ms); }

  // --- inode-level access for wrappers such as FaultEnv ---
  struct Node;
  using NodeRef = std::shared_ptr<Node>;
  // The inode named `path`, or null when it is not a file.
  NodeRef FileNode(const std::string& path);
  // The files (not subdirectories) directly in `dir`, by name.
  std::map<std::string, NodeRef> FilesIn(const std::string& dir);
  // Makes `dir` (created with its parents when missing) hold exactly `files`
  // as its file entries; subdirectories are left alone.
  void RestoreFiles(const std::string& dir, const std::map<std::string, NodeRef>& files);
  static uint64_t NodeSize(const NodeRef& node);
  // The inode's bytes, and a replacement for them (crash states).
  static std::string NodeData(const NodeRef& node);
  static void SetNodeData(const NodeRef& node, std::string data);
  // Cuts the inode's data to at most `size` bytes.
  static void CutNode(const NodeRef& node, uint64_t size);
  // Forgets every held lock, as if the holders died. Lock objects from
  // before stay harmless: destroying them releases nothing.
  void ReleaseAllLocks();

 private:
  class Lock;

  bool IsDirLocked(const std::string& norm) const;
  bool HasChildrenLocked(const std::string& norm) const;
  Status CheckParentLocked(const std::string& norm, std::string_view what) const;
  Status CreateDirLocked(const std::string& norm);
  Result<NodeRef> OpenNodeLocked(const std::string& norm, bool truncate, std::string_view what);
  Status RenameDirLocked(const std::string& from, const std::string& to);
  void SetFileLocked(const std::string& norm, NodeRef node);
  void EraseFileLocked(std::map<std::string, NodeRef>::iterator it);
  void Unlock(const std::string& norm, uint64_t id);

  std::mutex mu_;
  std::condition_variable lock_released_;
  std::map<std::string, NodeRef> files_;  // normalized path -> inode
  std::set<std::string> dirs_;            // normalized paths, roots excluded
  std::map<std::string, uint64_t> held_;  // locked path -> holder id
  uint64_t next_lock_id_ = 0;
  std::atomic<int64_t> now_ms_{kStartNowMs};
};

// An empty in-memory Env (a MemEnv).
std::unique_ptr<Env> NewMemEnv();

// "a//b/./c/" -> "a/b/c"; "" -> "."; keeps a leading "/".
std::string NormalizeMemPath(std::string_view path);

}  // namespace kq::io
