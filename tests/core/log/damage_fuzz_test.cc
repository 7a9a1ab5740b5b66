// Random damage to any file of a partition (a log segment, an index, a
// checkpoint): opening for reading or writing and reading everything back
// must never crash or hang, and every record delivered must be one that was
// written, at its offset. Failing with a clear error is allowed for damage
// that may lie below the recovery point, but not otherwise:
//   - an undamaged partition opens in both modes and reads back whole;
//   - damage only past the recovery point (in the active segment: a torn or
//     flipped batch, random bytes, zeros or garbage after the end) is cut
//     when opening for writing, which must succeed and keep every record
//     before the damaged batch.
// Base offsets and leader epochs, the header fields outside the CRC, are
// fuzzed too (random values: a base offset that still keeps offsets in
// order cannot be told from one written that way, see support/damage.h;
// offsets that go backwards or leave their segment's range are caught).
#include <doctest/doctest.h>

#include <fmt/format.h>

#include <map>
#include <random>
#include <tuple>

#include "base/encoding.h"
#include "format/record_batch.h"
#include "io/mem_env.h"
#include "log/checkpoint_file.h"
#include "log/partition.h"
#include "log/partition_files.h"
#include "support/damage.h"
#include "support/log_helpers.h"

namespace kq {
namespace {

const std::string kDir = "/d/t-0";

log::PartitionOptions Options(io::Env* env) {
  log::PartitionOptions o = testing::SmallOptions(env, 1024);
  o.index_interval_bytes = 128;
  return o;
}

// The active segment's .log path and the byte position where the batches
// past the recovery point begin.
std::pair<std::string, uint64_t> PastRecoveryPoint(io::MemEnv& env) {
  auto p = log::Partition::Open(kDir, Options(&env), log::OpenMode::kRead);
  REQUIRE(p.ok());
  const log::SegmentInfo active = (*p)->Segments().back();
  auto entries = log::ReadCheckpoint(&env, kDir + "/" + log::kRecoveryPointCheckpoint);
  REQUIRE(entries.ok());
  const int64_t rp = entries->empty() ? 0 : entries->front().offset.value();
  auto bytes = env.ReadFileToString(active.log_path);
  REQUIRE(bytes.ok());
  uint64_t at = 0;
  while (at < bytes->size()) {
    const auto h = format::DecodeBatchHeader(std::string_view(*bytes).substr(at));
    REQUIRE(h.ok());
    if (h->base_offset >= rp) break;
    at += h->total_size();
  }
  return {active.log_path, at};
}

// Damages `path` only at or after byte `from`; returns what was done and
// the base offset of the first batch hit (the log end when past it).
std::string DamagePast(io::MemEnv& env, const std::string& path, uint64_t from, std::mt19937& rng,
                       int64_t* first_hit) {
  auto data = env.ReadFileToString(path);
  REQUIRE(data.ok());
  std::string bytes = *data;
  const size_t size = bytes.size();
  std::string what;
  size_t at = size;
  // Flips and random runs stay off the base offsets and leader epochs,
  // which no check can tell from a log written that way (damage.h).
  auto pick = [&](size_t n_max) {
    for (int attempt = 0; attempt < 100; ++attempt) {
      const size_t pos = from + rng() % (size - from);
      const size_t n = std::min<size_t>(size - pos, n_max);
      if (!testing::TouchesFieldsOutsideCrc(*data, pos, pos + n)) return std::pair{pos, n};
    }
    return std::pair{size, size_t{0}};
  };
  int kind = from < size ? static_cast<int>(rng() % 5) : 3 + static_cast<int>(rng() % 2);
  size_t n = 0;
  if (kind <= 1) {
    std::tie(at, n) = pick(kind == 0 ? 1 : 1 + rng() % 64);
    if (n == 0) kind = 3;
  }
  switch (kind) {
    case 0:
      bytes[at] = static_cast<char>(bytes[at] ^ (1 << (rng() % 8)));
      what = fmt::format("bit flipped at byte {}", at);
      break;
    case 1: {
      for (size_t i = 0; i < n; ++i) bytes[at + i] = static_cast<char>(rng());
      what = fmt::format("{} random bytes at byte {}", n, at);
      break;
    }
    case 2:
      at = from + rng() % (size - from);
      bytes.resize(at);
      what = fmt::format("cut to {} bytes", at);
      break;
    case 3: {
      const size_t n = 1 + rng() % 200;
      bytes.append(n, '\0');
      what = fmt::format("{} zero bytes appended", n);
      break;
    }
    default: {
      const size_t n = 1 + rng() % 200;
      for (size_t i = 0; i < n; ++i) bytes.push_back(static_cast<char>(rng()));
      what = fmt::format("{} random bytes appended", n);
      break;
    }
  }
  // The base offset of the batch holding byte `at`.
  int64_t base = -1;
  for (uint64_t pos = 0; pos < size;) {
    const auto h = format::DecodeBatchHeader(std::string_view(*data).substr(pos));
    REQUIRE(h.ok());
    base = h->next_offset();
    if (at < pos + h->total_size()) {
      base = h->base_offset;
      break;
    }
    pos += h->total_size();
  }
  *first_hit = base;
  REQUIRE(env.WriteFileAtomic(path, bytes).ok());
  return fmt::format("{} in {} (past the recovery point at byte {})", what, path, from);
}

// Sets the base offset or the leader epoch of one batch of one segment to a
// random value; returns what was done.
std::string FuzzHeaderField(io::MemEnv& env, std::mt19937& rng) {
  auto names = env.ListDir(kDir);
  REQUIRE(names.ok());
  std::vector<std::string> logs;
  for (const auto& n : *names) {
    if (n.ends_with(".log")) logs.push_back(n);
  }
  const std::string path = kDir + "/" + logs[rng() % logs.size()];
  auto data = env.ReadFileToString(path);
  REQUIRE(data.ok());
  std::string bytes = *data;
  std::vector<size_t> starts;
  for (size_t at = 0; at < bytes.size();) {
    starts.push_back(at);
    at += format::DecodeBatchHeader(std::string_view(bytes).substr(at))->total_size();
  }
  if (starts.empty()) return "nothing to fuzz in " + path;
  const size_t at = starts[rng() % starts.size()];
  std::string what;
  if (rng() % 2 == 0) {
    const uint64_t base = (static_cast<uint64_t>(rng()) << 32) | rng();
    std::string field;
    PutFixed64BE(&field, base);
    bytes.replace(at, 8, field);
    what = fmt::format("base offset of the batch at byte {} of {} set to {}", at, path,
                       static_cast<int64_t>(base));
  } else {
    const uint32_t epoch = rng();
    std::string field;
    PutFixed32BE(&field, epoch);
    bytes.replace(at + format::kPartitionLeaderEpochPos, 4, field);
    what = fmt::format("leader epoch of the batch at byte {} of {} set to {}", at, path,
                       static_cast<int32_t>(epoch));
  }
  REQUIRE(env.WriteFileAtomic(path, bytes).ok());
  return what;
}

TEST_CASE(
    "damage fuzz: open and read never crash and never deliver records that were not written") {
  std::mt19937 rng(20261123);
  int opened = 0, refused = 0, read_failed = 0, undamaged = 0, past_rp = 0, header_fuzzed = 0;
  for (int round = 0; round < 1000; ++round) {
    io::MemEnv env;
    std::map<int64_t, std::string> written;  // offset -> value
    {
      auto w = log::Partition::Open(kDir, Options(&env), log::OpenMode::kWrite);
      REQUIRE(w.ok());
      const int batches = 5 + static_cast<int>(rng() % 20);
      testing::AppendRemembered(**w, batches, 3, fmt::format("r{}-", round), &written);
      // Half the rounds close (the recovery point is the log end), half
      // leave it behind, as a crash would.
      if (round % 2 == 0) REQUIRE((*w)->Close().ok());
    }
    // Every fifth round is left alone, every fifth is damaged only past the
    // recovery point, every fifth gets a fuzzed header field; the rest take
    // any damage.
    const int kind = round % 5;
    std::string what = "no damage";
    int64_t must_keep_below = INT64_MAX;  // records below this must read back
    if (kind == 0) {
      ++undamaged;
    } else if (kind == 1) {
      const auto [path, from] = PastRecoveryPoint(env);
      what = DamagePast(env, path, from, rng, &must_keep_below);
      ++past_rp;
    } else if (kind == 2) {
      what = FuzzHeaderField(env, rng);
      ++header_fuzzed;
    } else {
      what = testing::DamageRandomFiles(env, kDir, rng);
    }
    CAPTURE(round);
    CAPTURE(what);
    for (log::OpenMode mode : {log::OpenMode::kRead, log::OpenMode::kWrite}) {
      auto p = log::Partition::Open(kDir, Options(&env), mode);
      if (kind == 0 || (kind == 1 && mode == log::OpenMode::kWrite)) {
        REQUIRE_MESSAGE(p.ok(), "must open: ", p.status().ToString());
        auto all = testing::ReadAll(**p);
        REQUIRE_MESSAGE(all.ok(), "must read back: ", all.status().ToString());
        std::map<int64_t, std::string> got;
        for (const auto& r : *all) got[r.offset] = r.value;
        for (const auto& [offset, value] : written) {
          if (offset >= must_keep_below) break;
          REQUIRE_MESSAGE(got.count(offset), "offset ", offset,
                          " lost (the damage starts at offset ", must_keep_below, ")");
          REQUIRE(got[offset] == value);
        }
        if (kind == 0) CHECK(got.size() == written.size());
      }
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
  MESSAGE(opened << " opened, " << refused << " refused, " << read_failed << " failed reads; "
                 << undamaged << " undamaged rounds, " << past_rp
                 << " damaged past the recovery point, " << header_fuzzed
                 << " with a fuzzed base offset or leader epoch");
}

}  // namespace
}  // namespace kq
