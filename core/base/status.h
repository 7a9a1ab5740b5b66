// Status: the outcome of an operation, as a value (leveldb's shape).
//
// An OK status holds no allocation, so success is free. A failure carries a
// code and a message that names what failed and where (path, topic-partition,
// offset, byte position). Core never throws across its API; it returns Status
// or Result<T> (result.h).
//
// Thread safety: a Status is a value; distinct objects may be used from
// distinct threads.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace kq {

class [[nodiscard]] Status {
 public:
  // Codes are part of the tools' exit-code mapping (tools/common/exit_codes.h)
  // and of the cluster client's librdkafka mapping (kafka/client.h); add new
  // ones at the end.
  enum class Code {
    kOk = 0,
    kNotFound,
    kCorruption,
    kIoError,
    kInvalidArgument,
    kNotSupported,
    kOutOfRange,  // Kafka's OFFSET_OUT_OF_RANGE
    kBusy,        // a lock is held by someone else
    kConflict,    // leader-epoch divergence, concurrent modification
    kInternal,
    kBrokenPipe,  // the reader of an output went away (EPIPE): stop quietly
  };

  Status() = default;
  Status(const Status& other);
  Status& operator=(const Status& other);
  Status(Status&&) noexcept = default;
  Status& operator=(Status&&) noexcept = default;

  static Status Ok() { return Status(); }
  static Status NotFound(std::string_view msg) { return {Code::kNotFound, msg}; }
  static Status Corruption(std::string_view msg) { return {Code::kCorruption, msg}; }
  static Status IoError(std::string_view msg) { return {Code::kIoError, msg}; }
  static Status InvalidArgument(std::string_view msg) { return {Code::kInvalidArgument, msg}; }
  static Status NotSupported(std::string_view msg) { return {Code::kNotSupported, msg}; }
  static Status OutOfRange(std::string_view msg) { return {Code::kOutOfRange, msg}; }
  static Status Busy(std::string_view msg) { return {Code::kBusy, msg}; }
  static Status Conflict(std::string_view msg) { return {Code::kConflict, msg}; }
  static Status Internal(std::string_view msg) { return {Code::kInternal, msg}; }
  static Status BrokenPipe(std::string_view msg) { return {Code::kBrokenPipe, msg}; }
  // A Status with a code chosen at run time (mapped from another error
  // space, or carried across a process boundary). kOk gives OK, without the
  // message; a value outside Code gives kInternal.
  static Status FromCode(Code code, std::string_view msg) {
    if (code == Code::kOk) return Status();
    if (code < Code::kOk || code > Code::kBrokenPipe) code = Code::kInternal;
    return {code, msg};
  }

  bool ok() const { return state_ == nullptr; }
  Code code() const { return state_ ? state_->code : Code::kOk; }
  bool IsNotFound() const { return code() == Code::kNotFound; }
  bool IsCorruption() const { return code() == Code::kCorruption; }
  bool IsIoError() const { return code() == Code::kIoError; }
  bool IsInvalidArgument() const { return code() == Code::kInvalidArgument; }
  bool IsOutOfRange() const { return code() == Code::kOutOfRange; }
  bool IsBusy() const { return code() == Code::kBusy; }
  bool IsConflict() const { return code() == Code::kConflict; }
  bool IsBrokenPipe() const { return code() == Code::kBrokenPipe; }

  // The message alone ("" for OK).
  const std::string& message() const;
  // "Corruption: <message>", or "OK".
  std::string ToString() const;
  // The same code with "<prefix>: " before the message. OK stays OK.
  Status WithPrefix(std::string_view prefix) const;

  static std::string_view CodeName(Code code);

 private:
  struct State {
    Code code;
    std::string message;
  };
  Status(Code code, std::string_view msg)
      : state_(std::make_unique<State>(State{code, std::string(msg)})) {}

  std::unique_ptr<State> state_;  // null means OK
};

}  // namespace kq

// Returns the Status of `expr` from the enclosing function when it is not OK.
#define KQ_RETURN_IF_ERROR(expr)                     \
  do {                                               \
    ::kq::Status kq_status_tmp_ = (expr);            \
    if (!kq_status_tmp_.ok()) return kq_status_tmp_; \
  } while (0)
