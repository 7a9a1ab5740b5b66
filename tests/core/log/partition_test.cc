#include "log/partition.h"

#include <doctest/doctest.h>

#include <algorithm>

#include "base/encoding.h"
#include "format/record_batch_builder.h"
#include "io/mem_env.h"
#include "support/log_helpers.h"
#include "support/read_counting_env.h"

using namespace kq;
using kq::testing::AppendBytes;
using kq::testing::FlipBit;
using kq::testing::MakeBatch;
using kq::testing::MakeSizedBatch;
using kq::testing::ReadAll;
using kq::testing::SmallOptions;

namespace {
const std::string kDir = "/d/t-0";

std::unique_ptr<log::Partition> OpenWrite(io::Env* env, uint64_t segment_bytes = 4096) {
  auto p = log::Partition::Open(kDir, SmallOptions(env, segment_bytes), log::OpenMode::kWrite);
  REQUIRE_MESSAGE(p.ok(), p.status().ToString());
  return std::move(*p);
}

std::unique_ptr<log::Partition> OpenRead(io::Env* env) {
  auto p = log::Partition::Open(kDir, SmallOptions(env), log::OpenMode::kRead);
  REQUIRE_MESSAGE(p.ok(), p.status().ToString());
  return std::move(*p);
}

void AppendN(log::Partition& p, int batches, int per_batch, const std::string& prefix = "v") {
  for (int i = 0; i < batches; ++i) {
    std::string b = MakeBatch(prefix + std::to_string(i) + "-", per_batch);
    auto r = p.Append(b);
    REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  }
}
}  // namespace

TEST_CASE("partition: appends get consecutive offsets and read back in order") {
  io::MemEnv env;
  auto p = OpenWrite(&env);
  std::string b1 = MakeBatch("a", 3);
  std::string b2 = MakeBatch("b", 2);
  auto r1 = p->Append(b1);
  REQUIRE(r1.ok());
  CHECK(r1->first_offset == Offset(0));
  CHECK(r1->last_offset == Offset(2));
  auto r2 = p->Append(b2);
  REQUIRE(r2.ok());
  CHECK(r2->first_offset == Offset(3));
  CHECK(p->log_end_offset() == Offset(5));
  auto all = ReadAll(*p);
  REQUIRE(all.ok());
  REQUIRE(all->size() == 5);
  CHECK((*all)[0].value == "a0");
  CHECK((*all)[4].value == "b1");
  for (int i = 0; i < 5; ++i) CHECK((*all)[i].offset == i);
}

TEST_CASE("partition: several batches in one append stay in order") {
  io::MemEnv env;
  auto p = OpenWrite(&env);
  std::vector<std::string> batches = {MakeBatch("x", 2), MakeBatch("y", 2), MakeBatch("z", 1)};
  auto r = p->Append(batches);
  REQUIRE(r.ok());
  CHECK(r->first_offset == Offset(0));
  CHECK(r->last_offset == Offset(4));
  auto all = ReadAll(*p);
  REQUIRE(all.ok());
  CHECK((*all)[2].value == "y0");
}

TEST_CASE("partition: segments roll at segment.bytes and every offset stays readable") {
  io::MemEnv env;
  auto p = OpenWrite(&env, 2048);
  AppendN(*p, 100, 5);
  auto segs = p->Segments();
  CHECK(segs.size() > 5);
  for (size_t i = 1; i < segs.size(); ++i) CHECK(segs[i].base_offset == segs[i - 1].next_offset);
  for (const auto& s : segs) CHECK(s.size_bytes <= 2048);
  SUBCASE("read from every offset") {
    for (int64_t o = 0; o < 500; o += 7) {
      auto chunk = p->Read(Offset(o), 100);
      REQUIRE(chunk.ok());
      REQUIRE_FALSE(chunk->bytes.empty());
      auto h = format::DecodeBatchHeader(chunk->bytes);
      REQUIRE(h.ok());
      CHECK(h->base_offset <= o);
      CHECK(h->last_offset() >= o);
    }
  }
  SUBCASE("a reopened partition sees the same log") {
    REQUIRE(p->Close().ok());
    auto again = OpenRead(&env);
    CHECK(again->log_end_offset() == Offset(500));
    CHECK(again->Segments().size() == segs.size());
    auto all = ReadAll(*again);
    REQUIRE(all.ok());
    CHECK(all->size() == 500);
  }
}

TEST_CASE("partition: reads past the end or below the start are out of range") {
  io::MemEnv env;
  auto p = OpenWrite(&env);
  AppendN(*p, 1, 3);
  CHECK(p->Read(Offset(4), 100).status().IsOutOfRange());
  auto at_end = p->Read(Offset(3), 100);
  REQUIRE(at_end.ok());
  CHECK(at_end->bytes.empty());
}

TEST_CASE("partition: a reader sees appends from another writer after Refresh") {
  io::MemEnv env;
  auto w = OpenWrite(&env, 1024);
  auto r = OpenRead(&env);
  CHECK(r->log_end_offset() == Offset(0));
  AppendN(*w, 30, 4);
  REQUIRE(r->Refresh().ok());
  CHECK(r->log_end_offset() == Offset(120));
  auto all = ReadAll(*r);
  REQUIRE(all.ok());
  CHECK(all->size() == 120);
}

TEST_CASE("partition: two writers on one directory interleave without reusing offsets") {
  io::MemEnv env;
  auto a = OpenWrite(&env, 1500);
  auto b = OpenWrite(&env, 1500);
  for (int i = 0; i < 40; ++i) {
    std::string ba = MakeBatch("a" + std::to_string(i) + "-", 3);
    std::string bb = MakeBatch("b" + std::to_string(i) + "-", 2);
    auto ra = a->Append(ba);
    auto rb = b->Append(bb);
    REQUIRE(ra.ok());
    REQUIRE(rb.ok());
    CHECK(rb->first_offset == ra->last_offset + 1);
  }
  REQUIRE(a->Refresh().ok());
  CHECK(a->log_end_offset() == Offset(200));
  auto all = ReadAll(*a);
  REQUIRE(all.ok());
  REQUIRE(all->size() == 200);
  for (size_t i = 0; i < all->size(); ++i) CHECK((*all)[i].offset == static_cast<int64_t>(i));
}

TEST_CASE(
    "partition: a torn batch at EOF is not-yet-written to readers and cut by the next writer") {
  io::MemEnv env;
  {
    auto w = OpenWrite(&env);
    AppendN(*w, 2, 3);
  }
  std::string torn = MakeBatch("t", 3);
  const std::string log_path = kDir + "/00000000000000000000.log";
  AppendBytes(&env, log_path, torn.substr(0, torn.size() / 2));
  auto r = OpenRead(&env);
  CHECK(r->log_end_offset() == Offset(6));
  auto all = ReadAll(*r);
  REQUIRE(all.ok());
  CHECK(all->size() == 6);
  auto w = OpenWrite(&env);
  CHECK(w->recovery_report().bytes_truncated == torn.size() / 2);
  AppendN(*w, 1, 1, "after");
  auto again = ReadAll(*w);
  REQUIRE(again.ok());
  REQUIRE(again->size() == 7);
  CHECK((*again)[6].value == "after0-0");
}

TEST_CASE("partition: a writer that finds another's torn tail cuts it before appending") {
  io::MemEnv env;
  auto w = OpenWrite(&env);
  AppendN(*w, 1, 2);
  std::string torn = MakeBatch("t", 3);
  AppendBytes(&env, kDir + "/00000000000000000000.log", torn.substr(0, 20));
  AppendN(*w, 1, 2, "ok");
  auto all = ReadAll(*w);
  REQUIRE(all.ok());
  REQUIRE(all->size() == 4);
  CHECK((*all)[3].offset == 3);
}

TEST_CASE("partition: a flipped bit is reported with file, position and offset, never delivered") {
  io::MemEnv env;
  {
    auto w = OpenWrite(&env);
    AppendN(*w, 3, 3);
    REQUIRE(w->Close().ok());
  }
  const std::string log_path = kDir + "/00000000000000000000.log";
  const size_t batch_size = MakeBatch("v0-", 3).size();
  FlipBit(&env, log_path, batch_size + 70);  // inside the second batch's records
  auto r = OpenRead(&env);
  auto first = r->Read(Offset(0), 1);
  REQUIRE(first.ok());
  auto bad = r->Read(Offset(3), 1 << 20);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().IsCorruption());
  const std::string msg = bad.status().message();
  CHECK(msg.find(log_path) != std::string::npos);
  CHECK(msg.find(fmt::format("position {}", batch_size)) != std::string::npos);
  CHECK(msg.find("offset 3") != std::string::npos);
  CHECK(msg.find("CRC mismatch") != std::string::npos);
  SUBCASE("a read across it stops before the damage") {
    auto chunk = r->Read(Offset(0), 1 << 20);
    REQUIRE(chunk.ok());
    CHECK(chunk->next_offset == Offset(3));
  }
  SUBCASE("below the recovery point the writer refuses to cut it") {
    // The recovery point covers the whole log (Close wrote it), so the
    // damaged batch is below it: recovery must not silently truncate.
    auto w = log::Partition::Open(kDir, SmallOptions(&env), log::OpenMode::kWrite);
    if (w.ok()) {
      auto all = ReadAll(**w);
      CHECK_FALSE(all.ok());
    }
    auto size = env.FileSize(log_path);
    REQUIRE(size.ok());
    CHECK(*size == 3 * batch_size);
  }
}

TEST_CASE("partition: garbage past the recovery point is cut on open") {
  io::MemEnv env;
  {
    auto w = OpenWrite(&env);
    AppendN(*w, 2, 2);
    REQUIRE(w->Close().ok());
  }
  std::string garbage = MakeBatch("g", 2);
  garbage[garbage.size() - 1] ^= 0x55;  // CRC now wrong: a write lost to power failure
  AppendBytes(&env, kDir + "/00000000000000000000.log", garbage);
  auto w = OpenWrite(&env);
  CHECK(w->recovery_report().bytes_truncated == garbage.size());
  CHECK(w->log_end_offset() == Offset(4));
}

// CRC-32C is affine in the input bits, so four chosen bytes of a value can
// force any CRC: solve for the bytes that make it 0.
std::string BatchWithZeroCrc() {
  format::RecordBatchBuilder builder;
  builder.Add(1000, std::nullopt, std::string(4, '\0'));
  std::string batch = *builder.Finish();
  const size_t at = batch.size() - 5;  // 4 value bytes, then headerCount 0
  auto crc_with = [&](uint32_t x) {
    std::string b = batch;
    for (int i = 0; i < 4; ++i) b[at + i] = static_cast<char>(x >> (8 * i));
    return format::ComputeBatchCrc(b);
  };
  const uint32_t base = crc_with(0);
  // Columns: the CRC change from each input bit; Gaussian elimination over GF(2).
  std::vector<std::pair<uint32_t, uint32_t>> rows;  // (effect, input bits)
  for (int bit = 0; bit < 32; ++bit) rows.push_back({crc_with(1u << bit) ^ base, 1u << bit});
  uint32_t target = base, solution = 0;
  for (int bit = 31; bit >= 0; --bit) {
    auto pivot =
        std::find_if(rows.begin(), rows.end(), [&](auto& r) { return (r.first >> bit) & 1; });
    if (pivot == rows.end()) continue;
    auto p = *pivot;
    rows.erase(pivot);
    for (auto& r : rows)
      if ((r.first >> bit) & 1) {
        r.first ^= p.first;
        r.second ^= p.second;
      }
    if ((target >> bit) & 1) {
      target ^= p.first;
      solution ^= p.second;
    }
  }
  REQUIRE(target == 0);
  for (int i = 0; i < 4; ++i) batch[at + i] = static_cast<char>(solution >> (8 * i));
  format::FinishCrc(batch.data(), batch.size());
  return batch;
}

TEST_CASE("partition: a batch whose CRC is 0 is valid") {
  std::string b = BatchWithZeroCrc();
  REQUIRE(format::DecodeBatchHeader(b)->crc == 0);
  REQUIRE(format::ValidateBatch(b).ok());
  io::MemEnv env;
  {
    auto w = OpenWrite(&env);
    REQUIRE(w->Append(b).ok());
  }
  // Not closed: the batch is past the recovery point and gets validated.
  auto again = OpenWrite(&env);
  CHECK(again->log_end_offset() == Offset(1));
  CHECK(again->recovery_report().bytes_truncated == 0);
}

TEST_CASE("partition: missing or damaged indexes are rebuilt and lookups still work") {
  io::MemEnv env;
  {
    auto w = OpenWrite(&env, 2048);
    AppendN(*w, 60, 5);
    REQUIRE(w->Close().ok());
  }
  REQUIRE(env.RemoveFile(kDir + "/00000000000000000000.index").ok());
  auto w = log::Partition::Open(kDir, SmallOptions(&env, 2048), log::OpenMode::kWrite);
  REQUIRE(w.ok());
  CHECK(env.FileExists(kDir + "/00000000000000000000.index"));
  auto all = ReadAll(**w);
  REQUIRE(all.ok());
  CHECK(all->size() == 300);
}

TEST_CASE("partition: offsets for timestamps use the time index") {
  io::MemEnv env;
  auto w = OpenWrite(&env, 2048);
  for (int i = 0; i < 50; ++i) {
    std::string b = MakeBatch("v", 2, 1000 + i * 10);
    REQUIRE(w->Append(b).ok());
  }
  auto at = w->OffsetForTimestamp(1000 + 25 * 10);
  REQUIRE(at.ok());
  CHECK(*at == Offset(50));
  auto between = w->OffsetForTimestamp(1000 + 25 * 10 + 1);
  REQUIRE(between.ok());
  CHECK(*between == Offset(52));
  CHECK(*w->OffsetForTimestamp(0) == Offset(0));
  CHECK(*w->OffsetForTimestamp(999999) == Offset(100));
}

TEST_CASE("partition: offsets for timestamps skip the records below a log start inside a batch") {
  io::MemEnv env;
  auto w = OpenWrite(&env, 1 << 20);
  // Offsets 0..4 with out-of-order timestamps in one batch, then 5..6.
  format::RecordBatchBuilder first;
  for (int64_t ts : {5000, 1000, 1000, 3000, 1000}) first.Add(ts, std::nullopt, "a");
  std::string b0 = *first.Finish();
  REQUIRE(w->Append(b0).ok());
  std::string b1 = MakeBatch("b", 2, 6000);
  REQUIRE(w->Append(b1).ok());
  REQUIRE(w->AdvanceLogStart(Offset(2)).ok());  // inside the first batch
  // Offset 0 (5000) is gone: the first record at or after the log start
  // with a timestamp >= 4000 is offset 5, the next batch.
  CHECK(*w->OffsetForTimestamp(4000) == Offset(5));
  // Inside the batch, above the log start: offset 3 (3000).
  CHECK(*w->OffsetForTimestamp(2000) == Offset(3));
  // Offset 1 (1000) is gone too: offset 2 is the first one left.
  CHECK(*w->OffsetForTimestamp(1000) == Offset(2));
  CHECK(*w->OffsetForTimestamp(7000) == Offset(7));
  // A reader sees the same.
  auto r = OpenRead(&env);
  CHECK(*r->OffsetForTimestamp(4000) == Offset(5));
}

TEST_CASE("partition: truncate removes records at and after an offset") {
  io::MemEnv env;
  auto w = OpenWrite(&env, 1024);
  AppendN(*w, 40, 2);
  REQUIRE(w->TruncateTo(Offset(31)).ok());
  // Whole batches go: offset 30 shares a batch with 31.
  CHECK(w->log_end_offset() == Offset(30));
  AppendN(*w, 1, 2, "new");
  auto all = ReadAll(*w);
  REQUIRE(all.ok());
  REQUIRE(all->size() == 32);
  CHECK((*all)[30].value == "new0-0");
  auto reopened = OpenRead(&env);
  CHECK(reopened->log_end_offset() == Offset(32));
}

TEST_CASE("partition: advancing the log start deletes whole segments below it") {
  io::MemEnv env;
  auto w = OpenWrite(&env, 1024);
  AppendN(*w, 40, 2);
  const size_t before = w->Segments().size();
  REQUIRE(w->AdvanceLogStart(Offset(50)).ok());
  CHECK(w->log_start_offset() == Offset(50));
  CHECK(w->Segments().size() < before);
  CHECK(w->Read(Offset(10), 100).status().IsOutOfRange());
  auto r = OpenRead(&env);
  CHECK(r->log_start_offset() == Offset(50));
  auto all = ReadAll(*r);
  REQUIRE(all.ok());
  CHECK(all->front().offset == 50);
  CHECK(all->size() == 30);
}

TEST_CASE("partition: the leader epoch is stamped and recorded") {
  io::MemEnv env;
  auto opts = SmallOptions(&env);
  opts.leader_epoch = 3;
  auto w = log::Partition::Open(kDir, opts, log::OpenMode::kWrite);
  REQUIRE(w.ok());
  std::string b = MakeBatch("e", 2);
  REQUIRE((*w)->Append(b).ok());
  auto h = format::DecodeBatchHeader(b);
  CHECK(h->partition_leader_epoch == 3);
  auto text = env.ReadFileToString(kDir + "/leader-epoch-checkpoint");
  REQUIRE(text.ok());
  CHECK(*text == "0\n1\n3 0\n");
}

TEST_CASE("partition: bad batches are refused whole") {
  io::MemEnv env;
  auto w = OpenWrite(&env);
  std::string good = MakeBatch("g", 2);
  std::string bad = MakeBatch("b", 2);
  bad[30] ^= 1;
  std::vector<std::string> batches = {good, bad};
  auto r = w->Append(batches);
  CHECK(r.status().IsInvalidArgument());
  CHECK(r.status().message().find("batch 1") != std::string::npos);
  CHECK(w->log_end_offset() == Offset(0));
}

TEST_CASE(
    "partition: garbage after the last batch is reported at the end, not taken for a tail in "
    "progress") {
  io::MemEnv env;
  {
    auto w = OpenWrite(&env);
    AppendN(*w, 2, 2);
    REQUIRE(w->Close().ok());
  }
  const std::string log_path = kDir + "/00000000000000000000.log";
  std::string garbage(format::kBatchHeaderSize, '\xff');  // batch length -1: impossible
  AppendBytes(&env, log_path, garbage);
  auto r = OpenRead(&env);
  CHECK(r->log_end_offset() == Offset(4));
  auto all = ReadAll(*r);  // the good batches still read
  REQUIRE(all.ok());
  CHECK(all->size() == 4);
  auto at_end = r->Read(Offset(4), 100);
  REQUIRE_FALSE(at_end.ok());
  CHECK(at_end.status().IsCorruption());
  CHECK(at_end.status().message().find(
            "position " + std::to_string(2 * MakeBatch("v0-", 2).size())) != std::string::npos);
}

TEST_CASE(
    "partition: opening reads the checkpoints and the unflushed tail, never the flushed log") {
  // A 10 GB partition must open in milliseconds: what open reads may grow
  // with the number of segments (an index and a short tail scan each), never
  // with the bytes below the recovery point. Two logs of three segments, one
  // eight times the size of the other, must cost the same to open.
  auto bytes_to_open = [](uint64_t segment_bytes) {
    io::MemEnv mem;
    testing::ReadCountingEnv env(&mem);
    log::PartitionOptions o = SmallOptions(&env, segment_bytes);
    o.index_interval_bytes = 4096;
    std::string batch = MakeSizedBatch(64 * 1024);
    const int batches = static_cast<int>(segment_bytes * 5 / 2 / batch.size());
    {
      auto p = log::Partition::Open(kDir, o, log::OpenMode::kWrite);
      REQUIRE(p.ok());
      for (int i = 0; i < batches; ++i) REQUIRE((*p)->Append(batch).ok());
      REQUIRE((*p)->Segments().size() == 3);
      REQUIRE((*p)->Close().ok());
    }
    env.Reset();
    auto p = log::Partition::Open(kDir, o, log::OpenMode::kWrite);
    REQUIRE(p.ok());
    CHECK((*p)->log_end_offset() == Offset(batches));
    // Re-verified: at most from the index entry at or below the recovery point.
    CHECK((*p)->recovery_report().bytes_scanned <= batch.size() + o.index_interval_bytes);
    return env.bytes_read();
  };
  const uint64_t small = bytes_to_open(1 << 20);  // 2.5 MiB
  const uint64_t large = bytes_to_open(8 << 20);  // 20 MiB
  CAPTURE(small);
  CAPTURE(large);
  CHECK(large < 1 << 20);
  CHECK(large <= small + 16 * 1024);
}

namespace {
// Three segments of five 3-record batches (the third active), closed: the
// recovery point is the log end. Returns the batch size.
size_t WriteThreeSegments(io::Env* env) {
  const size_t batch_size = MakeBatch("v0-", 3).size();
  auto w = log::Partition::Open(kDir, SmallOptions(env, 5 * batch_size), log::OpenMode::kWrite);
  REQUIRE(w.ok());
  AppendN(**w, 12, 3);
  REQUIRE((*w)->Segments().size() == 3);
  REQUIRE((*w)->Close().ok());
  return batch_size;
}

void SetRecoveryPoint(io::Env* env, int64_t offset) {
  REQUIRE(env->WriteFileAtomic(kDir + "/recovery-point-offset-checkpoint",
                               fmt::format("0\n1\nt 0 {}\n", offset))
              .ok());
}

const std::string kActiveLog = kDir + "/00000000000000000030.log";
}  // namespace

TEST_CASE("partition: recovery does not trust an index entry that names the wrong batch") {
  io::MemEnv env;
  const size_t batch_size = WriteThreeSegments(&env);
  // The active segment's index says offset 32 is at byte 7: plausible to a
  // loader (one entry, inside the file) but false.
  const std::string index = kDir + "/00000000000000000030.index";
  std::string entries;
  PutFixed32BE(&entries, 2);
  PutFixed32BE(&entries, 7);
  REQUIRE(env.WriteFileAtomic(index, entries).ok());
  SetRecoveryPoint(&env, 33);  // only the first batch of the active segment is durable
  auto w = log::Partition::Open(kDir, SmallOptions(&env, 5 * batch_size), log::OpenMode::kWrite);
  REQUIRE_MESSAGE(w.ok(), w.status().ToString());
  CHECK((*w)->log_end_offset() == Offset(36));
  CHECK((*w)->recovery_report().bytes_truncated == 0);
  auto all = ReadAll(**w);
  REQUIRE(all.ok());
  CHECK(all->size() == 36);
  auto read = (*w)->Read(Offset(34), 1);
  REQUIRE(read.ok());
  CHECK(read->next_offset == Offset(36));
}

TEST_CASE(
    "partition: an incomplete batch below the recovery point is reported, and nothing is cut") {
  io::MemEnv env;
  const size_t batch_size = WriteThreeSegments(&env);
  // The active segment holds offsets 30..35 in two batches; cutting inside
  // the second leaves it incomplete, though the recovery point (36, written
  // by Close) says it was synced.
  const size_t first_active = MakeBatch("v10-", 3).size();  // AppendN's eleventh batch
  REQUIRE(env.TruncateFile(kActiveLog, first_active + 10).ok());
  auto w = log::Partition::Open(kDir, SmallOptions(&env, 5 * batch_size), log::OpenMode::kWrite);
  REQUIRE_FALSE(w.ok());
  CHECK(w.status().IsCorruption());
  const std::string msg = w.status().message();
  CHECK(msg.find(kActiveLog) != std::string::npos);
  CHECK(msg.find(fmt::format("position {}", first_active)) != std::string::npos);
  CHECK(msg.find("offset 33") != std::string::npos);
  CHECK(msg.find("recovery point 36") != std::string::npos);
  auto size = env.FileSize(kActiveLog);
  REQUIRE(size.ok());
  CHECK(*size == first_active + 10);  // not cut
}

TEST_CASE(
    "partition: a batch cut short under its own index entry, below the recovery point, is "
    "reported") {
  io::MemEnv env;
  log::PartitionOptions o = SmallOptions(&env, 1 << 20);
  o.index_interval_bytes = 1;  // every batch gets an index entry
  {
    auto w = log::Partition::Open(kDir, o, log::OpenMode::kWrite);
    REQUIRE(w.ok());
    AppendN(**w, 4, 3);
    REQUIRE((*w)->Close().ok());
  }
  const std::string log_path = kDir + "/00000000000000000000.log";
  const size_t batch_size = MakeBatch("v0-", 3).size();
  REQUIRE(env.TruncateFile(log_path, 3 * batch_size + 64)
              .ok());  // the fourth batch keeps its header only
  auto w = log::Partition::Open(kDir, o, log::OpenMode::kWrite);
  REQUIRE_FALSE(w.ok());
  CHECK(w.status().IsCorruption());
  CHECK(w.status().message().find(fmt::format("position {} (offset 9)", 3 * batch_size)) !=
        std::string::npos);
  auto size = env.FileSize(log_path);
  REQUIRE(size.ok());
  CHECK(*size == 3 * batch_size + 64);
}

TEST_CASE(
    "partition: a sealed segment that ends below the recovery point after cleaning is not damage") {
  io::MemEnv env;
  const size_t batch_size = WriteThreeSegments(&env);
  // Offsets 15..29 live in the second segment; the cleaner kept only its
  // first batch. A recovery point inside it (say 25) that lagged behind must
  // not turn the missing tail into an error.
  REQUIRE(env.TruncateFile(kDir + "/00000000000000000015.log", batch_size).ok());
  REQUIRE(env.RemoveFile(kDir + "/00000000000000000015.index").ok());
  SetRecoveryPoint(&env, 25);
  auto w = log::Partition::Open(kDir, SmallOptions(&env, 5 * batch_size), log::OpenMode::kWrite);
  REQUIRE_MESSAGE(w.ok(), w.status().ToString());
  CHECK((*w)->log_end_offset() == Offset(36));
  auto all = ReadAll(**w);
  REQUIRE(all.ok());
  CHECK(all->size() == 36 - 12);
}
