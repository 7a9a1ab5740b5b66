// ApiVersions: what kq-serve implements. A version newer than ours gets
// UNSUPPORTED_VERSION with the list in a v0 body (Kafka's rule), so the
// client retries with a version both sides have.
#include "protocol/error_codes.h"
#include "protocol/messages/api_versions.h"
#include "server/handlers.h"

namespace kq::server {

void HandleApiVersions(Broker&, const RequestPtr& request) {
  protocol::ApiVersionsResponse response;
  for (const auto& api : AdvertisedApis())
    response.api_keys.push_back({static_cast<int16_t>(api.key), api.min_version, api.max_version});
  const AdvertisedApi* self = FindAdvertised(static_cast<int16_t>(protocol::ApiKey::kApiVersions));
  if (request->version() > self->max_version) {
    response.error_code = Code(protocol::ErrorCode::kUnsupportedVersion);
    request->header.api_version = 0;  // the reply is a v0 body
    return request->Reply(response);
  }
  // The request body is informational (client software name and version);
  // a body that does not parse still gets the list, as Kafka answers.
  request->Reply(response);
}

}  // namespace kq::server
