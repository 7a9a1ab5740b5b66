// kq-schemas: the subcommands of the tool, one function each, over the
// registry of a log directory (core/schema/registry.h). main.cc parses the
// flags into these structs; each Run* returns the exit code
// (tools/common/exit_codes.h) and prints its own messages.
//
// Exit codes: 0 success; 1 runtime error (unknown subject, version or id,
// an incompatible schema, an invalid line for validate, I/O); 2 usage error
// (bad flags, an unreadable or malformed schema file, a bad level).
//
// Thread safety: call from main only.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/common_flags.h"
#include "schema/registry.h"

namespace kq::tools::schemas_tool {

inline constexpr std::string_view kTool = "schemas";

struct Args {
  std::string subject;
  std::string file;
  std::string type = "avro";
  std::string version;        // "" none, "latest" or a number
  std::optional<int32_t> id;  // get --id
  std::string compatibility;  // config --compatibility
  bool permanent = false;     // delete --permanent
  bool deleted = false;       // list/versions --deleted
  bool json = false;
};

int RunRegister(const CommonFlags& common, const Args& args);
int RunList(const CommonFlags& common, const Args& args);
int RunVersions(const CommonFlags& common, const Args& args);
int RunGet(const CommonFlags& common, const Args& args);
int RunCheck(const CommonFlags& common, const Args& args);
int RunConfig(const CommonFlags& common, const Args& args);
int RunDelete(const CommonFlags& common, const Args& args);
int RunValidate(const CommonFlags& common, const Args& args);

// Shared by the subcommands (support.cc).
// The registry of -d (made when missing and `create`: register and config
// writes, as kq-produce makes its directory), or nullptr after printing why.
std::unique_ptr<schema::Registry> OpenRegistry(const CommonFlags& common, bool create = false);
// The schema type of --type, or nullopt after a usage error.
std::optional<schema::SchemaType> TypeOf(const Args& args);
// The text of FILE ("-": stdin), or nullopt after a usage error naming it.
std::optional<std::string> ReadSchemaFile(const std::string& file);
// "" -> -1 (latest), "latest" -> -1, a number >= 1; nullopt after a usage error.
std::optional<int32_t> VersionOf(const std::string& version);

}  // namespace kq::tools::schemas_tool
