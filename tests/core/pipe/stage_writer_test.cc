#include "pipe/stage_writer.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include <fmt/format.h>

#include "format/record.h"
#include "io/mem_env.h"
#include "log/log_dir.h"
#include "log/partition.h"
#include "pipe/position.h"

#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

using namespace kq;

namespace {

pipe::Position InputAt(int32_t partition, int64_t next) {
  pipe::Position p;
  p.Set(pipe::TopicOffset{"in", partition, next});
  return p;
}

struct Seen {
  int64_t offset;
  std::string value;
  std::optional<std::string> position;  // the kq.position header, when present
};

// Every record of out-1 with its position header, and the batch boundaries.
std::vector<Seen> ReadOut(log::LogDir& dir, std::vector<int64_t>* batch_ends) {
  auto p = dir.OpenPartition("out", PartitionId(1), log::OpenMode::kRead);
  REQUIRE(p.ok());
  std::vector<Seen> out;
  auto chunk = (*p)->Read(Offset(0), 1 << 24);
  REQUIRE(chunk.ok());
  std::string_view rest = chunk->bytes;
  std::string scratch;
  while (!rest.empty()) {
    auto h = format::DecodeBatchHeader(rest);
    REQUIRE(h.ok());
    std::string_view batch = rest.substr(0, h->total_size());
    rest.remove_prefix(h->total_size());
    REQUIRE(format::ForEachRecord(batch, &scratch, [&](const format::RecordView& r) {
              Seen s{r.offset, std::string(*r.value), std::nullopt};
              for (const auto& hv : r.headers) {
                if (hv.key == pipe::kPositionHeader) s.position = std::string(*hv.value);
              }
              out.push_back(s);
              return Status::Ok();
            }).ok());
    batch_ends->push_back(h->last_offset());
  }
  return out;
}

}  // namespace

TEST_CASE("groups are packed into batches, each ending with its last group's position") {
  io::MemEnv env;
  auto dir = log::LogDir::Open(&env, "/d", true);
  REQUIRE(dir.ok());
  auto w = pipe::StageWriter::Open(*dir, "out", {.env = &env, .partitions = 2, .batch_bytes = 300});
  REQUIRE(w.ok());
  CHECK((*w)->partition_count() == 2);
  const std::string big(100, 'x');
  // 6 input records, each producing 0, 1 or 2 output records.
  const int outputs[] = {1, 2, 0, 1, 2, 1};
  int64_t n = 0;
  for (int in = 0; in < 6; ++in) {
    for (int k = 0; k < outputs[in]; ++k) {
      const std::string v = fmt::format("{}-{}{}", in, k, big);
      (*w)->Add(1, 1000 + in, std::nullopt, v, {});
      ++n;
    }
    (*w)->EndGroup(1, InputAt(0, in + 1));
  }
  (*w)->Add(1, 2000, std::nullopt, std::string_view("unfinished"), {});
  REQUIRE((*w)->Commit().ok());
  CHECK((*w)->appended_records() == static_cast<uint64_t>(n));
  CHECK((*w)->pending_bytes() > 0);  // the record after the last group stays

  std::vector<int64_t> ends;
  auto seen = ReadOut(*dir, &ends);
  REQUIRE(seen.size() == static_cast<size_t>(n));
  CHECK(ends.size() > 1);  // 300-byte batches: cut between groups
  // Exactly the last record of every batch carries a position, and it names
  // the input after the group that record ends.
  size_t b = 0;
  for (const auto& s : seen) {
    const bool last = s.offset == ends[b];
    CHECK(s.position.has_value() == last);
    if (last) {
      const int in = s.value[0] - '0';
      auto p = pipe::DecodePosition(*s.position);
      REQUIRE(p.ok());
      // Input 2 produced nothing: the group before it carries the position after it.
      CHECK(p->FindTopic("in", 0)->next_offset == (in == 1 ? 3 : in + 1));
      // A group is never split across batches.
      CHECK(s.value.substr(1, 2) == (outputs[in] == 2 ? "-1" : "-0"));
      ++b;
    }
  }
  auto latest = pipe::ReadLatestPosition(*dir, "out", 1);
  REQUIRE(latest.ok());
  CHECK((*latest)->position.FindTopic("in", 0)->next_offset == 6);

  // The unfinished record goes with the next group; an empty group at the
  // end has no record to carry it and writes nothing.
  (*w)->EndGroup(1, InputAt(0, 7));
  (*w)->EndGroup(0, InputAt(1, 3));
  REQUIRE((*w)->Commit().ok());
  CHECK((*w)->pending_bytes() == 0);
  CHECK(
      pipe::ReadLatestPosition(*dir, "out", 1).value()->position.FindTopic("in", 0)->next_offset ==
      7);
  CHECK(!pipe::ReadLatestPosition(*dir, "out", 0).value().has_value());
  REQUIRE((*w)->Close().ok());
}
