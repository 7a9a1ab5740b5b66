#include "common/common_flags.h"

#include <algorithm>
#include <cstdio>

#include <fmt/format.h>

#include "common/exit_codes.h"
#include "common/usage_messages.h"

#ifndef KQ_VERSION
#define KQ_VERSION "unknown"
#endif

namespace kq::tools {
namespace {

// Thrown by the hidden --list-flags option while parsing, so it works before
// required arguments are checked (like --help). Caught in ParseFlags.
struct ListFlagsRequested : CLI::Success {};

void CollectFlags(const CLI::App& app, std::vector<std::string>* names) {
  auto add = [names](std::string name) {
    if (std::find(names->begin(), names->end(), name) == names->end()) {
      names->push_back(std::move(name));
    }
  };
  for (const CLI::Option* opt : app.get_options()) {
    if (opt->get_positional() || opt->get_group().empty()) continue;  // hidden
    for (const std::string& s : opt->get_snames()) add("-" + s);
    for (const std::string& l : opt->get_lnames()) add("--" + l);
  }
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    CollectFlags(*sub, names);
  }
}

}  // namespace

void AddCommonFlags(CLI::App& app, std::string_view tool, CommonFlags* flags) {
  const std::string program = ProgramName(tool);
  app.name(program);
  app.option_defaults()->group("General options");
  app.set_help_flag("-h,--help", "Print this help and exit");
  app.set_version_flag("--version", fmt::format("{} {}", program, KQ_VERSION),
                       "Print the version and exit");
  app.add_option("-d,--dir", flags->dir, "Log directory. Default: $KQ_DIR, else ./kq-data")
      ->envname("KQ_DIR")
      ->type_name("DIR");
  app.add_option("-b,--brokers", flags->brokers,
                 "Use a Kafka cluster at HOST:PORT,... instead of a directory. "
                 "Default: $KQ_BROKERS")
      ->envname("KQ_BROKERS")
      ->type_name("HOST:PORT,...");
  app.add_option("-X,--property", flags->properties,
                 "Set librdkafka property KEY=VALUE for -b (repeatable, as kcat's -X)")
      ->type_name("KEY=VALUE")
      ->allow_extra_args(false);
  app.add_flag("-q,--quiet", flags->quiet, "Print only errors on stderr");
  app.add_flag("-v,--verbose", flags->verbose, "Print more detail on stderr (repeatable)");
  app.add_flag_callback("--list-flags", [] { throw ListFlagsRequested(); })
      ->group("")
      ->trigger_on_parse();
  app.option_defaults()->group("Options");
}

void Note(const CommonFlags& common, std::string_view line) {
  if (!common.quiet) fmt::print(stderr, "{}\n", line);
}

void SetExamples(CLI::App& app, const std::vector<std::string>& examples) {
  std::string footer = "Examples:";
  for (const std::string& e : examples) footer += "\n  " + e;
  app.footer(footer);
}

std::optional<int> ParseFlags(CLI::App& app, int argc, const char* const* argv,
                              std::string_view tool) {
  try {
    app.parse(argc, argv);
  } catch (const ListFlagsRequested&) {
    for (const std::string& name : ListFlags(app)) fmt::print("{}\n", name);
    std::fflush(stdout);
    return kExitOk;
  } catch (const CLI::Success& e) {  // --help, --help-all, --version
    std::fflush(stdout);
    app.exit(e);  // prints help or the version to stdout
    std::fflush(stdout);
    return kExitOk;
  } catch (const CLI::ParseError& e) {
    std::fflush(stdout);
    return ReportUsageError(tool, UsageMessage(app, e, argc, argv));
  }
  return std::nullopt;
}

int RunApp(CLI::App& app, int argc, const char* const* argv, std::string_view tool,
           const std::function<int()>& body) {
  if (std::optional<int> code = ParseFlags(app, argc, argv, tool)) return *code;
  for (const std::string& note : UnusedFlagNotes(app, argc, argv)) {
    fmt::print(stderr, "{}: {}\n", ProgramName(tool), note);
  }
  return body();
}

std::vector<std::string> ListFlags(const CLI::App& app) {
  std::vector<std::string> names;
  CollectFlags(app, &names);
  return names;
}

}  // namespace kq::tools
