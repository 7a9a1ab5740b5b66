#include "protocol/api_keys.h"

namespace kq::protocol {

const ApiInfo* FindApi(int16_t api_key) {
  for (const ApiInfo& info : kApiTable) {
    if (static_cast<int16_t>(info.key) == api_key) return &info;
  }
  return nullptr;
}

std::optional<ApiRange> SupportedRange(int16_t api_key) {
  const ApiInfo* info = FindApi(api_key);
  if (info == nullptr) return std::nullopt;
  return info->supported;
}

bool IsSupported(int16_t api_key, int16_t version) {
  const ApiInfo* info = FindApi(api_key);
  return info != nullptr && version >= info->supported.min && version <= info->supported.max;
}

bool IsFlexible(ApiKey key, int16_t version) {
  const ApiInfo* info = FindApi(static_cast<int16_t>(key));
  return info != nullptr && info->first_flexible >= 0 && version >= info->first_flexible;
}

std::string_view ApiName(ApiKey key) {
  const ApiInfo* info = FindApi(static_cast<int16_t>(key));
  return info != nullptr ? info->name : "Unknown";
}

}  // namespace kq::protocol
