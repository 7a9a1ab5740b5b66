// FaultEnv: an in-memory Env that simulates power loss and failing disks, for
// crash tests (leveldb's fault_injection_test idea).
//
// Durability model, matching env.h's contract:
//   - a file's data is durable up to the size it had at its last successful
//     Sync; a later Truncate lowers that size (a torn tail never comes back);
//   - a directory's entries (created, renamed, removed files) are durable as
//     of its last SyncDir; files the FaultEnv never saw change are durable.
// DropUnsyncedData() is the power cut: every directory the FaultEnv saw
// change goes back to its entries at its last SyncDir, and every file is cut
// to its durable size. Directories are simpler: creating, removing and
// renaming a directory are durable at once (kq syncs the parent right after
// anyway), so a cut never brings one back or takes one away.
//
// After a cut, all file objects and locks handed out before it are dead:
// file calls return IoError, and destroying them is harmless. Tests discard
// them and reopen everything, as a restarted process would.
//
// Fault injection counts mutating calls: Append, Sync, Truncate (file and
// TruncateFile), OpenAppendable, CreateTruncated, CreateDir, RemoveFile,
// RemoveDir, Rename and SyncDir. Reads, Stat, Close and LockFile never fail.
//
// Thread safety: like MemEnv, everything may be called concurrently.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "io/env.h"
#include "io/mem_env.h"

namespace kq::io {

class FaultEnv final : public Env {
 public:
  struct Fault {
    // The after_ops-th mutating call from now fails (1 = the very next one).
    int after_ops = 1;
    // Keep failing every mutating call after the first failure (a dead disk).
    bool sticky = false;
    // When the failing call is an Append, this many bytes of its data (at most
    // all of it) are written before it fails: a torn write.
    std::optional<size_t> torn_bytes;
  };

  FaultEnv() = default;

  // The in-memory file system underneath (for its clock and for inspecting
  // files without counting as mutating calls).
  MemEnv* base() { return &base_; }

  // Simulates a power cut (see above).
  void DropUnsyncedData();

  void InjectFault(const Fault& fault);
  // The n-th mutating call from now fails with IoError (n = 1: the next).
  void FailAfter(int n) { InjectFault(Fault{n, false, std::nullopt}); }
  // The n-th mutating call from now fails; if it is an Append, its first
  // `written` bytes are written first.
  void TearAppendAfter(int n, size_t written) { InjectFault(Fault{n, false, written}); }
  void ClearFaults();
  // Mutating calls made so far (failed ones included): run a scenario once
  // to count them, then fail each step in turn.
  uint64_t mutating_calls();

  Result<std::unique_ptr<RandomAccessFile>> OpenRandomAccess(const std::string& path) override;
  Result<std::unique_ptr<AppendableFile>> OpenAppendable(const std::string& path) override;
  Result<std::unique_ptr<AppendableFile>> CreateTruncated(const std::string& path) override;
  bool FileExists(const std::string& path) override { return base_.FileExists(path); }
  bool IsDirectory(const std::string& path) override { return base_.IsDirectory(path); }
  Result<uint64_t> FileSize(const std::string& path) override { return base_.FileSize(path); }
  Result<std::vector<std::string>> ListDir(const std::string& dir) override {
    return base_.ListDir(dir);
  }
  Status CreateDir(const std::string& dir) override;
  Status RemoveFile(const std::string& path) override;
  Status RemoveDir(const std::string& dir) override;
  Status Rename(const std::string& from, const std::string& to) override;
  Status TruncateFile(const std::string& path, uint64_t size) override;
  Status SyncDir(const std::string& dir) override;
  Result<std::unique_ptr<FileLock>> LockFile(const std::string& path, LockWait wait) override;
  int64_t NowMs() override { return base_.NowMs(); }

 private:
  class File;
  class Reader;
  friend class File;
  friend class Reader;

  // Counts a mutating call; returns the injected error when it must fail and
  // sets *torn_bytes when a torn Append applies.
  Status CountCall(std::string_view what, const std::string& path,
                   std::optional<size_t>* torn_bytes = nullptr);
  // Records the durable entries of the directory holding `path` before its
  // first change.
  void TouchDirOf(const std::string& path);
  // Records the inode's durable size when first seen (its current size).
  void TrackNode(const MemEnv::NodeRef& node);
  void OnSync(const MemEnv::NodeRef& node);
  void OnTruncate(const MemEnv::NodeRef& node, uint64_t size);
  Result<std::unique_ptr<AppendableFile>> Wrap(Result<std::unique_ptr<AppendableFile>> file,
                                               const std::string& path);
  uint64_t generation();

  MemEnv base_;
  std::mutex mu_;
  std::map<std::string, std::map<std::string, MemEnv::NodeRef>> durable_dirs_;
  std::map<MemEnv::NodeRef, uint64_t> durable_size_;
  uint64_t generation_ = 0;  // bumped by each power cut; older handles are dead
  uint64_t calls_ = 0;
  std::optional<Fault> fault_;
  uint64_t fail_at_call_ = 0;
  bool failing_ = false;  // a sticky fault has fired
};

}  // namespace kq::io
