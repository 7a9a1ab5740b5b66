#include "pipe/command.h"

#include <doctest/doctest.h>

#include <csignal>
#include <string>

#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

using namespace kq;

namespace {
struct IgnoreSigpipe {
  IgnoreSigpipe() { std::signal(SIGPIPE, SIG_IGN); }
} ignore_sigpipe;
}  // namespace

TEST_CASE("RunCommand feeds stdin, captures stdout and reports the exit status") {
  auto run = pipe::RunCommand({.argv = {"sh", "-c", "tr a-z A-Z; exit 3"}}, "abc\n", 5000);
  REQUIRE(run.ok());
  CHECK(run->output == "ABC\n");
  CHECK(!run->timed_out);
  CHECK(!run->status.ok());
  CHECK(run->status.code == 3);
  CHECK(run->status.ToString() == "exit status 3");
}

TEST_CASE("the environment reaches the command; a large input does not deadlock") {
  const std::string big(1 << 20, 'x');
  auto run = pipe::RunCommand(
      {.argv = {"sh", "-c", "cat; printf '%s' \"$KQ_TEST_VAR\""}, .env = {{"KQ_TEST_VAR", "v1"}}},
      big, 10000);
  REQUIRE(run.ok());
  CHECK(run->status.ok());
  CHECK(run->output.size() == big.size() + 2);
  CHECK(run->output.substr(big.size()) == "v1");
}

TEST_CASE("a command past its deadline is killed; one that cannot start is NotFound") {
  auto slow = pipe::RunCommand({.argv = {"sleep", "10"}}, "", 200);
  REQUIRE(slow.ok());
  CHECK(slow->timed_out);
  auto missing = pipe::RunCommand({.argv = {"/nonexistent/kq-no-such-command"}}, "", 1000);
  CHECK(missing.status().IsNotFound());
  // A command that exits without reading its input is not an error here.
  auto early = pipe::RunCommand({.argv = {"true"}}, std::string(1 << 20, 'y'), 5000);
  REQUIRE(early.ok());
  CHECK(early->status.ok());
}

TEST_CASE("a killed command reports its signal") {
  auto run = pipe::RunCommand({.argv = {"sh", "-c", "kill -9 $$"}}, "", 5000);
  REQUIRE(run.ok());
  CHECK(run->status.signaled);
  CHECK(run->status.ToString() == "killed by signal 9");
}
