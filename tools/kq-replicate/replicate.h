// kq-replicate's pieces: the flags main.cc parses, and one entry point per
// mode (sync.cc: SOURCE DEST; stream.cc: send and receive).
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "common/common_flags.h"
#include "common/output.h"
#include "io/env.h"

namespace kq::tools::replicate {

inline constexpr const char* kTool = "replicate";

struct Args {
  CommonFlags common;
  std::vector<std::string> topics;  // --topic globs
  bool follow = false;
  bool json = false;
  std::string status_file;
  int32_t replica_id = -1;
  // SOURCE DEST, or the directory of send and receive.
  std::string source;
  std::string dest;
  std::string dir;
  // The stream.
  std::string since_state;   // send --since-state FILE
  bool print_state = false;  // receive --print-state
};

// Makes DEST a follower of SOURCE (a directory or kafka://HOST:PORT).
int RunSync(const Args& args);
// Mirrors SOURCE (a directory) into DEST kafka://HOST:PORT (mirror.cc).
int RunMirror(const Args& args);
// Writes the replication stream of DIR to stdout.
int RunSend(const Args& args);
// Applies a replication stream from stdin to DIR, or prints where DIR stands.
int RunReceive(const Args& args);

}  // namespace kq::tools::replicate

namespace kq::replica {
struct SyncSummary;
}

namespace kq::tools::replicate {

// Progress on a terminal and the --status-file (JSON: source, dest, lag,
// per-partition ends), at most once a second (sync.cc).
class Reporter {
 public:
  Reporter(io::Env* env, const Args& args);
  void Round(const replica::SyncSummary& s);
  void WriteStatus(const replica::SyncSummary& s);
  void Clear();

 private:
  io::Env* env_;
  const Args& args_;
  Progress progress_;
  std::chrono::steady_clock::time_point last_status_{};
  bool warned_ = false;
};

// --follow ends on SIGINT or SIGTERM: installs the handlers; StopRequested
// is true once one arrived.
void StopOnSignals();
bool StopRequested();

// The end summary: one JSON object on stdout with --json, else one line on
// stderr unless -q. Returns the exit code of writing it.
int ReportSummary(const Args& args, const replica::SyncSummary& summary);

}  // namespace kq::tools::replicate
