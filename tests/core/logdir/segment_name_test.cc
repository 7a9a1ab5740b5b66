#include "log/segment_name.h"

#include <doctest/doctest.h>

#include <limits>
#include <string>

using kq::Offset;
using kq::PartitionId;
using namespace kq::log;

TEST_CASE("segment name: base offsets are printed as 20 zero-padded digits") {
  CHECK(MakeSegmentFileName(Offset(123), SegmentFileKind::kLog) == "00000000000000000123.log");
  CHECK(MakeSegmentFileName(Offset(0), SegmentFileKind::kIndex) == "00000000000000000000.index");
  CHECK(MakeSegmentFileName(Offset(368769), SegmentFileKind::kTimeIndex) ==
        "00000000000000368769.timeindex");
  CHECK(MakeSegmentFileName(Offset(5), SegmentFileKind::kLog, TransientSuffix::kCleaned) ==
        "00000000000000000005.log.cleaned");
  CHECK(MakeSegmentFileName(Offset(5), SegmentFileKind::kIndex, TransientSuffix::kSwap) ==
        "00000000000000000005.index.swap");
  CHECK(MakeSegmentFileName(Offset(5), SegmentFileKind::kTimeIndex, TransientSuffix::kDeleted) ==
        "00000000000000000005.timeindex.deleted");
}

TEST_CASE("segment name: every kind and transient suffix round-trips") {
  const SegmentFileKind kinds[] = {SegmentFileKind::kLog, SegmentFileKind::kIndex,
                                   SegmentFileKind::kTimeIndex};
  const TransientSuffix transients[] = {TransientSuffix::kNone, TransientSuffix::kCleaned,
                                        TransientSuffix::kSwap, TransientSuffix::kDeleted};
  const int64_t offsets[] = {0, 1, 42, 1234567890123, std::numeric_limits<int64_t>::max()};
  for (int64_t offset : offsets) {
    for (SegmentFileKind kind : kinds) {
      for (TransientSuffix transient : transients) {
        std::string name = MakeSegmentFileName(Offset(offset), kind, transient);
        CAPTURE(name);
        auto parsed = ParseSegmentFileName(name);
        REQUIRE(parsed.ok());
        CHECK(parsed->base_offset == Offset(offset));
        CHECK(parsed->kind == kind);
        CHECK(parsed->transient == transient);
      }
    }
  }
}

TEST_CASE("segment name: anything but 20 digits and a known suffix is rejected") {
  const char* rejects[] = {
      "",
      ".log",
      "123.log",                    // not padded
      "0000000000000000000.log",    // 19 digits
      "000000000000000000000.log",  // 21 digits
      "0000000000000000000a.log",   // not a digit
      "-0000000000000000001.log",   // sign
      "+0000000000000000001.log",
      "00000000000000000000",           // no suffix
      "00000000000000000000.txnindex",  // Kafka's, not ours
      "00000000000000000000.snapshot",
      "00000000000000000000.log.tmp",
      "00000000000000000000.cleaned",           // transient with no kind
      "00000000000000000000.log.cleaned.swap",  // two transients
      "00000000000000000000.LOG",
      "00000000000000000000.log ",
      "99999999999999999999.log",  // beyond int64
      "09223372036854775808.log",  // int64 max + 1
      "leader-epoch-checkpoint",
  };
  for (const char* name : rejects) {
    CAPTURE(name);
    auto parsed = ParseSegmentFileName(name);
    CHECK(!parsed.ok());
    CHECK(parsed.status().IsInvalidArgument());
  }
}

TEST_CASE("partition dir: name is topic, dash, partition") {
  CHECK(PartitionDirName("orders", PartitionId(3)) == "orders-3");
  CHECK(PartitionDirName("my-topic", PartitionId(11)) == "my-topic-11");
  CHECK(PartitionDirName("__consumer_offsets", PartitionId(0)) == "__consumer_offsets-0");
}

TEST_CASE("partition dir: the partition is after the last dash") {
  struct Case {
    const char* name;
    const char* topic;
    int32_t partition;
  };
  const Case cases[] = {{"orders-3", "orders", 3},
                        {"my-topic-11", "my-topic", 11},
                        {"a-b-c-0", "a-b-c", 0},
                        {"t--1", "t-", 1},
                        {"x.y_z-2147483647", "x.y_z", 2147483647}};
  for (const Case& c : cases) {
    CAPTURE(c.name);
    auto parsed = ParsePartitionDirName(c.name);
    REQUIRE(parsed.ok());
    CHECK(parsed->topic == c.topic);
    CHECK(parsed->partition == PartitionId(c.partition));
    CHECK(PartitionDirName(parsed->topic, parsed->partition) == c.name);
  }
}

TEST_CASE("partition dir: renamed, malformed and foreign folders are rejected") {
  const char* rejects[] = {
      "t-0.abc123-delete",  // Kafka's deletion-pending rename
      "t-0.abc123-future",
      "t-0.abc123-stray",
      "orders",
      "orders-",
      "-3",
      "orders-03",  // would not round-trip
      "orders-+3",
      "orders-3a",
      "orders-2147483648",  // beyond int32
      "..-1",
      ".-1",
      "bad/topic-1",
      ".kq",
      "",
  };
  for (const char* name : rejects) {
    CAPTURE(name);
    auto parsed = ParsePartitionDirName(name);
    CHECK(!parsed.ok());
    CHECK(parsed.status().IsInvalidArgument());
  }
}
