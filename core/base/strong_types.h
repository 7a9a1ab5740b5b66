// Distinct integer types for the quantities the log juggles, so that passing
// a file position where an offset is expected does not compile.
//
//   Offset          absolute Kafka offset of a record (int64)
//   FilePos         byte position inside a segment file (uint64)
//   Epoch           partition leader epoch (int32; -1 = none)
//   PartitionId     partition number (int32)
//
// They are trivially copyable values with comparisons; arithmetic is limited
// to what makes sense (offset + count, position + length). `.value()` gives
// the raw integer at the edges (formatting, encoding).
#pragma once

#include <compare>
#include <cstdint>
#include <functional>

#include <fmt/format.h>

namespace kq {

template <typename Tag, typename Rep>
class StrongInt {
 public:
  using rep = Rep;
  constexpr StrongInt() = default;
  constexpr explicit StrongInt(Rep v) : v_(v) {}
  constexpr Rep value() const { return v_; }
  constexpr auto operator<=>(const StrongInt&) const = default;

  // Moving by a count stays in the same unit.
  constexpr StrongInt operator+(Rep n) const { return StrongInt(v_ + n); }
  constexpr StrongInt operator-(Rep n) const { return StrongInt(v_ - n); }
  constexpr StrongInt& operator+=(Rep n) {
    v_ += n;
    return *this;
  }
  // The distance between two values is a plain count.
  constexpr Rep operator-(StrongInt other) const { return v_ - other.v_; }

 private:
  Rep v_{};
};

struct OffsetTag {};
struct FilePosTag {};
struct EpochTag {};
struct PartitionIdTag {};

using Offset = StrongInt<OffsetTag, int64_t>;
using FilePos = StrongInt<FilePosTag, uint64_t>;
using Epoch = StrongInt<EpochTag, int32_t>;
using PartitionId = StrongInt<PartitionIdTag, int32_t>;

constexpr Epoch kNoEpoch{-1};

}  // namespace kq

template <typename Tag, typename Rep>
struct std::hash<kq::StrongInt<Tag, Rep>> {
  size_t operator()(kq::StrongInt<Tag, Rep> v) const noexcept {
    return std::hash<Rep>()(v.value());
  }
};

template <typename Tag, typename Rep>
struct fmt::formatter<kq::StrongInt<Tag, Rep>> : fmt::formatter<Rep> {
  template <typename Ctx>
  auto format(kq::StrongInt<Tag, Rep> v, Ctx& ctx) const {
    return fmt::formatter<Rep>::format(v.value(), ctx);
  }
};
