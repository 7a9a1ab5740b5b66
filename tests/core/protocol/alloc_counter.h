// Counts the bytes a binary allocates through operator new, so tests can
// assert that a decoder handed a forged length does not allocate for it.
//
// Replaces the global operator new/delete: include this header in exactly
// one .cc file of a binary. Counting is process-wide and thread-safe; read it
// around a single-threaded section.
#pragma once

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <new>

namespace kq::protocol::testing {

inline std::atomic<uint64_t> g_allocated_bytes{0};

// Bytes requested from operator new since the process started.
inline uint64_t AllocatedBytes() { return g_allocated_bytes.load(std::memory_order_relaxed); }

}  // namespace kq::protocol::testing

void* operator new(std::size_t n) {
  kq::protocol::testing::g_allocated_bytes.fetch_add(n, std::memory_order_relaxed);
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) { return ::operator new(n); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  try {
    return ::operator new(n);
  } catch (...) {
    return nullptr;
  }
}
void* operator new[](std::size_t n, const std::nothrow_t& t) noexcept {
  return ::operator new(n, t);
}
// g++ 12 flags free() of memory from a replaced operator new; here that is the point.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
#pragma GCC diagnostic pop
