// Behaviour every Env must share, run on each implementation.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "env_test_util.h"
#include "io/env.h"

using namespace kq;
using namespace kq::io;
using kq::io::testing::FaultFixture;
using kq::io::testing::MemFixture;
using kq::io::testing::PosixFixture;

namespace {

std::string MustRead(Env* env, const std::string& path) {
  Result<std::string> r = env->ReadFileToString(path);
  REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  return *r;
}

void MustWrite(Env* env, const std::string& path, std::string_view data) {
  auto f = env->CreateTruncated(path);
  REQUIRE(f.ok());
  REQUIRE((*f)->Append(data).ok());
  REQUIRE((*f)->Close().ok());
}

std::vector<std::string> Sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

}  // namespace

#define KQ_ENV_TYPES PosixFixture, MemFixture, FaultFixture

TEST_CASE_TEMPLATE("env: appended data is readable at any offset and Stat sees its size", F,
                   KQ_ENV_TYPES) {
  F fx;
  const std::string path = JoinPath(fx.root, "a.log");
  auto w = fx.env->OpenAppendable(path);
  REQUIRE(w.ok());
  CHECK((*w)->path() == path);
  REQUIRE((*w)->Append("hello ").ok());
  REQUIRE((*w)->Append("world").ok());
  REQUIRE((*w)->Sync().ok());
  CHECK((*w)->Stat()->size == 11);
  CHECK_FALSE((*w)->Stat()->unlinked);

  auto r = fx.env->OpenRandomAccess(path);
  REQUIRE(r.ok());
  std::string out = "junk";
  REQUIRE((*r)->Read(6, 5, &out).ok());
  CHECK(out == "world");
  REQUIRE((*r)->Read(8, 100, &out).ok());
  CHECK(out == "rld");  // short only at end of file
  REQUIRE((*r)->Read(11, 4, &out).ok());
  CHECK(out.empty());
  REQUIRE((*r)->Read(50, 4, &out).ok());
  CHECK(out.empty());
  CHECK((*r)->Stat()->size == 11);
  CHECK(*fx.env->FileSize(path) == 11);

  // A reader sees later appends; reopening for append continues at the end.
  w->reset();
  auto w2 = fx.env->OpenAppendable(path);
  REQUIRE(w2.ok());
  REQUIRE((*w2)->Append("!").ok());
  REQUIRE((*r)->Read(0, 100, &out).ok());
  CHECK(out == "hello world!");
}

TEST_CASE_TEMPLATE("env: CreateTruncated empties an existing file", F, KQ_ENV_TYPES) {
  F fx;
  const std::string path = JoinPath(fx.root, "f");
  MustWrite(fx.env, path, "old contents");
  MustWrite(fx.env, path, "new");
  CHECK(MustRead(fx.env, path) == "new");
}

TEST_CASE_TEMPLATE("env: Truncate cuts a file and later appends continue from there", F,
                   KQ_ENV_TYPES) {
  F fx;
  const std::string path = JoinPath(fx.root, "t");
  auto w = fx.env->OpenAppendable(path);
  REQUIRE(w.ok());
  REQUIRE((*w)->Append("0123456789").ok());
  REQUIRE((*w)->Truncate(4).ok());
  CHECK((*w)->Stat()->size == 4);
  REQUIRE((*w)->Append("ab").ok());
  CHECK(MustRead(fx.env, path) == "0123ab");
  REQUIRE(fx.env->TruncateFile(path, 2).ok());
  CHECK(MustRead(fx.env, path) == "01");
  CHECK(fx.env->TruncateFile(JoinPath(fx.root, "missing"), 0).IsNotFound());
}

TEST_CASE_TEMPLATE("env: a closed file refuses further writes", F, KQ_ENV_TYPES) {
  F fx;
  auto w = fx.env->OpenAppendable(JoinPath(fx.root, "c"));
  REQUIRE(w.ok());
  REQUIRE((*w)->Close().ok());
  CHECK_FALSE((*w)->Append("x").ok());
  CHECK((*w)->Close().ok());
}

TEST_CASE_TEMPLATE("env: directories are created with parents, listed and removed", F,
                   KQ_ENV_TYPES) {
  F fx;
  const std::string deep = JoinPath(fx.root, "a/b/c");
  REQUIRE(fx.env->CreateDir(deep).ok());
  REQUIRE(fx.env->CreateDir(deep).ok());  // already there
  CHECK(fx.env->IsDirectory(deep));
  CHECK(fx.env->FileExists(deep));
  MustWrite(fx.env, JoinPath(fx.root, "a/f1"), "1");
  MustWrite(fx.env, JoinPath(fx.root, "a/f2"), "2");
  CHECK_FALSE(fx.env->IsDirectory(JoinPath(fx.root, "a/f1")));
  CHECK(Sorted(*fx.env->ListDir(JoinPath(fx.root, "a"))) ==
        std::vector<std::string>{"b", "f1", "f2"});
  CHECK_FALSE(fx.env->CreateDir(JoinPath(fx.root, "a/f1")).ok());  // a file is in the way

  CHECK_FALSE(fx.env->RemoveDir(JoinPath(fx.root, "a/b")).ok());  // not empty
  REQUIRE(fx.env->RemoveDir(deep).ok());
  REQUIRE(fx.env->RemoveFile(JoinPath(fx.root, "a/f1")).ok());
  CHECK_FALSE(fx.env->FileExists(JoinPath(fx.root, "a/f1")));
  CHECK(Sorted(*fx.env->ListDir(JoinPath(fx.root, "a"))) == std::vector<std::string>{"b", "f2"});

  REQUIRE(fx.env->RemoveTree(JoinPath(fx.root, "a")).ok());
  CHECK_FALSE(fx.env->FileExists(JoinPath(fx.root, "a")));
  CHECK(fx.env->ListDir(fx.root)->empty());
  REQUIRE(fx.env->SyncDir(fx.root).ok());
}

TEST_CASE_TEMPLATE("env: missing paths are NotFound and name the path", F, KQ_ENV_TYPES) {
  F fx;
  const std::string missing = JoinPath(fx.root, "nope");
  auto r = fx.env->OpenRandomAccess(missing);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().IsNotFound());
  CHECK(r.status().message().find(missing) != std::string::npos);
  CHECK(fx.env->FileSize(missing).status().IsNotFound());
  CHECK(fx.env->ListDir(missing).status().IsNotFound());
  CHECK(fx.env->RemoveFile(missing).IsNotFound());
  CHECK(fx.env->RemoveDir(missing).IsNotFound());
  CHECK(fx.env->RemoveTree(missing).IsNotFound());
  CHECK(fx.env->Rename(missing, JoinPath(fx.root, "x")).IsNotFound());
  CHECK(fx.env->ReadFileToString(missing).status().IsNotFound());
  CHECK(fx.env->OpenAppendable(JoinPath(missing, "f")).status().IsNotFound());
  CHECK_FALSE(fx.env->FileExists(missing));
  CHECK_FALSE(fx.env->IsDirectory(missing));
}

TEST_CASE_TEMPLATE("env: rename replaces the target; open handles keep the old data", F,
                   KQ_ENV_TYPES) {
  F fx;
  const std::string a = JoinPath(fx.root, "a");
  const std::string b = JoinPath(fx.root, "b");
  MustWrite(fx.env, a, "new");
  MustWrite(fx.env, b, "old");
  auto old_reader = fx.env->OpenRandomAccess(b);
  REQUIRE(old_reader.ok());
  CHECK_FALSE((*old_reader)->Stat()->unlinked);

  REQUIRE(fx.env->Rename(a, b).ok());
  CHECK_FALSE(fx.env->FileExists(a));
  CHECK(MustRead(fx.env, b) == "new");
  std::string out;
  REQUIRE((*old_reader)->Read(0, 10, &out).ok());
  CHECK(out == "old");
  CHECK((*old_reader)->Stat()->unlinked);
}

TEST_CASE_TEMPLATE("env: a removed file stays readable through open handles, marked unlinked", F,
                   KQ_ENV_TYPES) {
  F fx;
  const std::string path = JoinPath(fx.root, "gone");
  auto w = fx.env->OpenAppendable(path);
  REQUIRE(w.ok());
  REQUIRE((*w)->Append("data").ok());
  auto r = fx.env->OpenRandomAccess(path);
  REQUIRE(r.ok());
  REQUIRE(fx.env->RemoveFile(path).ok());
  CHECK((*w)->Stat()->unlinked);
  CHECK((*r)->Stat()->unlinked);
  REQUIRE((*w)->Append("more").ok());
  std::string out;
  REQUIRE((*r)->Read(0, 100, &out).ok());
  CHECK(out == "datamore");
  CHECK_FALSE(fx.env->FileExists(path));
}

TEST_CASE_TEMPLATE("env: WriteFileAtomic replaces contents and leaves no temp file", F,
                   KQ_ENV_TYPES) {
  F fx;
  const std::string path = JoinPath(fx.root, "meta.json");
  REQUIRE(fx.env->WriteFileAtomic(path, "v1").ok());
  CHECK(MustRead(fx.env, path) == "v1");
  REQUIRE(fx.env->WriteFileAtomic(path, "version two").ok());
  CHECK(MustRead(fx.env, path) == "version two");
  CHECK(*fx.env->ListDir(fx.root) == std::vector<std::string>{"meta.json"});
  CHECK(fx.env->WriteFileAtomic(JoinPath(fx.root, "no/such/dir"), "x").IsNotFound());
}

TEST_CASE_TEMPLATE("env: ReadFileToString reads files larger than one chunk", F, KQ_ENV_TYPES) {
  F fx;
  const std::string path = JoinPath(fx.root, "big");
  std::string big(3 * 1024 * 1024 + 17, 'x');
  for (size_t i = 0; i < big.size(); i += 4096) big[i] = static_cast<char>('a' + i % 26);
  MustWrite(fx.env, path, big);
  CHECK(MustRead(fx.env, path) == big);
  MustWrite(fx.env, path, "");
  CHECK(MustRead(fx.env, path).empty());
}

TEST_CASE_TEMPLATE("env: a held lock makes kTry Busy until it is released", F, KQ_ENV_TYPES) {
  F fx;
  const std::string path = JoinPath(fx.root, ".lock");
  auto first = fx.env->LockFile(path, LockWait::kTry);
  REQUIRE(first.ok());
  CHECK(fx.env->FileExists(path));
  auto second = fx.env->LockFile(path, LockWait::kTry);
  REQUIRE_FALSE(second.ok());
  CHECK(second.status().IsBusy());
  CHECK(second.status().message().find(path) != std::string::npos);
  // A different path is an independent lock.
  CHECK(fx.env->LockFile(JoinPath(fx.root, "other.lock"), LockWait::kTry).ok());
  first->reset();
  CHECK(fx.env->LockFile(path, LockWait::kTry).ok());
}

TEST_CASE_TEMPLATE("env: kBlock waits for the holder to release the lock", F, KQ_ENV_TYPES) {
  F fx;
  const std::string path = JoinPath(fx.root, ".lock");
  auto held = fx.env->LockFile(path, LockWait::kTry);
  REQUIRE(held.ok());
  std::atomic<bool> acquired{false};
  std::thread waiter([&] {
    auto lock = fx.env->LockFile(path, LockWait::kBlock);
    acquired = lock.ok();
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  CHECK_FALSE(acquired.load());
  held->reset();
  waiter.join();
  CHECK(acquired.load());
}

TEST_CASE_TEMPLATE("env: NowMs is a plausible wall clock", F, KQ_ENV_TYPES) {
  F fx;
  CHECK(fx.env->NowMs() > 1'600'000'000'000);  // after 2020
}

TEST_CASE("env: JoinPath and DirName") {
  CHECK(JoinPath("a/b", "c") == "a/b/c");
  CHECK(JoinPath("a/b/", "c") == "a/b/c");
  CHECK(JoinPath("", "c") == "c");
  CHECK(JoinPath("/", "c") == "/c");
  CHECK(DirName("a/b/c") == "a/b");
  CHECK(DirName("c") == ".");
  CHECK(DirName("/c") == "/");
  CHECK(DirName("/") == "/");
  CHECK(DirName("a/b/") == "a");
  CHECK(DirName("a//b") == "a");
}
