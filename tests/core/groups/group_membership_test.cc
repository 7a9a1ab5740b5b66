// Server-less group membership on a real directory: members in this process
// and in child processes (member_child.cc) split partitions disjointly and
// completely, never own a partition at the same time, and take over a
// SIGKILLed member's partitions within 3 seconds.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "groups/group_membership.h"
#include "groups/group_registry.h"
#include "io/env.h"
#include "log/log_dir.h"
#include "support/log_helpers.h"

using namespace kq;
using namespace kq::groups;
using Clock = std::chrono::steady_clock;

namespace {

const std::string kChild = std::string(KQ_BIN_DIR) + "/member_child";

struct Fixture {
  kq::testing::TempDir tmp;
  io::Env* env = io::Env::Default();
  std::string dir = tmp.path() + "/data";

  explicit Fixture(int partitions = 6) {
    auto d = log::LogDir::Open(env, dir, true);
    REQUIRE(d.ok());
    REQUIRE(d->CreateTopic("t", partitions, {}).ok());
  }
  std::unique_ptr<GroupMember> Join(const std::string& group = "g") {
    auto m = GroupMember::Join(env, dir, group, {"t"});
    REQUIRE_MESSAGE(m.ok(), m.status().ToString());
    return std::move(*m);
  }
  // True when somebody holds the partition's lock (we take and drop it when
  // nobody does, which only delays a member's acquisition by one poll).
  bool Held(const TopicPartition& tp) {
    auto lock = env->LockFile(PartitionLockPath(dir, "g", tp), io::LockWait::kTry);
    return !lock.ok() && lock.status().IsBusy();
  }
};

std::vector<TopicPartition> AllOf(int n) {
  std::vector<TopicPartition> all;
  for (int p = 0; p < n; ++p) all.push_back({"t", p});
  return all;
}

struct Child {
  pid_t pid = -1;
  int out_fd = -1;
};

Child Spawn(const std::string& dir, int poll_ms) {
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    dup2(fds[1], STDOUT_FILENO);
    close(fds[0]);
    close(fds[1]);
    const std::string poll = std::to_string(poll_ms);
    execl(kChild.c_str(), kChild.c_str(), dir.c_str(), "g", poll.c_str(), "t", nullptr);
    _exit(127);
  }
  close(fds[1]);
  fcntl(fds[0], F_SETFL, O_NONBLOCK);
  return {pid, fds[0]};
}

// The child's latest report line, reading what is available.
std::string LatestLine(int fd, std::string* pending, std::string* latest) {
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) pending->append(buf, size_t(n));
  size_t nl;
  while ((nl = pending->find('\n')) != std::string::npos) {
    *latest = pending->substr(0, nl);
    pending->erase(0, nl + 1);
  }
  return *latest;
}

void Kill(Child& c, int sig) {
  kill(c.pid, sig);
  int status = 0;
  waitpid(c.pid, &status, 0);
  close(c.out_fd);
}

}  // namespace

TEST_CASE("membership: one member owns every partition") {
  Fixture f;
  auto m = f.Join();
  CHECK(m->member_id().find(std::to_string(getpid())) != std::string::npos);
  auto owned = m->Poll();
  REQUIRE(owned.ok());
  CHECK(*owned == AllOf(6));
  for (const auto& tp : AllOf(6)) {
    CHECK(m->Owns(tp));
    CHECK(f.Held(tp));
  }
  auto live = ListLiveMembers(f.env, f.dir, "g");
  REQUIRE(live.ok());
  REQUIRE(live->size() == 1);
  CHECK((*live)[0].member_id == m->member_id());
  auto owners = ListPartitionOwners(f.env, f.dir, "g", *live);
  REQUIRE(owners.ok());
  CHECK(owners->size() == 6);
  CHECK(owners->at({"t", 3}) == m->member_id());
}

TEST_CASE("membership: two members split the partitions disjointly and completely") {
  Fixture f;
  auto a = f.Join();
  auto b = f.Join();
  CHECK(a->member_id() != b->member_id());
  REQUIRE(a->Poll().ok());  // a may take all first; b's share frees up on a's next poll
  std::vector<TopicPartition> owned_a, owned_b;
  for (int round = 0; round < 3; ++round) {
    owned_b = *b->Poll();
    owned_a = *a->Poll();
  }
  owned_b = *b->Poll();
  CHECK(owned_a.size() == 3);
  CHECK(owned_b.size() == 3);
  std::set<TopicPartition> all(owned_a.begin(), owned_a.end());
  for (const auto& tp : owned_b) CHECK(all.insert(tp).second);
  CHECK(all.size() == 6);

  SUBCASE("a member that leaves hands its partitions over on the next poll") {
    REQUIRE(a->Leave().ok());
    CHECK(*b->Poll() == AllOf(6));
    CHECK(a->Poll().status().IsInvalidArgument());
  }
}

TEST_CASE("membership: members joining, polling and leaving never own one partition twice") {
  Fixture f(10);
  std::mt19937 rng(11);
  std::vector<std::unique_ptr<GroupMember>> members;
  for (int step = 0; step < 300; ++step) {
    const unsigned action = rng() % 10;
    if (action == 0 && members.size() < 5) {
      members.push_back(f.Join());
    } else if (action == 1 && !members.empty()) {
      members.erase(members.begin() + long(rng() % members.size()));
    } else if (!members.empty()) {
      REQUIRE(members[rng() % members.size()]->Poll().ok());
    }
    std::set<TopicPartition> owned;
    for (const auto& m : members) {
      for (const auto& tp : AllOf(10)) {
        if (m->Owns(tp))
          CHECK_MESSAGE(owned.insert(tp).second, "partition ", tp.partition, " owned twice");
      }
    }
  }
  // Settled: everything is owned once the members have polled a few times.
  if (members.empty()) members.push_back(f.Join());
  for (int round = 0; round < 3; ++round) {
    for (auto& m : members) REQUIRE(m->Poll().ok());
  }
  size_t total = 0;
  for (auto& m : members) total += m->Poll()->size();
  CHECK(total == 10);
}

TEST_CASE("membership: bad names and missing topics are refused") {
  Fixture f;
  CHECK(GroupMember::Join(f.env, f.dir, "a/b", {"t"}).status().IsInvalidArgument());
  CHECK(GroupMember::Join(f.env, f.dir, "", {"t"}).status().IsInvalidArgument());
  CHECK(GroupMember::Join(f.env, f.dir, "g", {}).status().IsInvalidArgument());
  CHECK(GroupMember::Join(f.env, f.dir, "g", {"nope"}).status().IsNotFound());
}

TEST_CASE("membership: a SIGKILLed member's partitions are taken over within 3 seconds") {
  Fixture f;
  Child child = Spawn(f.dir, 100);
  std::string pending, latest;
  // The child joins and takes everything.
  const auto join_deadline = Clock::now() + std::chrono::seconds(10);
  while (LatestLine(child.out_fd, &pending, &latest) != "t-0 t-1 t-2 t-3 t-4 t-5") {
    REQUIRE_MESSAGE(Clock::now() < join_deadline, "child reported [", latest, "]");
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  auto me = f.Join();
  // Split: poll every 100 ms until both report three partitions each.
  const auto split_deadline = Clock::now() + std::chrono::seconds(10);
  std::vector<TopicPartition> mine;
  for (;;) {
    mine = *me->Poll();
    const std::string theirs = LatestLine(child.out_fd, &pending, &latest);
    for (const auto& tp : mine) CHECK(f.Held(tp));
    if (mine.size() == 3 && std::count(theirs.begin(), theirs.end(), ' ') == 2) {
      // Settled: what the child reports owning is exactly what we lack.
      for (const auto& tp : mine)
        CHECK(theirs.find(fmt::format("t-{}", tp.partition)) == std::string::npos);
      break;
    }
    REQUIRE_MESSAGE(Clock::now() < split_deadline, "no split: mine ", mine.size(), ", child [",
                    theirs, "]");
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  for (const auto& tp : AllOf(6)) CHECK(f.Held(tp));  // the child's three too

  Kill(child, SIGKILL);
  const auto killed_at = Clock::now();
  while (me->Poll()->size() != 6) {
    REQUIRE_MESSAGE(Clock::now() - killed_at < std::chrono::seconds(3), "no takeover within 3 s");
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  auto live = ListLiveMembers(f.env, f.dir, "g");
  REQUIRE(live.ok());
  CHECK(live->size() == 1);  // the dead member's file is gone
}

TEST_CASE("membership: a member that exits cleanly leaves no file behind") {
  Fixture f;
  Child child = Spawn(f.dir, 50);
  std::string pending, latest;
  const auto deadline = Clock::now() + std::chrono::seconds(10);
  while (LatestLine(child.out_fd, &pending, &latest).empty()) {
    REQUIRE(Clock::now() < deadline);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  CHECK(ListLiveMembers(f.env, f.dir, "g")->size() == 1);
  Kill(child, SIGTERM);
  auto names = f.env->ListDir(MembersPath(f.dir, "g"));
  REQUIRE(names.ok());
  CHECK(names->empty());
}

TEST_CASE("membership: a group claimed by kq-serve refuses server-less members, and back") {
  Fixture f;
  auto claim = ClaimGroupForServer(f.env, f.dir, "g");
  REQUIRE_MESSAGE(claim.ok(), claim.status().ToString());
  auto refused = GroupMember::Join(f.env, f.dir, "g", {"t"});
  REQUIRE(refused.status().IsBusy());
  CHECK_MESSAGE(refused.status().message().find(fmt::format(
                    "group 'g' is served by kq-serve (pid {})", getpid())) != std::string::npos,
                refused.status().ToString());
  CHECK(ListLiveMembers(f.env, f.dir, "g")->empty());  // the refused member left no file
  // Another group is not affected.
  CHECK(GroupMember::Join(f.env, f.dir, "other", {"t"}).ok());
  // A second server cannot take the group either.
  auto second = ClaimGroupForServer(f.env, f.dir, "g");
  REQUIRE(second.status().IsBusy());
  CHECK(second.status().message().find("another kq-serve") != std::string::npos);

  claim->reset();  // the server's group became empty
  auto m = f.Join();
  // Now the member holds the group: the server is refused, naming it.
  auto blocked = ClaimGroupForServer(f.env, f.dir, "g");
  REQUIRE(blocked.status().IsBusy());
  CHECK_MESSAGE(blocked.status().message().find(m->member_id()) != std::string::npos,
                blocked.status().ToString());
  // The refused claim released the lock: members keep joining.
  auto m2 = f.Join();
  REQUIRE(m->Leave().ok());
  REQUIRE(m2->Leave().ok());
  CHECK(ClaimGroupForServer(f.env, f.dir, "g").ok());
}

TEST_CASE("membership: a joiner looking at the coordinator lock does not block another joiner") {
  Fixture f;
  // A server served the group before: its pid must not outlive its claim.
  REQUIRE(ClaimGroupForServer(f.env, f.dir, "g").ok());
  // Held with an empty file: another joiner taking its look.
  auto looking = f.env->LockFile(CoordinatorLockPath(f.dir, "g"), io::LockWait::kTry);
  REQUIRE(looking.ok());
  std::thread release([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    looking->reset();
  });
  auto m = GroupMember::Join(f.env, f.dir, "g", {"t"});
  release.join();
  CHECK_MESSAGE(m.ok(), m.status().ToString());
}

TEST_CASE("membership: a group folder is not removed while kq-serve serves the group") {
  Fixture f;
  auto claim = ClaimGroupForServer(f.env, f.dir, "g");
  REQUIRE(claim.ok());
  Status s = RemoveGroupFolder(f.env, f.dir, "g");
  CHECK(s.IsBusy());
  CHECK(s.message().find("served by kq-serve") != std::string::npos);
  CHECK(f.env->FileExists(CoordinatorLockPath(f.dir, "g")));
  claim->reset();
  CHECK(RemoveGroupFolder(f.env, f.dir, "g").ok());
  CHECK(!f.env->IsDirectory(GroupPath(f.dir, "g")));
}
