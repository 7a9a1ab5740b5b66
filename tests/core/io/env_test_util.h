// Fixtures shared by the io tests: each gives an Env and a fresh root
// directory in it, so behaviour tests are written once and run on every Env.
#pragma once

#include <unistd.h>

#include <atomic>
#include <memory>
#include <stdexcept>
#include <string>

#include <fmt/format.h>

#include "io/env.h"
#include "io/fault_env.h"
#include "io/mem_env.h"

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

// An in-memory Env with the same root layout.
struct MemFixture {
  MemFixture() {
    Status s = env->CreateDir(root);
    if (!s.ok()) throw std::runtime_error(s.ToString());
  }
  static constexpr const char* kName = "mem";
  std::unique_ptr<MemEnv> owned = std::make_unique<MemEnv>();
  MemEnv* env = owned.get();
  std::string root = "/tmp/kq-io-test";
};

// A FaultEnv with no fault injected behaves like any other Env.
struct FaultFixture {
  FaultFixture() {
    Status s = env->CreateDir(root);
    if (!s.ok()) throw std::runtime_error(s.ToString());
  }
  static constexpr const char* kName = "fault";
  std::unique_ptr<FaultEnv> owned = std::make_unique<FaultEnv>();
  FaultEnv* env = owned.get();
  std::string root = "/tmp/kq-io-test";
};

}  // namespace kq::io::testing
