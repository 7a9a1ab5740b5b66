// Real processes on a real directory: SIGKILL at random moments, and several
// writers appending to one partition at once (append_child.cc does the
// writing).
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <doctest/doctest.h>

#include <chrono>
#include <map>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "io/env.h"
#include "log/partition.h"
#include "support/log_helpers.h"

using namespace kq;

namespace {

const std::string kChild = std::string(KQ_BIN_DIR) + "/append_child";

struct Child {
  pid_t pid = -1;
  int out_fd = -1;  // the child's stdout
};

Child Spawn(const std::vector<std::string>& args) {
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    dup2(fds[1], STDOUT_FILENO);
    close(fds[0]);
    close(fds[1]);
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(kChild.c_str()));
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(kChild.c_str(), argv.data());
    _exit(127);
  }
  close(fds[1]);
  return {pid, fds[0]};
}

std::string Drain(int fd) {
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  close(fd);
  return out;
}

int LastAcked(const std::string& out) {
  // Lines "N\n"; a line is complete only with its newline.
  int last = 0;
  size_t start = 0;
  for (size_t nl; (nl = out.find('\n', start)) != std::string::npos; start = nl + 1) {
    last = std::atoi(out.substr(start, nl - start).c_str());
  }
  return last;
}

log::PartitionOptions Options() {
  log::PartitionOptions o;
  o.env = io::Env::Default();
  o.topic = "crash";
  o.segment_bytes = 64 * 1024;
  o.index_interval_bytes = 1024;
  return o;
}

}  // namespace

TEST_CASE("crash: SIGKILL at random moments never loses or duplicates an acknowledged append") {
  kq::testing::TempDir tmp;
  const std::string dir = tmp.path() + "/crash-0";
  std::mt19937 rng(7);
  std::map<int, int> acked_by_round;  // round -> records acknowledged
  // At least 50 kills however slow the machine (a sanitizer build takes
  // seconds a round); up to 60 while time allows.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  int rounds = 0;
  for (; rounds < 60 && (rounds < 50 || std::chrono::steady_clock::now() < deadline); ++rounds) {
    Child c =
        Spawn({dir, fmt::format("r{}", rounds), "1000000", std::to_string(1 + rng() % 50), "1"});
    std::this_thread::sleep_for(std::chrono::milliseconds(10 + rng() % 250));
    kill(c.pid, SIGKILL);
    int status = 0;
    waitpid(c.pid, &status, 0);
    acked_by_round[rounds] = LastAcked(Drain(c.out_fd));

    auto p = log::Partition::Open(dir, Options(), log::OpenMode::kWrite);
    REQUIRE_MESSAGE(p.ok(), p.status().ToString());
    auto all = kq::testing::ReadAll(**p);
    REQUIRE_MESSAGE(all.ok(), all.status().ToString());
    std::map<std::string, std::set<int>> by_writer;
    std::set<std::string> values;
    for (size_t i = 0; i < all->size(); ++i) {
      const auto& r = (*all)[i];
      REQUIRE(r.offset == static_cast<int64_t>(i));  // contiguous
      REQUIRE_MESSAGE(values.insert(r.value).second, "duplicate ", r.value);
      const size_t colon = r.value.find(':');
      by_writer[r.value.substr(0, colon)].insert(std::atoi(r.value.c_str() + colon + 1));
    }
    for (const auto& [round, count] : acked_by_round) {
      const auto& seen = by_writer[fmt::format("r{}", round)];
      for (int n = 0; n < count; ++n) {
        REQUIRE_MESSAGE(seen.count(n) == 1, "round ", round, " record ", n,
                        " was acknowledged but is missing");
      }
    }
  }
  int total = 0;
  for (const auto& [round, count] : acked_by_round) total += count;
  CHECK(total > 1000);  // the kills really landed mid-stream
}

TEST_CASE("concurrency: four processes append 50,000 records each to one partition") {
  kq::testing::TempDir tmp;
  const std::string dir = tmp.path() + "/shared-0";
  constexpr int kWriters = 4;
  constexpr int kRecords = 50'000;
  std::vector<Child> children;
  for (int w = 0; w < kWriters; ++w) {
    children.push_back(Spawn({dir, fmt::format("w{}", w), std::to_string(kRecords), "100", "0"}));
  }
  for (auto& c : children) {
    Drain(c.out_fd);
    int status = 0;
    waitpid(c.pid, &status, 0);
    REQUIRE(WIFEXITED(status));
    REQUIRE(WEXITSTATUS(status) == 0);
  }
  auto p = log::Partition::Open(dir, Options(), log::OpenMode::kRead);
  REQUIRE(p.ok());
  auto all = kq::testing::ReadAll(**p);
  REQUIRE_MESSAGE(all.ok(), all.status().ToString());
  REQUIRE(all->size() == kWriters * kRecords);
  std::map<std::string, int> next;  // each writer's records in its own order
  for (size_t i = 0; i < all->size(); ++i) {
    const auto& r = (*all)[i];
    REQUIRE(r.offset == static_cast<int64_t>(i));
    const size_t colon = r.value.find(':');
    const std::string writer = r.value.substr(0, colon);
    const int n = std::atoi(r.value.c_str() + colon + 1);
    REQUIRE_MESSAGE(n == next[writer], writer, " record ", n, " out of order");
    ++next[writer];
  }
  for (int w = 0; w < kWriters; ++w) CHECK(next[fmt::format("w{}", w)] == kRecords);
}
