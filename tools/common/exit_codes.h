// How the tools turn a Status into an exit code and an error line: the one
// place where the tools meet the shell.
//
//   0  success (also: stdout was closed early by the reader, as with `| head`)
//   1  runtime error: a Status from core (I/O, corruption, not found, ...)
//   2  usage error: bad flags or arguments, reported by the flag parser
//      (common_flags.h) or by a tool that validates its arguments itself
//
// Header-only; thread-safe.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "base/status.h"

namespace kq::tools {

constexpr int kExitOk = 0;
constexpr int kExitRuntime = 1;
constexpr int kExitUsage = 2;

// The Status output.h returns when the reader of stdout went away (EPIPE).
// The tools stop quietly and exit 0 on it, like `yes | head`.
inline Status BrokenPipeStatus() { return Status::BrokenPipe("broken pipe"); }

// True for a broken pipe, whatever its message and prefixes: the code says
// it, so a message that merely ends in "broken pipe" is not one.
inline bool IsBrokenPipe(const Status& s) { return s.IsBrokenPipe(); }

// "kq-<tool>", or "kq" for the dispatcher (empty tool).
inline std::string ProgramName(std::string_view tool) {
  return tool.empty() ? std::string("kq") : fmt::format("kq-{}", tool);
}

// The exit code for the outcome of a tool's work. Usage errors never reach
// here as a Status: the flag parser exits 2 itself, and a tool that finds a
// bad argument later returns kExitUsage directly (see ReportUsageError).
inline int ExitCodeFor(const Status& s) {
  if (s.ok() || IsBrokenPipe(s)) return kExitOk;
  return kExitRuntime;
}

// Prints "kq-<tool>: <message>" to stderr (nothing for OK or a broken pipe)
// and returns ExitCodeFor(s):   return ReportError("consume", status);
inline int ReportError(std::string_view tool, const Status& s) {
  if (!s.ok() && !IsBrokenPipe(s)) {
    fmt::print(stderr, "{}: {}\n", ProgramName(tool), s.message());
  }
  return ExitCodeFor(s);
}

// For argument errors a tool finds after flag parsing (a bad -o, a bad -f):
// prints the message and the --help hint, returns kExitUsage.
inline int ReportUsageError(std::string_view tool, std::string_view message) {
  std::string program = ProgramName(tool);
  fmt::print(stderr, "{}: {}\nTry '{} --help' for more information.\n", program, message, program);
  return kExitUsage;
}

}  // namespace kq::tools
