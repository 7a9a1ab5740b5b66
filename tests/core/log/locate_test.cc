// Partition::Locate: the file, position and length it names hold exactly the
// bytes Read returns, read back with pread and with sendfile, on the POSIX
// Env (real descriptors) and on the in-memory one.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/sendfile.h>
#include <unistd.h>

#include <string>
#include <vector>

#include <fmt/format.h>

#include "io/mem_env.h"
#include "log/partition.h"
#include "support/log_helpers.h"

using namespace kq;
using kq::testing::MakeBatch;
using kq::testing::SmallOptions;
using kq::testing::TempDir;

namespace {

// Batches of 1..7 records, so batch sizes and offsets per batch vary.
void Fill(log::Partition& p, int batches) {
  for (int i = 0; i < batches; ++i) {
    std::string b = MakeBatch(fmt::format("value-{}-", i), 1 + i % 7, 1000 + i);
    REQUIRE(p.Append(b).ok());
  }
}

std::string Pread(int fd, uint64_t position, uint64_t length) {
  std::string out(length, '\0');
  size_t got = 0;
  while (got < length) {
    const ssize_t n =
        ::pread(fd, out.data() + got, length - got, static_cast<off_t>(position + got));
    REQUIRE(n > 0);
    got += static_cast<size_t>(n);
  }
  return out;
}

// sendfile from the located range into a fresh file, then read that back.
std::string SendfileCopy(const TempDir& tmp, int fd, uint64_t position, uint64_t length) {
  const std::string path = tmp.path() + "/sent";
  const int out = ::open(path.c_str(), O_CREAT | O_TRUNC | O_RDWR, 0644);
  REQUIRE(out >= 0);
  off_t off = static_cast<off_t>(position);
  uint64_t sent = 0;
  while (sent < length) {
    const ssize_t n = ::sendfile(out, fd, &off, length - sent);
    REQUIRE(n > 0);
    sent += static_cast<uint64_t>(n);
  }
  std::string back = Pread(out, 0, length);
  ::close(out);
  return back;
}

// Every offset, several sizes: Locate agrees with Read.
void CheckAgainstRead(log::Partition& p, const TempDir* tmp) {
  const std::vector<size_t> sizes = {0, 1, 61, 100, 700, 3000, 1 << 20};
  int crossed = 0;
  for (Offset at = p.log_start_offset(); at <= p.log_end_offset(); at += 1) {
    for (size_t max_bytes : sizes) {
      CAPTURE(at);
      CAPTURE(max_bytes);
      auto chunk = p.Read(at, max_bytes);
      REQUIRE_MESSAGE(chunk.ok(), chunk.status().ToString());
      auto located = p.Locate(at, max_bytes);
      REQUIRE_MESSAGE(located.ok(), located.status().ToString());
      CHECK(located->next_offset == chunk->next_offset);
      REQUIRE(located->length == chunk->bytes.size());
      if (located->length == 0) {
        CHECK(located->file == nullptr);
        continue;
      }
      REQUIRE(located->file != nullptr);
      std::string bytes;
      REQUIRE(located->file->Read(located->position.value(), located->length, &bytes).ok());
      CHECK(bytes == chunk->bytes);
      if (tmp != nullptr) {
        REQUIRE(located->fd() >= 0);
        CHECK(Pread(located->fd(), located->position.value(), located->length) == chunk->bytes);
        if (max_bytes == 3000) {
          CHECK(SendfileCopy(*tmp, located->fd(), located->position.value(), located->length) ==
                chunk->bytes);
        }
      }
      if (located->position.value() == 0 && at > p.log_start_offset()) ++crossed;
    }
  }
  CHECK(crossed > 0);  // reads started at segment boundaries too
}

}  // namespace

TEST_CASE(
    "locate: pread and sendfile of the located range equal Read, with and without CRC checks") {
  TempDir tmp;
  const std::string dir = tmp.path() + "/t-0";
  for (bool verify : {true, false}) {
    CAPTURE(verify);
    auto options = SmallOptions(io::Env::Default(), 2048);
    options.verify_reads = verify;
    auto opened = log::Partition::Open(dir, options, log::OpenMode::kWrite);
    REQUIRE(opened.ok());
    log::Partition& p = **opened;
    if (p.log_end_offset() == Offset(0)) Fill(p, 60);
    REQUIRE(p.Segments().size() > 3);
    CheckAgainstRead(p, &tmp);
  }
}

TEST_CASE("locate: the in-memory env has no descriptor but the same bytes") {
  io::MemEnv env;
  auto options = SmallOptions(&env, 2048);
  options.verify_reads = false;
  auto p = log::Partition::Open("/d/t-0", options, log::OpenMode::kWrite);
  REQUIRE(p.ok());
  Fill(**p, 40);
  CheckAgainstRead(**p, nullptr);
  auto located = (*p)->Locate(Offset(0), 100);
  REQUIRE(located.ok());
  CHECK(located->fd() == -1);
}

TEST_CASE("locate: below the log start and past the end are out of range; the end is empty") {
  io::MemEnv env;
  auto p = log::Partition::Open("/d/t-0", SmallOptions(&env, 2048), log::OpenMode::kWrite);
  REQUIRE(p.ok());
  Fill(**p, 40);
  const Offset end = (*p)->log_end_offset();
  auto at_end = (*p)->Locate(end, 1000);
  REQUIRE(at_end.ok());
  CHECK(at_end->length == 0);
  CHECK(at_end->next_offset == end);
  CHECK(at_end->file == nullptr);

  auto past = (*p)->Locate(end + 1, 1000);
  REQUIRE(past.status().IsOutOfRange());
  CHECK(past.status().message().find("past the log end offset") != std::string::npos);

  REQUIRE((*p)->AdvanceLogStart(Offset(30)).ok());
  auto below = (*p)->Locate(Offset(29), 1000);
  REQUIRE(below.status().IsOutOfRange());
  CHECK(below.status().message().find("offset 29 is below the log start offset 30") !=
        std::string::npos);
  CheckAgainstRead(**p, nullptr);
}

TEST_CASE("locate: a located range stays readable after its segment is deleted") {
  TempDir tmp;
  auto p = log::Partition::Open(tmp.path() + "/t-0", SmallOptions(io::Env::Default(), 2048),
                                log::OpenMode::kWrite);
  REQUIRE(p.ok());
  Fill(**p, 40);
  auto chunk = (*p)->Read(Offset(0), 500);
  auto located = (*p)->Locate(Offset(0), 500);
  REQUIRE(chunk.ok());
  REQUIRE(located.ok());
  REQUIRE(located->length > 0);
  // Retention removes the first segments while a send is in flight.
  REQUIRE((*p)->AdvanceLogStart((*p)->log_end_offset() - 1).ok());
  CHECK(Pread(located->fd(), located->position.value(), located->length) == chunk->bytes);
}

TEST_CASE("locate: damage is reported as Read reports it") {
  io::MemEnv env;
  auto options = SmallOptions(&env, 1 << 20);
  options.verify_reads = false;
  auto p = log::Partition::Open("/d/t-0", options, log::OpenMode::kWrite);
  REQUIRE(p.ok());
  Fill(**p, 5);
  const std::string log = (*p)->Segments().front().log_path;
  // Break the second batch's magic byte: framing damage, seen without CRCs.
  auto first = (*p)->Read(Offset(0), 1);
  REQUIRE(first.ok());
  kq::testing::FlipBit(&env, log, first->bytes.size() + format::kMagicPos);
  REQUIRE((*p)->Refresh().ok());
  const Offset second = first->next_offset;
  auto chunk = (*p)->Read(second, 1000);
  auto located = (*p)->Locate(second, 1000);
  REQUIRE(!chunk.ok());
  REQUIRE(!located.ok());
  CHECK(located.status().ToString() == chunk.status().ToString());
  // A read before it delivers the good batch and stops there, in both.
  chunk = (*p)->Read(Offset(0), 1 << 20);
  located = (*p)->Locate(Offset(0), 1 << 20);
  REQUIRE(chunk.ok());
  REQUIRE(located.ok());
  CHECK(located->length == chunk->bytes.size());
  CHECK(located->next_offset == second);
}
