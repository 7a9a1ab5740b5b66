// Conversion between nlohmann::json values (Avro's JSON encoding) and avro-c
// generic values, walking the normalized schema document (avro_schema.h)
// beside the avro-c value so field defaults, union branch names and enum
// symbols come from the document. Internal to core/schema.
//
// Errors are InvalidArgument naming the JSON path: "$.items[2].price:
// expected double, got string".
#pragma once

#include <string_view>

#include <avro.h>
#include <nlohmann/json.hpp>

#include "base/status.h"
#include "schema/avro_schema.h"

namespace kq::schema {

// Fills `out` (a freshly reset avro-c value of the schema `type`).
Status JsonToAvro(const nlohmann::json& value, const nlohmann::json& type, const AvroNames& names,
                  avro_value_t* out, std::string_view path);

// Walks Avro binary `payload` against the schema without building anything:
// every length, index and count is checked against what is left, nesting is
// limited to kMaxJsonDepth and the elements of all arrays and maps to
// kMaxAvroElements, so hostile bytes (a huge count of zero-size items, a
// deeply recursive value) are refused before avro-c reads them.
// InvalidArgument says what and at which byte; also for trailing bytes.
inline constexpr uint64_t kMaxAvroElements = uint64_t{1} << 22;
Status CheckAvroBinary(std::string_view payload, const nlohmann::json& type,
                       const AvroNames& names);

// Reads `in` (a value of the schema `type`) into JSON.
Result<nlohmann::json> AvroToJson(avro_value_t* in, const nlohmann::json& type,
                                  const AvroNames& names, std::string_view path);

}  // namespace kq::schema
