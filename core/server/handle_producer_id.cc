// InitProducerId: ids for idempotent producers. Transactional producers are
// refused: kq-serve has no transaction coordinator.
#include "protocol/error_codes.h"
#include "protocol/messages/init_producer_id.h"
#include "server/handlers.h"

namespace kq::server {

void HandleInitProducerId(Broker& broker, const RequestPtr& request) {
  protocol::InitProducerIdRequest req;
  if (!DecodeOrClose(request, &req)) return;
  protocol::InitProducerIdResponse response;
  if (req.transactional_id.has_value()) {
    response.error_code = Code(protocol::ErrorCode::kTransactionalIdAuthorizationFailed);
    return request->Reply(response);
  }
  if (!broker.AllowedAnyWrite(*request)) {
    response.error_code = Code(protocol::ErrorCode::kClusterAuthorizationFailed);
    return request->Reply(response);
  }
  if (req.producer_id >= 0) {
    // KIP-360: an existing producer asks for a bumped epoch. A fresh id is
    // as good and needs no per-producer bookkeeping here.
  }
  auto id = broker.producer_ids().Next();
  if (!id.ok()) {
    LogRequestError(*request, "allocate producer id", id.status());
    response.error_code = Code(protocol::ErrorCode::kUnknownServerError);
    return request->Reply(response);
  }
  response.producer_id = *id;
  response.producer_epoch = 0;
  request->Reply(response);
}

}  // namespace kq::server
