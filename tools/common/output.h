// Fast, binary-safe output for the tools, and a progress line for terminals.
//
// OutputWriter buffers bytes in one large std::string that renderers append to
// directly (RecordFormatter::Render(record, writer.buffer())), and writes it
// with write(2) in a loop that retries EINTR and short writes. When the reader
// of the pipe goes away (EPIPE), the writer returns BrokenPipeStatus()
// (exit_codes.h) from then on; tools stop and exit 0 on it, as `head`'s
// producers do. For that, the constructor sets SIGPIPE to ignored for the
// process (once), so EPIPE arrives as an error instead of killing the process.
//
// Thread safety: an OutputWriter or Progress must be used by one thread at a
// time. Durability: bytes reach the fd only at Flush/MaybeFlush/destruction.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

#include "base/status.h"

namespace kq::tools {

// True when `fd` is a terminal.
bool IsTerminal(int fd);

// Sets SIGPIPE to SIG_IGN for the process. Idempotent.
void IgnoreSigpipe();

// Writes `text` to stdout in one go (binary-safe; a reader that went away is
// not an error) and returns the exit code, a failure reported as `tool`'s.
int PrintOut(std::string_view tool, std::string_view text);

class OutputWriter {
 public:
  static constexpr size_t kDefaultBufferSize = 1 << 20;

  // Does not take ownership of `fd` (usually 1: stdout).
  explicit OutputWriter(int fd = 1, size_t buffer_size = kDefaultBufferSize);
  // Flushes what is left; errors at this point are lost, so call Flush() first
  // when the result matters.
  ~OutputWriter();

  OutputWriter(const OutputWriter&) = delete;
  OutputWriter& operator=(const OutputWriter&) = delete;

  // The pending bytes. Append to it freely, then call MaybeFlush().
  std::string* buffer() { return &buffer_; }

  // Appends bytes, writing out the buffer when it is full.
  Status Write(std::string_view bytes) {
    buffer_.append(bytes);
    return MaybeFlush();
  }
  // Writes the buffer out when it has reached its size; cheap otherwise.
  Status MaybeFlush() { return buffer_.size() >= buffer_size_ ? Flush() : status_copy(); }
  // Writes everything pending. After the first error, every call returns it
  // again and pending bytes are discarded.
  Status Flush();

  // The sticky error, OK when none.
  const Status& status() const { return status_; }

 private:
  Status status_copy() const { return status_; }

  int fd_;
  size_t buffer_size_;
  std::string buffer_;
  Status status_;
};

// A one-line progress report on stderr ("12,345 records  3.2 MB"), shown only
// when enabled (by default: when stderr is a terminal) and redrawn at most
// once per interval. The line is erased by Clear() and by the destructor, so
// it never mixes with the tool's real output or error messages.
//
//   Progress progress;
//   for (...) { ...; if (progress.Due()) progress.Show(fmt::format(...)); }
class Progress {
 public:
  explicit Progress(bool enabled = IsTerminal(2), int fd = 2,
                    std::chrono::milliseconds interval = std::chrono::milliseconds(250));
  ~Progress();

  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  // True when enabled and `interval` has passed since the last Show (or since
  // construction). Reads the clock only every 64 calls, so it is cheap to call
  // per record.
  bool Due();
  // Replaces the progress line with `text`.
  void Show(std::string_view text);
  // Erases the line if one is shown.
  void Clear();

  bool enabled() const { return enabled_; }

 private:
  bool enabled_;
  int fd_;
  std::chrono::milliseconds interval_;
  std::chrono::steady_clock::time_point last_;
  unsigned calls_ = 0;
  bool shown_ = false;
};

}  // namespace kq::tools
