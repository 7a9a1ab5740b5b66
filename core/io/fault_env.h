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
// Crash states (the ALICE / CrashMonkey model of a disk after power loss).
// Every mutating call since the last cut is numbered (1, 2, ...) and recorded
// with its effect (OpLog; a failed call is marked so). Crash(seed) then
// builds one of the states a POSIX file system may be left in, chosen by the
// seed (each file's and directory's choice is drawn on its own, all, none or
// any number of its pending changes a third of the time each):
//   - everything synced survives: a file's data as of its last Sync, a
//     directory's entries as of its last SyncDir;
//   - of each file's writes and truncations since its last Sync, a prefix
//     survives (any length, none and all included), and the first one left
//     out may be torn: a prefix of its bytes, or its range filled with zeros
//     or with garbage (the size reached the disk, the data did not);
//   - of each directory's creations, removals and renames since its last
//     SyncDir, a prefix survives, independently of the files' data: a rename
//     or create may survive while the file it names lost its unsynced data.
//     (POSIX allows this independence; journaling file systems that commit
//     metadata in order, such as ext4, leave fewer states.)
// Directory creation, removal and renames of directories stay durable at
// once, as for DropUnsyncedData. CrashAfter(n) stops the disk after the n-th
// mutating call from now (every later one fails), so a test can run an
// operation, crash it at each recorded step and look at every state.
// DropUnsyncedData keeps its stricter rule (a truncation after a Sync is
// durable; nothing unsynced survives) for the tests written against it.
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
#include <vector>

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

  // Stops the disk after the n-th mutating call from now (n = 0: at once):
  // every later mutating call fails with IoError until Crash or
  // DropUnsyncedData, as if the power went at that moment.
  void CrashAfter(uint64_t n);
  // A power cut leaving one of the crash states allowed above, chosen by
  // `seed` (the same calls and seed give the same state). Returns what was
  // kept, one line per file or directory that had unsynced changes, for
  // failure messages. Afterwards, like DropUnsyncedData: old handles and
  // locks are dead, faults are cleared, and the state is the new baseline.
  std::string Crash(uint64_t seed);
  // "#<n> <call> <path>[ details]" for each recorded mutating call since the
  // last cut, in order (index 0 is call 1 of the log).
  std::vector<std::string> OpLog();
  // The description of call `n` (1-based, as in OpLog), or "" when unknown.
  std::string DescribeOp(uint64_t n);

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

  // --- crash-state bookkeeping (all under mu_) ---
  struct FileOp {
    bool truncate = false;
    uint64_t offset = 0;  // write: where the bytes went; truncate: the new size
    std::string data;
    uint64_t call = 0;
  };
  struct NodeLog {
    uint64_t seq = 0;     // first-seen order, for deterministic choices
    std::string durable;  // the contents as of the last Sync
    std::vector<FileOp> pending;
  };
  struct DirOp {
    enum Kind { kLink, kUnlink, kRename } kind = kLink;
    std::string name;
    std::string to;  // kRename: the new name (same directory)
    MemEnv::NodeRef node;
    uint64_t call = 0;
  };
  NodeLog& NodeLogLocked(const MemEnv::NodeRef& node);
  void RecordWrite(const MemEnv::NodeRef& node, std::string_view data);
  void RecordTruncate(const MemEnv::NodeRef& node, uint64_t size);
  void RecordDirOp(const std::string& dir, DirOp op);
  // Records the creation of the file now at `path` in its directory's log.
  void NoteCreated(const std::string& path);
  void LogOp(std::string text);
  // Forgets every log: the current state is the new baseline (after a cut).
  void ResetLocked();

  std::map<MemEnv::NodeRef, NodeLog> node_logs_;
  std::map<std::string, std::vector<DirOp>> dir_logs_;  // normalized dir -> unsynced ops
  std::vector<std::string> op_log_;
  uint64_t op_log_base_ = 0;  // calls_ when op_log_ started
  uint64_t next_node_seq_ = 0;

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
