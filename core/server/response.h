// What a request handler gives back to its connection: the response frame as
// a list of chunks, bytes or a range of an open file (record data a Fetch
// sends from the segment with sendfile, without copying it).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "protocol/wire_types.h"

namespace kq::server {

using protocol::OutChunk;  // bytes, or (fd >= 0) len bytes of a file from pos

struct Response {
  // The whole frame after its 4-byte size prefix (header and body); the
  // connection writes the prefix.
  std::vector<OutChunk> chunks;
  // Keeps the files the chunks name open until the response is sent.
  std::vector<std::shared_ptr<const void>> keep_alive;
  // No bytes at all go back (Produce with acks=0): the slot is just freed.
  bool no_response = false;
  // Close the connection once this response is written (or, when
  // no_response, at once): a request so malformed that no error response
  // can be framed, or an authentication failure.
  bool close_after = false;
};

// Completes one request. May be called later (long-poll Fetch, acks after a
// flush, a JoinGroup that waits for the rebalance), on the loop thread; it is
// safe to call after the connection closed (the response is dropped).
using Respond = std::function<void(Response)>;

}  // namespace kq::server
