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

// Reads `in` (a value of the schema `type`) into JSON.
Result<nlohmann::json> AvroToJson(avro_value_t* in, const nlohmann::json& type,
                                  const AvroNames& names, std::string_view path);

}  // namespace kq::schema
