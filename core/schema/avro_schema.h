// Avro schemas through avro-c (Debian's libavro-dev): avro-c parses and
// checks the schema text and does the binary encoding and decoding; this file
// adds what avro-c leaves out: a normalized document for the compatibility
// rules (every name full, namespaces resolved, references as full names),
// Avro's Parsing Canonical Form, field defaults, and conversion between
// nlohmann::json values (Avro's JSON encoding) and avro-c values.
//
// Normalized document: a type is a primitive name ("long"), a full name
// referring to a named type defined earlier ("com.example.Address"), an
// array (a union), or an object whose "type" is record, error, enum, fixed,
// array, map or a primitive (with attributes such as logicalType); named
// types carry their full "name" and no "namespace"; aliases are full names.
//
// Thread safety: see parsed_schema.h.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "base/result.h"
#include "schema/parsed_schema.h"

namespace kq::schema {

// Named types of a normalized document by full name (record, error, enum,
// fixed definitions).
using AvroNames = std::map<std::string, nlohmann::json, std::less<>>;

// What the compatibility rules need of an Avro schema besides ParsedSchema.
class AvroSchema : public ParsedSchema {
 public:
  virtual const AvroNames& names() const = 0;
};

Result<std::unique_ptr<ParsedSchema>> ParseAvroSchema(std::string_view text);

// True for Avro's primitive type names (null ... string).
bool IsAvroPrimitive(std::string_view name);

// The definition a normalized type node stands for: a reference is looked up
// in `names` (NotFound is impossible for a normalized document; such a node is
// returned as is); a primitive object {"type":"long",...} becomes "long".
const nlohmann::json& ResolveAvroType(const nlohmann::json& node, const AvroNames& names);
// The type's kind: "record", "enum", "array", "long", ... ("error" reads as
// "record"; a union as "union").
std::string AvroKind(const nlohmann::json& resolved);
// The name a union branch is known by in Avro's JSON encoding: a primitive
// name, a named type's full name, "array" or "map".
std::string AvroBranchName(const nlohmann::json& node, const AvroNames& names);

}  // namespace kq::schema
