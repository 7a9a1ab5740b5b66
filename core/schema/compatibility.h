// Schema compatibility as Confluent Schema Registry defines it.
//
//   BACKWARD             the new schema reads data written with the latest version
//   BACKWARD_TRANSITIVE  ... with every version
//   FORWARD              the latest version reads data written with the new schema
//   FORWARD_TRANSITIVE   ... every version reads it
//   FULL                 BACKWARD and FORWARD against the latest version
//   FULL_TRANSITIVE      both against every version
//   NONE                 no check
//
// "Reads" is Avro's schema resolution for Avro (avro_compatibility.cc) and
// Confluent's JSON Schema rules for the common changes (json_compatibility.cc).
// Each problem is one message naming the version, the field's path and the
// rule, e.g. "version 1: $.email: READER_FIELD_MISSING_DEFAULT_VALUE: field
// 'email' is not in the writer's schema and has no default".
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"
#include "schema/parsed_schema.h"

namespace kq::schema {

enum class Compatibility {
  kBackward,
  kBackwardTransitive,
  kForward,
  kForwardTransitive,
  kFull,
  kFullTransitive,
  kNone,
};

inline constexpr Compatibility kDefaultCompatibility = Compatibility::kBackward;

std::string_view CompatibilityName(Compatibility level);
// Case-insensitive; InvalidArgument listing the levels otherwise.
Result<Compatibility> ParseCompatibility(std::string_view name);

// Problems reading data written with `writer` using `reader` (empty: it can).
// Schemas of different types are never compatible.
std::vector<std::string> ReadProblems(const ParsedSchema& reader, const ParsedSchema& writer);

// The problems `candidate` has under `level` against `existing` (a subject's
// live versions, oldest first, as (version, schema)). Empty: compatible.
std::vector<std::string> CheckCompatibility(
    Compatibility level, const ParsedSchema& candidate,
    const std::vector<std::pair<int, const ParsedSchema*>>& existing);

// Internal: the rules per language.
void AvroReadProblems(const ParsedSchema& reader, const ParsedSchema& writer,
                      std::vector<std::string>* problems);
void JsonReadProblems(const ParsedSchema& reader, const ParsedSchema& writer,
                      std::vector<std::string>* problems);

}  // namespace kq::schema
