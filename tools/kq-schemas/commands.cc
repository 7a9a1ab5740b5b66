// kq-schemas register, list, versions, get, check, config and delete: one
// registry call each, printed as text or (--json) as Confluent's REST API
// would answer.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/exit_codes.h"
#include "common/output.h"
#include "schemas_tool.h"

namespace kq::tools::schemas_tool {
namespace {

using nlohmann::json;

std::string Dump(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
}

json RecordJson(const schema::SchemaRecord& r) {
  json j = {{"subject", r.subject},
            {"version", r.version},
            {"id", r.id},
            {"schemaType", schema::SchemaTypeName(r.type)},
            {"schema", r.schema}};
  if (r.deleted) j["deleted"] = true;
  return j;
}

template <typename T>
std::string Lines(const std::vector<T>& items) {
  std::string out;
  for (const T& item : items) out += fmt::format("{}\n", item);
  return out;
}

}  // namespace

int RunRegister(const CommonFlags& common, const Args& args) {
  auto type = TypeOf(args);
  if (!type) return kExitUsage;
  auto text = ReadSchemaFile(args.file);
  if (!text) return kExitUsage;
  auto registry = OpenRegistry(common, /*create=*/true);
  if (!registry) return kExitRuntime;
  auto registered = registry->Register(args.subject, *type, *text);
  if (!registered.ok()) {
    if (registry->error_code() == schema::kInvalidSchema) {
      return ReportUsageError(kTool,
                              fmt::format("{}: {}", args.file, registered.status().message()));
    }
    return ReportError(kTool, registered.status());
  }
  if (args.json) {
    return PrintOut(kTool, Dump({{"id", registered->id},
                                 {"version", registered->version},
                                 {"existed", registered->existed}}));
  }
  return PrintOut(kTool,
                  fmt::format("{} version {} id {}{}\n", args.subject, registered->version,
                              registered->id, registered->existed ? " (already registered)" : ""));
}

int RunList(const CommonFlags& common, const Args& args) {
  auto registry = OpenRegistry(common);
  if (!registry) return kExitRuntime;
  auto subjects = registry->Subjects(args.deleted);
  if (!subjects.ok()) return ReportError(kTool, subjects.status());
  return PrintOut(kTool, args.json ? Dump(*subjects) : Lines(*subjects));
}

int RunVersions(const CommonFlags& common, const Args& args) {
  auto registry = OpenRegistry(common);
  if (!registry) return kExitRuntime;
  auto versions = registry->Versions(args.subject, args.deleted);
  if (!versions.ok()) return ReportError(kTool, versions.status());
  return PrintOut(kTool, args.json ? Dump(*versions) : Lines(*versions));
}

int RunGet(const CommonFlags& common, const Args& args) {
  if (args.id.has_value() == !args.subject.empty()) {
    return ReportUsageError(kTool, "get takes a SUBJECT [VERSION] or --id ID");
  }
  auto registry = OpenRegistry(common);
  if (!registry) return kExitRuntime;
  Result<schema::SchemaRecord> record = Status::Internal("unset");
  if (args.id) {
    record = registry->GetById(*args.id);
  } else {
    auto version = VersionOf(args.version);
    if (!version) return kExitUsage;
    record = registry->Get(args.subject, *version, args.deleted);
  }
  if (!record.ok()) return ReportError(kTool, record.status());
  if (args.json) {
    json j = RecordJson(*record);
    if (args.id)
      j = {{"id", record->id}, {"schemaType", j["schemaType"]}, {"schema", record->schema}};
    return PrintOut(kTool, Dump(j));
  }
  std::string out = record->schema;
  if (out.empty() || out.back() != '\n') out += '\n';
  return PrintOut(kTool, out);
}

int RunCheck(const CommonFlags& common, const Args& args) {
  auto type = TypeOf(args);
  if (!type) return kExitUsage;
  auto text = ReadSchemaFile(args.file);
  if (!text) return kExitUsage;
  int32_t version = -1;
  if (!args.version.empty()) {
    auto v = VersionOf(args.version);
    if (!v) return kExitUsage;
    version = *v;
  }
  auto registry = OpenRegistry(common);
  if (!registry) return kExitRuntime;
  auto problems = registry->CheckCompatibility(args.subject, *type, *text, version);
  if (!problems.ok()) {
    if (registry->error_code() == schema::kInvalidSchema) {
      return ReportUsageError(kTool, fmt::format("{}: {}", args.file, problems.status().message()));
    }
    return ReportError(kTool, problems.status());
  }
  if (args.json) {
    PrintOut(kTool, Dump({{"is_compatible", problems->empty()}, {"messages", *problems}}));
  } else if (problems->empty()) {
    PrintOut(kTool, "compatible\n");
  } else {
    PrintOut(kTool, "incompatible\n" + Lines(*problems));
  }
  return problems->empty() ? kExitOk : kExitRuntime;
}

int RunConfig(const CommonFlags& common, const Args& args) {
  auto registry = OpenRegistry(common, /*create=*/!args.compatibility.empty());
  if (!registry) return kExitRuntime;
  std::optional<std::string> subject;
  if (!args.subject.empty()) subject = args.subject;
  if (!args.compatibility.empty()) {
    auto level = schema::ParseCompatibility(args.compatibility);
    if (!level.ok()) {
      return ReportUsageError(kTool, fmt::format("--compatibility: {}", level.status().message()));
    }
    if (Status s = registry->SetCompatibility(subject, *level); !s.ok()) {
      return ReportError(kTool, s);
    }
  }
  auto level = registry->GetCompatibility(subject);
  if (!level.ok()) return ReportError(kTool, level.status());
  const std::string_view name = schema::CompatibilityName(*level);
  return PrintOut(kTool,
                  args.json ? Dump({{"compatibilityLevel", name}}) : fmt::format("{}\n", name));
}

int RunDelete(const CommonFlags& common, const Args& args) {
  auto registry = OpenRegistry(common);
  if (!registry) return kExitRuntime;
  std::vector<int32_t> deleted;
  if (args.version.empty()) {
    auto versions = registry->DeleteSubject(args.subject, args.permanent);
    if (!versions.ok()) return ReportError(kTool, versions.status());
    deleted = *versions;
  } else {
    auto version = VersionOf(args.version);
    if (!version) return kExitUsage;
    auto v = registry->DeleteVersion(args.subject, *version, args.permanent);
    if (!v.ok()) return ReportError(kTool, v.status());
    deleted.push_back(*v);
  }
  return PrintOut(kTool, args.json ? Dump(deleted) : Lines(deleted));
}

}  // namespace kq::tools::schemas_tool
