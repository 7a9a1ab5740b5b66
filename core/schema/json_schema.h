// JSON Schema through valijson (Debian's libvalijson-dev): draft 7 by
// default, draft 4 (or 3) when the schema's "$schema" names it. The payload
// of a JSON Schema value in the wire format is its JSON text; Encode checks
// the value and writes it compact, Decode parses and checks it.
//
// References: "$ref" within the document ("#/definitions/x") resolve;
// references to other documents are refused when the schema is parsed
// (the registry's schema references are not supported).
//
// Thread safety: see parsed_schema.h.
#pragma once

#include <memory>
#include <string_view>

#include "base/result.h"
#include "schema/parsed_schema.h"

namespace kq::schema {

Result<std::unique_ptr<ParsedSchema>> ParseJsonSchema(std::string_view text);

}  // namespace kq::schema
