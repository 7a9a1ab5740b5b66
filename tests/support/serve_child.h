// A kq-serve child process for tests that talk to a real server over the
// Kafka protocol: started from KQ_BIN_DIR on a directory, listening on
// 127.0.0.1 and a port the kernel picks, killed (SIGKILL) when the object
// goes. Its stderr log is kept beside the directory (DIR.serve-log).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace kq::testing {

class ServeChild {
 public:
  // Fails the current test (REQUIRE) when the server does not start.
  explicit ServeChild(const std::string& dir, const std::vector<std::string>& extra_args = {});
  ~ServeChild();
  ServeChild(const ServeChild&) = delete;
  ServeChild& operator=(const ServeChild&) = delete;

  uint16_t port() const { return port_; }
  // SIGKILL now (a crash); the destructor then does nothing more.
  void Kill();

 private:
  pid_t pid_ = -1;
  uint16_t port_ = 0;
  std::string log_;
};

// A fresh directory under /tmp, removed by the caller.
std::string MakeTempDir(const std::string& prefix);

}  // namespace kq::testing
