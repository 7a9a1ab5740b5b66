// OffsetIndex and TimeIndex: the entry bytes (Kafka's layouts), lookups,
// truncation, and loading damaged files (a clipped entry, a preallocated
// zero tail, every single-bit flip) without ever keeping a bad entry.
#include "log/offset_index.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace kq::log;

namespace {

std::string Hex(const std::string& bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

std::string Encoded(const std::vector<OffsetIndexEntry>& entries) {
  std::string out;
  for (const auto& e : entries) OffsetIndex::Encode(e, &out);
  return out;
}

std::string EncodedTime(const std::vector<TimeIndexEntry>& entries) {
  std::string out;
  for (const auto& e : entries) TimeIndex::Encode(e, &out);
  return out;
}

// What every loaded index must satisfy, whatever the bytes were.
void CheckSane(const OffsetIndex& index, uint64_t log_size) {
  const auto& e = index.entries();
  for (size_t i = 0; i < e.size(); ++i) {
    CHECK(e[i].position < log_size);
    CHECK(e[i].relative_offset <= uint32_t{INT32_MAX});
    if (i > 0) {
      CHECK(e[i].relative_offset > e[i - 1].relative_offset);
      CHECK(e[i].position > e[i - 1].position);
    }
  }
}

const std::vector<OffsetIndexEntry> kEntries = {{3, 0}, {10, 4200}, {25, 8500}, {40, 12800}};

}  // namespace

TEST_CASE("offset index: entries are relative offset then position, 4 bytes each, big-endian") {
  CHECK(Hex(Encoded({{5, 300}})) == "000000050000012c");
  CHECK(Hex(Encoded({{0x01020304, 0x0a0b0c0d}})) == "010203040a0b0c0d");
  CHECK(Encoded(kEntries).size() == kEntries.size() * OffsetIndex::kEntrySize);
}

TEST_CASE(
    "time index: entries are timestamp (8 bytes) then relative offset (4 bytes), big-endian") {
  CHECK(Hex(EncodedTime(std::vector<TimeIndexEntry>{{1700000000000, 7}})) ==
        "0000018bcfe5680000000007");
  CHECK(Hex(EncodedTime(std::vector<TimeIndexEntry>{{-1, 1}})) == "ffffffffffffffff00000001");
}

TEST_CASE(
    "offset index: lookups give the last entry at or below the offset, or the segment start") {
  OffsetIndex index;
  REQUIRE(index.Load(Encoded(kEntries), 20000));
  REQUIRE(index.size() == 4);
  CHECK(index.Lookup(0).position == 0);
  CHECK(index.Lookup(0).relative_offset == 0);
  CHECK(index.Lookup(2).relative_offset == 0);  // before the first entry: scan from 0
  CHECK(index.Lookup(3).position == 0);
  CHECK(index.Lookup(9).position == 0);
  CHECK(index.Lookup(10).position == 4200);
  CHECK(index.Lookup(24).position == 4200);
  CHECK(index.Lookup(25).position == 8500);
  CHECK(index.Lookup(1000).position == 12800);
  CHECK(index.file_bytes() == 32);
}

TEST_CASE("offset index: appends must increase in both fields; truncation drops the tail") {
  OffsetIndex index;
  CHECK(index.CanAppend({0, 0}));
  index.Append({3, 100});
  CHECK_FALSE(index.CanAppend({3, 200}));
  CHECK_FALSE(index.CanAppend({4, 100}));
  CHECK(index.CanAppend({4, 101}));
  REQUIRE(index.Load(Encoded(kEntries), 20000));
  index.TruncateToPosition(8500);
  CHECK(index.size() == 2);
  index.TruncateToPosition(8499);
  CHECK(index.size() == 2);
  index.TruncateToRelativeOffset(10);
  CHECK(index.size() == 1);
  CHECK(index.back().relative_offset == 3);
  index.TruncateToRelativeOffset(0);
  CHECK(index.empty());
}

TEST_CASE("offset index: a clipped file keeps its whole entries and asks for a rebuild") {
  const std::string bytes = Encoded(kEntries);
  for (size_t len = 0; len <= bytes.size(); ++len) {
    CAPTURE(len);
    OffsetIndex index;
    const bool whole = index.Load(std::string_view(bytes).substr(0, len), 20000);
    CHECK(whole == (len % OffsetIndex::kEntrySize == 0));
    CHECK(index.size() == len / OffsetIndex::kEntrySize);
  }
}

TEST_CASE(
    "offset index: a zero-filled tail, entries past the log, and going backwards end the valid "
    "prefix") {
  OffsetIndex index;
  // Kafka preallocates .index files: the unused tail reads as {0, 0}.
  CHECK_FALSE(index.Load(Encoded(kEntries) + std::string(16, '\0'), 20000));
  CHECK(index.size() == 4);
  // An entry naming a position the log does not have (a stale index).
  CHECK_FALSE(index.Load(Encoded(kEntries), 12800));
  CHECK(index.size() == 3);
  CHECK_FALSE(index.Load(Encoded({{3, 0}, {10, 4200}, {9, 5000}}), 20000));
  CHECK(index.size() == 2);
  // LoadMore continues where the file grew.
  REQUIRE(index.Load(Encoded({{3, 0}}), 20000));
  REQUIRE(index.LoadMore(Encoded({{10, 4200}, {25, 8500}}), 20000));
  CHECK(index.size() == 3);
  CHECK_FALSE(index.LoadMore(Encoded({{20, 9000}}), 20000));
  CHECK(index.size() == 3);
}

TEST_CASE("offset index: no single-bit flip yields an entry that breaks the index's rules") {
  const std::string bytes = Encoded(kEntries);
  int refused = 0;
  for (size_t bit = 0; bit < bytes.size() * 8; ++bit) {
    CAPTURE(bit);
    std::string flipped = bytes;
    flipped[bit / 8] = static_cast<char>(flipped[bit / 8] ^ (1 << (bit % 8)));
    OffsetIndex index;
    const bool ok = index.Load(flipped, 20000);
    CheckSane(index, 20000);
    // Entries before the flipped one are kept as they were.
    const size_t hit = bit / 8 / OffsetIndex::kEntrySize;
    REQUIRE(index.size() >= hit);
    for (size_t i = 0; i < hit; ++i) CHECK(index.entries()[i].position == kEntries[i].position);
    if (!ok) ++refused;
  }
  CHECK(refused > 0);
}

TEST_CASE("time index: lookups find the entry strictly before a timestamp") {
  const std::vector<TimeIndexEntry> entries = {{1000, 3}, {2000, 10}, {3000, 25}};
  TimeIndex index;
  REQUIRE(index.Load(EncodedTime(entries), -1));
  CHECK(index.LookupBefore(500).timestamp == -1);
  CHECK(index.LookupBefore(1000).timestamp == -1);  // a record at 1000 may be before offset 3
  CHECK(index.LookupBefore(1001).relative_offset == 3);
  CHECK(index.LookupBefore(3000).relative_offset == 10);
  CHECK(index.LookupBefore(99999).relative_offset == 25);
  // Bounded by the segment's offsets; timestamps must increase.
  CHECK_FALSE(index.Load(EncodedTime(entries), 25));
  CHECK(index.size() == 2);
  CHECK_FALSE(index.Load(EncodedTime(std::vector<TimeIndexEntry>{{1000, 3}, {1000, 4}}), -1));
  CHECK(index.size() == 1);
  CHECK_FALSE(index.Load(EncodedTime(entries).substr(0, 30), -1));
  CHECK(index.size() == 2);
  index.TruncateToRelativeOffset(10);
  CHECK(index.size() == 1);
}
