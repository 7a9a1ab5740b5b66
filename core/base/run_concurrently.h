// RunConcurrently: runs fn(0) .. fn(n - 1) on up to `max_threads` threads
// and waits for all of them.
//
// For work that mostly waits on the kernel, such as fdatasync of many
// partitions: one sync after another costs the sum of the waits, while syncs
// in flight together overlap (a journaling file system commits them in one
// transaction). Every call runs even when an earlier one failed, so each
// partition gets its chance; the result is the status of the lowest index
// that failed, so the error reported does not depend on thread timing.
//
// fn must be safe to call from several threads at once for distinct indexes.
// With n <= 1 or max_threads <= 1 everything runs on the calling thread.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <thread>
#include <vector>

#include "base/status.h"

namespace kq {

template <typename Fn>
Status RunConcurrently(size_t n, size_t max_threads, Fn&& fn) {
  std::vector<Status> results(n);
  const size_t threads = std::min(n, max_threads);
  if (threads <= 1) {
    for (size_t i = 0; i < n; ++i) results[i] = fn(i);
  } else {
    std::atomic<size_t> next{0};
    auto worker = [&] {
      for (size_t i = next.fetch_add(1); i < n; i = next.fetch_add(1)) results[i] = fn(i);
    };
    std::vector<std::jthread> pool;
    pool.reserve(threads - 1);
    for (size_t t = 1; t < threads; ++t) pool.emplace_back(worker);
    worker();  // the calling thread works too
  }            // the jthreads join here
  for (Status& s : results) {
    if (!s.ok()) return std::move(s);
  }
  return Status::Ok();
}

}  // namespace kq
