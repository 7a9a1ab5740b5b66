// Request: one decoded request header plus the frame it came in, on its way
// through a handler. Handlers decode the body into a message struct, act,
// and Reply with the response struct; the header (v0 or v1, by the API's
// flexible versions) is written for them.
//
// A Request lives in a shared_ptr and never moves: decoded messages hold
// views (Records) into `frame`, and a handler that answers later (long-poll
// Fetch, acks after a flush) keeps the shared_ptr.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "base/status.h"
#include "protocol/error_codes.h"
#include "protocol/header.h"
#include "protocol/wire_reader.h"
#include "protocol/wire_writer.h"
#include "server/connection.h"
#include "server/metrics.h"
#include "server/response.h"

namespace kq::server {

struct Request {
  protocol::RequestHeader header;
  std::string frame;
  size_t body_offset = 0;
  std::shared_ptr<ConnectionInfo> connection;
  Respond respond;
  bool answered = false;
  // Close the connection once the reply is written.
  bool close_after_reply = false;
  // Where errors are counted (kq_request_errors_total); may be null.
  Metrics* metrics = nullptr;
  std::string_view api_name;

  // Counts an error code a response carries (0 counts nothing).
  void NoteError(int16_t code) {
    if (code != 0 && metrics != nullptr)
      metrics->CountError(api_name, protocol::ErrorCodeName(code));
  }

  int16_t version() const { return header.api_version; }
  std::string_view body() const { return std::string_view(frame).substr(body_offset); }

  // Decodes the whole body as `Message` at the request's version; trailing
  // bytes are an error (a client and server that disagree on a layout).
  template <typename Message>
  Status Decode(Message* out) const {
    protocol::WireReader reader(body(), body_offset);
    KQ_RETURN_IF_ERROR(out->Decode(reader, version()));
    if (reader.remaining() != 0)
      return Status::InvalidArgument(
          fmt::format("{} trailing bytes after the request body", reader.remaining()));
    return Status::Ok();
  }

  // Encodes header and `message` and hands the frame to the connection.
  // `keep_alive` holds open the files that Records chunks name.
  template <typename Message>
  void Reply(const Message& message, std::vector<std::shared_ptr<const void>> keep_alive = {}) {
    protocol::WireWriter writer;
    protocol::EncodeResponseHeader(writer, header.correlation_id, header.api_key,
                                   header.api_version);
    message.Encode(writer, version());
    Response response;
    response.chunks = writer.TakeChunks();
    response.keep_alive = std::move(keep_alive);
    response.close_after = close_after_reply;
    Send(std::move(response));
  }

  void Send(Response response) {
    if (answered) return;
    answered = true;
    respond(std::move(response));
  }
  void NoResponse() {
    Response r;
    r.no_response = true;
    Send(std::move(r));
  }
  // Closes the connection without a response: for requests no response can
  // be framed for (Kafka does the same).
  void CloseConnection() {
    Response r;
    r.no_response = true;
    r.close_after = true;
    Send(std::move(r));
  }
};

using RequestPtr = std::shared_ptr<Request>;

}  // namespace kq::server
