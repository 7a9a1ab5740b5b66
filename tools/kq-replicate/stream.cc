// kq-replicate send DIR / receive DIR: the replication stream through a pipe
// (core/replica/stream_*.h; the framing is in core/FORMAT.md).
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "common/exit_codes.h"
#include "common/output.h"
#include "io/env.h"
#include "log/log_dir.h"
#include "replica/dir_source.h"
#include "replica/state_file.h"
#include "replica/stream_receiver.h"
#include "replica/stream_sender.h"
#include "replica/sync.h"
#include "replicate.h"

namespace kq::tools::replicate {

int RunSend(const Args& args) {
  if (IsTerminal(1)) {
    return ReportUsageError(kTool,
                            "send writes a binary stream: pipe it into 'kq-replicate receive'");
  }
  io::Env* env = io::Env::Default();
  auto source = replica::DirSource::Open(env, args.dir);
  if (!source.ok()) return ReportError(kTool, source.status());
  replica::FollowerStates since;
  replica::SendOptions options;
  options.topics = args.topics;
  if (!args.since_state.empty()) {
    auto text = env->ReadFileToString(args.since_state);
    if (!text.ok()) return ReportError(kTool, text.status().WithPrefix("--since-state"));
    auto parsed = replica::ParseFollowerStates(*text, args.since_state);
    if (!parsed.ok()) return ReportUsageError(kTool, "--since-state: " + parsed.status().message());
    since = std::move(*parsed);
    options.since = &since;
  }
  OutputWriter out(1);
  auto summary = replica::Send(**source, options, [&](std::string_view bytes) {
    KQ_RETURN_IF_ERROR(out.Write(bytes));
    return out.Flush();
  });
  if (!summary.ok()) return ReportError(kTool, summary.status());
  if (!args.common.quiet) {
    fmt::print(stderr, "{}: sent {} partitions, {} batches, {} bytes\n", ProgramName(kTool),
               summary->partitions, summary->batches, summary->bytes);
  }
  return kExitOk;
}

namespace {

Result<size_t> ReadStdin(char* buf, size_t n) {
  for (;;) {
    ssize_t r = ::read(0, buf, n);
    if (r >= 0) return static_cast<size_t>(r);
    if (errno == EINTR) continue;
    return Status::IoError(fmt::format("reading the stream from stdin: {}", std::strerror(errno)));
  }
}

}  // namespace

int RunReceive(const Args& args) {
  io::Env* env = io::Env::Default();
  if (args.print_state) {
    replica::FollowerStates states;
    if (env->IsDirectory(args.dir)) {
      auto dir = log::LogDir::Open(env, args.dir, /*create_if_missing=*/false);
      if (!dir.ok()) return ReportError(kTool, dir.status());
      auto read = replica::ReadFollowerStates(*dir);
      if (!read.ok()) return ReportError(kTool, read.status());
      states = std::move(*read);
    }
    return PrintOut(kTool, replica::FormatFollowerStates(states));
  }
  if (IsTerminal(0)) {
    return ReportUsageError(kTool,
                            "receive reads a stream on stdin: pipe 'kq-replicate send' into it");
  }
  auto dir = log::LogDir::Open(env, args.dir, /*create_if_missing=*/true);
  if (!dir.ok()) return ReportError(kTool, dir.status());
  replica::stream::StreamReader reader(ReadStdin);
  auto summary = replica::Receive(reader, *dir);
  if (!summary.ok()) return ReportError(kTool, summary.status());
  return ReportSummary(args, *summary);
}

}  // namespace kq::tools::replicate
