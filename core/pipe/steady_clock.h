// Milliseconds on the monotonic clock, for the deadlines, timeouts and
// batch ages of pipeline stages (wall-clock time, for record timestamps, is
// kq::NowMs in base/time_spec.h).
#pragma once

#include <chrono>
#include <cstdint>

namespace kq::pipe {

inline int64_t SteadyMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace kq::pipe
