// kq-schemas validate: JSON lines on stdin checked against a schema file,
// one verdict per line ("line 3: invalid: $.id: expected long, got string"),
// exit 1 when any line is invalid.
#include <cstdio>
#include <iostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/exit_codes.h"
#include "common/output.h"
#include "schemas_tool.h"

namespace kq::tools::schemas_tool {

int RunValidate(const CommonFlags& common, const Args& args) {
  (void)common;
  auto type = TypeOf(args);
  if (!type) return kExitUsage;
  auto text = ReadSchemaFile(args.file);
  if (!text) return kExitUsage;
  auto parsed = schema::ParseSchema(*type, *text);
  if (!parsed.ok()) {
    return ReportUsageError(kTool, fmt::format("{}: {}", args.file, parsed.status().message()));
  }
  OutputWriter out;
  std::string line;
  uint64_t number = 0;
  bool any_invalid = false;
  while (std::getline(std::cin, line)) {
    ++number;
    Status verdict = Status::Ok();
    auto value = schema::ParseJsonText(line, "value");
    verdict = value.ok() ? (*parsed)->Validate(*value) : value.status();
    any_invalid = any_invalid || !verdict.ok();
    if (args.json) {
      nlohmann::json j = {{"line", number}, {"valid", verdict.ok()}};
      if (!verdict.ok()) j["error"] = verdict.message();
      *out.buffer() += j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    } else if (verdict.ok()) {
      *out.buffer() += fmt::format("line {}: valid\n", number);
    } else {
      *out.buffer() += fmt::format("line {}: invalid: {}\n", number, verdict.message());
    }
    if (Status s = out.MaybeFlush(); !s.ok()) return ReportError(kTool, s);
  }
  if (Status s = out.Flush(); !s.ok()) return ReportError(kTool, s);
  return any_invalid ? kExitRuntime : kExitOk;
}

}  // namespace kq::tools::schemas_tool
