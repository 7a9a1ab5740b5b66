#include "base/status.h"

namespace kq {

Status::Status(const Status& other)
    : state_(other.state_ ? std::make_unique<State>(*other.state_) : nullptr) {}

Status& Status::operator=(const Status& other) {
  if (this != &other) {
    state_ = other.state_ ? std::make_unique<State>(*other.state_) : nullptr;
  }
  return *this;
}

const std::string& Status::message() const {
  static const std::string kEmpty;
  return state_ ? state_->message : kEmpty;
}

std::string_view Status::CodeName(Code code) {
  switch (code) {
    case Code::kOk:
      return "OK";
    case Code::kNotFound:
      return "Not found";
    case Code::kCorruption:
      return "Corruption";
    case Code::kIoError:
      return "I/O error";
    case Code::kInvalidArgument:
      return "Invalid argument";
    case Code::kNotSupported:
      return "Not supported";
    case Code::kOutOfRange:
      return "Out of range";
    case Code::kBusy:
      return "Busy";
    case Code::kConflict:
      return "Conflict";
    case Code::kInternal:
      return "Internal error";
    case Code::kBrokenPipe:
      return "Broken pipe";
  }
  return "Unknown";
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  std::string out(CodeName(code()));
  out += ": ";
  out += state_->message;
  return out;
}

Status Status::WithPrefix(std::string_view prefix) const {
  if (ok()) return Status();
  std::string msg(prefix);
  msg += ": ";
  msg += state_->message;
  return Status(state_->code, msg);
}

}  // namespace kq
