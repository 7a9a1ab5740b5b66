// kq-pipe's run: consume topic IN, feed its records to CMD, append CMD's
// output to topic OUT with the input positions (pipe/position.h) in the
// same append (pipe/stage_writer.h). A restart reads the positions back
// from OUT's tail, so every input record's output is in OUT exactly once,
// crash included, with no group commit and no transaction.
//
// Decisions documented in man/kq-pipe.1:
//   - the output of IN partition p goes to OUT partition p mod |OUT| (OUT is
//     created with IN's partition count), so keyed order survives;
//   - --map: one CMD for the whole run, one line in per record (the value),
//     one line out per line in; an empty answer drops the record; the output
//     keeps the input's key, headers (minus kq.position) and timestamp; a
//     null value (tombstone) passes through without going to CMD; a value
//     holding a newline is an error naming its offset;
//   - without --map: CMD runs once per chunk of one partition's records
//     (--batch-records), their values on its stdin one per line; each line
//     it prints becomes a record (key split off with -K), stamped now;
//   - CMD failing, hanging past --timeout or answering the wrong number of
//     lines: exit 1 naming the offset of the record involved; the output of
//     the records before it is appended, nothing for it or after it;
//   - -G GROUP: partitions of IN shared with the other kq-pipe processes of
//     the group (the group's commits are informational; positions in OUT
//     decide where each partition resumes).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/common_flags.h"

namespace kq::tools::pipe_tool {

struct PipeFlags {
  std::vector<std::string> operands;  // IN OUT CMD [ARGS...]
  bool map = false;
  std::optional<std::string> key_delimiter;
  std::string group;
  bool follow = false;
  std::optional<int64_t> timeout_ms;
  int64_t batch_records = 1000;
  std::optional<int64_t> partitions;
  std::string flush;
};

// Returns the exit code.
int RunPipe(const CommonFlags& common, const PipeFlags& flags);

}  // namespace kq::tools::pipe_tool
