// QueryGuard: stops a running query on Ctrl-C (SIGINT), SIGTERM, or when a
// deadline passes, by calling sqlite3_interrupt from a thread of its own.
//
// No signal handler runs: the constructor blocks SIGINT and SIGTERM in the
// calling thread (so in every thread started after it) and a watcher thread
// takes them with sigtimedwait, then calls Stop, which is safe from any
// thread (sqlite3_interrupt is). SQLite checks the interrupt flag between
// its steps, so a query stops within one step (one record of a scan) of the
// signal; a push query's wait for new records checks stopped() too.
//
// Construct it in main's thread before any other thread starts. Thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <thread>

namespace kq::tools::sql {

class QueryGuard {
 public:
  enum class Reason { kNone, kSignal, kTimeout };

  // `stop` is called once (from the watcher thread) when the query must end.
  // `timeout_ms`: the deadline from now; nullopt: none.
  QueryGuard(std::function<void()> stop, std::optional<int64_t> timeout_ms);
  // Ends the watcher and restores the signal mask.
  ~QueryGuard();
  QueryGuard(const QueryGuard&) = delete;
  QueryGuard& operator=(const QueryGuard&) = delete;

  Reason reason() const { return reason_.load(); }
  bool stopped() const { return reason() != Reason::kNone; }
  int signal() const { return signal_.load(); }

 private:
  void Watch(std::optional<int64_t> timeout_ms);

  std::function<void()> stop_;
  std::atomic<Reason> reason_{Reason::kNone};
  std::atomic<int> signal_{0};
  std::atomic<bool> done_{false};
  std::thread watcher_;
};

}  // namespace kq::tools::sql
