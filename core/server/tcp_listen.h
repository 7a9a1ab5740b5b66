// ListenTcp: binds and listens on HOST:PORT with libuv, for the Kafka port
// and the metrics port alike.
#pragma once

#include <cstdint>

#include "base/result.h"
#include "server/server_config.h"

struct uv_loop_s;
struct uv_tcp_s;
struct uv_stream_s;

namespace kq::server {

// On success *listener is a new, listening handle (the caller closes and
// deletes it) whose data is `data`; the result is the port bound (the
// kernel's choice for port 0). `what` names the listener in errors.
Result<uint16_t> ListenTcp(uv_loop_s* loop, const HostPort& address, const char* what, void* data,
                           void (*on_connection)(uv_stream_s*, int), uv_tcp_s** listener);

}  // namespace kq::server
