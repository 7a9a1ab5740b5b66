#include "support/crash_checks.h"

#include <stdlib.h>

#include <doctest/doctest.h>
#include <fmt/format.h>

#include "format/record_batch_builder.h"
#include "maint/verifier.h"
#include "support/crash_driver.h"
#include "support/log_helpers.h"

namespace kq::testing {

std::string Ledger::NextBatch(int count, int64_t timestamp, size_t padding) {
  format::RecordBatchBuilder builder;
  last_batch_.clear();
  for (int i = 0; i < count; ++i) {
    const int64_t id = next_id_++;
    builder.Add(timestamp, std::nullopt, fmt::format("r{}:{}", id, std::string(padding, 'p')));
    attempted_.insert(id);
    last_batch_.push_back(id);
  }
  auto batch = builder.Finish();
  REQUIRE(batch.ok());
  return std::move(*batch);
}

void Ledger::Written(int64_t first_offset) {
  for (size_t i = 0; i < last_batch_.size(); ++i) {
    written_[last_batch_[i]] = first_offset + static_cast<int64_t>(i);
  }
  last_batch_.clear();
}

void Ledger::WrittenId(int64_t id, int64_t offset) {
  attempted_.insert(id);
  next_id_ = std::max(next_id_, id + 1);
  written_[id] = offset;
}

void Ledger::AckAll() {
  for (const auto& [id, offset] : written_) acked_[id] = offset;
}

void Ledger::Revoke(int64_t new_end) {
  for (auto it = acked_.begin(); it != acked_.end();) {
    it = it->second >= new_end ? acked_.erase(it) : std::next(it);
  }
}

void Ledger::Forbid(int64_t new_end) {
  Revoke(new_end);
  for (auto it = written_.begin(); it != written_.end();) {
    if (it->second >= new_end) {
      attempted_.erase(it->first);
      it = written_.erase(it);
    } else {
      ++it;
    }
  }
  // Attempted ids never written at a known offset but after the cut: gone too.
  for (auto it = attempted_.begin(); it != attempted_.end();) {
    it = written_.count(*it) ? std::next(it) : attempted_.erase(it);
  }
}

void Ledger::RevokeBelow(int64_t new_start) {
  for (auto it = acked_.begin(); it != acked_.end();) {
    it = it->second >= 0 && it->second < new_start ? acked_.erase(it) : std::next(it);
  }
}

int64_t LedgerId(const std::string& value) {
  if (value.size() < 2 || value[0] != 'r') return -1;
  char* end = nullptr;
  const long long id = strtoll(value.c_str() + 1, &end, 10);
  return end != nullptr && *end == ':' ? id : -1;
}

void CheckVerifies(io::Env* env, const std::string& dir, const std::string& topic,
                   bool expect_contiguous) {
  maint::VerifyOptions vo;
  vo.env = env;
  vo.topic = topic;
  vo.expect_contiguous = expect_contiguous;
  maint::VerifyReport summary;
  std::vector<std::string> problems;
  Status s = maint::VerifyPartition(
      dir, vo,
      [&](const maint::VerifyProblem& p) {
        if (!p.note)
          problems.push_back(fmt::format("{} at byte {} (offset {}): {}", p.file, p.position,
                                         p.offset, p.message));
      },
      &summary);
  REQUIRE_MESSAGE(s.ok(), "verifier could not run: ", s.ToString());
  for (const std::string& p : problems) FAIL_CHECK("verifier: ", p);
}

void CheckPartitionAfterCrash(io::FaultEnv& env, const std::string& dir,
                              const log::PartitionOptions& options, const Ledger& ledger,
                              const PartitionExpectations& expect) {
  auto opened = log::Partition::Open(dir, options, log::OpenMode::kWrite);
  REQUIRE_MESSAGE(opened.ok(),
                  "partition does not open after the crash: ", opened.status().ToString());
  log::Partition& p = **opened;
  const int64_t start = p.log_start_offset().value();
  CHECK_MESSAGE(start >= expect.start_lo, "log start ", start, " below ", expect.start_lo);
  CHECK_MESSAGE(start <= expect.start_hi, "log start ", start, " past ", expect.start_hi);
  // Open cut whatever lay past the last whole batch (a torn batch, zeros,
  // garbage): the files end where the log does.
  for (const log::SegmentInfo& seg : p.Segments()) {
    auto size = env.FileSize(seg.log_path);
    REQUIRE(size.ok());
    CHECK_MESSAGE(*size == seg.size_bytes, seg.log_path, " holds ", *size,
                  " bytes after open, but its batches end at ", seg.size_bytes);
  }
  auto all = ReadAll(p);
  REQUIRE_MESSAGE(all.ok(), "reading the partition back: ", all.status().ToString());
  std::map<int64_t, int64_t> found;  // id -> offset
  int64_t expected_offset = start;
  int64_t last_id = -1;
  for (const ReadRecord& r : *all) {
    const int64_t id = LedgerId(r.value);
    REQUIRE_MESSAGE(r.offset == expected_offset, "offsets not contiguous: ", r.offset, " where ",
                    expected_offset, " was due");
    REQUIRE_MESSAGE(ledger.attempted().count(id), "offset ", r.offset, " holds '",
                    r.value.substr(0, 40), "', which was never written (or was truncated away)");
    REQUIRE_MESSAGE(id > last_id, "record r", id, " at offset ", r.offset,
                    " out of order or repeated (after r", last_id, ")");
    found[id] = r.offset;
    last_id = id;
    ++expected_offset;
  }
  REQUIRE_MESSAGE(expected_offset == p.log_end_offset().value(), "records end at ", expected_offset,
                  ", log end is ", p.log_end_offset().value());
  for (const auto& [id, offset] : ledger.acked()) {
    if (offset >= 0 && offset < start) continue;  // below the log start: may be gone
    auto it = found.find(id);
    REQUIRE_MESSAGE(it != found.end(), "acknowledged record r", id, " (offset ", offset,
                    ") lost; log is ", start, "..", p.log_end_offset().value());
    if (offset >= 0)
      REQUIRE_MESSAGE(it->second == offset, "acknowledged record r", id, " moved from offset ",
                      offset, " to ", it->second);
  }
  // The partition takes the next append at its end, durably, and verifies.
  const int64_t end = p.log_end_offset().value();
  format::RecordBatchBuilder builder;
  builder.Add(2000, std::nullopt, "after-the-crash");
  std::string next = *builder.Finish();
  auto appended = p.Append(next);
  REQUIRE_MESSAGE(appended.ok(), "append after the crash: ", appended.status().ToString());
  CHECK(appended->first_offset.value() == end);
  REQUIRE_MESSAGE(p.Close().ok(), "close after the crash");
  opened->reset();
  CheckVerifies(&env, dir, options.topic, /*expect_contiguous=*/true);
}

}  // namespace kq::testing
