// FindCoordinator: this server coordinates every group (and would every
// transaction, which it refuses elsewhere).
#include "protocol/error_codes.h"
#include "protocol/messages/find_coordinator.h"
#include "server/handlers.h"

namespace kq::server {

void HandleFindCoordinator(Broker& broker, const RequestPtr& request) {
  protocol::FindCoordinatorRequest req;
  if (!DecodeOrClose(request, &req)) return;
  protocol::FindCoordinatorResponse response;
  const auto& self = broker.advertised();
  // key_type 0 is a group, 1 a transaction (not supported).
  int16_t error = req.key_type == 0 ? 0 : Code(protocol::ErrorCode::kCoordinatorNotAvailable);
  if (request->version() < 4) {
    response.error_code = error;
    if (error != 0) response.error_message = "kq-serve has no transaction coordinator";
    response.node_id = error == 0 ? broker.node_id() : -1;
    response.host = error == 0 ? self.host : "";
    response.port = error == 0 ? self.port : -1;
  } else {
    for (const auto& key : req.coordinator_keys) {
      protocol::Coordinator c;
      c.key = key;
      c.error_code = error;
      c.node_id = error == 0 ? broker.node_id() : -1;
      c.host = error == 0 ? self.host : "";
      c.port = error == 0 ? self.port : -1;
      if (error != 0) c.error_message = "kq-serve has no transaction coordinator";
      response.coordinators.push_back(std::move(c));
    }
  }
  request->Reply(response);
}

}  // namespace kq::server
