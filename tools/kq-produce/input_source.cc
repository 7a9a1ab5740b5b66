#include "kq-produce/input_source.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>

#include <fmt/format.h>

namespace kq::tools::produce {
namespace {

// A self-pipe: the handler writes one byte, so a poll() waiting for stdin
// wakes up without the race of checking a flag before blocking.
int g_stop_pipe[2] = {-1, -1};
volatile std::sig_atomic_t g_stop_signal = 0;

void OnStopSignal(int signo) {
  g_stop_signal = signo;
  const int saved = errno;
  const char byte = 1;
  [[maybe_unused]] ssize_t n = ::write(g_stop_pipe[1], &byte, 1);
  errno = saved;
}

class StdinSource : public InputSource {
 public:
  StdinSource() : InputSource("stdin") {
    interactive_ = ::isatty(0) == 1;
    struct stat st {};
    // A redirected regular file never stalls; pipes, sockets and terminals may.
    const bool stat_ok = ::fstat(0, &st) == 0;
    may_stall_ = !(stat_ok && S_ISREG(st.st_mode));
    // A pipe hands out at most its buffer (64 KiB by default) per read: ask
    // for 1 MiB so a fast writer is read in 16 times fewer calls. Failing
    // (over fs.pipe-max-size) only costs speed.
    if (stat_ok && S_ISFIFO(st.st_mode)) (void)::fcntl(0, F_SETPIPE_SZ, 1 << 20);
  }

  ~StdinSource() override {
    if (map_ != nullptr) ::munmap(map_, map_size_);
  }

  bool interactive() const override { return interactive_; }

  std::string_view Map() override {
    if (may_stall_ || map_ != nullptr) return {};
    struct stat st {};
    const off_t at = ::lseek(0, 0, SEEK_CUR);
    if (::fstat(0, &st) != 0 || at < 0 || st.st_size <= at) return {};
    void* p = ::mmap(nullptr, static_cast<size_t>(st.st_size), PROT_READ, MAP_PRIVATE, 0, 0);
    if (p == MAP_FAILED) return {};  // Read() still works
    ::madvise(p, static_cast<size_t>(st.st_size), MADV_SEQUENTIAL);
    map_ = p;
    map_size_ = static_cast<size_t>(st.st_size);
    return std::string_view(static_cast<const char*>(p) + at, map_size_ - static_cast<size_t>(at));
  }
  bool may_stall() const override { return may_stall_; }

  Wait WaitReadable(int timeout_ms) override {
    if (StopRequested()) return Wait::kStopped;
    if (!may_stall_) return Wait::kReady;
    pollfd fds[2] = {{0, POLLIN, 0}, {g_stop_pipe[0], POLLIN, 0}};
    const nfds_t count = g_stop_pipe[0] >= 0 ? 2 : 1;
    for (;;) {
      const int n = ::poll(fds, count, timeout_ms);
      if (StopRequested()) return Wait::kStopped;
      if (n > 0) return Wait::kReady;  // readable, hung up or in error: read() tells
      if (n == 0) return Wait::kTimeout;
      if (errno != EINTR) return Wait::kReady;  // let read() report the problem
    }
  }

  Result<size_t> Read(char* dst, size_t n) override {
    for (;;) {
      const ssize_t got = ::read(0, dst, n);
      if (got >= 0) return static_cast<size_t>(got);
      if (errno == EINTR) {
        if (StopRequested()) return size_t{0};
        continue;
      }
      if (errno == EAGAIN) {  // a non-blocking stdin handed to us: wait, then retry
        if (WaitReadable(-1) == Wait::kStopped) return size_t{0};
        continue;
      }
      return Status::IoError(fmt::format("reading stdin: {}", std::strerror(errno)));
    }
  }

 private:
  bool interactive_ = false;
  bool may_stall_ = true;
  void* map_ = nullptr;
  size_t map_size_ = 0;
};

class FileSource : public InputSource {
 public:
  FileSource(std::string path, std::unique_ptr<io::RandomAccessFile> file)
      : InputSource(std::move(path)), file_(std::move(file)) {}

  Wait WaitReadable(int) override { return StopRequested() ? Wait::kStopped : Wait::kReady; }

  Result<size_t> Read(char* dst, size_t n) override {
    KQ_RETURN_IF_ERROR(file_->Read(position_, n, &scratch_));
    std::memcpy(dst, scratch_.data(), scratch_.size());
    position_ += scratch_.size();
    return scratch_.size();
  }

 private:
  std::unique_ptr<io::RandomAccessFile> file_;
  uint64_t position_ = 0;
  std::string scratch_;
};

}  // namespace

void InstallStopSignals() {
  static const bool installed = [] {
    if (::pipe2(g_stop_pipe, O_CLOEXEC | O_NONBLOCK) != 0) g_stop_pipe[0] = g_stop_pipe[1] = -1;
    struct sigaction sa {};
    sa.sa_handler = OnStopSignal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;  // no SA_RESTART: a blocked read() returns EINTR
    ::sigaction(SIGINT, &sa, nullptr);
    ::sigaction(SIGTERM, &sa, nullptr);
    return true;
  }();
  (void)installed;
}

int StopRequested() { return static_cast<int>(g_stop_signal); }

std::unique_ptr<InputSource> InputSource::Stdin() { return std::make_unique<StdinSource>(); }

Result<std::unique_ptr<InputSource>> InputSource::File(io::Env* env, const std::string& path) {
  if (env->IsDirectory(path)) {
    return Status::InvalidArgument(fmt::format("{}: is a directory", path));
  }
  KQ_ASSIGN_OR_RETURN(std::unique_ptr<io::RandomAccessFile> file, env->OpenRandomAccess(path));
  return std::unique_ptr<InputSource>(new FileSource(path, std::move(file)));
}

}  // namespace kq::tools::produce
