// kq: the dispatcher. `kq COMMAND ARGS...` runs kq-COMMAND with ARGS, as git
// runs git-COMMAND. The program is looked up next to the kq executable first
// (so a build or install tree is self-contained), then on PATH, and replaces
// this process (execv), so its exit code and signals reach the caller as
// they are.
//
//   kq produce orders < lines.txt     runs kq-produce orders
//   kq help consume                   runs kq-consume --help
//   kq --help                         lists the commands that are installed
//   kq -L [-t TOPIC], kq metadata     run kq-topics describe [TOPIC] (kcat -L)
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "common/exit_codes.h"

#ifndef KQ_VERSION
#define KQ_VERSION "unknown"
#endif

namespace {

using kq::tools::kExitOk;
using kq::tools::kExitRuntime;
using kq::tools::kExitUsage;

struct Command {
  const char* name;
  const char* about;
};

// The commands kq knows how to describe, in the order --help lists them.
constexpr Command kCommands[] = {
    {"produce", "Write records from lines, files or JSON to a topic"},
    {"consume", "Print records of topics; follow them; consume in groups"},
    {"topics", "Create, list, describe, alter, delete and trim topics"},
    {"groups", "List, describe, reset and delete consumer groups"},
    {"compact", "Apply retention and log compaction; verify logs"},
    {"serve", "Serve a directory over the Kafka wire protocol"},
    {"replicate", "Copy topics between directories and clusters"},
};

// Flags of kq itself (the docs test reads them with --list-flags).
constexpr const char* kFlags[] = {"-h", "--help", "--version", "-L"};

// kcat -L lists brokers, topics and partitions; kq-topics describe shows
// the same of a log directory (or, with -b, of a cluster).
constexpr const char* kMetadataAlias = "metadata";
constexpr const char* kMetadataAbout = "Topics, partitions, offsets and sizes, as kcat -L";

// The directory of this executable, "" when /proc is unavailable.
std::string SelfDir() {
  char buf[PATH_MAX];
  const ssize_t n = ::readlink("/proc/self/exe", buf, sizeof(buf) - 1);
  if (n <= 0) return "";
  std::string path(buf, static_cast<size_t>(n));
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? "" : path.substr(0, slash);
}

bool IsExecutable(const std::string& path) { return ::access(path.c_str(), X_OK) == 0; }

// Command names are plain words, so `kq ../x` can never reach another program.
bool IsCommandName(std::string_view name) {
  if (name.empty() || name.front() == '-') return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

// Where kq-<name> is: next to kq first, then on PATH.
std::optional<std::string> FindProgram(std::string_view name) {
  const std::string program = fmt::format("kq-{}", name);
  if (std::string self = SelfDir(); !self.empty()) {
    std::string path = self + "/" + program;
    if (IsExecutable(path)) return path;
  }
  const char* env_path = std::getenv("PATH");
  std::string_view dirs = env_path ? env_path : "";
  while (!dirs.empty()) {
    const size_t colon = dirs.find(':');
    std::string_view dir = dirs.substr(0, colon);
    dirs = colon == std::string_view::npos ? std::string_view() : dirs.substr(colon + 1);
    std::string path = fmt::format("{}/{}", dir.empty() ? "." : dir, program);
    if (IsExecutable(path)) return path;
  }
  return std::nullopt;
}

void PrintHelp(std::FILE* to) {
  std::string out =
      "Usage: kq COMMAND [ARGS...]\n"
      "       kq help COMMAND\n"
      "       kq -L [ARGS...]\n"
      "\n"
      "Kafka's model over plain local directories: topics, partitions, segment\n"
      "logs, offsets and consumer groups. `kq COMMAND` runs kq-COMMAND.\n"
      "\n"
      "Commands:\n";
  int shown = 0;
  for (const Command& c : kCommands) {
    if (!FindProgram(c.name)) continue;
    out += fmt::format("  {:<10}  {}\n", c.name, c.about);
    ++shown;
  }
  if (FindProgram("topics")) out += fmt::format("  {:<10}  {}\n", kMetadataAlias, kMetadataAbout);
  if (shown == 0) out += "  (none found next to kq or on PATH)\n";
  out +=
      "\n"
      "Options:\n"
      "  -h, --help  Print this help and exit\n"
      "  --version   Print the version and exit\n"
      "  -L [ARGS]   Same as `kq metadata ARGS` (kcat's -L; -t TOPIC names a topic)\n"
      "\n"
      "Examples:\n"
      "  kq topics create orders --partitions 3\n"
      "  seq 10 | kq produce orders\n"
      "  kq consume orders -o -5\n"
      "  kq -L -t orders\n"
      "  kq help consume\n";
  std::fputs(out.c_str(), to);
}

int NotACommand(std::string_view name) {
  fmt::print(stderr, "kq: '{}' is not a kq command. See 'kq --help'.\n", name);
  return kExitUsage;
}

// Replaces this process with kq-<name>; returns only on failure.
int Exec(std::string_view name, const std::vector<char*>& rest) {
  if (!IsCommandName(name)) return NotACommand(name);
  std::optional<std::string> path = FindProgram(name);
  if (!path) return NotACommand(name);
  std::string argv0 = fmt::format("kq-{}", name);
  std::vector<char*> args;
  args.push_back(argv0.data());
  args.insert(args.end(), rest.begin(), rest.end());
  args.push_back(nullptr);
  std::fflush(stdout);
  ::execv(path->c_str(), args.data());
  fmt::print(stderr, "kq: cannot run {}: {}\n", *path, std::strerror(errno));
  return kExitRuntime;
}

// `kq -L ARGS` and `kq metadata ARGS`: kq-topics describe ARGS, with
// kcat's `-t TOPIC` (or -tTOPIC) taken as a topic operand.
int Metadata(char** args, int count) {
  static char describe[] = "describe";
  std::vector<char*> rest{describe};
  for (int i = 0; i < count; ++i) {
    const std::string_view arg = args[i];
    if (arg == "-t" && i + 1 < count) {
      rest.push_back(args[++i]);
    } else if (arg.starts_with("-t") && arg.size() > 2) {
      rest.push_back(args[i] + 2);
    } else {
      rest.push_back(args[i]);
    }
  }
  return Exec("topics", rest);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    PrintHelp(stderr);
    return kExitUsage;
  }
  const std::string_view first = argv[1];
  if (first == "-h" || first == "--help") {
    PrintHelp(stdout);
    return kExitOk;
  }
  if (first == "--version") {
    fmt::print("kq {}\n", KQ_VERSION);
    return kExitOk;
  }
  if (first == "--list-flags") {
    for (const char* f : kFlags) fmt::print("{}\n", f);
    return kExitOk;
  }
  if (first == "-L" || first == kMetadataAlias) return Metadata(argv + 2, argc - 2);
  if (first == "help") {
    if (argc == 2) {
      PrintHelp(stdout);
      return kExitOk;
    }
    char help_flag[] = "--help";
    char* help_args[] = {help_flag};
    if (std::string_view(argv[2]) == kMetadataAlias) return Metadata(help_args, 1);
    return Exec(argv[2], {help_flag});
  }
  if (first.front() == '-') {
    fmt::print(stderr, "kq: unknown option '{}'. See 'kq --help'.\n", first);
    return kExitUsage;
  }
  return Exec(first, std::vector<char*>(argv + 2, argv + argc));
}
