#include "io/fault_env.h"

#include <algorithm>

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
      if (torn) (void)base_->Append(data.substr(0, std::min(*torn, data.size())));
      return s;
    }
    return base_->Append(data);
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
    return Status::Ok();
  }
  Result<FileInfo> Stat() const override {
    KQ_RETURN_IF_ERROR(CheckLive());
    return base_->Stat();
  }
  Status Close() override { return base_->Close(); }
  const std::string& path() const override { return base_->path(); }

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
  if (!failing_) {
    if (!fault_ || calls_ != fail_at_call_) return Status::Ok();
    if (torn_bytes != nullptr) *torn_bytes = fault_->torn_bytes;
    failing_ = fault_->sticky;
    fault_.reset();
  }
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
  base_.ReleaseAllLocks();
  ++generation_;
  // The restarted "process" sees a working disk.
  fault_.reset();
  failing_ = false;
}

// --- Env ----------------------------------------------------------------------

Result<std::unique_ptr<AppendableFile>> FaultEnv::Wrap(
    Result<std::unique_ptr<AppendableFile>> file, const std::string& path) {
  if (!file.ok()) return file.status();
  MemEnv::NodeRef node = base_.FileNode(path);
  TrackNode(node);
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
  return Wrap(base_.OpenAppendable(path), path);
}

Result<std::unique_ptr<AppendableFile>> FaultEnv::CreateTruncated(const std::string& path) {
  KQ_RETURN_IF_ERROR(CountCall("create", path));
  TouchDirOf(path);
  MemEnv::NodeRef existing = base_.FileNode(path);
  TrackNode(existing);
  auto file = Wrap(base_.CreateTruncated(path), path);
  if (file.ok()) OnTruncate(existing, 0);
  return file;
}

Status FaultEnv::CreateDir(const std::string& dir) {
  KQ_RETURN_IF_ERROR(CountCall("mkdir", dir));
  return base_.CreateDir(dir);
}

Status FaultEnv::RemoveFile(const std::string& path) {
  KQ_RETURN_IF_ERROR(CountCall("unlink", path));
  TouchDirOf(path);
  TrackNode(base_.FileNode(path));
  return base_.RemoveFile(path);
}

Status FaultEnv::RemoveDir(const std::string& dir) {
  KQ_RETURN_IF_ERROR(CountCall("rmdir", dir));
  KQ_RETURN_IF_ERROR(base_.RemoveDir(dir));
  // Directories are durable at once, removal included: forget its entries so
  // a cut does not bring the directory back.
  std::lock_guard<std::mutex> l(mu_);
  durable_dirs_.erase(NormalizeMemPath(dir));
  return Status::Ok();
}

Status FaultEnv::Rename(const std::string& from, const std::string& to) {
  KQ_RETURN_IF_ERROR(CountCall(fmt::format("rename to {}", to), from));
  const bool is_dir = base_.IsDirectory(from);
  if (!is_dir) {
    TouchDirOf(from);
    TouchDirOf(to);
    TrackNode(base_.FileNode(from));
    TrackNode(base_.FileNode(to));
  }
  KQ_RETURN_IF_ERROR(base_.Rename(from, to));
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
  }
  return Status::Ok();
}

Status FaultEnv::TruncateFile(const std::string& path, uint64_t size) {
  KQ_RETURN_IF_ERROR(CountCall(fmt::format("truncate to {}", size), path));
  MemEnv::NodeRef node = base_.FileNode(path);
  KQ_RETURN_IF_ERROR(base_.TruncateFile(path, size));
  OnTruncate(node, size);
  return Status::Ok();
}

Status FaultEnv::SyncDir(const std::string& dir) {
  KQ_RETURN_IF_ERROR(CountCall("fsync directory", dir));
  KQ_RETURN_IF_ERROR(base_.SyncDir(dir));
  const std::string norm = NormalizeMemPath(dir);
  std::lock_guard<std::mutex> l(mu_);
  durable_dirs_[norm] = base_.FilesIn(norm);
  return Status::Ok();
}

Result<std::unique_ptr<FileLock>> FaultEnv::LockFile(const std::string& path, LockWait wait) {
  TouchDirOf(path);  // the lock file may be created
  return base_.LockFile(path, wait);
}

}  // namespace kq::io
