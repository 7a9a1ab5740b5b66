#include "server/connection.h"

#include <sys/sendfile.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <uv.h>

#include "protocol/header.h"
#include "server/server_log.h"

namespace kq::server {
namespace {

constexpr size_t kReadChunk = 64 * 1024;

struct WriteRequest {
  uv_write_t req;
  std::string bytes;
  std::weak_ptr<Connection> connection;
};

std::string BigEndian32(uint32_t v) {
  return {char(v >> 24), char(v >> 16), char(v >> 8), char(v)};
}

// What stands in for file bytes that vanished under a send (a follower's
// truncation shortened the segment): the start of a batch longer than what
// is left, so clients take it for the partial batch at the end of a fetch
// and drop it, as they do for any partial batch.
std::string PartialBatchFiller(size_t len) {
  std::string out(len, '\0');
  if (len >= 12) {
    std::memset(out.data(), 0xff, 8);  // base offset -1
    out.replace(8, 4, BigEndian32(0x7fffffff));
  }
  return out;
}

}  // namespace

Connection::Connection(uv_tcp_s* tcp, uint64_t id, std::string peer, RequestHandler* handler,
                       ConnectionLimits* limits, OnClose on_close)
    : tcp_(tcp),
      info_(std::make_shared<ConnectionInfo>()),
      handler_(handler),
      limits_(limits),
      on_close_(std::move(on_close)),
      last_active_(std::chrono::steady_clock::now()) {
  info_->id = id;
  info_->peer = std::move(peer);
  tcp_->data = this;
}

// A closed connection has given its accounting back in Close; it must not
// touch limits_ again.
Connection::~Connection() {
  if (closed_) return;
  for (auto& slot : slots_)
    if (!slot->done) limits_->queued_request_bytes -= slot->request_bytes;
  limits_->buffered_bytes -= accounted_buffer_;
}

void Connection::Start() { StartReading(); }

void Connection::StartReading() {
  if (reading_ || closed_ || draining_) return;
  reading_ = true;
  uv_read_start(
      reinterpret_cast<uv_stream_t*>(tcp_),
      [](uv_handle_t* h, size_t, uv_buf_t* buf) {
        auto* self = static_cast<Connection*>(h->data);
        std::string& in = self->in_;
        // Compact consumed bytes before growing.
        if (self->in_start_ > 0 && self->in_start_ * 2 >= in.size()) {
          in.erase(0, self->in_start_);
          self->in_start_ = 0;
        }
        size_t used = in.size();
        in.resize(used + kReadChunk);
        *buf = uv_buf_init(in.data() + used, kReadChunk);
      },
      [](uv_stream_t* s, ssize_t nread, const uv_buf_t* buf) {
        auto* self = static_cast<Connection*>(s->data);
        // Give back the part of the buffer the read did not fill.
        size_t filled = nread > 0 ? static_cast<size_t>(nread) : 0;
        if (buf->base != nullptr) self->in_.resize(self->in_.size() - kReadChunk + filled);
        self->AccountBuffer();
        auto keep = self->shared_from_this();  // OnRead may close it
        self->OnRead(nread, buf->base);
      });
}

void Connection::AccountBuffer() {
  int64_t now = static_cast<int64_t>(in_.capacity());
  limits_->buffered_bytes += now - accounted_buffer_;
  accounted_buffer_ = now;
}

// Over the budget, only connections holding a large partial request pause:
// small requests keep flowing, so clients that stalled mid-way on large
// requests (until connections.max.idle.ms closes them) cannot stop a server
// from serving others.
bool Connection::OverBudget() const {
  return in_.capacity() > 2 * kReadChunk &&
         limits_->queued_request_bytes + limits_->buffered_bytes >
             limits_->max_queued_request_bytes;
}

void Connection::StopReading() {
  if (!reading_ || closed_) return;
  reading_ = false;
  uv_read_stop(reinterpret_cast<uv_stream_t*>(tcp_));
}

void Connection::OnRead(long nread, const char*) {
  if (nread == UV_EOF) return Close("client closed the connection");
  if (nread < 0) return Close(uv_strerror(static_cast<int>(nread)));
  if (nread == 0) return;
  last_active_ = std::chrono::steady_clock::now();
  ParseFrames();
}

void Connection::ParseFrames() {
  if (parsing_) return;            // a handler answered at once, inside this loop
  auto self = shared_from_this();  // a handler may close us
  parsing_ = true;
  while (!closed_ && !draining_) {
    size_t available = in_.size() - in_start_;
    if (available < 4) break;
    auto peeked = protocol::PeekFrameSize(std::string_view(in_).substr(in_start_),
                                          static_cast<uint32_t>(limits_->max_request_bytes));
    if (!peeked.ok()) {
      LogEvent(LogLevel::kWarn, "bad_frame",
               {{"conn", std::to_string(id())},
                {"peer", peer()},
                {"error", std::string(peeked.status().message())}});
      parsing_ = false;
      return Close("bad request size");
    }
    const int64_t size = **peeked;
    // Not all here yet. Nothing is reserved for the announced size: a
    // client that announces 100 MB and sends nothing costs nothing.
    if (available - 4 < static_cast<size_t>(size)) break;
    // A whole request moves from the buffer to the queue: the budget is
    // unchanged, so only the in-flight cap holds it back.
    if (slots_.size() >= kMaxInFlight) {
      StopReading();
      parsing_ = false;
      return;
    }
    std::string frame(in_.data() + in_start_ + 4, static_cast<size_t>(size));
    in_start_ += 4 + static_cast<size_t>(size);
    if (in_start_ == in_.size()) {
      // Give a large buffer back once it is drained.
      if (in_.capacity() > 4 * kReadChunk) std::string().swap(in_);
      in_.clear(), in_start_ = 0;
      AccountBuffer();
    }

    auto slot = std::make_unique<Slot>();
    slot->request_bytes = size;
    limits_->queued_request_bytes += size;
    Slot* raw = slot.get();
    slots_.push_back(std::move(slot));
    std::weak_ptr<Connection> weak = self;
    handler_->Handle(info_, std::move(frame), [weak, raw](Response response) {
      if (auto conn = weak.lock(); conn && !conn->closed_) conn->Complete(raw, std::move(response));
    });
  }
  parsing_ = false;
  // Over the server-wide budget (requests queued plus partial requests
  // buffered), reading pauses; Server::CheckIdle resumes it.
  if (!closed_ && !draining_ && slots_.size() < kMaxInFlight && !OverBudget())
    StartReading();
  else if (!closed_ && OverBudget())
    StopReading();
}

void Connection::MaybeResumeReading() {
  if (closed_ || draining_ || reading_) return;
  ParseFrames();
}

void Connection::Complete(Slot* slot, Response response) {
  if (slot->done) return;  // a handler answered twice: keep the first
  slot->done = true;
  slot->response = std::move(response);
  limits_->queued_request_bytes -= slot->request_bytes;
  Pump();
}

void Connection::Pump() {
  auto self = shared_from_this();
  while (!closed_ && !write_pending_) {
    if (!writing_) {
      if (slots_.empty() || !slots_.front()->done) break;
      writing_ = std::move(slots_.front());
      slots_.pop_front();
      out_next_ = 0;
      if (writing_->response.no_response) {
        bool close = writing_->response.close_after;
        writing_.reset();
        if (close) return Close("request refused");
        continue;
      }
      uint64_t total = 0;
      for (const auto& c : writing_->response.chunks) total += c.size();
      bool written = WriteBytes(BigEndian32(static_cast<uint32_t>(total)));
      if (closed_) return;  // the write failed: the response went with the connection
      if (!written) break;
    }
    auto& chunks = writing_->response.chunks;
    bool pending = false;
    while (out_next_ < chunks.size() && !pending) {
      OutChunk& chunk = chunks[out_next_++];
      pending = chunk.fd >= 0 ? !SendFile(chunk) : !WriteBytes(std::move(chunk.bytes));
      if (closed_) return;
    }
    if (pending) break;
    bool close = writing_->response.close_after;
    writing_.reset();
    last_active_ = std::chrono::steady_clock::now();
    if (close) return Close("closed after the response");
  }
  if (!closed_) {
    CloseIfDrained();
    if (!closed_ && slots_.size() < kMaxInFlight) MaybeResumeReading();
  }
}

bool Connection::WriteBytes(std::string bytes) {
  if (bytes.empty()) return true;
  uv_buf_t buf = uv_buf_init(bytes.data(), static_cast<unsigned>(bytes.size()));
  int n = uv_try_write(reinterpret_cast<uv_stream_t*>(tcp_), &buf, 1);
  if (n == static_cast<int>(bytes.size())) return true;
  if (n < 0 && n != UV_EAGAIN) {
    Close(uv_strerror(n));
    return true;
  }
  auto* w = new WriteRequest;
  w->bytes = n > 0 ? bytes.substr(static_cast<size_t>(n)) : std::move(bytes);
  w->connection = weak_from_this();
  w->req.data = w;
  buf = uv_buf_init(w->bytes.data(), static_cast<unsigned>(w->bytes.size()));
  write_pending_ = true;
  int rc = uv_write(&w->req, reinterpret_cast<uv_stream_t*>(tcp_), &buf, 1,
                    [](uv_write_t* req, int status) {
                      auto* w = static_cast<WriteRequest*>(req->data);
                      auto conn = w->connection.lock();
                      delete w;
                      if (!conn || conn->closed_) return;
                      conn->write_pending_ = false;
                      if (status < 0) return conn->Close(uv_strerror(status));
                      conn->Pump();
                    });
  if (rc < 0) {
    delete w;
    write_pending_ = false;
    Close(uv_strerror(rc));
    return true;
  }
  return false;
}

bool Connection::SendFile(const OutChunk& chunk) {
  sending_ = {chunk.fd, static_cast<int64_t>(chunk.pos), chunk.len};
  return ContinueSendFile();
}

bool Connection::ContinueSendFile() {
  uv_os_fd_t socket_fd;
  if (uv_fileno(reinterpret_cast<uv_handle_t*>(tcp_), &socket_fd) != 0) {
    Close("no socket descriptor");
    return true;
  }
  off_t pos = static_cast<off_t>(sending_.pos);
  while (sending_.left > 0) {
    ssize_t n = ::sendfile(socket_fd, sending_.fd, &pos, sending_.left);
    sending_.pos = pos;
    if (n > 0) {
      sending_.left -= static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) {
      WaitWritable();
      return false;
    }
    if (n < 0 && (errno == EPIPE || errno == ECONNRESET)) {
      Close(std::strerror(errno));
      return true;
    }
    // The file ended early (a truncation shortened it) or failed: the size
    // prefix is sent, so the rest is filled.
    break;
  }
  size_t left = sending_.left;
  sending_ = {};
  if (left == 0) return true;
  return WriteBytes(PartialBatchFiller(left));
}

void Connection::WaitWritable() {
  if (writable_ == nullptr) {
    uv_os_fd_t socket_fd;
    uv_fileno(reinterpret_cast<uv_handle_t*>(tcp_), &socket_fd);
    writable_fd_ = ::dup(socket_fd);
    writable_ = new uv_poll_t;
    if (writable_fd_ < 0 || uv_poll_init_socket(tcp_->loop, writable_, writable_fd_) != 0) {
      delete writable_;
      writable_ = nullptr;
      if (writable_fd_ >= 0) ::close(writable_fd_);
      writable_fd_ = -1;
      Close("cannot poll the socket for writing");
      return;
    }
    writable_->data = this;
  }
  write_pending_ = true;
  uv_poll_start(writable_, UV_WRITABLE, [](uv_poll_t* h, int status, int) {
    auto* self = static_cast<Connection*>(h->data);
    uv_poll_stop(h);
    self->write_pending_ = false;
    // libuv reports a socket error (the peer reset) as EBADF here.
    auto keep = self->shared_from_this();  // Close may drop the server's reference
    if (status < 0) return self->Close("connection reset while sending");
    if (self->ContinueSendFile()) self->Pump();
  });
}

void Connection::Drain() {
  draining_ = true;
  StopReading();
  CloseIfDrained();
}

void Connection::CloseIfDrained() {
  if (draining_ && slots_.empty() && !writing_ && !write_pending_) Close("server shutting down");
}

void Connection::Close(std::string_view reason) {
  if (closed_) return;
  closed_ = true;
  LogEvent(LogLevel::kInfo, "disconnect",
           {{"conn", std::to_string(id())}, {"peer", peer()}, {"reason", std::string(reason)}});
  uv_read_stop(reinterpret_cast<uv_stream_t*>(tcp_));
  if (writable_ != nullptr) {
    uv_poll_stop(writable_);
    writable_->data = reinterpret_cast<void*>(static_cast<intptr_t>(writable_fd_));
    uv_close(reinterpret_cast<uv_handle_t*>(writable_), [](uv_handle_t* h) {
      ::close(static_cast<int>(reinterpret_cast<intptr_t>(h->data)));
      delete reinterpret_cast<uv_poll_t*>(h);
    });
    writable_ = nullptr;
  }
  uv_close(reinterpret_cast<uv_handle_t*>(tcp_),
           [](uv_handle_t* h) { delete reinterpret_cast<uv_tcp_t*>(h); });
  for (auto& slot : slots_)
    if (!slot->done) limits_->queued_request_bytes -= slot->request_bytes, slot->done = true;
  slots_.clear();
  std::string().swap(in_);
  limits_->buffered_bytes -= accounted_buffer_;
  accounted_buffer_ = 0;
  writing_.reset();
  if (on_close_) on_close_(this);
}

}  // namespace kq::server
