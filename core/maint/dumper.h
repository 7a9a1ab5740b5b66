// Dumper: walks a partition's segments, batches and (optionally) records for
// kq-compact --dump, in the manner of Kafka's kafka-dump-log. Decoding only:
// the visitor renders (text or JSON, in the tool).
//
// A batch whose CRC does not match is reported with crc_valid = false and
// its records are not decoded; a broken frame ends the walk of that segment
// with OnProblem. Nothing is changed and no lock is taken.
// Thread safety: a function; the visitor is called from the calling thread.
#pragma once

#include <cstdint>
#include <string>

#include "base/status.h"
#include "base/strong_types.h"
#include "format/record.h"
#include "format/record_batch.h"
#include "io/env.h"

namespace kq::maint {

struct DumpSegment {
  std::string path;
  Offset base_offset;
  uint64_t size = 0;
  bool active = false;
};

struct DumpBatch {
  const DumpSegment* segment = nullptr;
  uint64_t position = 0;
  format::BatchHeader header;
  bool crc_valid = true;
  uint32_t computed_crc = 0;
  std::string problem;  // why the batch is invalid, when it is
};

class DumpVisitor {
 public:
  virtual ~DumpVisitor() = default;
  virtual Status OnSegment(const DumpSegment& segment) = 0;
  virtual Status OnBatch(const DumpBatch& batch) = 0;
  // Only with DumpOptions::records. Views are valid during the call.
  virtual Status OnRecord(const DumpBatch& batch, const format::RecordView& record) = 0;
  // Framing damage, a torn tail, or a batch whose records do not decode.
  virtual Status OnProblem(const std::string& file, uint64_t position,
                           const std::string& message) = 0;
};

struct DumpOptions {
  io::Env* env = nullptr;  // required
  bool records = false;    // decode records (--print-data)
  size_t max_batch_bytes = size_t{64} << 20;
};

// Walks the partition in `dir`; stops at the first non-OK status a visitor
// method returns (and returns it).
Status DumpPartition(const std::string& dir, const DumpOptions& options, DumpVisitor* visitor);

}  // namespace kq::maint
