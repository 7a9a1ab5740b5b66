// ApiKey, the supported version ranges and the flexible-version rule, in one
// place (the table itself is generated from the schemas: messages/api_keys.h).
//
// "Supported" is what the codecs can decode and encode; a server may advertise
// less. All functions are pure and thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "protocol/messages/api_keys.h"

namespace kq::protocol {

// The table entry for a key, or nullptr for a key the codecs do not know.
const ApiInfo* FindApi(int16_t api_key);
// The supported range of a known key.
std::optional<ApiRange> SupportedRange(int16_t api_key);
bool IsSupported(int16_t api_key, int16_t version);
// Whether `version` of the API uses the flexible encoding (KIP-482), from the
// schema's flexibleVersions. Versions above the supported range count as
// flexible when the API has a flexible version at all, as Kafka reads them.
bool IsFlexible(ApiKey key, int16_t version);
// "Metadata"; "Unknown" for a key not in the table.
std::string_view ApiName(ApiKey key);

}  // namespace kq::protocol
