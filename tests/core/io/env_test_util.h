// Fixtures shared by the io tests: each gives an Env and a fresh root
// directory in it, so behaviour tests are written once and run on every Env.
#pragma once

#include <unistd.h>

#include <atomic>
#include <memory>
#include <string>

#include <fmt/format.h>

#include "io/env.h"

namespace kq::io::testing {

// A unique directory under /tmp on the real file system, removed afterwards.
struct PosixFixture {
  PosixFixture() {
    static std::atomic<int> counter{0};
    root = fmt::format("/tmp/kq-io-test-{}-{}", ::getpid(), counter++);
    (void)env->RemoveTree(root);
    Status s = env->CreateDir(root);
    if (!s.ok()) throw std::runtime_error(s.ToString());
  }
  ~PosixFixture() { (void)env->RemoveTree(root); }
  static constexpr const char* kName = "posix";
  Env* env = Env::Default();
  std::string root;
};

}  // namespace kq::io::testing
