// Connection: one client's TCP connection on the server's libuv loop.
//
// Reading: Kafka framing, a 4-byte big-endian size and then that many bytes.
// The size is checked against socket.request.max.bytes before a byte of the
// request is buffered; a bad size closes the connection (as Kafka does: no
// response can be framed for it). Whole frames go to the RequestHandler in
// arrival order; up to kMaxInFlight may be outstanding at once (a producer
// pipelines, so one flush acknowledges several requests), and reading pauses
// while that many are.
//
// Writing: responses go out in request order whatever order they complete in
// (Kafka's rule). Byte chunks go through libuv; file chunks with sendfile(2)
// straight from the segment, resumed when the socket drains, so a slow
// reader holds no copy of its data. Sent bytes are never reordered: a chunk
// starts only when the one before it has been handed to the kernel.
//
// Lifetime: owned by the Server (shared_ptr); handlers hold only the Respond
// callback, which keeps a weak reference and drops a response for a closed
// connection.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>

#include "server/response.h"

struct uv_tcp_s;
struct uv_loop_s;
struct uv_poll_s;

namespace kq::server {

// What a handler may know and keep about the connection a request came on.
struct ConnectionInfo {
  uint64_t id = 0;
  std::string peer;  // "HOST:PORT"
  // SASL: the user once authenticated ("" before, or when SASL is off).
  std::string principal;
  bool sasl_handshake_done = false;
  bool authenticated = false;
};

class RequestHandler {
 public:
  virtual ~RequestHandler() = default;
  // `frame` is the request after its size prefix. `respond` must be called
  // exactly once, now or later.
  virtual void Handle(const std::shared_ptr<ConnectionInfo>& connection, std::string frame,
                      Respond respond) = 0;
};

// Server-wide limits and accounting the connections share.
struct ConnectionLimits {
  int64_t max_request_bytes = 104857600;         // socket.request.max.bytes
  int64_t max_queued_request_bytes = 268435456;  // queued.max.request.bytes, all connections
  int64_t queued_request_bytes = 0;              // now, all connections
  int64_t buffered_bytes = 0;  // input buffers (partial requests), all connections
};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  static constexpr int kMaxInFlight = 16;

  using OnClose = std::function<void(Connection*)>;
  // Takes an accepted, initialized uv_tcp handle (allocated with new).
  Connection(uv_tcp_s* tcp, uint64_t id, std::string peer, RequestHandler* handler,
             ConnectionLimits* limits, OnClose on_close);
  ~Connection();

  void Start();
  // Stops reading and closes the socket; responses still pending are dropped.
  void Close(std::string_view reason);
  // Stops reading new requests; closes once the outstanding ones are answered
  // and written (graceful shutdown).
  void Drain();

  uint64_t id() const { return info_->id; }
  const std::string& peer() const { return info_->peer; }
  bool closed() const { return closed_; }
  std::chrono::steady_clock::time_point last_active() const { return last_active_; }
  size_t outstanding() const { return slots_.size(); }
  // Resumes reading after the server-wide request budget freed up.
  void MaybeResumeReading();

 private:
  struct Slot {
    bool done = false;
    Response response;
    int64_t request_bytes = 0;  // counted in limits_->queued_request_bytes until done
  };

  void OnRead(long nread, const char* data);
  void ParseFrames();
  void Complete(Slot* slot, Response response);
  void Pump();                           // writes completed responses in order
  bool WriteBytes(std::string bytes);    // false: a uv_write is now pending
  bool SendFile(const OutChunk& chunk);  // false: the rest goes when the socket drains
  bool ContinueSendFile();
  void WaitWritable();
  void StartReading();
  void StopReading();
  // Keeps limits_->buffered_bytes in step with this connection's buffer.
  void AccountBuffer();
  bool OverBudget() const;
  void CloseIfDrained();

  uv_tcp_s* tcp_;
  std::shared_ptr<ConnectionInfo> info_;
  RequestHandler* handler_;
  ConnectionLimits* limits_;
  OnClose on_close_;

  std::string in_;  // bytes read, from in_start_
  size_t in_start_ = 0;
  int64_t accounted_buffer_ = 0;             // in_'s capacity as counted in limits_
  std::deque<std::unique_ptr<Slot>> slots_;  // request order
  // The response being written: its chunks from out_next_.
  std::unique_ptr<Slot> writing_;
  size_t out_next_ = 0;
  bool write_pending_ = false;
  // A sendfile the socket could not take whole: the rest goes when a poll
  // on a duplicate of the socket descriptor says it is writable (libuv's
  // stream has no "writable" callback, and copying the rest into memory
  // would make a slow reader cost a whole fetch of memory).
  struct FileSend {
    int fd = -1;
    int64_t pos = 0;
    size_t left = 0;
  } sending_;
  uv_poll_s* writable_ = nullptr;
  int writable_fd_ = -1;
  bool reading_ = false;
  bool parsing_ = false;
  bool draining_ = false;
  bool closed_ = false;
  std::chrono::steady_clock::time_point last_active_;
};

}  // namespace kq::server
