// Partition::AppendAsFollower and TruncateTo as a follower uses them: batches
// keep their offsets, epochs and bytes; bad ones are refused whole; the
// leader-epoch-checkpoint follows; a power cut in the middle of either
// leaves a prefix of whole batches from which the follower goes on.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include <fmt/format.h>

#include "io/fault_env.h"
#include "io/mem_env.h"
#include "log/leader_epoch_checkpoint.h"
#include "log/partition.h"
#include "log/partition_files.h"
#include "support/log_helpers.h"

using namespace kq;
using kq::testing::SmallOptions;

namespace {

const std::string kDir = "/d/t-0";

// A batch as a leader wrote it: `count` records from `base`, stamped `epoch`.
std::string LeaderBatch(int64_t base, int32_t epoch, int count) {
  std::string b = kq::testing::MakeBatch(fmt::format("e{}-o{}-", epoch, base), count, 1000 + base);
  format::SetBaseOffset(b.data(), base);
  format::SetPartitionLeaderEpoch(b.data(), epoch);
  return b;
}

// A leader's log: batches of 1..5 records, epochs changing at some batches.
std::vector<std::string> LeaderLog(int batches, int64_t base = 0) {
  std::vector<std::string> out;
  const int32_t epochs[] = {0, 0, 0, 2, 2, 3, 3, 3, 3, 7};
  for (int i = 0; i < batches; ++i) {
    const int count = 1 + i % 5;
    out.push_back(LeaderBatch(base, epochs[i * 10 / batches], count));
    base += count;
  }
  return out;
}

std::unique_ptr<log::Partition> OpenWrite(io::Env* env, uint64_t segment_bytes = 1024) {
  auto p = log::Partition::Open(kDir, SmallOptions(env, segment_bytes), log::OpenMode::kWrite);
  REQUIRE_MESSAGE(p.ok(), p.status().ToString());
  return std::move(*p);
}

// The whole log's bytes, batch after batch.
std::string AllBytes(log::Partition& p) {
  std::string out;
  Offset at = p.log_start_offset();
  while (at < p.log_end_offset()) {
    auto chunk = p.Read(at, 1 << 20);
    REQUIRE_MESSAGE(chunk.ok(), chunk.status().ToString());
    REQUIRE(!chunk->bytes.empty());
    out += chunk->bytes;
    at = chunk->next_offset;
  }
  return out;
}

std::string Join(const std::vector<std::string>& batches, size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out += batches[i];
  return out;
}

Offset EndOf(const std::string& batch) {
  auto h = format::DecodeBatchHeader(batch);
  REQUIRE(h.ok());
  return Offset(h->next_offset());
}

// The checkpoint the first `n` batches must leave: each epoch at its first batch.
std::vector<log::EpochEntry> EpochsOf(const std::vector<std::string>& batches, size_t n) {
  std::vector<log::EpochEntry> out;
  for (size_t i = 0; i < n; ++i) {
    auto h = format::DecodeBatchHeader(batches[i]);
    REQUIRE(h.ok());
    log::leader_epoch::Assign(&out, Epoch(h->partition_leader_epoch), Offset(h->base_offset));
  }
  return out;
}

std::vector<log::EpochEntry> EpochFile(io::Env* env) {
  auto entries = log::leader_epoch::Read(env, io::JoinPath(kDir, log::kLeaderEpochCheckpoint));
  REQUIRE_MESSAGE(entries.ok(), entries.status().ToString());
  return *entries;
}

void AppendAll(log::Partition& p, std::vector<std::string> batches, size_t from = 0) {
  for (size_t i = from; i < batches.size(); i += 3) {
    const size_t n = std::min<size_t>(3, batches.size() - i);
    auto r = p.AppendAsFollower(std::span<const std::string>(batches).subspan(i, n));
    REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  }
}

}  // namespace

TEST_CASE(
    "follower append: batches keep offsets, epochs and bytes across rolls; epochs are recorded") {
  io::MemEnv env;
  auto p = OpenWrite(&env);
  const auto leader = LeaderLog(40);
  AppendAll(*p, leader);
  CHECK(p->Segments().size() > 3);
  CHECK(p->log_end_offset() == EndOf(leader.back()));
  CHECK(AllBytes(*p) == Join(leader, leader.size()));
  const auto expected = EpochsOf(leader, leader.size());
  CHECK(EpochFile(&env) == expected);
  CHECK(expected.size() == 4);
  // Reopened, the log and the epochs are the same, and a leader append goes
  // on in the latest epoch.
  p.reset();
  p = OpenWrite(&env);
  CHECK(AllBytes(*p) == Join(leader, leader.size()));
  CHECK(p->leader_epoch() == Epoch(7));
}

TEST_CASE(
    "follower append: offsets that do not continue the log, bad bytes and older epochs are refused "
    "whole") {
  io::MemEnv env;
  auto options = SmallOptions(&env, 1024);
  options.max_batch_bytes = 2000;
  auto opened = log::Partition::Open(kDir, options, log::OpenMode::kWrite);
  REQUIRE(opened.ok());
  auto& p = *opened;
  const auto leader = LeaderLog(10);
  AppendAll(*p, std::vector<std::string>(leader.begin(), leader.begin() + 6));
  const Offset end = p->log_end_offset();
  const std::string before = AllBytes(*p);
  const auto epochs_before = EpochFile(&env);
  auto refused = [&](std::vector<std::string> batches, const std::string& says,
                     log::FollowerAppendOptions o = {}) {
    auto r = p->AppendAsFollower(batches, o);
    REQUIRE(!r.ok());
    CHECK(r.status().IsInvalidArgument());
    CHECK_MESSAGE(r.status().message().find(says) != std::string::npos, r.status().ToString());
    CHECK(p->log_end_offset() == end);
    CHECK(AllBytes(*p) == before);
    CHECK(EpochFile(&env) == epochs_before);
  };
  // A gap, an overlap, a gap inside the call.
  refused({LeaderBatch(end.value() + 1, 3, 2)},
          fmt::format("starts at offset {}, expected {}", end.value() + 1, end.value()));
  refused({LeaderBatch(end.value() - 1, 3, 2)}, "expected");
  refused({LeaderBatch(end.value(), 3, 2), LeaderBatch(end.value() + 3, 3, 1)},
          "batch 1 starts at offset");
  // Epochs going backwards: below the checkpoint's latest (3), or inside the call.
  refused({LeaderBatch(end.value(), 2, 2)}, "has leader epoch 2, below the latest epoch 3");
  refused({LeaderBatch(end.value(), 5, 2), LeaderBatch(end.value() + 2, 4, 1)}, "batch 1 (offset");
  // A flipped bit under the CRC, magic 1, a batch over the size limit.
  std::string bad = LeaderBatch(end.value(), 3, 2);
  bad[bad.size() - 3] ^= 0x10;
  refused({LeaderBatch(end.value(), 3, 1), bad}, "batch 1: CRC mismatch");
  std::string magic1 = LeaderBatch(end.value(), 3, 2);
  magic1[format::kMagicPos] = 1;
  refused({magic1}, "batch 0");
  std::string big = kq::testing::MakeSizedBatch(3000);
  format::SetBaseOffset(big.data(), end.value());
  refused({big}, "over the limit");
  // A gap allowed for a compacted leader still may not go backwards.
  refused({LeaderBatch(end.value() - 1, 3, 2)}, "or later", {.allow_gaps = true});
  // After all that, the right batches go in.
  AppendAll(*p, leader, 6);
  CHECK(AllBytes(*p) == Join(leader, leader.size()));
  CHECK(EpochFile(&env) == EpochsOf(leader, leader.size()));
}

TEST_CASE("follower append: a compacted leader's gaps are kept with allow_gaps") {
  io::MemEnv env;
  auto p = OpenWrite(&env);
  std::vector<std::string> batches = {LeaderBatch(0, 1, 2), LeaderBatch(5, 1, 3),
                                      LeaderBatch(20, 2, 1)};
  auto r = p->AppendAsFollower(batches, {.allow_gaps = true});
  REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  CHECK(r->first_offset == Offset(0));
  CHECK(r->last_offset == Offset(20));
  CHECK(p->log_end_offset() == Offset(21));
  CHECK(AllBytes(*p) == Join(batches, 3));
  auto chunk = p->Read(Offset(3), 1);  // inside the gap: the next batch
  REQUIRE(chunk.ok());
  CHECK(chunk->bytes == batches[1]);
  CHECK(EpochFile(&env) ==
        std::vector<log::EpochEntry>{{Epoch(1), Offset(0)}, {Epoch(2), Offset(20)}});
}

TEST_CASE(
    "follower truncate: divergence cuts whole batches and the epochs that start past the end") {
  io::MemEnv env;
  auto p = OpenWrite(&env);
  const auto leader = LeaderLog(40);
  AppendAll(*p, leader);
  // Cut inside batch 27 (3 records): the log ends where that batch began.
  auto h = format::DecodeBatchHeader(leader[27]);
  REQUIRE(h.ok());
  REQUIRE(p->TruncateTo(Offset(h->base_offset + 1)).ok());
  CHECK(p->log_end_offset().value() == h->base_offset);
  CHECK(AllBytes(*p) == Join(leader, 27));
  CHECK(EpochFile(&env) == EpochsOf(leader, 27));
  // The new leader's history from there, in a newer epoch.
  std::vector<std::string> fresh = {LeaderBatch(h->base_offset, 8, 4),
                                    LeaderBatch(h->base_offset + 4, 8, 2)};
  REQUIRE(p->AppendAsFollower(fresh).ok());
  std::vector<std::string> expected(leader.begin(), leader.begin() + 27);
  expected.insert(expected.end(), fresh.begin(), fresh.end());
  CHECK(AllBytes(*p) == Join(expected, expected.size()));
  CHECK(EpochFile(&env) == EpochsOf(expected, expected.size()));
}

namespace {

// Runs `op` on a follower holding the durable `base` batches, with every
// mutating call from the k-th on failing (a dead disk), then cuts the power;
// returns the reopened partition. k = 0: no fault (counts the calls).
struct CrashRun {
  std::unique_ptr<io::FaultEnv> env = std::make_unique<io::FaultEnv>();
  std::unique_ptr<log::Partition> p;
  uint64_t calls = 0;
};

template <typename Op>
CrashRun RunCrash(const std::vector<std::string>& base, int k, Op op) {
  CrashRun run;
  {
    auto p = OpenWrite(run.env.get(), 600);
    AppendAll(*p, base);
    REQUIRE(p->Sync().ok());
    const uint64_t before = run.env->mutating_calls();
    if (k > 0) run.env->InjectFault({.after_ops = k, .sticky = true, .torn_bytes = std::nullopt});
    (void)op(*p);
    run.calls = run.env->mutating_calls() - before;
  }
  run.env->DropUnsyncedData();
  run.env->ClearFaults();
  auto reopened =
      log::Partition::Open(kDir, SmallOptions(run.env.get(), 600), log::OpenMode::kWrite);
  REQUIRE_MESSAGE(reopened.ok(), reopened.status().ToString());
  run.p = std::move(*reopened);
  return run;
}

// The log holds the first n batches of `batches`, for some n >= at_least,
// and the checkpoint matches them; returns n.
size_t PrefixLength(CrashRun& run, const std::vector<std::string>& batches, size_t at_least) {
  const std::string bytes = AllBytes(*run.p);
  for (size_t n = at_least; n <= batches.size(); ++n) {
    if (Join(batches, n) == bytes) {
      CHECK(EpochFile(run.env.get()) == EpochsOf(batches, n));
      return n;
    }
  }
  FAIL("the log after the crash is not a prefix of whole batches of at least ", at_least);
  return 0;
}

}  // namespace

TEST_CASE("follower append: a power cut at any step leaves a prefix, and the follower goes on") {
  const auto leader = LeaderLog(30);
  const std::vector<std::string> base(leader.begin(), leader.begin() + 8);
  auto op = [&](log::Partition& p) {
    return p.AppendAsFollower(std::span<const std::string>(leader).subspan(8)).status();
  };
  const uint64_t calls = RunCrash(base, 0, op).calls;
  REQUIRE(calls > 10);  // rolls, index writes and epoch writes in between
  for (int k = 1; k <= static_cast<int>(calls); ++k) {
    CAPTURE(k);
    CrashRun run = RunCrash(base, k, op);
    const size_t n = PrefixLength(run, leader, base.size());
    AppendAll(*run.p, leader, n);
    CHECK(AllBytes(*run.p) == Join(leader, leader.size()));
    CHECK(EpochFile(run.env.get()) == EpochsOf(leader, leader.size()));
  }
}

TEST_CASE("follower truncate: a power cut at any step leaves a prefix, and the follower goes on") {
  const auto leader = LeaderLog(30);
  auto cut_at = format::DecodeBatchHeader(leader[9]);
  REQUIRE(cut_at.ok());
  const Offset cut(cut_at->base_offset);
  auto op = [&](log::Partition& p) { return p.TruncateTo(cut); };
  const uint64_t calls = RunCrash(leader, 0, op).calls;
  REQUIRE(calls > 3);
  std::vector<std::string> diverged(leader.begin(), leader.begin() + 9);
  for (int i = 0; i < 10; ++i)
    diverged.push_back(LeaderBatch(EndOf(diverged.back()).value(), 9, 1 + i % 3));
  for (int k = 1; k <= static_cast<int>(calls); ++k) {
    CAPTURE(k);
    CrashRun run = RunCrash(leader, k, op);
    PrefixLength(run, leader, 9);
    // The follower redoes the truncation and takes the new leader's history.
    REQUIRE(run.p->TruncateTo(cut).ok());
    AppendAll(*run.p, diverged, 9);
    CHECK(AllBytes(*run.p) == Join(diverged, diverged.size()));
    CHECK(EpochFile(run.env.get()) == EpochsOf(diverged, diverged.size()));
  }
}
