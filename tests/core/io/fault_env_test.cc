// FaultEnv: what survives a simulated power cut, and injected failures.
#include "io/fault_env.h"

#include <doctest/doctest.h>

#include <algorithm>

using namespace kq;
using namespace kq::io;

namespace {

std::string Contents(FaultEnv& env, const std::string& path) {
  Result<std::string> r = env.ReadFileToString(path);
  return r.ok() ? *r : "<" + r.status().ToString() + ">";
}

std::vector<std::string> Names(FaultEnv& env, const std::string& dir) {
  std::vector<std::string> names = *env.ListDir(dir);
  std::sort(names.begin(), names.end());
  return names;
}

// A directory whose creation is already durable.
void MakeDir(FaultEnv& env, const std::string& dir) {
  REQUIRE(env.CreateDir(dir).ok());
  REQUIRE(env.SyncDir(DirName(dir)).ok());
}

}  // namespace

TEST_CASE("fault_env: appends after the last Sync are lost, synced ones survive") {
  FaultEnv env;
  MakeDir(env, "/p");
  auto f = env.OpenAppendable("/p/0.log");
  REQUIRE(f.ok());
  REQUIRE(env.SyncDir("/p").ok());
  REQUIRE((*f)->Append("synced;").ok());
  REQUIRE((*f)->Sync().ok());
  REQUIRE((*f)->Append("lost").ok());
  CHECK(Contents(env, "/p/0.log") == "synced;lost");  // visible before the cut

  env.DropUnsyncedData();
  CHECK(Contents(env, "/p/0.log") == "synced;");
  CHECK_FALSE((*f)->Append("x").ok());  // handles from before the cut are dead
  CHECK((*f)->Stat().status().IsIoError());
}

TEST_CASE("fault_env: a file created without SyncDir disappears, even if synced") {
  FaultEnv env;
  MakeDir(env, "/p");
  REQUIRE(env.WriteFileAtomic("/p/kept", "k").ok());
  auto f = env.CreateTruncated("/p/new.log");
  REQUIRE(f.ok());
  REQUIRE((*f)->Append("data").ok());
  REQUIRE((*f)->Sync().ok());
  env.DropUnsyncedData();
  CHECK(Names(env, "/p") == std::vector<std::string>{"kept"});
}

TEST_CASE("fault_env: create, append, sync and SyncDir survive a cut") {
  FaultEnv env;
  MakeDir(env, "/p");
  auto f = env.OpenAppendable("/p/0.log");
  REQUIRE(f.ok());
  REQUIRE((*f)->Append("abc").ok());
  REQUIRE((*f)->Sync().ok());
  REQUIRE(env.SyncDir("/p").ok());
  env.DropUnsyncedData();
  CHECK(Contents(env, "/p/0.log") == "abc");
}

TEST_CASE("fault_env: a Truncate after Sync lowers the durable size") {
  FaultEnv env;
  MakeDir(env, "/p");
  auto f = env.OpenAppendable("/p/0.log");
  REQUIRE(f.ok());
  REQUIRE(env.SyncDir("/p").ok());
  REQUIRE((*f)->Append("0123456789").ok());
  REQUIRE((*f)->Sync().ok());
  REQUIRE((*f)->Truncate(4).ok());
  REQUIRE((*f)->Append("ab").ok());  // not synced
  env.DropUnsyncedData();
  CHECK(Contents(env, "/p/0.log") == "0123");

  REQUIRE(env.TruncateFile("/p/0.log", 2).ok());
  env.DropUnsyncedData();
  CHECK(Contents(env, "/p/0.log") == "01");
}

TEST_CASE("fault_env: WriteFileAtomic survives a cut right after it returns") {
  FaultEnv env;
  MakeDir(env, "/meta");
  REQUIRE(env.WriteFileAtomic("/meta/state", "v1").ok());
  REQUIRE(env.WriteFileAtomic("/meta/state", "v2").ok());
  env.DropUnsyncedData();
  CHECK(Contents(env, "/meta/state") == "v2");
  CHECK(Names(env, "/meta") == std::vector<std::string>{"state"});
}

TEST_CASE("fault_env: a rename without SyncDir is undone by a cut") {
  FaultEnv env;
  MakeDir(env, "/meta");
  REQUIRE(env.WriteFileAtomic("/meta/state", "old").ok());
  auto tmp = env.CreateTruncated("/meta/state.tmp");
  REQUIRE(tmp.ok());
  REQUIRE((*tmp)->Append("new").ok());
  REQUIRE((*tmp)->Sync().ok());
  REQUIRE(env.Rename("/meta/state.tmp", "/meta/state").ok());
  CHECK(Contents(env, "/meta/state") == "new");

  env.DropUnsyncedData();
  CHECK(Contents(env, "/meta/state") == "old");
  CHECK(Names(env, "/meta") == std::vector<std::string>{"state"});  // tmp was never durable
}

TEST_CASE("fault_env: a removal is undone unless its directory is synced") {
  FaultEnv env;
  MakeDir(env, "/p");
  REQUIRE(env.WriteFileAtomic("/p/a", "A").ok());
  REQUIRE(env.WriteFileAtomic("/p/b", "B").ok());
  REQUIRE(env.RemoveFile("/p/a").ok());
  REQUIRE(env.RemoveFile("/p/b").ok());
  env.DropUnsyncedData();
  CHECK(Names(env, "/p") == std::vector<std::string>{"a", "b"});
  CHECK(Contents(env, "/p/a") == "A");

  REQUIRE(env.RemoveFile("/p/a").ok());
  REQUIRE(env.SyncDir("/p").ok());
  env.DropUnsyncedData();
  CHECK(Names(env, "/p") == std::vector<std::string>{"b"});
}

TEST_CASE("fault_env: a removed directory tree stays removed") {
  FaultEnv env;
  MakeDir(env, "/logs/t-0");
  REQUIRE(env.WriteFileAtomic("/logs/t-0/00.log", "x").ok());
  REQUIRE(env.RemoveTree("/logs/t-0").ok());
  REQUIRE(env.SyncDir("/logs").ok());
  env.DropUnsyncedData();
  CHECK_FALSE(env.FileExists("/logs/t-0"));
}

TEST_CASE("fault_env: files written only through base() are treated as durable") {
  FaultEnv env;
  REQUIRE(env.base()->CreateDir("/p").ok());
  REQUIRE(env.base()->WriteFileAtomic("/p/f", "seed").ok());
  env.DropUnsyncedData();
  CHECK(Contents(env, "/p/f") == "seed");
}

TEST_CASE("fault_env: a cut releases every lock") {
  FaultEnv env;
  MakeDir(env, "/p");
  auto lock = env.LockFile("/p/.lock", LockWait::kTry);
  REQUIRE(lock.ok());
  CHECK(env.LockFile("/p/.lock", LockWait::kTry).status().IsBusy());
  env.DropUnsyncedData();
  auto again = env.LockFile("/p/.lock", LockWait::kTry);
  CHECK(again.ok());
  lock->reset();  // the dead lock releases nothing
  CHECK(env.LockFile("/p/.lock", LockWait::kTry).status().IsBusy());
}

TEST_CASE("fault_env: FailAfter fails exactly the n-th mutating call") {
  FaultEnv env;
  MakeDir(env, "/p");
  auto f = env.OpenAppendable("/p/0.log");
  REQUIRE(f.ok());
  env.FailAfter(3);
  CHECK((*f)->Append("a").ok());
  CHECK((*f)->Append("b").ok());
  Status s = (*f)->Sync();
  CHECK(s.IsIoError());
  CHECK(s.message().find("/p/0.log") != std::string::npos);
  CHECK(s.message().find("injected") != std::string::npos);
  CHECK((*f)->Sync().ok());  // one-shot
  CHECK(Contents(env, "/p/0.log") == "ab");

  env.FailAfter(1);
  CHECK(env.Rename("/p/0.log", "/p/1.log").IsIoError());
  CHECK(env.FileExists("/p/0.log"));
}

TEST_CASE("fault_env: a sticky fault keeps failing until cleared") {
  FaultEnv env;
  MakeDir(env, "/p");
  env.InjectFault({.after_ops = 1, .sticky = true, .torn_bytes = std::nullopt});
  CHECK(env.CreateDir("/p/a").IsIoError());
  CHECK(env.CreateDir("/p/b").IsIoError());
  CHECK(env.SyncDir("/p").IsIoError());
  CHECK(env.FileExists("/p"));  // reads still work
  env.ClearFaults();
  CHECK(env.CreateDir("/p/c").ok());
}

TEST_CASE("fault_env: a torn Append writes a prefix, which a cut then drops") {
  FaultEnv env;
  MakeDir(env, "/p");
  auto f = env.OpenAppendable("/p/0.log");
  REQUIRE(f.ok());
  REQUIRE(env.SyncDir("/p").ok());
  REQUIRE((*f)->Append("head;").ok());
  REQUIRE((*f)->Sync().ok());
  env.TearAppendAfter(1, 3);
  CHECK((*f)->Append("batch-bytes").IsIoError());
  CHECK(Contents(env, "/p/0.log") == "head;bat");
  env.DropUnsyncedData();
  CHECK(Contents(env, "/p/0.log") == "head;");
}

TEST_CASE("fault_env: mutating_calls counts steps so each can be failed in turn") {
  auto scenario = [](FaultEnv& env) -> Status {
    KQ_RETURN_IF_ERROR(env.CreateDir("/meta"));
    KQ_RETURN_IF_ERROR(env.SyncDir("/"));
    KQ_RETURN_IF_ERROR(env.WriteFileAtomic("/meta/state", "v1"));
    return env.WriteFileAtomic("/meta/state", "v2");
  };
  uint64_t steps;
  {
    FaultEnv env;
    REQUIRE(scenario(env).ok());
    steps = env.mutating_calls();
  }
  REQUIRE(steps >= 10);
  for (uint64_t step = 1; step <= steps; ++step) {
    CAPTURE(step);
    FaultEnv env;
    env.FailAfter(static_cast<int>(step));
    const bool ok = scenario(env).ok();
    env.DropUnsyncedData();
    const std::string state = Contents(env, "/meta/state");
    // Whatever step fails, the state file is absent or holds a whole version.
    if (env.FileExists("/meta/state")) {
      CHECK((state == "v1" || state == "v2"));
    }
    if (ok) CHECK(state == "v2");
  }
}
