// The flags every kq tool shares, and the parse step that turns CLI11's
// exceptions into kq's exit codes (exit_codes.h).
//
//   -d, --dir DIR            log directory (default: $KQ_DIR, else ./kq-data)
//   -b, --brokers HOST:PORT  work against a Kafka cluster instead (default: $KQ_BROKERS)
//   -X KEY=VALUE             librdkafka property for -b (repeatable, like kcat)
//   -q, --quiet              only errors on stderr
//   -v, --verbose            more detail on stderr (repeat for more)
//       --version            prints "kq-<tool> <version>" and exits 0
//       --list-flags         (hidden) prints every flag name, one per line;
//                            the man page and completion tests use it
//
// A typical main:
//
//   int main(int argc, char** argv) {
//     CLI::App app{"Print records of a topic"};
//     CommonFlags common;
//     AddCommonFlags(app, "consume", &common);
//     ... tool flags ...
//     SetExamples(app, {"kq-consume orders -o -10", "kq-consume logs -J | jq ."});
//     return RunApp(app, argc, argv, "consume", [&] { return Run(common, ...); });
//   }
//
// Thread safety: call from main only.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

namespace kq::tools {

struct CommonFlags {
  std::string dir = "./kq-data";        // replaced by $KQ_DIR, then by -d
  std::string brokers;                  // empty: use `dir`
  std::vector<std::string> properties;  // -X key=value, in order (cluster mode)
  bool quiet = false;
  int verbose = 0;  // number of -v
};

// Adds the flags above to `app`, binding them to *flags (which must outlive
// the parse). `tool` is the short name ("consume"); see ProgramName.
void AddCommonFlags(CLI::App& app, std::string_view tool, CommonFlags* flags);

// Sets the help footer to "Examples:" followed by one indented line each.
void SetExamples(CLI::App& app, const std::vector<std::string>& examples);

// Prints an informational line on stderr unless -q.
void Note(const CommonFlags& common, std::string_view line);

// Parses the command line. Returns nullopt when the tool should go on to do
// its work, or the exit code to return right away:
//   --help, --version, --list-flags: printed to stdout, 0;
//   a usage error: "kq-<tool>: <message>\nTry 'kq-<tool> --help' for more
//   information." on stderr, 2 (CLI11's own codes, from 100 up, never leak).
std::optional<int> ParseFlags(CLI::App& app, int argc, const char* const* argv,
                              std::string_view tool);

// ParseFlags, then `body` (the tool's work, returning its exit code).
int RunApp(CLI::App& app, int argc, const char* const* argv, std::string_view tool,
           const std::function<int()>& body);

// Every flag name of `app` and its subcommands ("-d", "--dir", "-h", "--help",
// ...), in declaration order, without duplicates, leaving out hidden flags.
std::vector<std::string> ListFlags(const CLI::App& app);

}  // namespace kq::tools
