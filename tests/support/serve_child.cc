#include "support/serve_child.h"

#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

namespace kq::testing {

std::string MakeTempDir(const std::string& prefix) {
  std::string tmpl = "/tmp/" + prefix + "-XXXXXX";
  REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
  return tmpl;
}

ServeChild::ServeChild(const std::string& dir, const std::vector<std::string>& extra_args) {
  log_ = dir + ".serve-log";
  std::string bin = std::string(KQ_BIN_DIR) + "/kq-serve";
  std::vector<std::string> args = {bin, "-d", dir, "--listen", "127.0.0.1:0"};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  pid_ = ::fork();
  REQUIRE(pid_ >= 0);
  if (pid_ == 0) {
    if (std::freopen(log_.c_str(), "w", stderr) == nullptr) ::_exit(126);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(bin.c_str(), argv.data());
    ::_exit(127);
  }
  const std::regex listening("event=listening address=127\\.0\\.0\\.1:([0-9]+)");
  for (int i = 0; i < 400 && port_ == 0; ++i) {
    std::ifstream in(log_);
    std::stringstream text;
    text << in.rdbuf();
    std::string s = text.str();
    std::smatch m;
    if (std::regex_search(s, m, listening))
      port_ = static_cast<uint16_t>(std::stoi(m[1]));
    else
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  REQUIRE_MESSAGE(port_ != 0, "kq-serve did not start: see " << log_);
}

void ServeChild::Kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

ServeChild::~ServeChild() {
  Kill();
  std::remove(log_.c_str());
}

}  // namespace kq::testing
