// Usage messages in kq's words where CLI11's own would puzzle a user, and
// notes about common flags that a command line gives but that do nothing.
//
//   CLI11 "Could not convert: --count = abc"  ->  "--count: 'abc' is not a number"
//   CLI11 "A subcommand is required" for `kq-topics frob`
//                          ->  "'frob' is not a subcommand (one of: create, list, ...)"
//   -d with -b:   "note: -d/--dir does nothing with -b/--brokers: ..."
//   -X without -b: "note: -X/--property does nothing without -b/--brokers: ..."
//
// The notes are notes, not errors: the command does what it would do without
// the flag, and a script that always passes -d keeps working against a
// cluster. -q silences them.
//
// Thread safety: call from main only.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace kq::tools {

// The message for a usage error CLI11 threw while parsing argv into `app`.
std::string UsageMessage(const CLI::App& app, const CLI::ParseError& error, int argc,
                         const char* const* argv);

// After a successful parse: the notes (without the program name) for common
// flags that will do nothing, in argv order of concern; empty under -q.
std::vector<std::string> UnusedFlagNotes(const CLI::App& app, int argc, const char* const* argv);

}  // namespace kq::tools
