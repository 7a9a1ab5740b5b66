#include "io/fault_env.h"

#include <algorithm>
#include <random>
#include <set>

#include <fmt/format.h>

namespace kq::io {
namespace {

Status StaleHandle(const std::string& path) {
  return Status::IoError(fmt::format("{}: file handle predates a simulated power cut", path));
}

}  // namespace

// Forwards to the MemEnv file, counting mutating calls and reporting Sync
// and Truncate to the durability bookkeeping.
class FaultEnv::File final : public AppendableFile {
 public:
  File(FaultEnv* env, std::unique_ptr<AppendableFile> base, MemEnv::NodeRef node, uint64_t gen)
      : env_(env), base_(std::move(base)), node_(std::move(node)), gen_(gen) {}

  Status Append(std::string_view data) override {
    KQ_RETURN_IF_ERROR(CheckLive());
    std::optional<size_t> torn;
    Status s = env_->CountCall("write", path(), &torn);
    if (!s.ok()) {
      if (torn) {
        const std::string_view part = data.substr(0, std::min(*torn, data.size()));
        if (base_->Append(part).ok()) env_->RecordWrite(node_, part);
      }
      return s;
    }
    KQ_RETURN_IF_ERROR(base_->Append(data));
    env_->RecordWrite(node_, data);
    return Status::Ok();
  }
  Status Sync() override {
    KQ_RETURN_IF_ERROR(CheckLive());
    KQ_RETURN_IF_ERROR(env_->CountCall("fdatasync", path()));
    KQ_RETURN_IF_ERROR(base_->Sync());
    env_->OnSync(node_);
    return Status::Ok();
  }
  Status Truncate(uint64_t size) override {
    KQ_RETURN_IF_ERROR(CheckLive());
    KQ_RETURN_IF_ERROR(env_->CountCall(fmt::format("ftruncate to {}", size), path()));
    KQ_RETURN_IF_ERROR(base_->Truncate(size));
    env_->OnTruncate(node_, size);
    env_->RecordTruncate(node_, size);
    return Status::Ok();
  }
  Result<FileInfo> Stat() const override {
    KQ_RETURN_IF_ERROR(CheckLive());
    return base_->Stat();
  }
  Status Close() override { return base_->Close(); }
  const std::string& path() const override { return base_->path(); }
  // Shares the node and generation: a power cut kills both handles.
  Result<std::unique_ptr<AppendableFile>> Duplicate() override {
    KQ_RETURN_IF_ERROR(CheckLive());
    KQ_ASSIGN_OR_RETURN(auto base, base_->Duplicate());
    return std::unique_ptr<AppendableFile>(new File(env_, std::move(base), node_, gen_));
  }

 private:
  Status CheckLive() const {
    return env_->generation() == gen_ ? Status::Ok() : StaleHandle(path());
  }

  FaultEnv* const env_;
  const std::unique_ptr<AppendableFile> base_;
  const MemEnv::NodeRef node_;
  const uint64_t gen_;
};

class FaultEnv::Reader final : public RandomAccessFile {
 public:
  Reader(FaultEnv* env, std::unique_ptr<RandomAccessFile> base, uint64_t gen)
      : env_(env), base_(std::move(base)), gen_(gen) {}

  Status Read(uint64_t offset, size_t n, std::string* out) const override {
    if (env_->generation() != gen_) return StaleHandle(path());
    return base_->Read(offset, n, out);
  }
  Result<FileInfo> Stat() const override {
    if (env_->generation() != gen_) return StaleHandle(path());
    return base_->Stat();
  }
  const std::string& path() const override { return base_->path(); }

 private:
  FaultEnv* const env_;
  const std::unique_ptr<RandomAccessFile> base_;
  const uint64_t gen_;
};

// --- bookkeeping ----------------------------------------------------------------

uint64_t FaultEnv::generation() {
  std::lock_guard<std::mutex> l(mu_);
  return generation_;
}

uint64_t FaultEnv::mutating_calls() {
  std::lock_guard<std::mutex> l(mu_);
  return calls_;
}

void FaultEnv::InjectFault(const Fault& fault) {
  std::lock_guard<std::mutex> l(mu_);
  fault_ = fault;
  fail_at_call_ = calls_ + static_cast<uint64_t>(std::max(1, fault.after_ops));
  failing_ = false;
}

void FaultEnv::ClearFaults() {
  std::lock_guard<std::mutex> l(mu_);
  fault_.reset();
  failing_ = false;
}

Status FaultEnv::CountCall(std::string_view what, const std::string& path,
                           std::optional<size_t>* torn_bytes) {
  std::lock_guard<std::mutex> l(mu_);
  ++calls_;
  op_log_.push_back(fmt::format("#{} {} {}", calls_ - op_log_base_, what, path));
  if (!failing_) {
    if (!fault_ || calls_ != fail_at_call_) return Status::Ok();
    if (torn_bytes != nullptr) *torn_bytes = fault_->torn_bytes;
    failing_ = fault_->sticky;
    fault_.reset();
  }
  op_log_.back() += " (failed)";
  return Status::IoError(fmt::format("{}: {}: injected fault (simulated I/O error)", path, what));
}

void FaultEnv::TouchDirOf(const std::string& path) {
  const std::string dir = DirName(NormalizeMemPath(path));
  std::lock_guard<std::mutex> l(mu_);
  if (!durable_dirs_.count(dir)) durable_dirs_[dir] = base_.FilesIn(dir);
}

void FaultEnv::TrackNode(const MemEnv::NodeRef& node) {
  if (node == nullptr) return;
  std::lock_guard<std::mutex> l(mu_);
  if (!durable_size_.count(node)) durable_size_[node] = MemEnv::NodeSize(node);
}

void FaultEnv::OnSync(const MemEnv::NodeRef& node) {
  std::lock_guard<std::mutex> l(mu_);
  durable_size_[node] = MemEnv::NodeSize(node);
  NodeLog& log = NodeLogLocked(node);
  log.durable = MemEnv::NodeData(node);
  log.pending.clear();
}

void FaultEnv::OnTruncate(const MemEnv::NodeRef& node, uint64_t size) {
  if (node == nullptr) return;
  TrackNode(node);
  std::lock_guard<std::mutex> l(mu_);
  uint64_t& durable = durable_size_[node];
  durable = std::min(durable, size);
}

void FaultEnv::DropUnsyncedData() {
  std::lock_guard<std::mutex> l(mu_);
  for (const auto& [dir, files] : durable_dirs_) base_.RestoreFiles(dir, files);
  for (const auto& [node, size] : durable_size_) MemEnv::CutNode(node, size);
  ResetLocked();
}

void FaultEnv::ResetLocked() {
  base_.ReleaseAllLocks();
  ++generation_;
  // The restarted "process" sees a working disk, and what it sees is the
  // new baseline: every record starts again from the current state.
  fault_.reset();
  failing_ = false;
  durable_dirs_.clear();
  durable_size_.clear();
  node_logs_.clear();
  dir_logs_.clear();
  op_log_.clear();
  op_log_base_ = calls_;
}

// --- crash states -----------------------------------------------------------------

FaultEnv::NodeLog& FaultEnv::NodeLogLocked(const MemEnv::NodeRef& node) {
  auto it = node_logs_.find(node);
  if (it == node_logs_.end()) {
    it = node_logs_.emplace(node, NodeLog{next_node_seq_++, MemEnv::NodeData(node), {}}).first;
  }
  return it->second;
}

void FaultEnv::RecordWrite(const MemEnv::NodeRef& node, std::string_view data) {
  std::lock_guard<std::mutex> l(mu_);
  NodeLog& log = NodeLogLocked(node);
  // O_APPEND: the bytes went to the end; the inode already holds them.
  const uint64_t offset = MemEnv::NodeSize(node) - data.size();
  log.pending.push_back(FileOp{false, offset, std::string(data), calls_});
  if (!op_log_.empty()) op_log_.back() += fmt::format(" [{}, +{})", offset, data.size());
}

void FaultEnv::RecordTruncate(const MemEnv::NodeRef& node, uint64_t size) {
  if (node == nullptr) return;
  std::lock_guard<std::mutex> l(mu_);
  NodeLogLocked(node).pending.push_back(FileOp{true, size, {}, calls_});
}

void FaultEnv::RecordDirOp(const std::string& dir, DirOp op) {
  std::lock_guard<std::mutex> l(mu_);
  if (op.node) NodeLogLocked(op.node);
  op.call = calls_;
  dir_logs_[NormalizeMemPath(dir)].push_back(std::move(op));
}

void FaultEnv::CrashAfter(uint64_t n) {
  InjectFault(Fault{static_cast<int>(n + 1), true, std::nullopt});
}

std::vector<std::string> FaultEnv::OpLog() {
  std::lock_guard<std::mutex> l(mu_);
  return op_log_;
}

std::string FaultEnv::DescribeOp(uint64_t n) {
  std::lock_guard<std::mutex> l(mu_);
  return n >= 1 && n <= op_log_.size() ? op_log_[n - 1] : std::string();
}

namespace {

// How many of `pending` operations survive: all, none or any number, a
// third of the time each, so both ends are well covered.
size_t SurvivingPrefix(std::mt19937_64& rng, size_t pending) {
  switch (rng() % 3) {
    case 0:
      return pending;
    case 1:
      return 0;
    default:
      return static_cast<size_t>(rng() % (pending + 1));
  }
}

void WriteAt(std::string* file, uint64_t offset, std::string_view bytes) {
  if (file->size() < offset) file->resize(offset, '\0');  // a hole reads as zeros
  const size_t keep = std::min<size_t>(file->size() - offset, bytes.size());
  file->replace(offset, keep, bytes.substr(0, keep));
  file->append(bytes.substr(keep));
}

}  // namespace

std::string FaultEnv::Crash(uint64_t seed) {
  std::lock_guard<std::mutex> l(mu_);
  std::string report;
  // Directories first: which names survive, whatever their data.
  for (auto& [dir, ops] : dir_logs_) {
    auto durable = durable_dirs_.find(dir);
    if (durable == durable_dirs_.end()) continue;  // removed since (durable at once)
    std::mt19937_64 rng(seed ^ (std::hash<std::string>{}(dir)*0x9e3779b97f4a7c15ULL));
    const size_t keep = SurvivingPrefix(rng, ops.size());
    std::map<std::string, MemEnv::NodeRef> files = durable->second;
    for (size_t i = 0; i < keep; ++i) {
      const DirOp& op = ops[i];
      if (op.kind == DirOp::kLink) {
        files[op.name] = op.node;
      } else if (op.kind == DirOp::kUnlink) {
        files.erase(op.name);
      } else {
        files.erase(op.name);
        files[op.to] = op.node;
      }
    }
    base_.RestoreFiles(dir, files);
    report += fmt::format("{}: {} of {} entry changes kept\n", dir, keep, ops.size());
  }
  // Then each file's data: a prefix of its unsynced writes, the next one
  // perhaps torn, zeroed or garbage.
  std::vector<std::pair<uint64_t, const MemEnv::NodeRef*>> order;
  for (const auto& [node, log] : node_logs_) order.push_back({log.seq, &node});
  std::sort(order.begin(), order.end());
  for (const auto& [seq, node] : order) {
    NodeLog& log = node_logs_.at(*node);
    if (log.pending.empty()) continue;
    std::mt19937_64 rng(seed ^ ((seq + 1) * 0xbf58476d1ce4e5b9ULL));
    const size_t keep = SurvivingPrefix(rng, log.pending.size());
    std::string data = log.durable;
    for (size_t i = 0; i < keep; ++i) {
      const FileOp& op = log.pending[i];
      if (op.truncate) {
        data.resize(op.offset, '\0');
      } else {
        WriteAt(&data, op.offset, op.data);
      }
    }
    std::string torn = "";
    if (keep < log.pending.size() && !log.pending[keep].truncate &&
        !log.pending[keep].data.empty()) {
      const FileOp& op = log.pending[keep];
      const size_t n = 1 + static_cast<size_t>(rng() % op.data.size());
      switch (rng() % 4) {
        case 0:
          break;  // not a byte of it
        case 1:
          WriteAt(&data, op.offset, std::string_view(op.data).substr(0, n));
          torn = fmt::format(", then {} of its {} bytes", n, op.data.size());
          break;
        case 2:
          WriteAt(&data, op.offset, std::string(n, '\0'));
          torn = fmt::format(", then {} zero bytes in its place", n);
          break;
        default: {
          std::string garbage(n, '\0');
          for (char& c : garbage) c = static_cast<char>(rng());
          WriteAt(&data, op.offset, garbage);
          torn = fmt::format(", then {} garbage bytes in its place", n);
          break;
        }
      }
    }
    report += fmt::format("file #{}: {} of {} unsynced writes kept (synced size {}){}: {} bytes\n",
                          seq, keep, log.pending.size(), log.durable.size(), torn, data.size());
    MemEnv::SetNodeData(*node, std::move(data));
  }
  ResetLocked();
  return report;
}

// --- Env ----------------------------------------------------------------------

Result<std::unique_ptr<AppendableFile>> FaultEnv::Wrap(Result<std::unique_ptr<AppendableFile>> file,
                                                       const std::string& path) {
  if (!file.ok()) return file.status();
  MemEnv::NodeRef node = base_.FileNode(path);
  TrackNode(node);
  if (node != nullptr) {
    std::lock_guard<std::mutex> l(mu_);
    NodeLogLocked(node);  // what it held before this handle changes it
  }
  return std::unique_ptr<AppendableFile>(
      new File(this, std::move(file).value(), std::move(node), generation()));
}

Result<std::unique_ptr<RandomAccessFile>> FaultEnv::OpenRandomAccess(const std::string& path) {
  KQ_ASSIGN_OR_RETURN(std::unique_ptr<RandomAccessFile> file, base_.OpenRandomAccess(path));
  return std::unique_ptr<RandomAccessFile>(new Reader(this, std::move(file), generation()));
}

Result<std::unique_ptr<AppendableFile>> FaultEnv::OpenAppendable(const std::string& path) {
  KQ_RETURN_IF_ERROR(CountCall("open for appending", path));
  TouchDirOf(path);
  const bool existed = base_.FileNode(path) != nullptr;
  auto file = Wrap(base_.OpenAppendable(path), path);
  if (file.ok() && !existed) NoteCreated(path);
  return file;
}

void FaultEnv::NoteCreated(const std::string& path) {
  const std::string norm = NormalizeMemPath(path);
  MemEnv::NodeRef node = base_.FileNode(norm);
  if (node == nullptr) return;
  RecordDirOp(DirName(norm), DirOp{DirOp::kLink, norm.substr(norm.rfind('/') + 1), {}, node, 0});
}

Result<std::unique_ptr<AppendableFile>> FaultEnv::CreateTruncated(const std::string& path) {
  KQ_RETURN_IF_ERROR(CountCall("create", path));
  TouchDirOf(path);
  MemEnv::NodeRef existing = base_.FileNode(path);
  TrackNode(existing);
  if (existing != nullptr) {
    std::lock_guard<std::mutex> l(mu_);
    NodeLogLocked(existing);  // its contents before the truncation
  }
  auto file = Wrap(base_.CreateTruncated(path), path);
  if (file.ok()) {
    OnTruncate(existing, 0);
    if (existing != nullptr) {
      RecordTruncate(existing, 0);
    } else {
      NoteCreated(path);
    }
  }
  return file;
}

Status FaultEnv::CreateDir(const std::string& dir) {
  KQ_RETURN_IF_ERROR(CountCall("mkdir", dir));
  return base_.CreateDir(dir);
}

Status FaultEnv::RemoveFile(const std::string& path) {
  KQ_RETURN_IF_ERROR(CountCall("unlink", path));
  TouchDirOf(path);
  MemEnv::NodeRef node = base_.FileNode(path);
  TrackNode(node);
  KQ_RETURN_IF_ERROR(base_.RemoveFile(path));
  const std::string norm = NormalizeMemPath(path);
  RecordDirOp(DirName(norm), DirOp{DirOp::kUnlink, norm.substr(norm.rfind('/') + 1), {}, node, 0});
  return Status::Ok();
}

Status FaultEnv::RemoveDir(const std::string& dir) {
  KQ_RETURN_IF_ERROR(CountCall("rmdir", dir));
  KQ_RETURN_IF_ERROR(base_.RemoveDir(dir));
  // Directories are durable at once, removal included: forget its entries so
  // a cut does not bring the directory back.
  std::lock_guard<std::mutex> l(mu_);
  durable_dirs_.erase(NormalizeMemPath(dir));
  dir_logs_.erase(NormalizeMemPath(dir));
  return Status::Ok();
}

Status FaultEnv::Rename(const std::string& from, const std::string& to) {
  KQ_RETURN_IF_ERROR(CountCall(fmt::format("rename to {}", to), from));
  const bool is_dir = base_.IsDirectory(from);
  MemEnv::NodeRef node = base_.FileNode(from);
  if (!is_dir) {
    TouchDirOf(from);
    TouchDirOf(to);
    TrackNode(node);
    TrackNode(base_.FileNode(to));
  }
  KQ_RETURN_IF_ERROR(base_.Rename(from, to));
  if (!is_dir && node != nullptr) {
    const std::string src = NormalizeMemPath(from);
    const std::string dst = NormalizeMemPath(to);
    auto name = [](const std::string& p) { return p.substr(p.rfind('/') + 1); };
    if (DirName(src) == DirName(dst)) {
      RecordDirOp(DirName(src), DirOp{DirOp::kRename, name(src), name(dst), node, 0});
    } else {
      RecordDirOp(DirName(src), DirOp{DirOp::kUnlink, name(src), {}, node, 0});
      RecordDirOp(DirName(dst), DirOp{DirOp::kLink, name(dst), {}, node, 0});
    }
  }
  if (is_dir) {
    // Directory renames are durable at once: move the recorded entries of
    // the directory and everything below it to their new names.
    const std::string src = NormalizeMemPath(from);
    const std::string dst = NormalizeMemPath(to);
    std::lock_guard<std::mutex> l(mu_);
    std::map<std::string, std::map<std::string, MemEnv::NodeRef>> moved;
    for (auto it = durable_dirs_.begin(); it != durable_dirs_.end();) {
      if (it->first == src || it->first.starts_with(src + "/")) {
        moved[dst + it->first.substr(src.size())] = std::move(it->second);
        it = durable_dirs_.erase(it);
      } else {
        ++it;
      }
    }
    for (auto& [dir, files] : moved) durable_dirs_[dir] = std::move(files);
    std::map<std::string, std::vector<DirOp>> moved_logs;
    for (auto it = dir_logs_.begin(); it != dir_logs_.end();) {
      if (it->first == src || it->first.starts_with(src + "/")) {
        moved_logs[dst + it->first.substr(src.size())] = std::move(it->second);
        it = dir_logs_.erase(it);
      } else {
        ++it;
      }
    }
    for (auto& [dir, ops] : moved_logs) dir_logs_[dir] = std::move(ops);
  }
  return Status::Ok();
}

Status FaultEnv::TruncateFile(const std::string& path, uint64_t size) {
  KQ_RETURN_IF_ERROR(CountCall(fmt::format("truncate to {}", size), path));
  MemEnv::NodeRef node = base_.FileNode(path);
  TrackNode(node);
  if (node != nullptr) {
    std::lock_guard<std::mutex> l(mu_);
    NodeLogLocked(node);  // its contents before the truncation
  }
  KQ_RETURN_IF_ERROR(base_.TruncateFile(path, size));
  OnTruncate(node, size);
  RecordTruncate(node, size);
  return Status::Ok();
}

Status FaultEnv::SyncDir(const std::string& dir) {
  KQ_RETURN_IF_ERROR(CountCall("fsync directory", dir));
  KQ_RETURN_IF_ERROR(base_.SyncDir(dir));
  const std::string norm = NormalizeMemPath(dir);
  std::lock_guard<std::mutex> l(mu_);
  durable_dirs_[norm] = base_.FilesIn(norm);
  dir_logs_.erase(norm);
  return Status::Ok();
}

Result<std::unique_ptr<FileLock>> FaultEnv::LockFile(const std::string& path, LockWait wait) {
  TouchDirOf(path);  // the lock file may be created
  const bool existed = base_.FileNode(path) != nullptr;
  auto lock = base_.LockFile(path, wait);
  if (!existed) NoteCreated(path);
  return lock;
}

}  // namespace kq::io
