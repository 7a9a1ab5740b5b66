// Helpers shared by the kq-schemas subcommands.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>

#include <fmt/format.h>

#include "common/exit_codes.h"
#include "io/env.h"
#include "schemas_tool.h"

namespace kq::tools::schemas_tool {

std::unique_ptr<schema::Registry> OpenRegistry(const CommonFlags& common, bool create) {
  auto registry = schema::Registry::Open(io::Env::Default(), common.dir, create);
  if (!registry.ok()) {
    ReportError(kTool, registry.status());
    return nullptr;
  }
  return std::move(*registry);
}

std::optional<schema::SchemaType> TypeOf(const Args& args) {
  auto type = schema::ParseSchemaType(args.type);
  if (!type.ok()) {
    ReportUsageError(kTool, fmt::format("--type: {}", type.status().message()));
    return std::nullopt;
  }
  return *type;
}

std::optional<std::string> ReadSchemaFile(const std::string& file) {
  if (file == "-") {
    std::string text;
    char buf[65536];
    ssize_t n;
    while ((n = ::read(0, buf, sizeof buf)) > 0) {
      text.append(buf, static_cast<size_t>(n));
      if (text.size() > schema::kMaxSchemaBytes) break;
    }
    return text;
  }
  auto text = io::Env::Default()->ReadFileToString(file);
  if (!text.ok()) {
    ReportUsageError(kTool, fmt::format("cannot read schema file: {}", text.status().message()));
    return std::nullopt;
  }
  return *text;
}

std::optional<int32_t> VersionOf(const std::string& version) {
  if (version.empty() || version == "latest" || version == "-1") return -1;
  int32_t v = 0;
  auto [end, ec] = std::from_chars(version.data(), version.data() + version.size(), v);
  if (ec != std::errc() || end != version.data() + version.size() || v < 1) {
    ReportUsageError(kTool,
                     fmt::format("version must be a number >= 1 or 'latest', not '{}'", version));
    return std::nullopt;
  }
  return v;
}

}  // namespace kq::tools::schemas_tool
