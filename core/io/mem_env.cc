#include "io/mem_env.h"

#include <fmt/format.h>

namespace kq::io {

// An inode. `links` counts the names that refer to it (guarded by the env's
// mutex and mu, so handles can read it under mu alone).
struct MemEnv::Node {
  mutable std::mutex mu;
  std::string data;
  int links = 0;
};

namespace {

using NodeRef = MemEnv::NodeRef;

Status NotFoundError(std::string_view path, std::string_view what) {
  return Status::NotFound(fmt::format("{}: {}: no such file or directory", path, what));
}

Status IoErrorAt(std::string_view path, std::string_view what, std::string_view reason) {
  return Status::IoError(fmt::format("{}: {}: {}", path, what, reason));
}

bool IsRoot(const std::string& norm) { return norm == "/" || norm == "."; }

// Children of `dir` are the keys starting with this prefix.
std::string ChildPrefix(const std::string& dir) {
  if (dir == "/") return "/";
  if (dir == ".") return "";
  return dir + "/";
}

// The direct child name of `key` below `prefix`, or "" when `key` is not one.
std::string_view ChildName(std::string_view key, std::string_view prefix) {
  if (!key.starts_with(prefix)) return {};
  std::string_view rest = key.substr(prefix.size());
  if (rest.empty() || rest.find('/') != std::string_view::npos) return {};
  return rest;
}

FileInfo NodeInfo(const NodeRef& node) {
  std::lock_guard<std::mutex> l(node->mu);
  return FileInfo{node->data.size(), node->links == 0};
}

class MemRandomAccessFile final : public RandomAccessFile {
 public:
  MemRandomAccessFile(std::string path, NodeRef node)
      : path_(std::move(path)), node_(std::move(node)) {}

  Status Read(uint64_t offset, size_t n, std::string* out) const override {
    std::lock_guard<std::mutex> l(node_->mu);
    if (offset >= node_->data.size()) {
      out->clear();
    } else {
      out->assign(node_->data, offset, n);
    }
    return Status::Ok();
  }
  Result<FileInfo> Stat() const override { return NodeInfo(node_); }
  const std::string& path() const override { return path_; }

 private:
  const std::string path_;
  const NodeRef node_;
};

class MemAppendableFile final : public AppendableFile {
 public:
  MemAppendableFile(std::string path, NodeRef node)
      : path_(std::move(path)), node_(std::move(node)) {}

  Status Append(std::string_view data) override {
    KQ_RETURN_IF_ERROR(CheckOpen());
    std::lock_guard<std::mutex> l(node_->mu);
    node_->data.append(data);
    return Status::Ok();
  }
  Status Sync() override { return CheckOpen(); }
  Status Truncate(uint64_t size) override {
    KQ_RETURN_IF_ERROR(CheckOpen());
    std::lock_guard<std::mutex> l(node_->mu);
    node_->data.resize(size);
    return Status::Ok();
  }
  Result<FileInfo> Stat() const override {
    KQ_RETURN_IF_ERROR(CheckOpen());
    return NodeInfo(node_);
  }
  Status Close() override {
    closed_ = true;
    return Status::Ok();
  }
  const std::string& path() const override { return path_; }
  Result<std::unique_ptr<AppendableFile>> Duplicate() override {
    KQ_RETURN_IF_ERROR(CheckOpen());
    return std::unique_ptr<AppendableFile>(new MemAppendableFile(path_, node_));
  }

 private:
  Status CheckOpen() const {
    if (closed_) return Status::IoError(fmt::format("{}: file is closed", path_));
    return Status::Ok();
  }

  const std::string path_;
  const NodeRef node_;
  bool closed_ = false;
};

}  // namespace

class MemEnv::Lock final : public FileLock {
 public:
  Lock(MemEnv* env, std::string norm, uint64_t id) : env_(env), norm_(std::move(norm)), id_(id) {}
  ~Lock() override { env_->Unlock(norm_, id_); }

 private:
  MemEnv* const env_;
  const std::string norm_;
  const uint64_t id_;
};

std::string NormalizeMemPath(std::string_view path) {
  const bool absolute = !path.empty() && path.front() == '/';
  std::string out = absolute ? "/" : "";
  size_t pos = 0;
  while (pos <= path.size()) {
    size_t slash = path.find('/', pos);
    if (slash == std::string_view::npos) slash = path.size();
    std::string_view part = path.substr(pos, slash - pos);
    if (!part.empty() && part != ".") {
      if (!out.empty() && out.back() != '/') out += '/';
      out += part;
    }
    pos = slash + 1;
  }
  return out.empty() ? "." : out;
}

std::unique_ptr<Env> NewMemEnv() { return std::make_unique<MemEnv>(); }

// --- locked helpers ---------------------------------------------------------

bool MemEnv::IsDirLocked(const std::string& norm) const {
  return IsRoot(norm) || dirs_.count(norm) > 0;
}

bool MemEnv::HasChildrenLocked(const std::string& norm) const {
  const std::string prefix = ChildPrefix(norm);
  auto f = files_.lower_bound(prefix);
  if (f != files_.end() && f->first.starts_with(prefix)) return true;
  auto d = dirs_.lower_bound(prefix);
  return d != dirs_.end() && d->starts_with(prefix);
}

Status MemEnv::CheckParentLocked(const std::string& norm, std::string_view what) const {
  const std::string parent = DirName(norm);
  if (IsDirLocked(parent)) return Status::Ok();
  if (files_.count(parent)) return IoErrorAt(norm, what, "not a directory");
  return NotFoundError(norm, what);
}

Status MemEnv::CreateDirLocked(const std::string& norm) {
  if (IsDirLocked(norm)) return Status::Ok();
  if (files_.count(norm)) return IoErrorAt(norm, "mkdir", "exists and is not a directory");
  KQ_RETURN_IF_ERROR(CreateDirLocked(DirName(norm)));
  dirs_.insert(norm);
  return Status::Ok();
}

void MemEnv::SetFileLocked(const std::string& norm, NodeRef node) {
  auto it = files_.find(norm);
  if (it != files_.end()) {
    if (it->second == node) return;
    EraseFileLocked(it);
  }
  {
    std::lock_guard<std::mutex> l(node->mu);
    node->links++;
  }
  files_.emplace(norm, std::move(node));
}

void MemEnv::EraseFileLocked(std::map<std::string, NodeRef>::iterator it) {
  {
    std::lock_guard<std::mutex> l(it->second->mu);
    it->second->links--;
  }
  files_.erase(it);
}

Result<NodeRef> MemEnv::OpenNodeLocked(const std::string& norm, bool truncate,
                                       std::string_view what) {
  auto it = files_.find(norm);
  if (it != files_.end()) {
    if (truncate) {
      std::lock_guard<std::mutex> l(it->second->mu);
      it->second->data.clear();
    }
    return it->second;
  }
  if (IsDirLocked(norm)) return IoErrorAt(norm, what, "is a directory");
  KQ_RETURN_IF_ERROR(CheckParentLocked(norm, what));
  auto node = std::make_shared<Node>();
  SetFileLocked(norm, node);
  return node;
}

// --- Env --------------------------------------------------------------------

Result<std::unique_ptr<RandomAccessFile>> MemEnv::OpenRandomAccess(const std::string& path) {
  const std::string norm = NormalizeMemPath(path);
  std::lock_guard<std::mutex> l(mu_);
  auto it = files_.find(norm);
  if (it == files_.end()) {
    if (IsDirLocked(norm)) return IoErrorAt(path, "open for reading", "is a directory");
    return NotFoundError(path, "open for reading");
  }
  return std::unique_ptr<RandomAccessFile>(new MemRandomAccessFile(path, it->second));
}

Result<std::unique_ptr<AppendableFile>> MemEnv::OpenAppendable(const std::string& path) {
  std::lock_guard<std::mutex> l(mu_);
  KQ_ASSIGN_OR_RETURN(NodeRef node,
                      OpenNodeLocked(NormalizeMemPath(path), false, "open for appending"));
  return std::unique_ptr<AppendableFile>(new MemAppendableFile(path, std::move(node)));
}

Result<std::unique_ptr<AppendableFile>> MemEnv::CreateTruncated(const std::string& path) {
  std::lock_guard<std::mutex> l(mu_);
  KQ_ASSIGN_OR_RETURN(NodeRef node, OpenNodeLocked(NormalizeMemPath(path), true, "create"));
  return std::unique_ptr<AppendableFile>(new MemAppendableFile(path, std::move(node)));
}

bool MemEnv::FileExists(const std::string& path) {
  const std::string norm = NormalizeMemPath(path);
  std::lock_guard<std::mutex> l(mu_);
  return files_.count(norm) > 0 || IsDirLocked(norm);
}

bool MemEnv::IsDirectory(const std::string& path) {
  const std::string norm = NormalizeMemPath(path);
  std::lock_guard<std::mutex> l(mu_);
  return IsDirLocked(norm);
}

Result<uint64_t> MemEnv::FileSize(const std::string& path) {
  const std::string norm = NormalizeMemPath(path);
  std::lock_guard<std::mutex> l(mu_);
  auto it = files_.find(norm);
  if (it != files_.end()) return NodeInfo(it->second).size;
  if (IsDirLocked(norm)) return uint64_t{0};
  return NotFoundError(path, "stat");
}

Result<std::vector<std::string>> MemEnv::ListDir(const std::string& dir) {
  const std::string norm = NormalizeMemPath(dir);
  std::lock_guard<std::mutex> l(mu_);
  if (!IsDirLocked(norm)) {
    if (files_.count(norm)) return IoErrorAt(dir, "opendir", "not a directory");
    return NotFoundError(dir, "opendir");
  }
  const std::string prefix = ChildPrefix(norm);
  std::vector<std::string> names;
  for (auto it = files_.lower_bound(prefix); it != files_.end() && it->first.starts_with(prefix);
       ++it) {
    std::string_view name = ChildName(it->first, prefix);
    if (!name.empty()) names.emplace_back(name);
  }
  for (auto it = dirs_.lower_bound(prefix); it != dirs_.end() && it->starts_with(prefix); ++it) {
    std::string_view name = ChildName(*it, prefix);
    if (!name.empty()) names.emplace_back(name);
  }
  return names;
}

Status MemEnv::CreateDir(const std::string& dir) {
  std::lock_guard<std::mutex> l(mu_);
  Status s = CreateDirLocked(NormalizeMemPath(dir));
  return s.ok() ? s : s.WithPrefix(dir);
}

Status MemEnv::RemoveFile(const std::string& path) {
  const std::string norm = NormalizeMemPath(path);
  std::lock_guard<std::mutex> l(mu_);
  auto it = files_.find(norm);
  if (it == files_.end()) {
    if (IsDirLocked(norm)) return IoErrorAt(path, "unlink", "is a directory");
    return NotFoundError(path, "unlink");
  }
  EraseFileLocked(it);
  return Status::Ok();
}

Status MemEnv::RemoveDir(const std::string& dir) {
  const std::string norm = NormalizeMemPath(dir);
  std::lock_guard<std::mutex> l(mu_);
  if (!IsDirLocked(norm)) {
    if (files_.count(norm)) return IoErrorAt(dir, "rmdir", "not a directory");
    return NotFoundError(dir, "rmdir");
  }
  if (IsRoot(norm)) return IoErrorAt(dir, "rmdir", "device or resource busy");
  if (HasChildrenLocked(norm)) return IoErrorAt(dir, "rmdir", "directory not empty");
  dirs_.erase(norm);
  return Status::Ok();
}

Status MemEnv::Rename(const std::string& from, const std::string& to) {
  const std::string src = NormalizeMemPath(from);
  const std::string dst = NormalizeMemPath(to);
  const std::string what = fmt::format("rename to {}", to);
  std::lock_guard<std::mutex> l(mu_);
  auto it = files_.find(src);
  if (it == files_.end() && !IsDirLocked(src)) return NotFoundError(from, what);
  KQ_RETURN_IF_ERROR(CheckParentLocked(dst, "rename target"));
  if (it == files_.end()) {
    Status s = RenameDirLocked(src, dst);
    return s.ok() ? s : IoErrorAt(from, what, s.message());
  }
  if (src == dst) return Status::Ok();
  if (IsDirLocked(dst)) return IoErrorAt(from, what, "is a directory");
  NodeRef node = it->second;
  SetFileLocked(dst, node);
  EraseFileLocked(files_.find(src));
  return Status::Ok();
}

Status MemEnv::RenameDirLocked(const std::string& from, const std::string& to) {
  if (from == to) return Status::Ok();
  if (IsRoot(from) || IsRoot(to)) return Status::IoError("device or resource busy");
  if (files_.count(to)) return Status::IoError("not a directory");
  if (IsDirLocked(to) && HasChildrenLocked(to)) return Status::IoError("directory not empty");
  const std::string prefix = from + "/";
  if (to.starts_with(prefix)) return Status::IoError("invalid argument");
  auto moved = [&](const std::string& key) { return to + key.substr(from.size()); };
  std::map<std::string, NodeRef> files;
  for (auto it = files_.lower_bound(prefix); it != files_.end() && it->first.starts_with(prefix);) {
    files.emplace(moved(it->first), it->second);
    it = files_.erase(it);
  }
  files_.merge(files);  // names change, inodes and link counts do not
  std::set<std::string> dirs;
  for (auto it = dirs_.lower_bound(prefix); it != dirs_.end() && it->starts_with(prefix);) {
    dirs.insert(moved(*it));
    it = dirs_.erase(it);
  }
  dirs_.erase(from);
  dirs_.insert(to);
  dirs_.merge(dirs);
  return Status::Ok();
}

Status MemEnv::TruncateFile(const std::string& path, uint64_t size) {
  const std::string norm = NormalizeMemPath(path);
  std::lock_guard<std::mutex> l(mu_);
  auto it = files_.find(norm);
  if (it == files_.end()) return NotFoundError(path, fmt::format("truncate to {}", size));
  std::lock_guard<std::mutex> nl(it->second->mu);
  it->second->data.resize(size);
  return Status::Ok();
}

Status MemEnv::SyncDir(const std::string& dir) {
  const std::string norm = NormalizeMemPath(dir);
  std::lock_guard<std::mutex> l(mu_);
  if (IsDirLocked(norm)) return Status::Ok();
  if (files_.count(norm)) return IoErrorAt(dir, "open directory", "not a directory");
  return NotFoundError(dir, "open directory");
}

Result<std::unique_ptr<FileLock>> MemEnv::LockFile(const std::string& path, LockWait wait) {
  const std::string norm = NormalizeMemPath(path);
  std::unique_lock<std::mutex> l(mu_);
  KQ_RETURN_IF_ERROR(OpenNodeLocked(norm, false, "open lock file").status());
  while (held_.count(norm)) {
    if (wait == LockWait::kTry) {
      return Status::Busy(fmt::format("{}: lock is held by another process or handle", path));
    }
    lock_released_.wait(l);
  }
  const uint64_t id = ++next_lock_id_;
  held_[norm] = id;
  return std::unique_ptr<FileLock>(new Lock(this, norm, id));
}

void MemEnv::Unlock(const std::string& norm, uint64_t id) {
  std::lock_guard<std::mutex> l(mu_);
  auto it = held_.find(norm);
  if (it == held_.end() || it->second != id) return;  // dropped by ReleaseAllLocks
  held_.erase(it);
  lock_released_.notify_all();
}

// --- inode-level access -------------------------------------------------------

MemEnv::NodeRef MemEnv::FileNode(const std::string& path) {
  const std::string norm = NormalizeMemPath(path);
  std::lock_guard<std::mutex> l(mu_);
  auto it = files_.find(norm);
  return it == files_.end() ? nullptr : it->second;
}

std::map<std::string, MemEnv::NodeRef> MemEnv::FilesIn(const std::string& dir) {
  const std::string prefix = ChildPrefix(NormalizeMemPath(dir));
  std::lock_guard<std::mutex> l(mu_);
  std::map<std::string, NodeRef> out;
  for (auto it = files_.lower_bound(prefix); it != files_.end() && it->first.starts_with(prefix);
       ++it) {
    std::string_view name = ChildName(it->first, prefix);
    if (!name.empty()) out.emplace(name, it->second);
  }
  return out;
}

void MemEnv::RestoreFiles(const std::string& dir, const std::map<std::string, NodeRef>& files) {
  const std::string norm = NormalizeMemPath(dir);
  const std::string prefix = ChildPrefix(norm);
  std::lock_guard<std::mutex> l(mu_);
  if (!CreateDirLocked(norm).ok()) return;  // a file took the directory's name
  for (auto it = files_.lower_bound(prefix); it != files_.end() && it->first.starts_with(prefix);) {
    std::string_view name = ChildName(it->first, prefix);
    auto next = std::next(it);
    if (!name.empty() && !files.count(std::string(name))) EraseFileLocked(it);
    it = next;
  }
  for (const auto& [name, node] : files) {
    const std::string path = prefix + name;
    if (!dirs_.count(path)) SetFileLocked(path, node);
  }
}

uint64_t MemEnv::NodeSize(const NodeRef& node) { return NodeInfo(node).size; }

std::string MemEnv::NodeData(const NodeRef& node) {
  std::lock_guard<std::mutex> l(node->mu);
  return node->data;
}

void MemEnv::SetNodeData(const NodeRef& node, std::string data) {
  std::lock_guard<std::mutex> l(node->mu);
  node->data = std::move(data);
}

void MemEnv::CutNode(const NodeRef& node, uint64_t size) {
  std::lock_guard<std::mutex> l(node->mu);
  if (node->data.size() > size) node->data.resize(size);
}

void MemEnv::ReleaseAllLocks() {
  std::lock_guard<std::mutex> l(mu_);
  held_.clear();
  lock_released_.notify_all();
}

}  // namespace kq::io
