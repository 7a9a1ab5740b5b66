// SplitBatches: the one splitter of a buffer of RecordBatch v2 laid back to
// back (a Partition::Read chunk, a Fetch answer's record set, a stream
// frame's batches) into one string per whole batch. Every source of
// replication goes through it, so the framing, header and order checks and
// the error wording are the same wherever the bytes came from.
//
// Checks, on every batch kept: the frame (length, magic: ProbeFrame), the
// header, base offsets never going back (a batch starting before the end of
// the previous one is Corruption), and, unless `check_crc` is off, the CRC
// (ValidateBatch). Corruption names `what`, the byte position in `bytes`
// and, once the header decodes, the batch's base offset.
//
// A partial batch at the end is Corruption under PartialTail::kError (a
// local read or a framed stream, which only ever hold whole batches) and is
// dropped under PartialTail::kDrop (a Fetch answer cut at the size asked),
// its full size, once the length field is there, in partial_size.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "format/record_batch.h"

namespace kq::replica {

enum class PartialTail {
  kError,  // the bytes must end on a batch boundary
  kDrop,   // a cut last batch is left out and reported in partial_size
};

struct SplitOptions {
  PartialTail tail = PartialTail::kError;
  // Off only where the bytes were CRC-checked on the way in (Partition::Read
  // with verification on) and will be again before they are stored.
  bool check_crc = true;
  // Batches ending before this offset are skipped (a Fetch answers from the
  // start of the batch holding the offset asked).
  int64_t from = std::numeric_limits<int64_t>::min();
  size_t max_batch_bytes = format::kDefaultMaxBatchBytes;
};

struct SplitResult {
  std::vector<std::string> batches;
  size_t partial_size = 0;  // PartialTail::kDrop: the cut batch's size, 0 when none or unknown
};

Result<SplitResult> SplitBatches(std::string_view bytes, std::string_view what,
                                 const SplitOptions& options = {});

}  // namespace kq::replica
