#include "replica/batch_split.h"

#include <fmt/format.h>

namespace kq::replica {

Result<SplitResult> SplitBatches(std::string_view bytes, std::string_view what,
                                 const SplitOptions& options) {
  SplitResult out;
  int64_t previous_next = std::numeric_limits<int64_t>::min();
  size_t pos = 0;
  while (pos < bytes.size()) {
    std::string_view rest = bytes.substr(pos);
    format::FrameProbe probe = format::ProbeFrame(rest, options.max_batch_bytes);
    if (probe.state == format::FrameState::kIncomplete) {
      if (options.tail == PartialTail::kDrop) {
        out.partial_size = probe.size;  // 0 when even the length was cut
        break;
      }
      return Status::Corruption(fmt::format("{}: no whole batch at byte {} of {}: {} bytes left",
                                            what, pos, bytes.size(), rest.size()));
    }
    if (probe.state != format::FrameState::kComplete) {
      return Status::Corruption(
          fmt::format("{}: byte {} of {} is not a record batch: {}", what, pos, bytes.size(),
                      probe.problem.empty() ? "unreadable frame" : probe.problem));
    }
    std::string_view batch = rest.substr(0, probe.size);
    auto header = format::DecodeBatchHeader(batch);
    if (!header.ok()) {
      return Status::Corruption(
          fmt::format("{}: byte {}: {}", what, pos, header.status().message()));
    }
    if (options.check_crc) {
      if (Status s = format::ValidateBatch(batch); !s.ok()) {
        return Status::Corruption(fmt::format("{}: batch at offset {} (byte {}): {}", what,
                                              header->base_offset, pos, s.message()));
      }
    }
    if (header->base_offset < previous_next) {
      return Status::Corruption(
          fmt::format("{}: batch at offset {} (byte {}) overlaps the one before, which ends at {}",
                      what, header->base_offset, pos, previous_next - 1));
    }
    previous_next = header->next_offset();
    if (header->next_offset() > options.from) out.batches.emplace_back(batch);
    pos += probe.size;
  }
  return out;
}

}  // namespace kq::replica
