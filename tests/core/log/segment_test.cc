// Segment on its own: appending with index entries every
// index.interval.bytes, lookups, reopening from the files, another writer's
// appends and truncations, torn and damaged tails, truncation and rebuilds.
#include "log/segment.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include <fmt/format.h>

#include "io/mem_env.h"
#include "support/batch_builders.h"
#include "support/log_helpers.h"

using namespace kq;
using kq::log::Segment;

namespace {

const std::string kDir = "/d/t-0";
const Offset kBase(100);
const log::SegmentOptions kOptions{.index_interval_bytes = 300, .max_batch_bytes = 1 << 20};

struct Written {
  std::vector<std::string> batches;
  std::vector<uint64_t> positions;
  std::vector<int64_t> last_offsets;
};

// Appends `n` batches of 1..4 records continuing at `next`, with timestamps
// from `ts`, one Append call per `per_call` batches.
void AppendBatches(Segment& seg, int n, int64_t ts, Written* w, int per_call = 1) {
  int64_t next = seg.next_offset().value();
  for (int i = 0; i < n; i += per_call) {
    std::string buffer;
    std::vector<log::AppendedBatch> meta;
    for (int j = i; j < std::min(n, i + per_call); ++j) {
      const int count = 1 + j % 4;
      std::string b = testing::MakeSimpleBatch(next, count, ts + j);
      meta.push_back({buffer.size(), b.size(), next + count - 1, ts + j + count - 1});
      w->positions.push_back(seg.size() + buffer.size());
      w->last_offsets.push_back(next + count - 1);
      buffer += b;
      w->batches.push_back(std::move(b));
      next += count;
    }
    REQUIRE(seg.Append(buffer, meta).ok());
  }
}

std::unique_ptr<Segment> Create(io::Env* env) {
  REQUIRE(env->CreateDir(kDir).ok());
  auto seg = Segment::Create(env, kDir, kBase, kOptions);
  REQUIRE_MESSAGE(seg.ok(), seg.status().ToString());
  return std::move(*seg);
}

std::unique_ptr<Segment> Open(io::Env* env) {
  auto seg = Segment::Open(env, kDir, kBase, kOptions);
  REQUIRE_MESSAGE(seg.ok(), seg.status().ToString());
  return std::move(*seg);
}

void CheckSameState(const Segment& a, const Segment& b) {
  CHECK(a.size() == b.size());
  CHECK(a.next_offset() == b.next_offset());
  CHECK(a.max_timestamp() == b.max_timestamp());
  CHECK(a.first_batch_timestamp() == b.first_batch_timestamp());
  CHECK(a.index_entries() == b.index_entries());
  CHECK(a.torn_tail() == b.torn_tail());
}

}  // namespace

TEST_CASE(
    "segment: appends track the end, offsets and timestamps, with an index entry every interval") {
  io::MemEnv env;
  auto seg = Create(&env);
  CHECK(seg->empty());
  CHECK(seg->first_batch_timestamp() == -1);
  Written w;
  AppendBatches(*seg, 20, 5000, &w, 3);
  CHECK(seg->size() == w.positions.back() + w.batches.back().size());
  CHECK(seg->next_offset() == Offset(w.last_offsets.back() + 1));
  CHECK(seg->first_batch_timestamp() == 5000);
  CHECK(seg->max_timestamp() == 5000 + 19 + 3);  // the last batch's last record
  // Kafka's rule: an entry once more than the interval was written since the last.
  size_t expected_entries = 0;
  uint64_t since = 0;
  for (const auto& b : w.batches) {
    since += b.size();
    if (since >= kOptions.index_interval_bytes) {
      ++expected_entries;
      since = 0;
    }
  }
  CHECK(seg->index_entries() == expected_entries);
  CHECK(expected_entries > 2);
  for (const auto& e : seg->offset_index().entries()) {
    // Each entry names a batch start and that batch's last offset.
    auto it = std::find(w.positions.begin(), w.positions.end(), e.position);
    REQUIRE(it != w.positions.end());
    CHECK(w.last_offsets[it - w.positions.begin()] == kBase.value() + e.relative_offset);
  }
  // Every offset finds the batch holding it; past the end finds size().
  for (size_t i = 0; i < w.batches.size(); ++i) {
    const int64_t first = i == 0 ? kBase.value() : w.last_offsets[i - 1] + 1;
    for (int64_t o = first; o <= w.last_offsets[i]; ++o) {
      auto pos = seg->FindPosition(Offset(o));
      REQUIRE(pos.ok());
      CHECK(pos->value() == w.positions[i]);
    }
  }
  CHECK(seg->FindPosition(Offset(0))->value() == 0);
  CHECK(seg->FindPosition(seg->next_offset())->value() == seg->size());
  CHECK(seg->FindTimestampPosition(0)->value() == 0);
  // The first batch whose largest timestamp reaches 5010: batch j holds
  // 5000 + j .. 5000 + j + j % 4.
  size_t first_late = 0;
  while (5000 + first_late + first_late % 4 < 5010) ++first_late;
  CHECK(seg->FindTimestampPosition(5010)->value() == w.positions[first_late]);
  CHECK(seg->FindTimestampPosition(99999)->value() == seg->size());
}

TEST_CASE("segment: reopening learns the same state from the files") {
  io::MemEnv env;
  auto seg = Create(&env);
  Written w;
  AppendBatches(*seg, 25, 7000, &w);
  auto again = Open(&env);
  CheckSameState(*seg, *again);
  CHECK_FALSE(again->indexes_need_rebuild());
  CHECK(again->tail_damage().ok());
  // Without its indexes it still knows the log, and asks for a rebuild.
  REQUIRE(env.RemoveFile(seg->index_path()).ok());
  auto bare = Open(&env);
  CHECK(bare->indexes_need_rebuild());
  CHECK(bare->next_offset() == seg->next_offset());
  CHECK(bare->size() == seg->size());
  REQUIRE(bare->RebuildIndexes().ok());
  CHECK_FALSE(bare->indexes_need_rebuild());
  CHECK(bare->index_entries() == seg->index_entries());
  CHECK(Open(&env)->index_entries() == seg->index_entries());
}

TEST_CASE("segment: Refresh picks up another writer's appends and truncations") {
  io::MemEnv env;
  auto writer = Create(&env);
  Written w;
  AppendBatches(*writer, 5, 1000, &w);
  auto reader = Open(&env);
  AppendBatches(*writer, 12, 2000, &w);
  CHECK(reader->next_offset() < writer->next_offset());
  REQUIRE(reader->Refresh().ok());
  CheckSameState(*writer, *reader);
  // The writer cuts back to two batches and writes new ones with later
  // timestamps: the reader starts over, first-batch timestamp included.
  REQUIRE(writer->TruncateAtPosition(0).ok());
  Written w2;
  AppendBatches(*writer, 2, 90000, &w2);
  REQUIRE(reader->Refresh().ok());
  CheckSameState(*writer, *reader);
  CHECK(reader->first_batch_timestamp() == 90000);
}

TEST_CASE("segment: truncation forgets the state past the cut, the first batch's timestamp too") {
  io::MemEnv env;
  auto seg = Create(&env);
  Written w;
  AppendBatches(*seg, 20, 3000, &w);
  REQUIRE(seg->TruncateAtPosition(w.positions[7]).ok());
  CHECK(seg->size() == w.positions[7]);
  CHECK(seg->next_offset() == Offset(w.last_offsets[6] + 1));
  CHECK(seg->max_timestamp() == 3000 + 6 + 6 % 4);
  for (const auto& e : seg->offset_index().entries()) CHECK(e.position < w.positions[7]);
  CheckSameState(*seg, *Open(&env));
  REQUIRE(seg->TruncateAtPosition(0).ok());
  CHECK(seg->empty());
  CHECK(seg->next_offset() == kBase);
  CHECK(seg->max_timestamp() == -1);
  CHECK(seg->first_batch_timestamp() == -1);
  CHECK(seg->index_entries() == 0);
  // Appends start again at the base.
  Written w2;
  AppendBatches(*seg, 1, 50000, &w2);
  CHECK(seg->first_batch_timestamp() == 50000);
  CHECK(w2.positions[0] == 0);
}

TEST_CASE("segment: a torn tail is not damage; garbage and offsets going backwards are") {
  io::MemEnv env;
  auto seg = Create(&env);
  Written w;
  AppendBatches(*seg, 4, 1000, &w);
  const uint64_t end = seg->size();
  const std::string next = testing::MakeSimpleBatch(seg->next_offset().value(), 2, 2000);
  testing::AppendBytes(&env, seg->log_path(), next.substr(0, next.size() / 2));
  auto torn = Open(&env);
  CHECK(torn->torn_tail());
  CHECK(torn->tail_damage().ok());
  CHECK(torn->size() == end);
  // The rest of the batch arrives: Refresh reads it whole.
  testing::AppendBytes(&env, seg->log_path(), next.substr(next.size() / 2));
  REQUIRE(torn->Refresh().ok());
  CHECK_FALSE(torn->torn_tail());
  CHECK(torn->size() == end + next.size());

  // A batch whose offsets go back below the end.
  testing::AppendBytes(&env, seg->log_path(), testing::MakeSimpleBatch(kBase.value(), 1, 3000));
  auto back = Open(&env);
  CHECK(back->tail_damage().IsCorruption());
  CHECK(back->tail_damage().message().find(
            fmt::format("{}: batch at position {}: offset 100 goes backwards", seg->log_path(),
                        end + next.size())) != std::string::npos);
  CHECK(back->size() == end + next.size());
}

TEST_CASE("segment: sealing adds the final time index entry and survives a reopen") {
  io::MemEnv env;
  auto seg = Create(&env);
  Written w;
  AppendBatches(*seg, 3, 1000, &w);
  const size_t before = seg->time_index_entries();
  REQUIRE(seg->Seal().ok());
  CHECK(seg->time_index_entries() == before + 1);
  CHECK(seg->time_index().back().timestamp == seg->max_timestamp());
  CHECK(seg->time_index().back().relative_offset == seg->next_offset() - kBase - 1);
  CHECK(Open(&env)->time_index_entries() == before + 1);
}
