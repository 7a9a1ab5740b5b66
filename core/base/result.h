// Result<T>: a value, or the non-OK Status that explains why there is none
// (the shape of absl::StatusOr; g++ 12 has no std::expected in C++20).
//
//   Result<Offset> r = partition.Append(batch);
//   if (!r.ok()) return r.status();
//   Use(*r);
//
// Constructing a Result from an OK Status is a programmer error (asserted):
// there would be neither a value nor a reason.
#pragma once

#include <cassert>
#include <optional>
#include <utility>

#include "base/status.h"

namespace kq {

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}         // NOLINT: implicit on purpose
  Result(Status status) : status_(std::move(status)) {  // NOLINT
    assert(!status_.ok() && "Result built from an OK status");
    if (status_.ok()) status_ = Status::Internal("Result built from an OK status");
  }

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }

  T& value() & {
    assert(ok());
    return *value_;
  }
  const T& value() const& {
    assert(ok());
    return *value_;
  }
  T&& value() && {
    assert(ok());
    return std::move(*value_);
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::optional<T> value_;
  Status status_;  // OK exactly when value_ holds a value
};

}  // namespace kq

#define KQ_CONCAT_INNER_(a, b) a##b
#define KQ_CONCAT_(a, b) KQ_CONCAT_INNER_(a, b)
#define KQ_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                              \
  if (!tmp.ok()) return std::move(tmp).status();  \
  lhs = std::move(tmp).value()

// KQ_ASSIGN_OR_RETURN(auto x, MakeX()); declares x or returns the error.
#define KQ_ASSIGN_OR_RETURN(lhs, expr) \
  KQ_ASSIGN_OR_RETURN_IMPL_(KQ_CONCAT_(kq_result_tmp_, __LINE__), lhs, expr)
