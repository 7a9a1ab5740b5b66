// Random damage to any file of a partition (a log segment, an index, a
// checkpoint): opening for reading or writing and reading everything back
// must never crash or hang, and every record delivered must be one that was
// written, at its offset. Failing with a clear error is always allowed.
//
// One kind of damage is left out: a change to a batch's base offset (its
// first 8 bytes) that keeps the offsets in order. Kafka's format puts the
// base offset outside the CRC (a broker rewrites it), so nothing can tell
// such a batch from one written at that offset; offsets that go backwards
// or leave their segment's range are caught (partition_test.cc).
#include <doctest/doctest.h>

#include <fmt/format.h>

#include <map>
#include <random>
#include <vector>

#include "format/record_batch.h"
#include "io/mem_env.h"
#include "log/partition.h"
#include "support/log_helpers.h"

namespace kq {
namespace {

const std::string kDir = "/d/t-0";

log::PartitionOptions Options(io::Env* env) {
  log::PartitionOptions o = testing::SmallOptions(env, 1024);
  o.index_interval_bytes = 128;
  return o;
}

// The byte ranges of the base offsets of the batches in a segment file.
std::vector<std::pair<size_t, size_t>> BaseOffsetFields(std::string_view log) {
  std::vector<std::pair<size_t, size_t>> fields;
  for (size_t at = 0; at + format::kFramePrefixSize <= log.size();) {
    const format::FrameProbe probe = format::ProbeFrame(log.substr(at));
    if (probe.state != format::FrameState::kComplete) break;
    fields.push_back({at, at + 8});
    at += probe.size;
  }
  return fields;
}

bool Touches(const std::vector<std::pair<size_t, size_t>>& fields, size_t from, size_t to) {
  for (const auto& [b, e] : fields) {
    if (from < e && b < to) return true;
  }
  return false;
}

void Damage(io::MemEnv& env, std::mt19937& rng, std::string* what) {
  auto files = env.ListDir(kDir);
  REQUIRE(files.ok());
  REQUIRE(!files->empty());
  const std::string path = kDir + "/" + (*files)[rng() % files->size()];
  auto data = env.ReadFileToString(path);
  REQUIRE(data.ok());
  std::string bytes = *data;
  const size_t size = bytes.size();
  const auto base_offsets = path.ends_with(".log") ? BaseOffsetFields(bytes) : decltype(BaseOffsetFields("")){};
  switch (rng() % 4) {
    case 0:  // a flipped bit
      if (size == 0) break;
      {
        size_t at = rng() % size;
        while (Touches(base_offsets, at, at + 1)) at = rng() % size;
        bytes[at] = static_cast<char>(bytes[at] ^ (1 << (rng() % 8)));
        *what += fmt::format("; bit flipped in {} at byte {}", path, at);
      }
      break;
    case 1:  // a run of random bytes
      if (size == 0) break;
      {
        size_t at = 0, n = 0;
        do {
          at = rng() % size;
          n = std::min<size_t>(size - at, 1 + rng() % 64);
        } while (Touches(base_offsets, at, at + n));
        for (size_t i = 0; i < n; ++i) bytes[at + i] = static_cast<char>(rng());
        *what += fmt::format("; {} random bytes in {} at byte {}", n, path, at);
      }
      break;
    case 2: {  // cut short
      const size_t keep = size == 0 ? 0 : rng() % size;
      bytes.resize(keep);
      *what += fmt::format("; {} cut to {} bytes", path, keep);
      break;
    }
    default: {  // garbage appended
      const size_t n = 1 + rng() % 200;
      for (size_t i = 0; i < n; ++i) bytes.push_back(static_cast<char>(rng()));
      *what += fmt::format("; {} random bytes appended to {}", n, path);
      break;
    }
  }
  REQUIRE(env.WriteFileAtomic(path, bytes).ok());
}

TEST_CASE("damage fuzz: open and read never crash and never deliver records that were not written") {
  std::mt19937 rng(20261123);
  int opened = 0, refused = 0, read_failed = 0;
  for (int round = 0; round < 1000; ++round) {
    io::MemEnv env;
    std::map<int64_t, std::string> written;  // offset -> value
    {
      auto w = log::Partition::Open(kDir, Options(&env), log::OpenMode::kWrite);
      REQUIRE(w.ok());
      const int batches = 5 + static_cast<int>(rng() % 20);
      for (int b = 0; b < batches; ++b) {
        std::string batch = testing::MakeBatch(fmt::format("r{}-b{}-", round, b), 3);
        auto r = (*w)->Append(batch);
        REQUIRE(r.ok());
        for (int i = 0; i < 3; ++i) written[r->first_offset.value() + i] = fmt::format("r{}-b{}-{}", round, b, i);
      }
      // Half the rounds close (the recovery point is the log end), half
      // leave it behind, as a crash would.
      if (round % 2 == 0) REQUIRE((*w)->Close().ok());
    }
    std::string what;
    const int damages = 1 + static_cast<int>(rng() % 3);
    for (int d = 0; d < damages; ++d) Damage(env, rng, &what);
    CAPTURE(round);
    CAPTURE(what);
    for (log::OpenMode mode : {log::OpenMode::kRead, log::OpenMode::kWrite}) {
      auto p = log::Partition::Open(kDir, Options(&env), mode);
      if (!p.ok()) {
        CHECK_FALSE(p.status().message().empty());
        ++refused;
        continue;
      }
      ++opened;
      auto all = testing::ReadAll(**p);
      if (!all.ok()) {
        CHECK_FALSE(all.status().message().empty());
        ++read_failed;
        continue;
      }
      for (const auto& r : *all) {
        auto it = written.find(r.offset);
        REQUIRE_MESSAGE(it != written.end(), "offset " << r.offset << " was never written");
        REQUIRE_MESSAGE(it->second == r.value, "offset " << r.offset << " reads back changed");
      }
    }
  }
  MESSAGE(opened << " opened, " << refused << " refused, " << read_failed << " failed reads");
}

}  // namespace
}  // namespace kq
