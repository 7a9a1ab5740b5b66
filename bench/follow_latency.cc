// follow_latency: how long a record written by one process takes to come out
// of `kq-consume -F` in another (issue 4's target: p99 <= 10 ms).
//
// A writer child process appends one record per batch (value = the
// CLOCK_MONOTONIC time of the append in ns, a clock shared by all processes)
// at a jittered pace; the parent runs `kq-consume -F` through a pipe, reads
// each line as it arrives and records now - value. Appends stop at the page
// cache (no fsync), so what is measured is delivery, not disk flushes.
//
// Usage: follow_latency KQ_CONSUME LOG_DIR [RECORDS] [INTERVAL_US]
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "format/record_batch_builder.h"
#include "io/env.h"
#include "log/log_dir.h"
#include "log/partition.h"

namespace {

int64_t MonotonicNs() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1000000000 + ts.tv_nsec;
}

[[noreturn]] void Die(const std::string& what) {
  fmt::print(stderr, "follow_latency: {}\n", what);
  std::exit(1);
}

// The writer process: `records` appends, one record each.
int RunWriter(const std::string& dir, int records, int interval_us) {
  kq::io::Env* env = kq::io::Env::Default();
  auto log_dir = kq::log::LogDir::Open(env, dir, false);
  if (!log_dir.ok()) Die(log_dir.status().message());
  kq::log::PartitionOptions o;
  o.env = env;
  o.topic = "lat";
  auto p = kq::log::Partition::Open(log_dir->PartitionPath("lat", kq::PartitionId(0)), o,
                                    kq::log::OpenMode::kWrite);
  if (!p.ok()) Die(p.status().message());
  std::mt19937 rng(42);
  std::uniform_int_distribution<int> jitter(interval_us / 2, interval_us * 3 / 2);
  for (int i = 0; i < records; ++i) {
    std::this_thread::sleep_for(std::chrono::microseconds(jitter(rng)));
    kq::format::RecordBatchBuilder b;
    std::string value = std::to_string(MonotonicNs());
    b.Add(env->NowMs(), std::nullopt, value);
    auto batch = b.Finish();
    if (!batch.ok()) Die(batch.status().message());
    if (auto r = (*p)->Append(*batch); !r.ok()) Die(r.status().message());
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) Die("usage: follow_latency KQ_CONSUME LOG_DIR [RECORDS] [INTERVAL_US]");
  const std::string consume = argv[1];
  const std::string dir = argv[2];
  const int records = argc > 3 ? std::atoi(argv[3]) : 2000;
  const int interval_us = argc > 4 ? std::atoi(argv[4]) : 2000;

  kq::io::Env* env = kq::io::Env::Default();
  auto log_dir = kq::log::LogDir::Open(env, dir, true);
  if (!log_dir.ok()) Die(log_dir.status().message());
  if (auto t = log_dir->EnsureTopic("lat", 1, {}); !t.ok()) Die(t.status().message());

  // The follower: kq-consume -F writing into our pipe (not a terminal, so
  // this also checks that it flushes each time it catches up).
  int fds[2];
  if (pipe(fds) != 0) Die("pipe failed");
  pid_t follower = fork();
  if (follower == 0) {
    dup2(fds[1], 1);
    close(fds[0]);
    close(fds[1]);
    execl(consume.c_str(), consume.c_str(), "-d", dir.c_str(), "-F", "-o", "end", "lat",
          static_cast<char*>(nullptr));
    _exit(127);
  }
  close(fds[1]);
  FILE* in = fdopen(fds[0], "r");
  if (in == nullptr) Die("fdopen failed");
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // let it reach the end

  pid_t writer = fork();
  if (writer == 0) _exit(RunWriter(dir, records, interval_us));

  std::vector<double> latencies_ms;
  latencies_ms.reserve(static_cast<size_t>(records));
  char line[64];
  while (static_cast<int>(latencies_ms.size()) < records && std::fgets(line, sizeof line, in)) {
    const int64_t now = MonotonicNs();
    latencies_ms.push_back(static_cast<double>(now - std::atoll(line)) / 1e6);
  }
  int status = 0;
  waitpid(writer, &status, 0);
  // Stop the follower (SIGTERM: flush and exit 0), then reap it.
  kill(follower, SIGTERM);
  waitpid(follower, &status, 0);
  std::fclose(in);
  if (static_cast<int>(latencies_ms.size()) < records) {
    Die(fmt::format("only {} of {} records arrived", latencies_ms.size(), records));
  }
  std::sort(latencies_ms.begin(), latencies_ms.end());
  auto pct = [&](double q) {
    return latencies_ms[std::min(
        latencies_ms.size() - 1,
        static_cast<size_t>(q * static_cast<double>(latencies_ms.size())))];
  };
  fmt::print("records {}  p50 {:.3f} ms  p90 {:.3f} ms  p99 {:.3f} ms  max {:.3f} ms\n",
             latencies_ms.size(), pct(0.50), pct(0.90), pct(0.99), latencies_ms.back());
  return 0;
}
