#include "schema/compatibility.h"

#include <array>

#include <fmt/format.h>

namespace kq::schema {
namespace {

constexpr std::array<std::pair<Compatibility, std::string_view>, 7> kLevels = {{
    {Compatibility::kBackward, "BACKWARD"},
    {Compatibility::kBackwardTransitive, "BACKWARD_TRANSITIVE"},
    {Compatibility::kForward, "FORWARD"},
    {Compatibility::kForwardTransitive, "FORWARD_TRANSITIVE"},
    {Compatibility::kFull, "FULL"},
    {Compatibility::kFullTransitive, "FULL_TRANSITIVE"},
    {Compatibility::kNone, "NONE"},
}};

}  // namespace

std::string_view CompatibilityName(Compatibility level) {
  for (const auto& [l, name] : kLevels) {
    if (l == level) return name;
  }
  return "BACKWARD";
}

Result<Compatibility> ParseCompatibility(std::string_view name) {
  std::string upper(name);
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  for (const auto& [level, level_name] : kLevels) {
    if (level_name == upper) return level;
  }
  return Status::InvalidArgument(fmt::format(
      "unknown compatibility level '{}' (expected BACKWARD, BACKWARD_TRANSITIVE, FORWARD, "
      "FORWARD_TRANSITIVE, FULL, FULL_TRANSITIVE or NONE)",
      name));
}

std::vector<std::string> ReadProblems(const ParsedSchema& reader, const ParsedSchema& writer) {
  std::vector<std::string> problems;
  if (reader.type() != writer.type()) {
    problems.push_back(fmt::format("$: TYPE_MISMATCH: a {} schema cannot read {} data",
                                   SchemaTypeName(reader.type()), SchemaTypeName(writer.type())));
  } else if (reader.type() == SchemaType::kAvro) {
    AvroReadProblems(reader, writer, &problems);
  } else {
    JsonReadProblems(reader, writer, &problems);
  }
  return problems;
}

std::vector<std::string> CheckCompatibility(
    Compatibility level, const ParsedSchema& candidate,
    const std::vector<std::pair<int, const ParsedSchema*>>& existing) {
  std::vector<std::string> problems;
  if (level == Compatibility::kNone || existing.empty()) return problems;
  const bool transitive = level == Compatibility::kBackwardTransitive ||
                          level == Compatibility::kForwardTransitive ||
                          level == Compatibility::kFullTransitive;
  const bool backward =
      level != Compatibility::kForward && level != Compatibility::kForwardTransitive;
  const bool forward =
      level != Compatibility::kBackward && level != Compatibility::kBackwardTransitive;
  const size_t first = transitive ? 0 : existing.size() - 1;
  for (size_t i = first; i < existing.size(); ++i) {
    const auto& [version, old] = existing[i];
    if (backward) {
      for (const std::string& p : ReadProblems(candidate, *old)) {
        problems.push_back(
            fmt::format("version {} (backward: new schema reading old data): {}", version, p));
      }
    }
    if (forward) {
      for (const std::string& p : ReadProblems(*old, candidate)) {
        problems.push_back(
            fmt::format("version {} (forward: old schema reading new data): {}", version, p));
      }
    }
  }
  return problems;
}

}  // namespace kq::schema
