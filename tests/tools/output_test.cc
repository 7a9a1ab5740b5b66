#include "common/output.h"

#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

#include "common/exit_codes.h"

namespace kq::tools {
namespace {

std::string ReadAll(int fd) {
  std::string text;
  char buf[65536];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof(buf))) > 0) text.append(buf, static_cast<size_t>(n));
  return text;
}

TEST_CASE("output: bytes are buffered until the buffer fills or Flush") {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  ::fcntl(fds[0], F_SETFL, O_NONBLOCK);
  {
    OutputWriter w(fds[1], 16);
    CHECK(w.Write("hello").ok());
    CHECK(ReadAll(fds[0]).empty());
    CHECK(w.Write(std::string("\0 binary \xff\n", 11)).ok());  // now 16 bytes: written
    CHECK(ReadAll(fds[0]) == std::string("hello\0 binary \xff\n", 16));
    w.buffer()->append("direct");
    CHECK(w.MaybeFlush().ok());
    CHECK(ReadAll(fds[0]).empty());
    CHECK(w.Flush().ok());
    CHECK(ReadAll(fds[0]) == "direct");
    w.buffer()->append("at exit");
  }
  CHECK(ReadAll(fds[0]) == "at exit");
  ::close(fds[0]);
  ::close(fds[1]);
}

TEST_CASE("output: large writes arrive whole") {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  std::string big(3 << 20, 'x');
  for (size_t i = 0; i < big.size(); i += 4096) big[i] = static_cast<char>(i / 4096);
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::close(fds[0]);
    OutputWriter w(fds[1]);
    Status s = w.Write(big);
    if (s.ok()) s = w.Flush();
    ::_exit(s.ok() ? 0 : 1);
  }
  ::close(fds[1]);
  std::string got = ReadAll(fds[0]);
  ::close(fds[0]);
  int wstatus = 0;
  ::waitpid(pid, &wstatus, 0);
  CHECK(WIFEXITED(wstatus));
  CHECK(WEXITSTATUS(wstatus) == 0);
  CHECK(got == big);
}

TEST_CASE("output: a closed reader is a broken pipe, not a crash, and it sticks") {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  ::close(fds[0]);
  OutputWriter w(fds[1], 4);
  Status s = w.Write("hello");
  CHECK(IsBrokenPipe(s));
  CHECK(ExitCodeFor(s) == kExitOk);
  CHECK(IsBrokenPipe(w.Write("more")));
  CHECK(IsBrokenPipe(w.Flush()));
  ::close(fds[1]);
}

TEST_CASE("output: other write errors are I/O errors naming the fd") {
  int fd = ::open("/dev/null", O_RDONLY);
  REQUIRE(fd >= 0);
  OutputWriter w(fd, 1);
  Status s = w.Write("x");
  CHECK(s.IsIoError());
  CHECK_FALSE(IsBrokenPipe(s));
  CHECK(s.message().starts_with("write to fd "));
  ::close(fd);
}

TEST_CASE("output: progress is drawn only when enabled and erased at the end") {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  ::fcntl(fds[0], F_SETFL, O_NONBLOCK);
  {
    Progress off(false, fds[1]);
    CHECK_FALSE(off.Due());
    off.Show("never");
  }
  CHECK(ReadAll(fds[0]).empty());
  {
    Progress on(true, fds[1], std::chrono::milliseconds(0));
    CHECK(on.Due());
    on.Show("10 records");
    on.Show("20 records");
  }
  CHECK(ReadAll(fds[0]) == "\r10 records\x1b[K\r20 records\x1b[K\r\x1b[K");
  {
    Progress slow(true, fds[1], std::chrono::hours(1));
    bool due = false;
    for (int i = 0; i < 1000; ++i) due = due || slow.Due();
    CHECK_FALSE(due);
  }
  CHECK(ReadAll(fds[0]).empty());
  ::close(fds[0]);
  ::close(fds[1]);
  CHECK_FALSE(IsTerminal(fds[1]));
}

}  // namespace
}  // namespace kq::tools
