// SIGKILL of a real cleaner process at random moments, on a real directory
// whose newest values are spread over every segment: after each kill the
// partition opens for writing, nothing is invented, and the reader's view
// (the newest record of every key, tombstones included, and the active
// segment) is exactly what it was before.
#include <doctest/doctest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <random>
#include <thread>

#include "maint_test_util.h"
#include "support/log_helpers.h"

namespace kq {
namespace {

using testing::RecMap;
constexpr uint64_t kSegmentBytes = 64 * 1024;

pid_t Spawn(const std::string& dir, const std::string& max_memory) {
  const std::string bin = std::string(KQ_BIN_DIR) + "/compact_child";
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    execl(bin.c_str(), bin.c_str(), dir.c_str(), max_memory.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  return pid;
}

// Runs the cleaner to the end and returns how long that took.
std::chrono::microseconds RunToEnd(const std::string& dir) {
  const auto start = std::chrono::steady_clock::now();
  const pid_t pid = Spawn(dir, "33554432");
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() -
                                                               start);
}

// `keys` keys over `rounds` rounds, key k last updated in round k % rounds,
// so the newest values are spread over every segment, the first included
// (with WriteUpdates they all sit in the last round's segments, which a
// cleaner swaps last). Every tenth key ends in a tombstone; every fourth
// batch is zstd-compressed; every 97th record has no key.
void WriteSpreadUpdates(io::Env* env, const std::string& dir, int keys, int rounds) {
  auto p =
      log::Partition::Open(dir, testing::MaintOptions(env, kSegmentBytes), log::OpenMode::kWrite);
  REQUIRE(p.ok());
  int batch_no = 0, n = 0;
  for (int round = 0; round < rounds; ++round) {
    std::vector<int> due;
    for (int k = 0; k < keys; ++k) {
      if (k % rounds >= round) due.push_back(k);
    }
    const auto tomb = [&](int k) { return round == k % rounds && k % 10 == 0; };
    for (size_t first = 0; first < due.size(); first += 50) {
      const size_t count = std::min<size_t>(50, due.size() - first);
      testing::AppendUpdateBatch(env, **p, std::span<const int>(due).subspan(first, count), round,
                                 tomb, &batch_no, &n);
    }
  }
  REQUIRE((*p)->Close().ok());
}

// What a reader of a compacted topic sees: the newest record of every key
// (its offset and value, a tombstone included) below `end`, and every
// record at or after it (the active segment, which the cleaner never touches).
struct ReaderView {
  std::map<std::string, std::pair<int64_t, std::optional<std::string>>> newest;
  RecMap active;
  bool operator==(const ReaderView&) const = default;
};

ReaderView ViewOf(const RecMap& all, int64_t end) {
  ReaderView v;
  for (const auto& [offset, r] : all) {
    if (offset >= end) {
      v.active[offset] = r;
    } else if (r.key) {
      v.newest[*r.key] = {offset, r.value};
    }
  }
  return v;
}

void CopyDir(const std::string& from, const std::string& to) {
  std::filesystem::remove_all(to);
  std::filesystem::copy(from, to, std::filesystem::copy_options::recursive);
}

TEST_CASE("kill: SIGKILL of the cleaner at random points never loses a live record") {
  testing::TempDir tmp;
  io::Env* env = io::Env::Default();
  const std::string pristine = tmp.path() + "/pristine";
  const std::string dir = tmp.path() + "/t-0";
  WriteSpreadUpdates(env, pristine, 2000, 60);
  const RecMap before = testing::ReadRecords(env, pristine, kSegmentBytes);
  auto p = log::Partition::Open(pristine, testing::MaintOptions(env, kSegmentBytes),
                                log::OpenMode::kRead);
  REQUIRE(p.ok());
  const std::vector<log::SegmentInfo> segments = (*p)->Segments();
  const int64_t active_base = segments.back().base_offset.value();
  p->reset();
  const RecMap latest = testing::LatestPerKey(before, active_base, false);
  const ReaderView view = ViewOf(before, active_base);
  // The data is worth the test: every sealed segment holds newest values.
  REQUIRE(segments.size() >= 4);
  for (size_t i = 0; i + 1 < segments.size(); ++i) {
    bool holds = false;
    for (const auto& [offset, r] : latest) {
      holds = holds || (offset >= segments[i].base_offset.value() &&
                        offset < segments[i].next_offset.value());
    }
    CHECK_MESSAGE(holds, "segment ", segments[i].base_offset.value(), " holds no newest value");
  }

  // Kill times are drawn from the length of a whole run on this machine, so
  // the kills land inside the work however fast or slow the machine is.
  CopyDir(pristine, dir);
  const auto full_run =
      std::max<std::chrono::microseconds>(RunToEnd(dir), std::chrono::microseconds(1000));
  CopyDir(pristine, dir);

  std::mt19937 rng(7);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  int kills = 0, finished = 0;
  for (int round = 0; round < 30 && std::chrono::steady_clock::now() < deadline; ++round) {
    // Alternate a roomy and a tiny key map, so kills land in multi-pass runs too.
    const pid_t pid = Spawn(dir, round % 2 ? "16384" : "33554432");
    std::this_thread::sleep_for(std::chrono::microseconds(rng() % full_run.count()));
    kill(pid, SIGKILL);
    int status = 0;
    REQUIRE(waitpid(pid, &status, 0) == pid);
    if (WIFSIGNALED(status)) ++kills;
    if (WIFEXITED(status)) {
      CHECK(WEXITSTATUS(status) == 0);
      ++finished;
    }
    CAPTURE(round);
    const RecMap now = testing::ReadRecords(env, dir, kSegmentBytes);
    for (const auto& [offset, r] : now) {
      auto it = before.find(offset);
      REQUIRE_MESSAGE(it != before.end(), "offset " << offset << " was invented");
      REQUIRE(it->second == r);
    }
    for (const auto& [offset, r] : latest) {
      REQUIRE_MESSAGE(now.count(offset) == 1, "live record at offset " << offset << " was lost");
    }
    // The whole reader's view, tombstones and the active segment included.
    REQUIRE(ViewOf(now, active_base) == view);
    // A killed run leaves its state for the next one to recover from; a
    // finished one leaves nothing to do, so start again from the original.
    if (WIFEXITED(status)) CopyDir(pristine, dir);
  }
  MESSAGE(kills << " kills, " << finished << " finished runs, a full run takes " << full_run.count()
                << " us");
  CHECK(kills > 0);
  // A last run to the end leaves exactly the latest record of each key.
  RunToEnd(dir);
  CHECK(testing::Below(testing::ReadRecords(env, dir, kSegmentBytes), active_base) == latest);
}

}  // namespace
}  // namespace kq
