// BatchFilter (core/maint/batch_filter.h): what one batch keeps under
// compaction, on kq's own batches and on librdkafka's golden bytes, and what
// it does with clipped and bit-flipped input.
#include "maint/batch_filter.h"

#include <doctest/doctest.h>

#include <map>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "format/record.h"
#include "format/record_batch.h"
#include "support/batch_builders.h"
#include "support/golden.h"

namespace kq::maint {
namespace {

using format::Compression;
using testing::TestRecord;

constexpr int64_t kNow = 1'800'000'000'000;
constexpr int64_t kRetention = 86'400'000;

std::optional<std::string> Owned(std::optional<std::string_view> v) {
  return v ? std::optional<std::string>(*v) : std::nullopt;
}

// Every record of a batch, without the CRC check of testing::DecodeBatch:
// the filter is also fed bytes whose CRC no longer matches.
Result<std::vector<TestRecord>> Records(std::string_view batch) {
  std::vector<TestRecord> out;
  std::string scratch;
  Status s = format::ForEachRecord(batch, &scratch, [&](const format::RecordView& r) {
    TestRecord t{r.offset_delta, r.timestamp, Owned(r.key), Owned(r.value)};
    for (const format::HeaderView& h : r.headers) {
      t.headers.emplace_back(std::string(h.key), Owned(h.value));
    }
    out.push_back(std::move(t));
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return out;
}

format::BatchHeader Header(std::string_view batch) {
  auto h = format::DecodeBatchHeader(batch);
  REQUIRE(h.ok());
  return *h;
}

// Maps every keyed record of the batch to its offset (later records win).
void MapBatch(KeyMap* map, std::string_view batch) {
  const int64_t base = Header(batch).base_offset;
  auto records = Records(batch);
  REQUIRE(records.ok());
  for (const TestRecord& r : *records) {
    if (r.key) map->Put(HashKey(*r.key), base + r.offset_delta);
  }
}

struct Filtered {
  FilterOutcome outcome = FilterOutcome::kKept;
  std::string out;
  FilterStats stats;
};

Filtered Run(const FilterContext& context, std::string_view batch, bool keep_if_empty = false) {
  BatchFilter filter(context);
  Filtered f;
  auto outcome = filter.Filter(batch, Header(batch), keep_if_empty, &f.out, &f.stats);
  REQUIRE_MESSAGE(outcome.ok(), outcome.status().ToString());
  f.outcome = *outcome;
  return f;
}

// The rule of batch_filter.h, written out independently: which records of a
// mapped, non-control batch survive.
std::vector<TestRecord> ExpectedKept(const KeyMap& map, const format::BatchHeader& h,
                                     const std::vector<TestRecord>& in, int64_t now) {
  const bool horizon_passed = h.has_delete_horizon() && now >= h.base_timestamp;
  std::vector<TestRecord> kept;
  for (const TestRecord& r : in) {
    if (!r.key) continue;
    if (map.Get(HashKey(*r.key)) > h.base_offset + r.offset_delta) continue;
    if (!r.value && horizon_passed) continue;
    kept.push_back(r);
  }
  return kept;
}

// A rebuilt batch: valid, same identity fields and codec, the expected
// records, and a delete horizon exactly when it keeps tombstones.
void CheckRebuilt(const std::string& out, const format::BatchHeader& in,
                  const std::vector<TestRecord>& kept, int64_t horizon_if_new) {
  REQUIRE(format::ValidateBatch(out).ok());
  const format::BatchHeader h = Header(out);
  CHECK(h.base_offset == in.base_offset);
  CHECK(h.last_offset_delta == in.last_offset_delta);
  CHECK(h.partition_leader_epoch == in.partition_leader_epoch);
  CHECK(h.producer_id == in.producer_id);
  CHECK(h.producer_epoch == in.producer_epoch);
  CHECK(h.base_sequence == in.base_sequence);
  CHECK(h.compression() == in.compression());
  CHECK(h.is_transactional() == in.is_transactional());
  CHECK(h.is_log_append_time() == in.is_log_append_time());
  CHECK(testing::DecodeBatch(out) == kept);
  bool tombstones = false;
  for (const TestRecord& r : kept) tombstones |= !r.value;
  CHECK(h.has_delete_horizon() == tombstones);
  if (tombstones) {
    CHECK(h.base_timestamp == (in.has_delete_horizon() ? in.base_timestamp : horizon_if_new));
  }
  if (kept.empty()) CHECK(h.max_timestamp == in.max_timestamp);
}

std::vector<TestRecord> Mixed() {
  return {{.offset_delta = 0,
           .timestamp = 1000,
           .key = "a",
           .value = "a0",
           .headers = {{"h", "x"}, {"h", std::nullopt}}},
          {.offset_delta = 1, .timestamp = 1001, .key = std::nullopt, .value = "keyless"},
          {.offset_delta = 2, .timestamp = 999, .key = "b", .value = std::nullopt},
          {.offset_delta = 3, .timestamp = 1003, .key = "a", .value = "a1"},
          {.offset_delta = 5, .timestamp = 1005, .key = "", .value = ""}};
}

TEST_CASE("batch filter: keyless and superseded records go, tombstones get a horizon once") {
  for (const Compression codec : {Compression::kNone, Compression::kZstd}) {
    CAPTURE(static_cast<int>(codec));
    const std::string batch = testing::MakeBatch(Mixed(), {.compression = codec,
                                                           .base_offset = 40,
                                                           .partition_leader_epoch = 3,
                                                           .producer_id = 77,
                                                           .producer_epoch = 2,
                                                           .base_sequence = 9,
                                                           .last_offset_delta = 7});
    KeyMap map(1 << 20);
    MapBatch(&map, batch);
    const FilterContext context{&map, 100, kNow, kRetention};
    Filtered f = Run(context, batch);
    REQUIRE(f.outcome == FilterOutcome::kRewritten);
    const std::vector<TestRecord> kept = {Mixed()[2], Mixed()[3], Mixed()[4]};
    CheckRebuilt(f.out, Header(batch), kept, kNow + kRetention);
    CHECK(f.stats.records == 5);
    CHECK(f.stats.keyless_removed == 1);
    CHECK(f.stats.superseded == 1);
    CHECK(f.stats.tombstones_removed == 0);
    CHECK(f.stats.horizons_set == 1);
    CHECK(f.stats.batches_rewritten == 1);

    // Again before the horizon: nothing to change, the bytes are kept.
    Filtered again = Run({&map, 100, kNow + kRetention - 1, kRetention}, f.out);
    CHECK(again.outcome == FilterOutcome::kKept);
    CHECK(again.stats.horizons_set == 0);
    // Rewritten again before the horizon (a later "a" arrived): the tombstone
    // keeps the horizon it has, the wait does not restart.
    KeyMap newer(1 << 20);
    MapBatch(&newer, batch);
    newer.Put(HashKey("a"), 60);
    Filtered moved = Run({&newer, 100, kNow + 1000, kRetention}, f.out);
    REQUIRE(moved.outcome == FilterOutcome::kRewritten);
    CHECK(moved.stats.horizons_set == 0);
    CheckRebuilt(moved.out, Header(f.out), {Mixed()[2], Mixed()[4]}, -1);
    CHECK(Header(moved.out).base_timestamp == kNow + kRetention);
    // At the horizon the tombstone goes.
    Filtered late = Run({&map, 100, kNow + kRetention, kRetention}, f.out);
    REQUIRE(late.outcome == FilterOutcome::kRewritten);
    CHECK(late.stats.tombstones_removed == 1);
    CheckRebuilt(late.out, Header(f.out), {Mixed()[3], Mixed()[4]}, -1);
  }
}

TEST_CASE("batch filter: an emptied batch is dropped, or kept empty at the same offsets") {
  const std::string batch =
      testing::MakeBatch({{.offset_delta = 0, .timestamp = 5000, .key = "k", .value = "1"},
                          {.offset_delta = 1, .timestamp = 7000, .key = "k", .value = "2"}},
                         {.base_offset = 10});
  KeyMap map(1 << 20);
  map.Put(HashKey("k"), 50);  // a later batch holds k's latest value
  const FilterContext context{&map, 100, kNow, kRetention};
  Filtered dropped = Run(context, batch, /*keep_if_empty=*/false);
  CHECK(dropped.outcome == FilterOutcome::kDropped);
  CHECK(dropped.stats.batches_dropped == 1);
  CHECK(dropped.stats.superseded == 2);
  Filtered empty = Run(context, batch, /*keep_if_empty=*/true);
  REQUIRE(empty.outcome == FilterOutcome::kRewritten);
  CheckRebuilt(empty.out, Header(batch), {}, -1);
  CHECK(Header(empty.out).records_count == 0);
  CHECK(Header(empty.out).max_timestamp == 7000);  // retention still sees its age
}

TEST_CASE("batch filter: control batches and batches past the map's end are not touched") {
  KeyMap map(1 << 20);
  map.Put(HashKey("k1"), 1000);  // would supersede everything below
  const FilterContext context{&map, 100, kNow, kRetention};
  const std::string past_end = testing::MakeSimpleBatch(100, 3);
  Filtered f = Run(context, past_end);
  CHECK(f.outcome == FilterOutcome::kKept);
  CHECK(f.stats.removed() == 0);
  format::RecordBatchBuilder control({.base_offset = 10, .is_control = true});
  control.Add(1000, "k1", std::nullopt);
  auto marker = control.Finish();
  REQUIRE(marker.ok());
  f = Run(context, *marker);
  CHECK(f.outcome == FilterOutcome::kKept);
  CHECK(f.stats.removed() == 0);
  // The same record in an ordinary batch below the map's end does go.
  CHECK(Run(context, testing::MakeSimpleBatch(1, 1)).outcome == FilterOutcome::kDropped);
}

TEST_CASE("batch filter: librdkafka's golden batches keep what the rule keeps") {
  auto golden = testing::LoadGoldenBatches();
  REQUIRE_MESSAGE(golden.ok(), golden.status().ToString());
  int rewritten = 0, kept_whole = 0;
  for (const testing::GoldenBatch& g : *golden) {
    CAPTURE(g.name);
    const format::BatchHeader h = Header(g.bytes);
    auto in = Records(g.bytes);
    REQUIRE(in.ok());
    // The batch mapped on its own: only repeated keys, keyless records and
    // the first horizon change anything.
    KeyMap map(1 << 20);
    MapBatch(&map, g.bytes);
    const FilterContext context{&map, h.next_offset(), kNow, kRetention};
    Filtered f = Run(context, g.bytes);
    const std::vector<TestRecord> kept = ExpectedKept(map, h, *in, kNow);
    bool tombstones = false;
    for (const TestRecord& r : kept) tombstones |= !r.value;
    if (kept == *in && !tombstones) {
      CHECK(f.outcome == FilterOutcome::kKept);
      ++kept_whole;
    } else {
      REQUIRE(f.outcome == FilterOutcome::kRewritten);
      CheckRebuilt(f.out, h, kept, kNow + kRetention);
      ++rewritten;
    }
    // Every other keyed record superseded by a later batch.
    for (size_t i = 0; i < in->size(); i += 2) {
      if ((*in)[i].key) map.Put(HashKey(*(*in)[i].key), h.next_offset() + 5);
    }
    const FilterContext later{&map, h.next_offset() + 10, kNow, kRetention};
    Filtered g2 = Run(later, g.bytes, /*keep_if_empty=*/true);
    REQUIRE(g2.outcome == FilterOutcome::kRewritten);
    CheckRebuilt(g2.out, h, ExpectedKept(map, h, *in, kNow), kNow + kRetention);
  }
  // plain-keyed-headers, binary and plain-1000 stay whole; zstd-50 repeats
  // keys and null-key-null-value-empty has a keyless record and a tombstone.
  CHECK(kept_whole >= 3);
  CHECK(rewritten >= 2);
}

// A batch the filter must rewrite: five records, one of each kind.
std::vector<std::string> Inputs() {
  return {testing::MakeBatch(Mixed(), {.base_offset = 40}),
          testing::MakeBatch(Mixed(), {.compression = Compression::kZstd, .base_offset = 40})};
}

TEST_CASE("batch filter: a clipped batch is an error naming its offset, never a rewrite") {
  for (const std::string& batch : Inputs()) {
    const format::BatchHeader h = Header(batch);  // what the scanner read first
    KeyMap map(1 << 20);
    MapBatch(&map, batch);
    for (size_t n = 0; n < batch.size(); ++n) {
      CAPTURE(n);
      BatchFilter filter({&map, 100, kNow, kRetention});
      std::string out = "untouched";
      FilterStats stats;
      auto outcome = filter.Filter(std::string_view(batch).substr(0, n), h, true, &out, &stats);
      REQUIRE(!outcome.ok());
      CHECK(outcome.status().IsCorruption());
      CHECK(outcome.status().message().rfind("batch at offset 40: ", 0) == 0);
      CHECK(out == "untouched");
    }
  }
}

TEST_CASE("batch filter: a flipped bit gives an error or a batch of the input's own records") {
  // The filter is given batches whose CRC the scanner checked, so a flip that
  // still decodes is not its to detect. What it must never do is crash, pass
  // damage on under a fresh CRC as a record the input did not hold, or keep
  // going after the decoder failed.
  int errors = 0, rewrites = 0;
  for (const std::string& original : Inputs()) {
    KeyMap map(1 << 20);
    MapBatch(&map, original);
    for (size_t bit = 0; bit < original.size() * 8; ++bit) {
      std::string batch = original;
      batch[bit / 8] = static_cast<char>(batch[bit / 8] ^ (1 << (bit % 8)));
      CAPTURE(bit);
      const format::BatchHeader h = Header(batch);
      BatchFilter filter({&map, 100, kNow, kRetention});
      std::string out;
      FilterStats stats;
      auto outcome = filter.Filter(batch, h, true, &out, &stats);
      if (h.is_control() || h.base_offset >= 100) {
        CHECK(outcome.ok());
        CHECK(*outcome == FilterOutcome::kKept);
        continue;
      }
      auto in = Records(batch);
      if (!in.ok()) {
        REQUIRE(!outcome.ok());
        CHECK(outcome.status().code() == in.status().code());
        CHECK(outcome.status().message().find(in.status().message()) != std::string::npos);
        const std::string prefix = fmt::format("batch at offset {}: ", h.base_offset);
        CHECK(outcome.status().message().rfind(prefix, 0) == 0);
        ++errors;
        continue;
      }
      // Decodable: the rebuild must be a subset of what was decoded.
      if (!outcome.ok()) {
        // Only the rebuild can refuse a decodable batch (a flipped codec).
        CHECK(outcome.status().message().rfind("rebuilding batch at offset", 0) == 0);
        continue;
      }
      if (*outcome != FilterOutcome::kRewritten) continue;
      ++rewrites;
      REQUIRE(format::ValidateBatch(out).ok());
      const std::vector<TestRecord> got = testing::DecodeBatch(out);
      CHECK(got == ExpectedKept(map, h, *in, kNow));
    }
  }
  CHECK(errors > 100);
  CHECK(rewrites > 100);
}

}  // namespace
}  // namespace kq::maint
