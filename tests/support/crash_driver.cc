#include "support/crash_driver.h"

#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <mutex>
#include <random>
#include <set>

#include <doctest/doctest.h>
#include <fmt/format.h>

namespace kq::testing {

namespace {

uint64_t EnvNumber(const char* name, uint64_t fallback) {
  const char* v = getenv(name);
  if (v == nullptr || *v == '\0') return fallback;
  return strtoull(v, nullptr, 10);
}

// The per-kind tally, printed when the test binary exits.
struct Tally {
  std::mutex mu;
  std::map<std::string, int64_t> states;
  std::map<std::string, double> seconds;
  std::map<std::string, int64_t> known_bugs;
  ~Tally() {
    for (const auto& [bug, n] : known_bugs) {
      fmt::print("known bug seen in {} crash states: {}\n", n, bug);
    }
    if (states.empty()) return;
    int64_t total = 0;
    fmt::print("crash states checked, by operation kind:\n");
    for (const auto& [kind, n] : states) {
      fmt::print("  {:<28} {:>7}  {:6.2f} s\n", kind, n, seconds[kind]);
      total += n;
    }
    fmt::print("  {:<28} {:>7}\n", "total", total);
  }
};

Tally& TheTally() {
  static Tally tally;
  return tally;
}

// KQ_CRASH_ONLY=kind:step:seed runs just that state (to reproduce a failure).
bool OnlyThis(const std::string& kind, uint64_t* step, uint64_t* seed) {
  const char* v = getenv("KQ_CRASH_ONLY");
  if (v == nullptr) return false;
  const std::string s = v;
  const size_t a = s.find(':');
  const size_t b = a == std::string::npos ? a : s.find(':', a + 1);
  if (b == std::string::npos || s.substr(0, a) != kind) return false;
  *step = strtoull(s.c_str() + a + 1, nullptr, 10);
  *seed = strtoull(s.c_str() + b + 1, nullptr, 10);
  return true;
}

}  // namespace

void NoteKnownBug(const std::string& bug) {
  std::lock_guard<std::mutex> l(TheTally().mu);
  ++TheTally().known_bugs[bug];
}

int CrashRounds() {
  return static_cast<int>(std::max<uint64_t>(1, EnvNumber("KQ_CRASH_ROUNDS", 1)));
}

int64_t CrashStatesChecked(const std::string& kind) {
  std::lock_guard<std::mutex> l(TheTally().mu);
  auto it = TheTally().states.find(kind);
  return it == TheTally().states.end() ? 0 : it->second;
}

void CrashPoint::Arm(io::FaultEnv& env) {
  REQUIRE_MESSAGE(!armed_, "CrashPoint::Arm called twice");
  armed_ = true;
  armed_at_ = env.OpLog().size();
  if (!counting_) env.CrashAfter(step_);
}

void CrashPoint::Cut(io::FaultEnv& env) {
  REQUIRE_MESSAGE(armed_, "CrashPoint::Cut before Arm");
  const uint64_t calls = env.OpLog().size() - armed_at_;
  if (counting_) op_calls_ = calls;
  const uint64_t last = armed_at_ + std::min(step_, calls);
  const std::string after = last == 0 ? "(none)" : env.DescribeOp(last);
  const std::string before = env.DescribeOp(last + 1);
  const std::string state = env.Crash(seed_);
  where_ = fmt::format(
      "crash state {}: step {} (seed {}; reproduce with KQ_CRASH_ONLY={}:{}:{})\n"
      "  disk stopped after {}\n  and before {}\n{}",
      kind_, step_, seed_, kind_, step_, seed_, after, before.empty() ? "(the end)" : before,
      state);
}

void ForEachCrashState(const std::string& kind,
                       const std::function<void(io::FaultEnv&, CrashPoint&)>& trial,
                       int seeds_per_step, int max_states) {
  const auto started = std::chrono::steady_clock::now();
  const uint64_t base_seed = EnvNumber("KQ_CRASH_SEED", 20261129);
  const int rounds = CrashRounds();
  int64_t checked = 0;
  // Counted even when a check fails part way (doctest's REQUIRE throws).
  struct Count {
    const std::string& kind;
    const int64_t& checked;
    std::chrono::steady_clock::time_point started;
    ~Count() {
      const double secs =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      std::lock_guard<std::mutex> l(TheTally().mu);
      TheTally().states[kind] += checked;
      TheTally().seconds[kind] += secs;
      fmt::print("crash states: {}: {} checked in {:.2f} s\n", kind, checked, secs);
    }
  } count{kind, checked, started};
  auto run = [&](uint64_t step, uint64_t seed, bool counting) -> CrashPoint {
    io::FaultEnv env;
    CrashPoint point;
    point.kind_ = kind;
    point.counting_ = counting;
    point.step_ = step;
    point.seed_ = seed;
    point.where_ =
        fmt::format("crash state {}: step {} (seed {}), before the cut", kind, step, seed);
    INFO(point.where_);
    ++checked;
    trial(env, point);
    REQUIRE_MESSAGE(point.armed_, "the trial never called CrashPoint::Arm");
    return point;
  };

  uint64_t only_step = 0, only_seed = 0;
  if (OnlyThis(kind, &only_step, &only_seed)) {
    run(only_step, only_seed, false);
  } else {
    // The counting run: the operation completes (step N, the state after it).
    const CrashPoint counted = run(UINT64_MAX, base_seed, true);
    const uint64_t n = counted.op_calls_;
    const uint64_t budget = static_cast<uint64_t>(max_states) * static_cast<uint64_t>(rounds);
    uint64_t seeds = static_cast<uint64_t>(seeds_per_step) * static_cast<uint64_t>(rounds);
    seeds = std::max<uint64_t>(1, std::min(seeds, budget / (n + 1)));
    std::vector<uint64_t> steps;
    for (uint64_t s = 0; s < n; ++s) steps.push_back(s);
    if (steps.size() * seeds > budget) {
      // A seeded sample, the first and the last step always in it.
      std::mt19937_64 rng(base_seed ^ std::hash<std::string>{}(kind));
      std::shuffle(steps.begin() + 1, steps.end() - 1, rng);
      steps.resize(std::max<uint64_t>(2, budget / seeds));
      if (std::find(steps.begin(), steps.end(), n - 1) == steps.end()) steps.back() = n - 1;
      std::sort(steps.begin(), steps.end());
    }
    for (uint64_t step : steps) {
      for (uint64_t i = 0; i < seeds; ++i) {
        run(step, base_seed * 1000003 + step * 131 + i, false);
      }
    }
  }
}

}  // namespace kq::testing
