// A group member process for the membership tests.
//
//   member_child DIR GROUP POLL_MS TOPIC...
//
// Joins GROUP, polls every POLL_MS milliseconds and prints the partitions it
// owns ("t-0 t-2", or "-" for none) whenever that set changes, one line per
// change, unbuffered, so the parent knows what the child claims to own. Runs
// until killed; SIGTERM leaves the group cleanly.
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "groups/group_membership.h"
#include "io/env.h"

using namespace kq;

namespace {
std::atomic<bool> stop{false};
void OnTerm(int) { stop = true; }
}  // namespace

int main(int argc, char** argv) {
  if (argc < 5) {
    fmt::print(stderr, "usage: member_child DIR GROUP POLL_MS TOPIC...\n");
    return 2;
  }
  signal(SIGTERM, OnTerm);
  const int poll_ms = std::atoi(argv[3]);
  std::vector<std::string> topics(argv + 4, argv + argc);
  auto member = groups::GroupMember::Join(io::Env::Default(), argv[1], argv[2], topics);
  if (!member.ok()) {
    fmt::print(stderr, "member_child: {}\n", member.status().ToString());
    return 1;
  }
  std::string last = "?";
  while (!stop) {
    auto owned = (*member)->Poll();
    if (!owned.ok()) {
      fmt::print(stderr, "member_child: {}\n", owned.status().ToString());
      return 1;
    }
    std::vector<std::string> names;
    for (const auto& tp : *owned) names.push_back(fmt::format("{}-{}", tp.topic, tp.partition));
    const std::string line =
        names.empty() ? std::string("-") : fmt::format("{}", fmt::join(names, " "));
    if (line != last) {
      last = line;
      const std::string out = fmt::format("{}\n", line);
      if (write(STDOUT_FILENO, out.data(), out.size()) < 0) return 1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(poll_ms));
  }
  return (*member)->Leave().ok() ? 0 : 1;
}
