// WriteFileAtomic on the longest names a file system takes: the temporary
// file must fit the 255-byte name limit too (issue: 247- to 249-character
// topics failed with "File name too long" on "<topic>.json.tmp").
#include <doctest/doctest.h>

#include "env_test_util.h"
#include "io/env.h"

using namespace kq;
using namespace kq::io;
using kq::io::testing::PosixFixture;

TEST_CASE("env_posix: WriteFileAtomic writes names up to 255 bytes and leaves no temp file") {
  PosixFixture fx;
  for (size_t length : {250u, 251u, 252u, 254u, 255u}) {
    CAPTURE(length);
    const std::string path = JoinPath(fx.root, std::string(length, 'n'));
    REQUIRE(fx.env->WriteFileAtomic(path, "first").ok());
    REQUIRE(fx.env->WriteFileAtomic(path, "second").ok());
    auto contents = fx.env->ReadFileToString(path);
    REQUIRE(contents.ok());
    CHECK(*contents == "second");
    auto names = fx.env->ListDir(fx.root);
    REQUIRE(names.ok());
    CHECK(names->size() == 1);
    REQUIRE(fx.env->RemoveFile(path).ok());
  }
}
