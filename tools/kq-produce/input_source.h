// Where kq-produce's bytes come from: stdin (a pipe, a terminal or a
// redirected file) or a FILE operand, read in large chunks, plus the wait for
// input that lets a slow stream be flushed after --linger-ms, and the
// SIGINT/SIGTERM handling that ends input cleanly.
//
// Stdin is read with read(2) on fd 0 (there is no Env for it); FILE operands
// go through io::Env like every other file access.
//
// Thread safety: one thread. InstallStopSignals is process-wide.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "base/result.h"
#include "io/env.h"

namespace kq::tools::produce {

// Installs handlers for SIGINT and SIGTERM that make WaitReadable return
// kStopped and StopRequested() true. Idempotent.
void InstallStopSignals();
// The signal that asked to stop, or 0.
int StopRequested();

class InputSource {
 public:
  enum class Wait { kReady, kTimeout, kStopped };

  static std::unique_ptr<InputSource> Stdin();
  // NotFound / IoError naming the path.
  static Result<std::unique_ptr<InputSource>> File(io::Env* env, const std::string& path);

  virtual ~InputSource() = default;

  // "stdin" or the path, for messages.
  const std::string& name() const { return name_; }
  // True when input is typed at a terminal (each line is sent as typed).
  virtual bool interactive() const { return false; }
  // True when reads may block for a long time (pipes, terminals), so a
  // pending batch should be flushed when nothing arrives for a while.
  virtual bool may_stall() const { return false; }

  // Waits until input can be read without blocking, at most timeout_ms
  // (-1: no limit), or until a stop signal arrives.
  virtual Wait WaitReadable(int timeout_ms) = 0;
  // Reads up to n bytes into dst; 0 at the end of input.
  virtual Result<size_t> Read(char* dst, size_t n) = 0;

  // When stdin is a regular file (`kq-produce t < FILE`): the rest of it,
  // mapped read-only, so records are split without copying them out first;
  // the view lives as long as the source. Empty when not available (then use
  // Read). A file truncated by someone else while mapped would fault, as
  // with any mmap reader; files growing meanwhile are read up to the size
  // they had here.
  virtual std::string_view Map() { return {}; }

 protected:
  explicit InputSource(std::string name) : name_(std::move(name)) {}

 private:
  std::string name_;
};

}  // namespace kq::tools::produce
