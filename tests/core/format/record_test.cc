// Records inside a batch: random round trips and decoding of lying bytes.
#include <doctest/doctest.h>

#include <random>

#include "base/encoding.h"
#include "format/record.h"
#include "format/record_batch.h"
#include "format/record_batch_builder.h"
#include "support/batch_builders.h"

namespace kq::format {
namespace {

using testing::TestRecord;

Status Drain(std::string_view batch) {
  std::string scratch;
  return ForEachRecord(batch, &scratch, [](const RecordView&) { return Status::Ok(); });
}

class RandomRecords {
 public:
  explicit RandomRecords(uint32_t seed) : rng_(seed) {}

  std::optional<std::string> Bytes() {
    switch (Uniform(0, 5)) {
      case 0:
        return std::nullopt;
      case 1:
        return std::string();
      case 2:
        return RawBytes(Uniform(1, 8));
      case 3:
        return RawBytes(Uniform(100, 400));  // multi-byte length varints
      default:
        return RawBytes(Uniform(1, 40));
    }
  }

  std::vector<TestRecord> Records(bool gaps) {
    std::vector<TestRecord> out;
    const int n = Uniform(0, 40);
    const int64_t base_ts = Uniform(0, 3) == 0 ? -1 : 1'700'000'000'000 + Uniform(0, 1000);
    int32_t delta = -1;
    for (int i = 0; i < n; ++i) {
      TestRecord r;
      delta += gaps ? Uniform(1, 1000) : 1;
      r.offset_delta = delta;
      r.timestamp = base_ts + Uniform(-5000, 5000);  // negative deltas too
      r.key = Bytes();
      r.value = Bytes();
      const int headers = Uniform(0, 3);
      for (int h = 0; h < headers; ++h) r.headers.emplace_back(RawBytes(Uniform(0, 6)), Bytes());
      out.push_back(std::move(r));
    }
    return out;
  }

  int Uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  std::string RawBytes(int n) {
    std::string s(static_cast<size_t>(n), '\0');
    for (char& c : s) c = static_cast<char>(Uniform(0, 255));
    return s;
  }

 private:
  std::mt19937 rng_;
};

TEST_CASE("record: random records round-trip through none and zstd batches") {
  RandomRecords gen(20240601);
  for (int iter = 0; iter < 300; ++iter) {
    CAPTURE(iter);
    const bool gaps = iter % 3 == 0;
    const std::vector<TestRecord> records = gen.Records(gaps);
    for (Compression c : {Compression::kNone, Compression::kZstd}) {
      const std::string batch =
          testing::MakeBatch(records, {.compression = c, .base_offset = iter * 1000});
      auto h = DecodeBatchHeader(batch);
      REQUIRE(h.ok());
      CHECK(h->compression() == c);
      CHECK(h->records_count == static_cast<int32_t>(records.size()));
      if (!records.empty()) {
        CHECK(h->last_offset_delta == records.back().offset_delta);
        CHECK(h->base_timestamp == records.front().timestamp);
        int64_t max_ts = -1;
        for (const auto& r : records) max_ts = std::max(max_ts, r.timestamp);
        CHECK(h->max_timestamp == max_ts);
      }
      CHECK(testing::DecodeBatch(batch) == records);
    }
  }
}

TEST_CASE("record: absolute offsets are base offset plus delta") {
  const std::string batch = testing::MakeSimpleBatch(5000, 4);
  std::vector<int64_t> offsets;
  std::string scratch;
  REQUIRE(ForEachRecord(batch, &scratch, [&](const RecordView& r) {
            offsets.push_back(r.offset);
            return Status::Ok();
          }).ok());
  CHECK(offsets == std::vector<int64_t>{5000, 5001, 5002, 5003});
}

TEST_CASE("record: the callback's error stops the iteration and is returned") {
  const std::string batch = testing::MakeSimpleBatch(0, 10);
  int seen = 0;
  std::string scratch;
  const Status s = ForEachRecord(batch, &scratch, [&](const RecordView&) {
    return ++seen == 3 ? Status::Busy("stop here") : Status::Ok();
  });
  CHECK(s.IsBusy());
  CHECK(seen == 3);
}

// --- hand-made records sections ---------------------------------------------

// One record with every field given raw, so tests can make it lie.
struct RawRecord {
  std::optional<int32_t> length;  // default: the true length
  int64_t timestamp_delta = 0;
  int32_t offset_delta = 0;
  int32_t key_length = 1;
  std::string key = "k";
  int32_t value_length = 1;
  std::string value = "v";
  int32_t header_count = 0;
  std::string headers;  // raw header bytes
  std::string extra;    // bytes after the headers, inside the record

  std::string Encode() const {
    std::string body;
    body.push_back(0);
    PutVarint64(&body, timestamp_delta);
    PutVarint32(&body, offset_delta);
    PutVarint32(&body, key_length);
    body += key;
    PutVarint32(&body, value_length);
    body += value;
    PutVarint32(&body, header_count);
    body += headers + extra;
    std::string out;
    PutVarint32(&out, length.value_or(static_cast<int32_t>(body.size())));
    return out + body;
  }
};

std::string Template() {
  return testing::MakeBatch({TestRecord{.offset_delta = 0, .timestamp = 10},
                             TestRecord{.offset_delta = 1, .timestamp = 11},
                             TestRecord{.offset_delta = 2, .timestamp = 12}});
}

// A valid batch (CRC fixed) whose records section is `section`.
std::string WithSection(const std::string& section, int32_t count) {
  return testing::ReplaceRecords(Template(), section, count);
}

void CheckCorrupt(const std::string& batch, std::string_view needle) {
  REQUIRE(ValidateBatch(batch).ok());  // the CRC is right; the records lie
  const Status s = Drain(batch);
  CAPTURE(s.ToString());
  CHECK(s.IsCorruption());
  CHECK(s.message().find(needle) != std::string::npos);
}

TEST_CASE("record: the hand-made encoder agrees with EncodeRecord") {
  std::string ours;
  EncodeRecord(&ours, 0, 0, "k", "v", {});
  CHECK(ours == RawRecord{}.Encode());
  CHECK(ours.size() == EncodedRecordSize(0, 0, "k", "v", {}));
  CHECK(Drain(WithSection(ours, 1)).ok());
}

TEST_CASE("record: a section that lies is Corruption naming the record and position") {
  const RawRecord ok;
  SUBCASE("record length past the section") {
    RawRecord r;
    r.length = 200;
    CheckCorrupt(WithSection(r.Encode(), 1), "record 0 of 1");
  }
  SUBCASE("negative record length") {
    RawRecord r;
    r.length = -3;
    CheckCorrupt(WithSection(r.Encode() + ok.Encode(), 2), "record length");
  }
  SUBCASE("record length shorter than its fields") {
    RawRecord r;
    r.length = 4;
    CheckCorrupt(WithSection(r.Encode() + std::string(10, '\0'), 2), "record 0");
  }
  SUBCASE("record length longer than its fields") {
    RawRecord r;
    r.extra = "xx";
    CheckCorrupt(WithSection(r.Encode(), 1), "leaves 2 bytes");
  }
  SUBCASE("key length below -1") {
    RawRecord r;
    r.key_length = -2;
    r.key = "";
    CheckCorrupt(WithSection(ok.Encode() + r.Encode(), 2), "record 1 of 2");
  }
  SUBCASE("value length beyond the record") {
    RawRecord r;
    r.value_length = 50;
    CheckCorrupt(WithSection(r.Encode(), 1), "runs past the end of the record");
  }
  SUBCASE("header count larger than the bytes left") {
    RawRecord r;
    r.header_count = 1'000'000;
    CheckCorrupt(WithSection(r.Encode(), 1), "headers cannot fit");
  }
  SUBCASE("negative header count") {
    RawRecord r;
    r.header_count = -1;
    CheckCorrupt(WithSection(r.Encode(), 1), "header count");
  }
  SUBCASE("null header key") {
    RawRecord r;
    r.header_count = 1;
    PutVarint32(&r.headers, -1);
    PutVarint32(&r.headers, -1);
    CheckCorrupt(WithSection(r.Encode(), 1), "header keys may not be null");
  }
  SUBCASE("header value past the record") {
    RawRecord r;
    r.header_count = 1;
    PutVarint32(&r.headers, 1);
    r.headers += "h";
    PutVarint32(&r.headers, 9);
    CheckCorrupt(WithSection(r.Encode(), 1), "header value");
  }
  SUBCASE("overlong varint") {
    std::string section = ok.Encode();
    section += std::string(6, '\x80') + '\x01';  // a 7-byte varint32 record length
    CheckCorrupt(WithSection(section, 2), "bad or truncated varint");
  }
  SUBCASE("overlong varlong timestamp delta") {
    std::string section;
    PutVarint32(&section, 20);
    section.push_back(0);
    section += std::string(11, '\xff') + '\x01';
    section.resize(21, '\0');
    CheckCorrupt(WithSection(section, 1), "timestampDelta");
  }
  SUBCASE("fewer records than recordsCount") {
    RawRecord r;
    r.value = std::string(30, 'v');
    r.value_length = 30;
    CheckCorrupt(WithSection(r.Encode(), 2), "declares 2 records");
  }
  SUBCASE("more records than recordsCount") {
    RawRecord second;
    second.offset_delta = 1;
    CheckCorrupt(WithSection(ok.Encode() + second.Encode(), 1), "after the 1 records");
  }
  SUBCASE("a recordsCount that cannot fit") {
    CheckCorrupt(WithSection(ok.Encode(), 0x7fffffff), "cannot fit");
  }
  SUBCASE("offset deltas that repeat") {
    CheckCorrupt(WithSection(ok.Encode() + ok.Encode(), 2), "out of order");
  }
  SUBCASE("an offset delta beyond lastOffsetDelta") {
    RawRecord r;
    r.offset_delta = 3;  // the template's lastOffsetDelta is 2
    CheckCorrupt(WithSection(r.Encode(), 1), "out of order");
  }
}

TEST_CASE("record: random garbage with a valid CRC never crashes the decoder") {
  const std::string good = testing::MakeBatch(RandomRecords(7).Records(false));
  const std::string section = good.substr(kRecordsPos);
  RandomRecords gen(99);
  int corrupt = 0;
  for (int iter = 0; iter < 20000; ++iter) {
    std::string s;
    switch (iter % 4) {
      case 0:
        s = gen.RawBytes(gen.Uniform(0, 200));
        break;
      case 1: {  // a few flipped bytes of a real section
        s = section;
        for (int k = gen.Uniform(1, 4); k > 0 && !s.empty(); --k) {
          s[gen.Uniform(0, static_cast<int>(s.size()) - 1)] =
              static_cast<char>(gen.Uniform(0, 255));
        }
        break;
      }
      case 2:  // a real section cut short
        s = section.substr(0, gen.Uniform(0, static_cast<int>(section.size())));
        break;
      default:  // a real section with bytes inserted
        s = section;
        s.insert(gen.Uniform(0, static_cast<int>(s.size())), gen.RawBytes(gen.Uniform(1, 5)));
    }
    const int32_t count = gen.Uniform(0, 3) == 0 ? gen.Uniform(-2, 100) : 40;
    std::string batch = testing::ReplaceRecords(good, s, count);
    const Status st = Drain(batch);
    if (!st.ok()) {
      CHECK(st.IsCorruption());
      ++corrupt;
    }
    // The same bytes claimed to be zstd: the decompressor must cope too.
    batch[kAttributesPos + 1] = static_cast<char>(Compression::kZstd);
    FinishCrc(batch.data(), batch.size());
    const Status z = Drain(batch);
    if (!z.ok()) CHECK(z.IsCorruption());
  }
  CHECK(corrupt > 15000);
}

}  // namespace
}  // namespace kq::format
