#include <doctest/doctest.h>

#include <algorithm>
#include <random>
#include <vector>

#include "io/mem_env.h"
#include "log/batch_scanner.h"
#include "maint/repair.h"
#include "maint/verifier.h"
#include "maint_test_util.h"
#include "support/log_helpers.h"

namespace kq {
namespace {

const std::string kDir = "/kq/t-0";

void WriteLog(io::Env* env) {
  auto p = log::Partition::Open(kDir, testing::MaintOptions(env, 1500), log::OpenMode::kWrite);
  REQUIRE(p.ok());
  for (int i = 0; i < 40; ++i) {
    std::string b = testing::MakeBatch(fmt::format("b{}-", i), 5);
    REQUIRE((*p)->Append(b).ok());
  }
  REQUIRE((*p)->Close().ok());
}

std::vector<maint::VerifyProblem> Verify(io::Env* env, bool contiguous = true) {
  maint::VerifyOptions o;
  o.env = env;
  o.topic = "t";
  o.expect_contiguous = contiguous;
  std::vector<maint::VerifyProblem> problems;
  maint::VerifyReport report;
  REQUIRE(maint::VerifyPartition(
              kDir, o,
              [&](const maint::VerifyProblem& p) {
                if (!p.note) problems.push_back(p);
              },
              &report)
              .ok());
  CHECK(report.problems == static_cast<int>(problems.size()));
  return problems;
}

maint::RepairOptions RepairOptionsFor() { return maint::RepairOptions{}; }

// Repairs t-0 of the directory around kDir.
Status Repair(io::Env* env, const maint::RepairOptions& o, maint::RepairReport* report) {
  return maint::RepairPartition(testing::ParentLogDir(env, kDir), testing::TopicT(), PartitionId(0),
                                o, report);
}

struct BatchAt {
  std::string path;
  uint64_t position;
  uint64_t size;
};

std::vector<BatchAt> AllBatches(io::Env* env) {
  auto p = log::Partition::Open(kDir, testing::MaintOptions(env, 1500), log::OpenMode::kRead);
  REQUIRE(p.ok());
  std::vector<BatchAt> out;
  for (const auto& s : (*p)->Segments()) {
    auto file = env->OpenRandomAccess(s.log_path);
    REQUIRE(file.ok());
    log::BatchScanner scanner(**file, 0, s.size_bytes, {});
    log::BatchScanner::Batch b;
    while (scanner.Next(&b)) out.push_back({s.log_path, b.position, b.header.total_size()});
  }
  return out;
}

TEST_CASE("verifier: a clean log has no problems") {
  io::MemEnv env;
  WriteLog(&env);
  CHECK(Verify(&env).empty());
}

TEST_CASE("verifier: a flipped bit in any batch is found, naming the file and the batch position") {
  io::MemEnv env;
  WriteLog(&env);
  const std::vector<BatchAt> batches = AllBatches(&env);
  REQUIRE(batches.size() == 40);
  std::mt19937 rng(42);
  int checked = 0;
  for (const BatchAt& b : batches) {
    // Every header byte of some batches, random bytes of all.
    std::vector<uint64_t> bytes;
    if (checked % 7 == 0) {
      for (uint64_t i = 0; i < format::kBatchHeaderSize; ++i) bytes.push_back(i);
    }
    for (int i = 0; i < 4; ++i) bytes.push_back(rng() % b.size);
    for (uint64_t at : bytes) {
      const int bit = static_cast<int>(rng() % 8);
      CAPTURE(b.path);
      CAPTURE(b.position);
      CAPTURE(at);
      CAPTURE(bit);
      testing::FlipBit(&env, b.path, b.position + at, bit);
      const auto problems = Verify(&env);
      bool named = false;
      for (const auto& p : problems) {
        if (p.file == b.path && p.position >= b.position && p.position <= b.position + b.size)
          named = true;
      }
      CHECK(named);
      testing::FlipBit(&env, b.path, b.position + at, bit);  // undo
    }
    ++checked;
  }
  CHECK(Verify(&env).empty());
}

TEST_CASE("verifier: bad index entries are reported with the index file") {
  io::MemEnv env;
  WriteLog(&env);
  const auto batches = AllBatches(&env);
  const std::string index =
      batches.front().path.substr(0, batches.front().path.size() - 4) + ".index";
  auto bytes = env.ReadFileToString(index);
  REQUIRE(bytes.ok());
  REQUIRE(bytes->size() >= 8);
  testing::FlipBit(&env, index, 7, 0);  // position of the first entry
  const auto problems = Verify(&env);
  REQUIRE_FALSE(problems.empty());
  CHECK(problems.front().file == index);
}

TEST_CASE(
    "repair: a torn tail is truncated and indexes rebuilt; corruption is cut only when asked") {
  io::MemEnv env;
  WriteLog(&env);
  const auto batches = AllBatches(&env);
  const BatchAt last = batches.back();
  testing::AppendBytes(&env, last.path, testing::MakeBatch("torn", 5).substr(0, 30));
  maint::RepairOptions o = RepairOptionsFor();
  maint::RepairReport report;
  Status repaired = Repair(&env, o, &report);
  REQUIRE_MESSAGE(repaired.ok(), repaired.ToString());
  CHECK(report.torn_bytes_truncated == 30);
  CHECK(Verify(&env).empty());

  // A CRC error in the middle of the log.
  const BatchAt mid = batches[20];
  testing::FlipBit(&env, mid.path, mid.position + 70);
  maint::RepairReport refused;
  Status s = Repair(&env, o, &refused);
  CHECK(s.IsCorruption());
  CHECK(refused.damage_found);
  CHECK_FALSE(refused.cut);
  // The damage names the batch's offset once: "... (offset 100): CRC ...".
  CAPTURE(refused.damage);
  const size_t named = refused.damage.find("(offset 100)");
  CHECK(named != std::string::npos);
  CHECK(refused.damage.find("(offset", named + 1) == std::string::npos);
  const auto found = Verify(&env);
  REQUIRE_FALSE(found.empty());
  CHECK(found.size() == 1);
  CHECK(found.front().position == mid.position);

  o.truncate_corrupt = true;
  maint::RepairReport cut;
  REQUIRE(Repair(&env, o, &cut).ok());
  CHECK(cut.cut);
  CHECK(cut.cut_from_offset == 100);  // batch 20 of 5 records each
  CHECK(cut.cut_to_offset == 199);
  CHECK(Verify(&env).empty());
  const auto records = testing::ReadRecords(&env, kDir, 1500);
  CHECK(records.size() == 100);
  CHECK(records.rbegin()->first == 99);
}

TEST_CASE(
    "repair: damaged checkpoints are found by verify and reset by repair, so the partition opens "
    "again") {
  io::MemEnv env;
  WriteLog(&env);
  const std::string recovery_point = kDir + "/recovery-point-offset-checkpoint";
  const std::string epochs = kDir + "/leader-epoch-checkpoint";
  const std::string log_start = kDir + "/log-start-offset-checkpoint";
  REQUIRE(env.WriteFileAtomic(recovery_point, "0\n1\nt 0 2x0\n").ok());
  REQUIRE(env.WriteFileAtomic(epochs, "7\n").ok());
  REQUIRE(env.WriteFileAtomic(log_start, "garbage").ok());
  CHECK_FALSE(
      log::Partition::Open(kDir, testing::MaintOptions(&env, 1500), log::OpenMode::kWrite).ok());

  const auto found = Verify(&env);
  std::vector<std::string> files;
  for (const auto& p : found) files.push_back(p.file);
  std::sort(files.begin(), files.end());
  CHECK(files == std::vector<std::string>{epochs, log_start, recovery_point});

  maint::RepairOptions o = RepairOptionsFor();
  maint::RepairReport report;
  Status repaired = Repair(&env, o, &report);
  REQUIRE_MESSAGE(repaired.ok(), repaired.ToString());
  std::string actions;
  for (const auto& a : report.actions) actions += a + "\n";
  CAPTURE(actions);
  CHECK(actions.find("removed a damaged recovery-point-offset-checkpoint") != std::string::npos);
  CHECK(actions.find("rewrote leader-epoch-checkpoint from the batches") != std::string::npos);
  CHECK(actions.find("reset a damaged log-start-offset-checkpoint") != std::string::npos);
  CHECK(Verify(&env).empty());
  auto p = log::Partition::Open(kDir, testing::MaintOptions(&env, 1500), log::OpenMode::kWrite);
  REQUIRE_MESSAGE(p.ok(), p.status().ToString());
  CHECK((*p)->log_start_offset() == Offset(0));
  CHECK((*p)->log_end_offset() == Offset(200));
}

TEST_CASE("repair: checkpoints are left alone while damage in the log is left alone") {
  // Without a trustworthy recovery point the next writer would validate the
  // whole log and cut at the damage: repair must not forget it then.
  io::MemEnv env;
  WriteLog(&env);
  const auto batches = AllBatches(&env);
  testing::FlipBit(&env, batches[10].path, batches[10].position + 70);
  const std::string recovery_point = kDir + "/recovery-point-offset-checkpoint";
  REQUIRE(env.WriteFileAtomic(recovery_point, "garbage").ok());
  maint::RepairOptions o = RepairOptionsFor();
  maint::RepairReport report;
  CHECK(Repair(&env, o, &report).IsCorruption());
  auto text = env.ReadFileToString(recovery_point);
  REQUIRE(text.ok());
  CHECK(*text == "garbage");
}

}  // namespace
}  // namespace kq
