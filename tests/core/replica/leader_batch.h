// Batches as a leader wrote them, for the replica tests.
#pragma once

#include <fmt/format.h>

#include <cstdint>
#include <string>

#include "format/record_batch.h"
#include "support/log_helpers.h"

namespace kq::testing {

// `count` records from offset `base`, stamped leader epoch `epoch`; the
// values name the epoch, offset and `tag`, so batches written under
// different leaders differ. Base offset and epoch are outside the CRC.
inline std::string LeaderBatch(int64_t base, int32_t epoch, int count,
                               const std::string& tag = "") {
  std::string b = MakeBatch(fmt::format("{}e{}-o{}-", tag, epoch, base), count, 1000 + base);
  format::SetBaseOffset(b.data(), base);
  format::SetPartitionLeaderEpoch(b.data(), epoch);
  return b;
}

}  // namespace kq::testing
