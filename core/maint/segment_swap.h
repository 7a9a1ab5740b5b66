// Crash-safe replacement of source segments by a cleaned one (DESIGN.md,
// "Compaction and retention"; the engine's loader relies on this order).
//
// Sources [A, B, C] cleaned into one output based at A:
//   1. (done by CleanedSegment::Finish) A.log.cleaned, A.index.cleaned,
//      A.timeindex.cleaned written and fsynced;
//   2. under the partition lock (.lock), check that every source is still
//      there with the size it had when cleaning started and that a later
//      segment still exists (the last source is not the active segment),
//      else Conflict and nothing changes;
//   3. remove A.index and A.timeindex, so no stale index can ever pair with
//      the new log;
//   4. rename A.log.cleaned -> A.log (atomic replace), then the indexes;
//   5. remove B.* and C.* (indexes first, the .log last);
//   6. fsync the directory.
// A crash before 4 leaves the old segments (the .cleaned files are removed by
// the next run, RemoveStaleFiles). A crash after 4 leaves the new A, whose
// next offset lies past B's and C's bases, so the loader drops B and C
// (removing them when the partition is opened for writing). A missing index
// is rebuilt by the engine on open and scanned around by readers.
//
// Thread safety: functions; the caller holds the partition's cleaner lock.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>

#include "base/status.h"
#include "base/strong_types.h"
#include "io/env.h"

namespace kq::maint {

struct SwapSource {
  Offset base_offset;
  uint64_t file_size = 0;  // size of the .log when cleaning started
};

// Fault-injection hook: called with a step name after each step of the
// swap ("locked", "removed-indexes", "renamed-log", "renamed-indexes",
// "removed-source", "synced"). A non-OK status aborts there, as a crash
// would. Only tests set it (compactor_test stops a swap after each step and
// checks that the log still opens with every live record); it stays because
// no Env fault names these steps, and a SIGKILL test (kill_test) hits them
// only by chance.
using SwapHook = std::function<Status(const char* step)>;

// Steps 2-6 above for the output based at sources[0]. `name` ("t-0") is for
// messages. REQUIRES: sources non-empty, in offset order, the .cleaned files
// finished.
Status SwapInCleaned(io::Env* env, const std::string& dir, const std::string& name,
                     std::span<const SwapSource> sources, const SwapHook& hook = nullptr);

// Removes *.cleaned and *.swap files left by a killed run. Returns how many.
// REQUIRES: the caller holds the cleaner lock.
Result<int> RemoveStaleFiles(io::Env* env, const std::string& dir);

// "<dir>/.cleaner.lock": held (kTry) for a whole cleaning pass.
std::string CleanerLockPath(const std::string& dir);
// "<dir>/.lock": the writers' partition lock.
std::string PartitionLockPath(const std::string& dir);

}  // namespace kq::maint
