// Crash at every step: runs an operation on a FaultEnv, stops the disk after
// each of its mutating calls in turn (or a seeded sample of them when there
// are too many), builds crash states from there (FaultEnv::Crash) and lets
// the test check its invariants on each (the ALICE / CrashMonkey approach).
//
//   ForEachCrashState("append", [&](io::FaultEnv& env, CrashPoint& crash) {
//     Setup(env);                  // runs on a working disk
//     crash.Arm(env);              // from here on the disk may stop
//     RunOperation(env);           // errors after the stop are expected
//     crash.Cut(env);              // the power cut, chosen by the seed
//     CheckInvariants(env);        // a failure names kind, step, seed, call
//   });
//
// The trial runs once to count the operation's mutating calls N, then for
// each step 0..N (crash after that many calls) with several seeds, each time
// on a fresh FaultEnv: the trial must be deterministic (MemEnv, its clock).
// Failures print the kind, the step, the seed and the mutating call the disk
// stopped after, which reproduce the state (KQ_CRASH_SEED picks the seeds).
//
// Cost: KQ_CRASH_ROUNDS (default 1) multiplies the seeds per step and the
// budget of states per operation kind; `make crash-nightly` runs 20 rounds.
// The number of states checked per kind is printed as the tests go and in a
// summary at exit.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "io/fault_env.h"

namespace kq::testing {

class CrashPoint {
 public:
  // Called before the operation: stops the disk after `step` more mutating
  // calls (the counting run only notes where the operation starts).
  void Arm(io::FaultEnv& env);
  // The power cut: builds the crash state for this trial's seed.
  void Cut(io::FaultEnv& env);
  // True on the counting run, where nothing is stopped (the operation
  // completes and the state after it is checked like any other).
  bool counting() const { return counting_; }
  uint64_t step() const { return step_; }
  uint64_t seed() const { return seed_; }
  // Kind, step, seed and the call the disk stopped after, for messages.
  const std::string& where() const { return where_; }

 private:
  friend void ForEachCrashState(const std::string& kind,
                                const std::function<void(io::FaultEnv&, CrashPoint&)>& trial,
                                int seeds_per_step, int max_states);
  std::string kind_;
  bool counting_ = false;
  uint64_t step_ = 0;
  uint64_t seed_ = 0;
  uint64_t armed_at_ = 0;  // mutating_calls() at Arm
  uint64_t op_calls_ = 0;  // the operation's mutating calls (counting run)
  bool armed_ = false;
  std::string where_;
};

// Runs `trial` for every step of the operation (or a sample: at most
// max_states x rounds states, the first and last steps always included),
// seeds_per_step x rounds seeds each. Adds the count to the per-kind tally.
void ForEachCrashState(const std::string& kind,
                       const std::function<void(io::FaultEnv&, CrashPoint&)>& trial,
                       int seeds_per_step = 24, int max_states = 5000);

// Counts a crash state in which a known (reported) bug showed; the summary
// at exit lists them, so the suite stays green without hiding them.
void NoteKnownBug(const std::string& bug);

// KQ_CRASH_ROUNDS, at least 1.
int CrashRounds();
// States checked so far for `kind`.
int64_t CrashStatesChecked(const std::string& kind);

}  // namespace kq::testing
