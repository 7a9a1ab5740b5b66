#include "support/damage.h"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <algorithm>
#include <string_view>
#include <utility>
#include <vector>

#include "format/record_batch.h"

namespace kq::testing {

namespace {

using ByteRanges = std::vector<std::pair<size_t, size_t>>;  // [from, to)

// The byte ranges of each batch's base offset and partition leader epoch in
// a segment file: the header fields outside the CRC (see damage.h).
ByteRanges FieldsOutsideCrc(std::string_view log) {
  ByteRanges fields;
  for (size_t at = 0; at + format::kFramePrefixSize <= log.size();) {
    const format::FrameProbe probe = format::ProbeFrame(log.substr(at));
    if (probe.state != format::FrameState::kComplete) break;
    fields.push_back({at, at + format::kBatchLengthPos});  // base offset
    fields.push_back({at + format::kPartitionLeaderEpochPos, at + format::kMagicPos});
    at += probe.size;
  }
  return fields;
}

bool Touches(const ByteRanges& fields, size_t from, size_t to) {
  for (const auto& [b, e] : fields) {
    if (from < e && b < to) return true;
  }
  return false;
}

}  // namespace

bool TouchesFieldsOutsideCrc(std::string_view log, size_t from, size_t to) {
  return Touches(FieldsOutsideCrc(log), from, to);
}

std::string DamageRandomFile(io::MemEnv& env, const std::string& dir, std::mt19937& rng) {
  std::string what;
  auto files = env.ListDir(dir);
  REQUIRE(files.ok());
  REQUIRE(!files->empty());
  const std::string path = dir + "/" + (*files)[rng() % files->size()];
  auto data = env.ReadFileToString(path);
  REQUIRE(data.ok());
  std::string bytes = *data;
  const size_t size = bytes.size();
  const ByteRanges outside_crc = path.ends_with(".log") ? FieldsOutsideCrc(bytes) : ByteRanges{};
  switch (rng() % 4) {
    case 0:  // a flipped bit
      if (size == 0) break;
      {
        size_t at = rng() % size;
        while (Touches(outside_crc, at, at + 1)) at = rng() % size;
        bytes[at] = static_cast<char>(bytes[at] ^ (1 << (rng() % 8)));
        what = fmt::format("bit flipped in {} at byte {}", path, at);
      }
      break;
    case 1:  // a run of random bytes
      if (size == 0) break;
      {
        size_t at = 0, n = 0;
        do {
          at = rng() % size;
          n = std::min<size_t>(size - at, 1 + rng() % 64);
        } while (Touches(outside_crc, at, at + n));
        for (size_t i = 0; i < n; ++i) bytes[at + i] = static_cast<char>(rng());
        what = fmt::format("{} random bytes in {} at byte {}", n, path, at);
      }
      break;
    case 2: {  // cut short
      const size_t keep = size == 0 ? 0 : rng() % size;
      bytes.resize(keep);
      what = fmt::format("{} cut to {} bytes", path, keep);
      break;
    }
    default: {  // garbage appended
      const size_t n = 1 + rng() % 200;
      for (size_t i = 0; i < n; ++i) bytes.push_back(static_cast<char>(rng()));
      what = fmt::format("{} random bytes appended to {}", n, path);
      break;
    }
  }
  REQUIRE(env.WriteFileAtomic(path, bytes).ok());
  return what;
}

std::string DamageRandomFiles(io::MemEnv& env, const std::string& dir, std::mt19937& rng) {
  std::string what;
  const int damages = 1 + static_cast<int>(rng() % 3);
  for (int d = 0; d < damages; ++d) what += DamageRandomFile(env, dir, rng) + "; ";
  return what;
}

}  // namespace kq::testing
