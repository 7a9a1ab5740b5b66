#include "common/usage_messages.h"

#include <optional>
#include <string_view>

#include <fmt/format.h>

namespace kq::tools {
namespace {

constexpr std::string_view kConvertPrefix = "Could not convert: ";

// The first word of argv that is neither an option nor an option's value:
// what the user meant as a subcommand or an operand.
std::optional<std::string> FirstWord(const CLI::App& app, int argc, const char* const* argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--") return i + 1 < argc ? std::optional<std::string>(argv[i + 1]) : std::nullopt;
    if (arg.size() > 1 && arg[0] == '-') {
      if (arg.find('=') != std::string_view::npos) continue;
      const CLI::Option* opt = app.get_option_no_throw(std::string(arg));
      if (opt != nullptr && opt->get_items_expected_min() > 0) ++i;  // skip its value
      continue;
    }
    return std::string(arg);
  }
  return std::nullopt;
}

std::string SubcommandNames(const CLI::App& app) {
  std::string names;
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    if (!names.empty()) names += ", ";
    names += sub->get_name();
  }
  return names;
}

// "--count = abc" -> "--count: 'abc' is not a number". CLI11 converts only
// options of non-string types, which in kq are numbers (and flags' values).
std::string ConversionMessage(const CLI::App& app, std::string_view what) {
  const size_t eq = what.find(" = ");
  if (eq == std::string_view::npos) return fmt::format("cannot read {}", what);
  const std::string name(what.substr(0, eq));
  const std::string_view value = what.substr(eq + 3);
  const CLI::Option* opt = app.get_option_no_throw(name);
  if (opt != nullptr && opt->get_items_expected_min() == 0) {
    return fmt::format("{}: '{}' is not a valid value (this flag takes none, or true/false)", name,
                       value);
  }
  return fmt::format("{}: '{}' is not a number", name, value);
}

bool GivenOnCommandLine(int argc, const char* const* argv, std::string_view short_name,
                        std::string_view long_name) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--") return false;
    if (arg == short_name || arg == long_name) return true;
    if (arg.starts_with(long_name) && arg.size() > long_name.size() &&
        arg[long_name.size()] == '=') {
      return true;
    }
  }
  return false;
}

bool HasValue(const CLI::App& app, const char* name) {
  const CLI::Option* opt = app.get_option_no_throw(name);
  if (opt == nullptr) return false;
  for (const std::string& r : opt->results()) {
    if (!r.empty()) return true;
  }
  return false;
}

}  // namespace

std::string UsageMessage(const CLI::App& app, const CLI::ParseError& error, int argc,
                         const char* const* argv) {
  const std::string_view what = error.what();
  if (dynamic_cast<const CLI::ConversionError*>(&error) != nullptr &&
      what.starts_with(kConvertPrefix)) {
    // The failing option may belong to a subcommand: look there too.
    const std::string_view rest = what.substr(kConvertPrefix.size());
    for (const CLI::App* sub : app.get_subcommands()) {
      const std::string name(rest.substr(0, rest.find(" = ")));
      if (sub->get_option_no_throw(name) != nullptr) return ConversionMessage(*sub, rest);
    }
    return ConversionMessage(app, rest);
  }
  const bool has_subcommands = !app.get_subcommands([](const CLI::App*) { return true; }).empty();
  if (dynamic_cast<const CLI::RequiredError*>(&error) != nullptr && has_subcommands &&
      app.get_subcommands().empty()) {
    if (std::optional<std::string> word = FirstWord(app, argc, argv)) {
      return fmt::format("'{}' is not a subcommand (one of: {})", *word, SubcommandNames(app));
    }
    return fmt::format("a subcommand is required (one of: {})", SubcommandNames(app));
  }
  return std::string(what);
}

std::vector<std::string> UnusedFlagNotes(const CLI::App& app, int argc, const char* const* argv) {
  std::vector<std::string> notes;
  const CLI::Option* quiet = app.get_option_no_throw("--quiet");
  if (quiet != nullptr && quiet->count() > 0) return notes;
  const bool cluster = HasValue(app, "--brokers");
  if (cluster && GivenOnCommandLine(argc, argv, "-d", "--dir")) {
    notes.push_back(
        "note: -d/--dir does nothing with -b/--brokers (or $KQ_BROKERS): the cluster is used, "
        "not a directory");
  }
  if (!cluster && HasValue(app, "--property")) {
    notes.push_back(
        "note: -X/--property does nothing without -b/--brokers: librdkafka properties apply "
        "only to a cluster");
  }
  return notes;
}

}  // namespace kq::tools
