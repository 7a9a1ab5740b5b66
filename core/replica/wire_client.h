// WireClient: a small blocking Kafka protocol client for one broker, over
// the generated codecs (protocol/messages). kq-replicate reads a leader
// through it (kafka_source.*); it speaks only the protocol, so the peer may
// be kq-serve or an Apache Kafka broker.
//
// The peer is untrusted: every response frame's size is checked against
// max_response_bytes before anything is buffered, its correlation id must be
// the request's, its body must decode exactly (no trailing bytes), and every
// wait (connect, send, receive) has a deadline. Any failure closes the
// connection (the stream may be out of step) and names the peer; the next
// call connects again, so a restarted leader is picked up.
//
// On connecting, ApiVersions (v3, falling back to v0 on UNSUPPORTED_VERSION)
// says what the peer serves; Version() picks the highest version both sides
// implement within the caller's range.
//
// Thread safety: one caller at a time.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>

#include <fmt/format.h>

#include "base/result.h"
#include "base/status.h"
#include "protocol/api_keys.h"
#include "protocol/header.h"
#include "protocol/wire_writer.h"

namespace kq::replica {

struct WireClientOptions {
  std::chrono::milliseconds connect_timeout{10'000};
  // Beyond what a request asks the broker to wait (a Fetch's max_wait).
  std::chrono::milliseconds request_timeout{30'000};
  // Largest response frame accepted (a Fetch answer of many partitions).
  uint32_t max_response_bytes = 256u << 20;
  std::string client_id = "kq-replicate";
};

// HOST:PORT (an IPv6 host in brackets). InvalidArgument naming the text.
Result<std::pair<std::string, uint16_t>> ParseHostPort(std::string_view text);

class WireClient {
 public:
  WireClient(std::string host, uint16_t port, WireClientOptions options = {});
  ~WireClient();
  WireClient(const WireClient&) = delete;
  WireClient& operator=(const WireClient&) = delete;

  // HOST:PORT, for messages.
  std::string Describe() const { return fmt::format("{}:{}", host_, port_); }

  // Connects and negotiates versions unless connected already.
  Status Connect();
  void Close();
  bool connected() const { return fd_ >= 0; }

  // The highest version of `key` in [min, max] that the peer serves too;
  // NotSupported when there is none. Connects first if needed.
  Result<int16_t> Version(protocol::ApiKey key, int16_t min, int16_t max);

  // Sends `request` as `version` and decodes the answer into `response`.
  // `extra_wait` is how long the broker may hold the request (a Fetch's
  // max_wait), added to the request timeout. string_views in the decoded
  // response (Records) point into the client's buffer: valid until the
  // next call.
  template <typename Req, typename Resp>
  Status Call(const Req& request, int16_t version, Resp* response,
              std::chrono::milliseconds extra_wait = std::chrono::milliseconds(0)) {
    static_assert(Req::kApiKey == Resp::kApiKey);
    protocol::WireWriter w;
    int32_t correlation_id = next_correlation_id_++;
    protocol::EncodeRequestHeader(
        w, {static_cast<int16_t>(Req::kApiKey), version, correlation_id, options_.client_id});
    request.Encode(w, version);
    size_t body_offset = 0;
    KQ_RETURN_IF_ERROR(RoundTrip(w, static_cast<int16_t>(Req::kApiKey), version, correlation_id,
                                 extra_wait, &body_offset));
    Status s = protocol::DecodeBody(frame_, body_offset, version, response);
    if (!s.ok()) return Fail(s, protocol::ApiName(Req::kApiKey));
    return Status::Ok();
  }

 private:
  Status ConnectSocket();
  Status Negotiate();
  // Sends the frame in `w`, reads the answer into frame_, checks its header
  // and returns the body offset.
  Status RoundTrip(protocol::WireWriter& w, int16_t api_key, int16_t version,
                   int32_t correlation_id, std::chrono::milliseconds extra_wait,
                   size_t* body_offset);
  Status SendAll(std::string_view bytes, std::chrono::steady_clock::time_point deadline);
  Status RecvAll(char* dst, size_t n, std::chrono::steady_clock::time_point deadline);
  // Closes the connection and returns `s` prefixed with the peer and `what`.
  Status Fail(const Status& s, std::string_view what);

  std::string host_;
  uint16_t port_;
  WireClientOptions options_;
  int fd_ = -1;
  int32_t next_correlation_id_ = 1;
  std::map<int16_t, std::pair<int16_t, int16_t>> versions_;  // api key -> [min, max]
  std::string frame_;
};

}  // namespace kq::replica
