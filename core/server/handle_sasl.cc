// SaslHandshake and SaslAuthenticate: SASL/PLAIN against the users file.
// Until a connection has authenticated, only ApiVersions and these two are
// served (Broker::Dispatch closes the connection on anything else, as Kafka
// does). A failed authentication is answered, then the connection closed.
#include "protocol/error_codes.h"
#include "protocol/messages/sasl_authenticate.h"
#include "protocol/messages/sasl_handshake.h"
#include "server/access.h"
#include "server/handlers.h"
#include "server/server_log.h"

namespace kq::server {

void HandleSaslHandshake(Broker& broker, const RequestPtr& request) {
  protocol::SaslHandshakeRequest req;
  if (!DecodeOrClose(request, &req)) return;
  protocol::SaslHandshakeResponse response;
  response.mechanisms = {"PLAIN"};
  if (broker.users() == nullptr) {
    response.error_code = Code(protocol::ErrorCode::kIllegalSaslState);
  } else if (req.mechanism != "PLAIN") {
    response.error_code = Code(protocol::ErrorCode::kUnsupportedSaslMechanism);
  } else {
    request->connection->sasl_handshake_done = true;
  }
  request->Reply(response);
}

void HandleSaslAuthenticate(Broker& broker, const RequestPtr& request) {
  protocol::SaslAuthenticateRequest req;
  if (!DecodeOrClose(request, &req)) return;
  protocol::SaslAuthenticateResponse response;
  ConnectionInfo& conn = *request->connection;
  if (broker.users() == nullptr || !conn.sasl_handshake_done || conn.authenticated) {
    response.error_code = Code(protocol::ErrorCode::kIllegalSaslState);
    response.error_message = "SaslAuthenticate out of order (SaslHandshake first, once)";
    return request->Reply(response);
  }
  auto credentials = ParsePlain(req.auth_bytes);
  bool ok = credentials.ok() &&
            (credentials->authzid.empty() || credentials->authzid == credentials->user) &&
            broker.users()->Check(credentials->user, credentials->password);
  if (!ok) {
    LogEvent(LogLevel::kWarn, "authentication_failed",
             {{"conn", std::to_string(conn.id)},
              {"peer", conn.peer},
              {"user", credentials.ok() ? credentials->user : std::string("?")}});
    response.error_code = Code(protocol::ErrorCode::kSaslAuthenticationFailed);
    response.error_message = "Authentication failed: invalid user name or password";
    // Answer, then close (Kafka closes after a failed authentication).
    request->close_after_reply = true;
    request->Reply(response);
    return;
  }
  conn.authenticated = true;
  conn.principal = credentials->user;
  LogEvent(LogLevel::kInfo, "authenticated",
           {{"conn", std::to_string(conn.id)}, {"peer", conn.peer}, {"user", conn.principal}});
  request->Reply(response);
}

}  // namespace kq::server
