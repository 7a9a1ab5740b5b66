// BatchScanner over bytes made with tests/support/batch_builders: a clean
// end, every clipped length (torn, never corrupt), every single-bit flip
// (never a changed batch delivered), and the header bytes it decodes.
#include "log/batch_scanner.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include <fmt/format.h>

#include "io/mem_env.h"
#include "support/batch_builders.h"

using namespace kq;
using kq::log::BatchScanner;

namespace {

const std::string kPath = "/d/00000000000000000100.log";

struct Log {
  io::MemEnv env;
  std::vector<std::string> batches;
  std::vector<uint64_t> positions;
  std::string bytes;
  std::unique_ptr<io::RandomAccessFile> file;

  explicit Log(int n) {
    int64_t base = 100;
    for (int i = 0; i < n; ++i) {
      batches.push_back(testing::MakeSimpleBatch(base, 1 + i, 5000 + base));
      positions.push_back(bytes.size());
      bytes += batches.back();
      base += 1 + i;
    }
    Write(bytes);
  }
  void Write(const std::string& data) {
    file.reset();
    REQUIRE(env.CreateDir("/d").ok());
    REQUIRE(env.WriteFileAtomic(kPath, data).ok());
    auto f = env.OpenRandomAccess(kPath);
    REQUIRE(f.ok());
    file = std::move(*f);
  }
};

struct Scan {
  std::vector<BatchScanner::Batch> batches;
  std::vector<std::string> bytes;
  BatchScanner::Stop stop;
  Status problem;
  uint64_t position;
};

Scan ScanAll(const io::RandomAccessFile& file, uint64_t start, uint64_t end,
             BatchScanner::Options o) {
  BatchScanner scanner(file, start, end, o);
  Scan out;
  BatchScanner::Batch b;
  while (scanner.Next(&b)) {
    out.batches.push_back(b);
    out.bytes.emplace_back(b.bytes);
  }
  CHECK_FALSE(scanner.Next(&b));  // stays stopped
  out.stop = scanner.stop();
  out.problem = scanner.problem();
  out.position = scanner.position();
  return out;
}

}  // namespace

TEST_CASE("batch scanner: a clean log yields every batch with its position and header, then kEnd") {
  Log log(4);
  Scan s = ScanAll(*log.file, 0, log.bytes.size(), {.load_bytes = true});
  CHECK(s.stop == BatchScanner::Stop::kEnd);
  CHECK(s.problem.ok());
  CHECK(s.position == log.bytes.size());
  REQUIRE(s.batches.size() == 4);
  int64_t base = 100;
  for (size_t i = 0; i < 4; ++i) {
    CHECK(s.batches[i].position == log.positions[i]);
    CHECK(s.bytes[i] == log.batches[i]);
    CHECK(s.batches[i].header.base_offset == base);
    CHECK(s.batches[i].header.last_offset_delta == static_cast<int32_t>(i));
    CHECK(s.batches[i].header.records_count == static_cast<int32_t>(i + 1));
    CHECK(s.batches[i].header.max_timestamp == 5000 + base + static_cast<int64_t>(i));
    CHECK(s.batches[i].header.total_size() == log.batches[i].size());
    base += static_cast<int64_t>(i) + 1;
  }
  // Header-only scans give no bytes; a scan may start at any batch.
  Scan from2 = ScanAll(*log.file, log.positions[2], log.bytes.size(), {});
  REQUIRE(from2.batches.size() == 2);
  CHECK(from2.bytes[0].empty());
  CHECK(from2.batches[0].header.base_offset == 103);
}

TEST_CASE("batch scanner: the frame prefix of a builder's batch is Kafka's v2 layout") {
  // baseOffset 100, batchLength, partitionLeaderEpoch -1, magic 2.
  const std::string b = testing::MakeSimpleBatch(100, 1, 7000);
  CHECK(b.substr(0, 8) == std::string("\0\0\0\0\0\0\0\x64", 8));
  const uint32_t length = (static_cast<uint8_t>(b[8]) << 24) | (static_cast<uint8_t>(b[9]) << 16) |
                          (static_cast<uint8_t>(b[10]) << 8) | static_cast<uint8_t>(b[11]);
  CHECK(length == b.size() - 12);
  CHECK(b.substr(12, 4) == std::string("\xff\xff\xff\xff", 4));
  CHECK(b[16] == 2);
}

TEST_CASE("batch scanner: a log clipped anywhere is torn at the last whole batch, never corrupt") {
  Log log(4);
  for (bool verify : {false, true}) {
    for (uint64_t end = 0; end <= log.bytes.size(); ++end) {
      CAPTURE(end);
      CAPTURE(verify);
      Scan s = ScanAll(*log.file, 0, end, {.verify_crc = verify});
      size_t whole = 0;
      while (whole < 4 && log.positions[whole] + log.batches[whole].size() <= end) ++whole;
      CHECK(s.batches.size() == whole);
      const uint64_t boundary =
          whole == 0 ? 0 : log.positions[whole - 1] + log.batches[whole - 1].size();
      CHECK(s.position == boundary);
      CHECK(s.stop == (boundary == end ? BatchScanner::Stop::kEnd : BatchScanner::Stop::kTorn));
    }
  }
  // The same when the file itself is short (a crashed writer).
  log.Write(log.bytes.substr(0, log.bytes.size() - 5));
  Scan s = ScanAll(*log.file, 0, log.bytes.size() - 5, {.verify_crc = true});
  CHECK(s.batches.size() == 3);
  CHECK(s.stop == BatchScanner::Stop::kTorn);
}

TEST_CASE("batch scanner: no single-bit flip gets a changed batch past a CRC-checking scan") {
  Log log(3);
  int corrupt = 0;
  for (size_t bit = 0; bit < log.bytes.size() * 8; ++bit) {
    CAPTURE(bit);
    std::string flipped = log.bytes;
    const size_t byte = bit / 8;
    flipped[byte] = static_cast<char>(flipped[byte] ^ (1 << (bit % 8)));
    log.Write(flipped);
    Scan s = ScanAll(*log.file, 0, flipped.size(), {.verify_crc = true});
    size_t hit = 0;
    while (hit + 1 < 3 && log.positions[hit + 1] <= byte) ++hit;
    const size_t in_batch = byte - log.positions[hit];
    // Only baseOffset and partitionLeaderEpoch lie outside the CRC (and
    // checks of the frame): a flip there is delivered as written.
    const bool unchecked = in_batch < 8 || (in_batch >= 12 && in_batch < 16);
    for (size_t i = 0; i < s.batches.size(); ++i) {
      CHECK(s.batches[i].position == log.positions[i]);
      if (i != hit) CHECK(s.bytes[i] == log.batches[i]);
    }
    if (unchecked) {
      CHECK(s.stop == BatchScanner::Stop::kEnd);
      CHECK(s.batches.size() == 3);
      continue;
    }
    // The flipped batch is never delivered; the ones before it are.
    CHECK(s.batches.size() == hit);
    CHECK(s.position == log.positions[hit]);
    CHECK(s.stop != BatchScanner::Stop::kEnd);
    if (s.stop == BatchScanner::Stop::kCorrupt) {
      ++corrupt;
      CHECK(s.problem.IsCorruption());
      CHECK_MESSAGE(s.problem.message().find(fmt::format("{}: batch at position {}", kPath,
                                                         log.positions[hit])) != std::string::npos,
                    s.problem.ToString());
    } else {
      // A longer batchLength runs past the end: that reads as torn.
      CHECK(s.stop == BatchScanner::Stop::kTorn);
      CHECK(in_batch >= 8);
      CHECK(in_batch < 12);
    }
  }
  CHECK(corrupt > 0);
}

TEST_CASE(
    "batch scanner: a batch over max_batch_bytes and a bad magic are corruption at their "
    "position") {
  Log log(3);
  Scan s = ScanAll(*log.file, 0, log.bytes.size(), {.max_batch_bytes = log.batches[1].size() - 1});
  CHECK(s.batches.size() == 1);
  CHECK(s.stop == BatchScanner::Stop::kCorrupt);
  CHECK(s.problem.message().find(fmt::format("batch at position {}", log.positions[1])) !=
        std::string::npos);
  std::string bad = log.bytes;
  bad[log.positions[2] + format::kMagicPos] = 1;
  log.Write(bad);
  s = ScanAll(*log.file, 0, bad.size(), {});
  CHECK(s.batches.size() == 2);
  CHECK(s.stop == BatchScanner::Stop::kCorrupt);
  CHECK(s.position == log.positions[2]);
}
