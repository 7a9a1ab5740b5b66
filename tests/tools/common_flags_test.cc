#include "common/common_flags.h"

#include <doctest/doctest.h>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "common/exit_codes.h"

namespace kq::tools {
namespace {

// Captures what a call writes to one fd (stdout or stderr) through a temp file.
class CaptureFd {
 public:
  explicit CaptureFd(int fd) : fd_(fd) {
    std::fflush(nullptr);
    file_ = std::tmpfile();
    saved_ = ::dup(fd_);
    ::dup2(::fileno(file_), fd_);
  }
  std::string Finish() {
    std::fflush(nullptr);
    ::dup2(saved_, fd_);
    ::close(saved_);
    std::string text;
    std::rewind(file_);
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof(buf), file_)) > 0) text.append(buf, n);
    std::fclose(file_);
    return text;
  }

 private:
  int fd_;
  int saved_;
  std::FILE* file_;
};

struct Fixture {
  CLI::App app{"Test tool"};
  CommonFlags common;
  std::string topic;
  int64_t count = 0;

  Fixture() {
    AddCommonFlags(app, "test", &common);
    app.add_option("topic", topic, "Topic name")->required();
    app.add_option("-c,--count", count, "Stop after N records");
    SetExamples(app, {"kq-test orders -c 5"});
  }
  std::optional<int> Parse(std::vector<const char*> args) {
    args.insert(args.begin(), "kq-test");
    return ParseFlags(app, static_cast<int>(args.size()), args.data(), "test");
  }
};

TEST_CASE("common_flags: flags parse and the tool goes on") {
  ::unsetenv("KQ_DIR");
  ::unsetenv("KQ_BROKERS");
  Fixture f;
  CHECK_FALSE(f.Parse({"orders", "-d", "/tmp/x", "-q", "-vv", "-c", "3"}).has_value());
  CHECK(f.topic == "orders");
  CHECK(f.common.dir == "/tmp/x");
  CHECK(f.common.quiet);
  CHECK(f.common.verbose == 2);
  CHECK(f.count == 3);
  CHECK(f.common.brokers.empty());
}

TEST_CASE("common_flags: the directory defaults to $KQ_DIR, then ./kq-data") {
  ::unsetenv("KQ_DIR");
  {
    Fixture f;
    CHECK_FALSE(f.Parse({"orders"}).has_value());
    CHECK(f.common.dir == "./kq-data");
  }
  ::setenv("KQ_DIR", "/srv/kq", 1);
  ::setenv("KQ_BROKERS", "localhost:9092", 1);
  {
    Fixture f;
    CHECK_FALSE(f.Parse({"orders"}).has_value());
    CHECK(f.common.dir == "/srv/kq");
    CHECK(f.common.brokers == "localhost:9092");
  }
  {
    Fixture f;
    CHECK_FALSE(f.Parse({"orders", "--dir", "/other"}).has_value());
    CHECK(f.common.dir == "/other");
  }
  ::unsetenv("KQ_DIR");
  ::unsetenv("KQ_BROKERS");
}

TEST_CASE("common_flags: --help prints to stdout with examples and returns 0") {
  Fixture f;
  CaptureFd out(1);
  std::optional<int> code = f.Parse({"--help"});
  std::string text = out.Finish();
  REQUIRE(code.has_value());
  CHECK(*code == kExitOk);
  CHECK(text.find("kq-test") != std::string::npos);
  CHECK(text.find("--dir") != std::string::npos);
  CHECK(text.find("Examples:\n  kq-test orders -c 5") != std::string::npos);
  CHECK(text.find("--list-flags") == std::string::npos);
}

TEST_CASE("common_flags: --version prints the tool name and version") {
  Fixture f;
  CaptureFd out(1);
  std::optional<int> code = f.Parse({"--version"});
  std::string text = out.Finish();
  REQUIRE(code.has_value());
  CHECK(*code == kExitOk);
  CHECK(text == std::string("kq-test ") + KQ_VERSION + "\n");
}

TEST_CASE("common_flags: usage errors print a hint to stderr and return 2") {
  const std::vector<std::vector<const char*>> bad = {
      {},                       // missing required topic
      {"orders", "--nope"},     // unknown flag
      {"orders", "-c", "abc"},  // bad number
      {"orders", "extra"},      // extra positional
      {"orders", "-d"},         // missing value
  };
  for (const auto& args : bad) {
    Fixture f;
    CaptureFd err(2);
    std::optional<int> code = f.Parse(args);
    std::string text = err.Finish();
    CAPTURE(text);
    REQUIRE(code.has_value());
    CHECK(*code == kExitUsage);
    CHECK(text.starts_with("kq-test: "));
    CHECK(text.ends_with("\nTry 'kq-test --help' for more information.\n"));
  }
  Fixture f;
  CaptureFd err(2);
  CHECK(f.Parse({"orders", "--nope"}) == kExitUsage);
  CHECK(err.Finish() ==
        "kq-test: The following argument was not expected: --nope\n"
        "Try 'kq-test --help' for more information.\n");
}

TEST_CASE("common_flags: ListFlags names every visible flag; --list-flags prints them") {
  Fixture f;
  std::vector<std::string> want = {"-h",      "--help",    "--version", "-d",         "--dir",
                                   "-b",      "--brokers", "-X",        "--property", "-q",
                                   "--quiet", "-v",        "--verbose", "-c",         "--count"};
  CHECK(ListFlags(f.app) == want);

  // Works without the required topic, like --help.
  Fixture g;
  CaptureFd out(1);
  std::optional<int> code = g.Parse({"--list-flags"});
  std::string text = out.Finish();
  CHECK(code == kExitOk);
  std::string joined;
  for (const std::string& name : want) joined += name + "\n";
  CHECK(text == joined);
}

TEST_CASE("common_flags: RunApp runs the body only after a successful parse") {
  Fixture f;
  std::vector<const char*> args = {"kq-test", "orders"};
  int ran = 0;
  CHECK(RunApp(f.app, 2, args.data(), "test", [&] {
          ++ran;
          return 5;
        }) == 5);
  CHECK(ran == 1);
  Fixture g;
  std::vector<const char*> bad = {"kq-test"};
  CaptureFd err(2);
  CHECK(RunApp(g.app, 1, bad.data(), "test", [&] {
          ++ran;
          return 5;
        }) == kExitUsage);
  err.Finish();
  CHECK(ran == 1);
}

TEST_CASE("exit_codes: statuses map to exit codes and error lines") {
  CHECK(ExitCodeFor(Status::Ok()) == kExitOk);
  CHECK(ExitCodeFor(Status::NotFound("x")) == kExitRuntime);
  CHECK(ExitCodeFor(Status::Corruption("x")) == kExitRuntime);
  CHECK(ExitCodeFor(BrokenPipeStatus()) == kExitOk);
  CHECK(IsBrokenPipe(BrokenPipeStatus().WithPrefix("stdout")));
  // The code says "broken pipe", not the text: an I/O error whose message
  // happens to end that way (an EPIPE from a socket, say) is a real error.
  CHECK_FALSE(IsBrokenPipe(Status::IoError("not a broken pipe")));
  CHECK_FALSE(IsBrokenPipe(Status::IoError("write: broken pipe")));
  CHECK(ExitCodeFor(Status::IoError("write: broken pipe")) == kExitRuntime);
  CHECK_FALSE(IsBrokenPipe(Status::Corruption(BrokenPipeStatus().message())));
  CHECK(IsBrokenPipe(Status::FromCode(Status::Code::kBrokenPipe, "anything")));
  CHECK(BrokenPipeStatus().ToString() == "Broken pipe: broken pipe");
  CHECK(ProgramName("consume") == "kq-consume");
  CHECK(ProgramName("") == "kq");

  CaptureFd err(2);
  CHECK(ReportError("consume", Status::NotFound("topic 'x' does not exist")) == kExitRuntime);
  CHECK(ReportError("consume", BrokenPipeStatus()) == kExitOk);
  CHECK(ReportError("consume", Status::Ok()) == kExitOk);
  CHECK(ReportUsageError("consume", "-o: bad") == kExitUsage);
  CHECK(err.Finish() ==
        "kq-consume: topic 'x' does not exist\n"
        "kq-consume: -o: bad\nTry 'kq-consume --help' for more information.\n");
}

}  // namespace
}  // namespace kq::tools
