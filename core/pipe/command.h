// Command: a child process a pipeline stage feeds (kq-pipe's CMD,
// kq-consume --exec's CMD), started with posix_spawnp, its stdin and
// (optionally) stdout on pipes, stderr inherited, extra environment
// variables added to the parent's.
//
//   KQ_ASSIGN_OR_RETURN(auto c, Command::Start({.argv = {"jq", "-c", "."}}));
//   write to c->stdin_fd(), read c->stdout_fd() (both non-blocking) ...
//   c->CloseStdin();
//   KQ_ASSIGN_OR_RETURN(ExitStatus st, c->Wait(std::nullopt));
//
// RunCommand is the one-shot form: input in, output (if captured) out, with
// a deadline; a command past it is killed (SIGKILL) and reaped.
//
// SIGPIPE must be ignored by the caller (a command that exits without
// reading its input makes writes fail with EPIPE instead of killing us).
// The destructor kills and reaps a command still running.
// Thread safety: one thread at a time per object.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"
#include "base/status.h"

namespace kq::pipe {

struct CommandOptions {
  std::vector<std::string> argv;                         // argv[0] looked up in PATH
  std::vector<std::pair<std::string, std::string>> env;  // added to (or replacing) ours
  bool capture_stdout = true;                            // false: the command writes to our stdout
};

// How a command ended.
struct ExitStatus {
  int code = 0;    // exit code when !signaled
  int signal = 0;  // the signal that ended it, when signaled
  bool signaled = false;
  bool ok() const { return !signaled && code == 0; }
  // "exit status 3", "killed by signal 9".
  std::string ToString() const;
};

class Command {
 public:
  // NotFound when argv[0] cannot be run (naming it), IoError otherwise.
  static Result<std::unique_ptr<Command>> Start(const CommandOptions& options);
  ~Command();
  Command(const Command&) = delete;
  Command& operator=(const Command&) = delete;

  int stdin_fd() const { return stdin_fd_; }
  int stdout_fd() const { return stdout_fd_; }  // -1 unless captured
  pid_t pid() const { return pid_; }
  const std::string& name() const { return name_; }
  void CloseStdin();
  void CloseStdout();
  // Waits for the command to end; with a timeout, kills it (SIGKILL) when
  // it has not ended by then and returns DeadlineExceeded-like IoError.
  Result<ExitStatus> Wait(std::optional<int64_t> timeout_ms);
  // SIGKILL and reap (no-op once reaped).
  void Kill();

 private:
  Command() = default;
  pid_t pid_ = -1;
  int stdin_fd_ = -1;
  int stdout_fd_ = -1;
  std::string name_;
};

struct CommandRun {
  ExitStatus status;
  std::string output;  // stdout, when captured
  bool timed_out = false;
};

// Starts the command, writes `input` to its stdin (then closes it), reads
// its stdout when captured, and waits for it to end, at most `timeout_ms`
// overall (killed then, timed_out set). A command that exits without reading
// all its input is not an error here (its status says how it ended).
Result<CommandRun> RunCommand(const CommandOptions& options, std::string_view input,
                              std::optional<int64_t> timeout_ms);

}  // namespace kq::pipe
