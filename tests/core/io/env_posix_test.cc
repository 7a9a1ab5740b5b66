// POSIX-only behaviour: locks across processes, descriptors, errno texts.
#include <doctest/doctest.h>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "env_test_util.h"
#include "io/env.h"

using namespace kq;
using namespace kq::io;
using kq::io::testing::PosixFixture;

TEST_CASE("env_posix: a lock held by another process makes kTry Busy until it exits") {
  PosixFixture fx;
  const std::string path = JoinPath(fx.root, ".lock");
  int ready[2], release[2];
  REQUIRE(::pipe(ready) == 0);
  REQUIRE(::pipe(release) == 0);
  pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    // The child takes its own lock, reports, and holds it until told to go.
    auto lock = Env::Default()->LockFile(path, LockWait::kTry);
    char c = lock.ok() ? 'y' : 'n';
    (void)!::write(ready[1], &c, 1);
    (void)!::read(release[0], &c, 1);
    ::_exit(0);
  }
  char c = 0;
  REQUIRE(::read(ready[0], &c, 1) == 1);
  REQUIRE(c == 'y');
  auto attempt = Env::Default()->LockFile(path, LockWait::kTry);
  CHECK(attempt.status().IsBusy());
  REQUIRE(::write(release[1], "x", 1) == 1);
  int wstatus = 0;
  REQUIRE(::waitpid(child, &wstatus, 0) == child);
  CHECK(WIFEXITED(wstatus));
  CHECK(Env::Default()->LockFile(path, LockWait::kTry).ok());
  for (int fd : {ready[0], ready[1], release[0], release[1]}) ::close(fd);
}

TEST_CASE("env_posix: random-access files expose their descriptor") {
  PosixFixture fx;
  const std::string path = JoinPath(fx.root, "f");
  REQUIRE(fx.env->WriteFileAtomic(path, "abc").ok());
  auto r = fx.env->OpenRandomAccess(path);
  REQUIRE(r.ok());
  CHECK((*r)->NativeHandle() >= 0);
}

TEST_CASE("env_posix: errors name the path, the operation and the reason") {
  PosixFixture fx;
  const std::string file = JoinPath(fx.root, "plain");
  REQUIRE(fx.env->WriteFileAtomic(file, "x").ok());
  // A file used as a directory: ENOTDIR is an IoError, not NotFound.
  Status s = fx.env->CreateDir(JoinPath(file, "sub"));
  CHECK(s.IsIoError());
  CHECK(s.message().find(file) != std::string::npos);
  CHECK(s.message().find("mkdir") != std::string::npos);

  if (::geteuid() != 0) {  // root ignores permission bits
    const std::string locked = JoinPath(fx.root, "ro");
    REQUIRE(fx.env->CreateDir(locked).ok());
    REQUIRE(::chmod(locked.c_str(), 0555) == 0);
    auto w = fx.env->OpenAppendable(JoinPath(locked, "f"));
    CHECK(w.status().IsIoError());
    CHECK(w.status().message().find("permission denied") != std::string::npos);
    REQUIRE(::chmod(locked.c_str(), 0755) == 0);
  }
}
