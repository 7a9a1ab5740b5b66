// MemEnv-only behaviour; the shared Env behaviour is in env_test.cc.
#include "io/mem_env.h"

#include <doctest/doctest.h>

#include <algorithm>

using namespace kq;
using namespace kq::io;

TEST_CASE("mem_env: the clock starts fixed and moves only when told") {
  MemEnv env;
  CHECK(env.NowMs() == MemEnv::kStartNowMs);
  env.AdvanceMs(1500);
  CHECK(env.NowMs() == MemEnv::kStartNowMs + 1500);
  env.SetNowMs(42);
  CHECK(env.NowMs() == 42);
}

TEST_CASE("mem_env: paths are normalized and relative paths live under '.'") {
  MemEnv env;
  REQUIRE(env.CreateDir("data//t-0/").ok());
  auto f = env.CreateTruncated("./data/t-0//x.log");
  REQUIRE(f.ok());
  REQUIRE((*f)->Append("abc").ok());
  CHECK(*env.FileSize("data/t-0/x.log") == 3);
  CHECK(*env.ListDir(".") == std::vector<std::string>{"data"});
  CHECK(*env.ListDir("data/t-0") == std::vector<std::string>{"x.log"});
  CHECK(NormalizeMemPath("") == ".");
  CHECK(NormalizeMemPath("/a//b/./c/") == "/a/b/c");
  CHECK(NormalizeMemPath("//") == "/");
}

TEST_CASE("mem_env: creating a file needs its directory") {
  MemEnv env;
  CHECK(env.OpenAppendable("/nodir/f").status().IsNotFound());
  REQUIRE(env.CreateDir("/d").ok());
  REQUIRE(env.CreateTruncated("/d/file").ok());
  auto under_file = env.OpenAppendable("/d/file/x");
  CHECK(under_file.status().IsIoError());
  CHECK(under_file.status().message().find("not a directory") != std::string::npos);
  CHECK(env.RemoveFile("/d").IsIoError());  // a directory is not a file
}

TEST_CASE("mem_env: a directory rename moves everything below it") {
  MemEnv env;
  REQUIRE(env.CreateDir("/logs/orders-0/sub").ok());
  REQUIRE(env.WriteFileAtomic("/logs/orders-0/00.log", "batch").ok());
  REQUIRE(env.WriteFileAtomic("/logs/orders-0/sub/x", "y").ok());
  auto reader = env.OpenRandomAccess("/logs/orders-0/00.log");
  REQUIRE(reader.ok());

  REQUIRE(env.Rename("/logs/orders-0", "/logs/orders-0.delete").ok());
  CHECK_FALSE(env.FileExists("/logs/orders-0"));
  CHECK(*env.ReadFileToString("/logs/orders-0.delete/00.log") == "batch");
  CHECK(*env.ReadFileToString("/logs/orders-0.delete/sub/x") == "y");
  CHECK_FALSE((*reader)->Stat()->unlinked);  // renamed, not removed

  REQUIRE(env.CreateDir("/logs/full").ok());
  REQUIRE(env.WriteFileAtomic("/logs/full/f", "").ok());
  CHECK(env.Rename("/logs/orders-0.delete", "/logs/full").IsIoError());  // not empty
  CHECK(env.Rename("/logs/orders-0.delete", "/logs/orders-0.delete/sub/in").IsIoError());
  REQUIRE(env.RemoveTree("/logs/orders-0.delete").ok());
  CHECK((*reader)->Stat()->unlinked);
  CHECK(*env.ListDir("/logs") == std::vector<std::string>{"full"});
}

TEST_CASE("mem_env: NewMemEnv gives an empty file system") {
  std::unique_ptr<Env> env = NewMemEnv();
  CHECK(env->ListDir("/")->empty());
  CHECK(env->IsDirectory("/"));
  CHECK(env->IsDirectory("."));
  CHECK_FALSE(env->RemoveDir("/").ok());
}

TEST_CASE("mem_env: a lock from before ReleaseAllLocks releases nothing when destroyed") {
  MemEnv env;
  auto old_lock = env.LockFile("/l", LockWait::kTry);
  REQUIRE(old_lock.ok());
  env.ReleaseAllLocks();
  auto new_lock = env.LockFile("/l", LockWait::kTry);
  REQUIRE(new_lock.ok());
  old_lock->reset();
  CHECK(env.LockFile("/l", LockWait::kTry).status().IsBusy());
}
