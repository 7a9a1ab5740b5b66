// The POSIX Env: the only place in kq that calls open/pread/write/fdatasync/
// flock/rename and friends. Every error names the path and the operation.
#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <system_error>

#include <fmt/format.h>

#include "io/env.h"

namespace kq::io {
namespace {

// "<path>: <what>: <reason>", with ENOENT as NotFound so callers can tell a
// missing file from a failing disk.
Status PosixError(std::string_view path, std::string_view what, int err) {
  std::string reason;
  switch (err) {
    case EACCES:
    case EPERM:
      reason = "permission denied";
      break;
    case EROFS:
      reason = "read-only file system";
      break;
    default:
      reason = std::error_code(err, std::generic_category()).message();
  }
  std::string msg = fmt::format("{}: {}: {}", path, what, reason);
  if (err == ENOENT) return Status::NotFound(msg);
  return Status::IoError(msg);
}

Result<FileInfo> StatFd(const std::string& path, int fd) {
  struct stat st;
  if (::fstat(fd, &st) != 0) return PosixError(path, "fstat", errno);
  FileInfo info;
  info.size = static_cast<uint64_t>(st.st_size);
  info.unlinked = st.st_nlink == 0;
  return info;
}

class PosixRandomAccessFile final : public RandomAccessFile {
 public:
  PosixRandomAccessFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  ~PosixRandomAccessFile() override { ::close(fd_); }

  Status Read(uint64_t offset, size_t n, std::string* out) const override {
    out->resize(n);
    size_t got = 0;
    // pread may return less than asked (signals, large reads); only a zero
    // return means end of file.
    while (got < n) {
      ssize_t r = ::pread(fd_, out->data() + got, n - got, static_cast<off_t>(offset + got));
      if (r < 0) {
        if (errno == EINTR) continue;
        int err = errno;
        out->clear();
        return PosixError(path_, fmt::format("pread at {}", offset + got), err);
      }
      if (r == 0) break;
      got += static_cast<size_t>(r);
    }
    out->resize(got);
    return Status::Ok();
  }

  Result<FileInfo> Stat() const override { return StatFd(path_, fd_); }
  const std::string& path() const override { return path_; }
  int NativeHandle() const override { return fd_; }

 private:
  const std::string path_;
  const int fd_;
};

class PosixAppendableFile final : public AppendableFile {
 public:
  PosixAppendableFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  ~PosixAppendableFile() override {
    if (fd_ >= 0) ::close(fd_);
  }

  Status Append(std::string_view data) override {
    KQ_RETURN_IF_ERROR(CheckOpen());
    while (!data.empty()) {
      ssize_t w = ::write(fd_, data.data(), data.size());
      if (w < 0) {
        if (errno == EINTR) continue;
        return PosixError(path_, "write", errno);
      }
      data.remove_prefix(static_cast<size_t>(w));
    }
    return Status::Ok();
  }

  Status Sync() override {
    KQ_RETURN_IF_ERROR(CheckOpen());
    if (::fdatasync(fd_) != 0) return PosixError(path_, "fdatasync", errno);
    return Status::Ok();
  }

  Status Truncate(uint64_t size) override {
    KQ_RETURN_IF_ERROR(CheckOpen());
    if (::ftruncate(fd_, static_cast<off_t>(size)) != 0) {
      return PosixError(path_, fmt::format("ftruncate to {}", size), errno);
    }
    return Status::Ok();
  }

  Result<FileInfo> Stat() const override {
    KQ_RETURN_IF_ERROR(CheckOpen());
    return StatFd(path_, fd_);
  }

  Status Close() override {
    if (fd_ < 0) return Status::Ok();
    int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) return PosixError(path_, "close", errno);
    return Status::Ok();
  }

  const std::string& path() const override { return path_; }

  Result<std::unique_ptr<AppendableFile>> Duplicate() override {
    KQ_RETURN_IF_ERROR(CheckOpen());
    int fd = ::fcntl(fd_, F_DUPFD_CLOEXEC, 0);
    if (fd < 0) return PosixError(path_, "dup", errno);
    return std::unique_ptr<AppendableFile>(new PosixAppendableFile(path_, fd));
  }

 private:
  Status CheckOpen() const {
    if (fd_ < 0) return Status::IoError(fmt::format("{}: file is closed", path_));
    return Status::Ok();
  }

  const std::string path_;
  int fd_;
};

class PosixFileLock final : public FileLock {
 public:
  explicit PosixFileLock(int fd) : fd_(fd) {}
  // Closing the descriptor releases the flock.
  ~PosixFileLock() override { ::close(fd_); }

 private:
  const int fd_;
};

class PosixEnv final : public Env {
 public:
  Result<std::unique_ptr<RandomAccessFile>> OpenRandomAccess(const std::string& path) override {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return PosixError(path, "open for reading", errno);
    return std::unique_ptr<RandomAccessFile>(new PosixRandomAccessFile(path, fd));
  }

  Result<std::unique_ptr<AppendableFile>> OpenAppendable(const std::string& path) override {
    return OpenForAppend(path, 0, "open for appending");
  }

  Result<std::unique_ptr<AppendableFile>> CreateTruncated(const std::string& path) override {
    return OpenForAppend(path, O_TRUNC, "create");
  }

  bool FileExists(const std::string& path) override { return ::access(path.c_str(), F_OK) == 0; }

  bool IsDirectory(const std::string& path) override {
    struct stat st;
    return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
  }

  Result<uint64_t> FileSize(const std::string& path) override {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) return PosixError(path, "stat", errno);
    return static_cast<uint64_t>(st.st_size);
  }

  Result<std::vector<std::string>> ListDir(const std::string& dir) override {
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) return PosixError(dir, "opendir", errno);
    std::vector<std::string> names;
    errno = 0;
    while (struct dirent* entry = ::readdir(d)) {
      std::string_view name = entry->d_name;
      if (name != "." && name != "..") names.emplace_back(name);
    }
    int err = errno;
    ::closedir(d);
    if (err != 0) return PosixError(dir, "readdir", err);
    return names;
  }

  Status CreateDir(const std::string& dir) override {
    if (::mkdir(dir.c_str(), 0755) == 0) return Status::Ok();
    int err = errno;
    if (err == EEXIST) {
      if (IsDirectory(dir)) return Status::Ok();
      return Status::IoError(fmt::format("{}: mkdir: exists and is not a directory", dir));
    }
    if (err != ENOENT) return PosixError(dir, "mkdir", err);
    // A parent is missing: create it, then retry (mkdir -p).
    std::string parent = DirName(dir);
    if (parent == dir) return PosixError(dir, "mkdir", err);
    KQ_RETURN_IF_ERROR(CreateDir(parent));
    if (::mkdir(dir.c_str(), 0755) != 0 && !(errno == EEXIST && IsDirectory(dir))) {
      return PosixError(dir, "mkdir", errno);
    }
    return Status::Ok();
  }

  Status RemoveFile(const std::string& path) override {
    if (::unlink(path.c_str()) != 0) return PosixError(path, "unlink", errno);
    return Status::Ok();
  }

  Status RemoveDir(const std::string& dir) override {
    if (::rmdir(dir.c_str()) != 0) return PosixError(dir, "rmdir", errno);
    return Status::Ok();
  }

  Status Rename(const std::string& from, const std::string& to) override {
    if (::rename(from.c_str(), to.c_str()) != 0) {
      return PosixError(from, fmt::format("rename to {}", to), errno);
    }
    return Status::Ok();
  }

  Status TruncateFile(const std::string& path, uint64_t size) override {
    if (::truncate(path.c_str(), static_cast<off_t>(size)) != 0) {
      return PosixError(path, fmt::format("truncate to {}", size), errno);
    }
    return Status::Ok();
  }

  Status SyncDir(const std::string& dir) override {
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return PosixError(dir, "open directory", errno);
    Status s;
    if (::fsync(fd) != 0) s = PosixError(dir, "fsync directory", errno);
    ::close(fd);
    return s;
  }

  Result<std::unique_ptr<FileLock>> LockFile(const std::string& path, LockWait wait) override {
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return PosixError(path, "open lock file", errno);
    const int op = LOCK_EX | (wait == LockWait::kTry ? LOCK_NB : 0);
    int rc;
    do {
      rc = ::flock(fd, op);
    } while (rc != 0 && errno == EINTR);
    if (rc != 0) {
      int err = errno;
      ::close(fd);
      if (err == EWOULDBLOCK) {
        return Status::Busy(fmt::format("{}: lock is held by another process or handle", path));
      }
      return PosixError(path, "flock", err);
    }
    return std::unique_ptr<FileLock>(new PosixFileLock(fd));
  }

  int64_t NowMs() override {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
  }

 private:
  Result<std::unique_ptr<AppendableFile>> OpenForAppend(const std::string& path, int extra_flags,
                                                        std::string_view what) {
    int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | extra_flags, 0644);
    if (fd < 0) return PosixError(path, what, errno);
    return std::unique_ptr<AppendableFile>(new PosixAppendableFile(path, fd));
  }
};

}  // namespace

// A partition keeps a descriptor open per segment (so that a reader keeps
// seeing a file that compaction replaced), and a tool may open many
// partitions: raise the soft limit on descriptors to the hard one, once.
static void RaiseDescriptorLimit() {
  struct rlimit limit;
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    (void)setrlimit(RLIMIT_NOFILE, &limit);
  }
}

Env* Env::Default() {
  static Env* const env = [] {
    RaiseDescriptorLimit();
    return new PosixEnv;  // never destroyed: used until exit
  }();
  return env;
}

}  // namespace kq::io
