#include "common/output.h"

#include <csignal>
#include <cerrno>
#include <cstring>
#include <unistd.h>

#include <fmt/format.h>

#include "common/exit_codes.h"

namespace kq::tools {
namespace {

// Writes all of `bytes` to `fd`, retrying EINTR and short writes.
Status WriteAll(int fd, std::string_view bytes) {
  const char* p = bytes.data();
  size_t left = bytes.size();
  while (left > 0) {
    ssize_t n = ::write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EPIPE) return BrokenPipeStatus();
      return Status::IoError(fmt::format("write to fd {}: {}", fd, std::strerror(errno)));
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
  return Status::Ok();
}

}  // namespace

bool IsTerminal(int fd) { return ::isatty(fd) == 1; }

void IgnoreSigpipe() {
  static const bool done = [] {
    std::signal(SIGPIPE, SIG_IGN);
    return true;
  }();
  (void)done;
}

OutputWriter::OutputWriter(int fd, size_t buffer_size) : fd_(fd), buffer_size_(buffer_size) {
  IgnoreSigpipe();
  // Headroom so that one record past the threshold does not reallocate.
  buffer_.reserve(buffer_size_ + buffer_size_ / 4);
}

OutputWriter::~OutputWriter() { (void)Flush(); }

Status OutputWriter::Flush() {
  if (!status_.ok()) {
    buffer_.clear();
    return status_;
  }
  status_ = WriteAll(fd_, buffer_);
  buffer_.clear();
  return status_;
}

Progress::Progress(bool enabled, int fd, std::chrono::milliseconds interval)
    : enabled_(enabled), fd_(fd), interval_(interval), last_(std::chrono::steady_clock::now()) {}

Progress::~Progress() { Clear(); }

bool Progress::Due() {
  if (!enabled_) return false;
  if (++calls_ % 64 != 0 && interval_.count() > 0) return false;
  auto now = std::chrono::steady_clock::now();
  if (now - last_ < interval_) return false;
  last_ = now;
  return true;
}

void Progress::Show(std::string_view text) {
  if (!enabled_) return;
  // "\r" returns to column 0, ESC[K erases the rest of the old line.
  std::string line = fmt::format("\r{}\x1b[K", text);
  (void)WriteAll(fd_, line);
  shown_ = true;
}

void Progress::Clear() {
  if (!enabled_ || !shown_) return;
  (void)WriteAll(fd_, "\r\x1b[K");
  shown_ = false;
}

int PrintOut(std::string_view tool, std::string_view text) {
  OutputWriter out(1);
  Status s = out.Write(text);
  if (s.ok()) s = out.Flush();
  return ReportError(tool, s.WithPrefix("stdout"));
}

}  // namespace kq::tools
