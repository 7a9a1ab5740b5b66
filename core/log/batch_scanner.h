// BatchScanner: walks the batches of a segment file from a position, and
// tells a clean end, a torn tail and corruption apart (STYLE 5.2):
//   kEnd      the scan reached `end` exactly on a batch boundary;
//   kTorn     the last frame is incomplete: a crashed writer, or a batch that
//             is still being written — "not yet written" to a reader;
//   kCorrupt  impossible framing, or (with verify_crc) a CRC mismatch.
// Decoding only: callers decide what to do (read, recover, verify).
//
// The scanner reads through its own buffer; views it returns are valid until
// the next call. `file` must outlive the scanner.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"
#include "format/record_batch.h"
#include "io/env.h"

namespace kq::log {

class BatchScanner {
 public:
  struct Options {
    bool load_bytes = false;  // return each whole batch in Batch::bytes
    bool verify_crc = false;  // implies load_bytes
    size_t max_batch_bytes = format::kDefaultMaxBatchBytes;
    // Bytes read at once: large for whole-segment scans, small for a seek
    // that stops within an index interval of its start.
    size_t read_ahead = 256 * 1024;
  };
  struct Batch {
    uint64_t position = 0;  // byte position of the batch in the file
    format::BatchHeader header;
    std::string_view bytes;  // whole batch (load_bytes / verify_crc only)
  };
  enum class Stop { kNone, kEnd, kTorn, kCorrupt, kIoError };

  BatchScanner(const io::RandomAccessFile& file, uint64_t start, uint64_t end, Options options);

  // Fills *batch and returns true, or returns false at the end; then stop()
  // says why and problem() describes corruption or an I/O error with the
  // file path and byte position.
  bool Next(Batch* batch);

  Stop stop() const { return stop_; }
  const Status& problem() const { return problem_; }
  // Position after the last batch returned: where a torn or corrupt tail
  // starts, or `end` after a clean scan.
  uint64_t position() const { return pos_; }

 private:
  // Makes at least `n` bytes from pos_ available in the buffer (fewer at end).
  Status Fill(size_t n);
  bool StopWith(Stop why, Status problem = Status::Ok());

  const io::RandomAccessFile& file_;
  uint64_t pos_;
  uint64_t end_;
  Options options_;
  std::string buffer_;  // bytes of the file from buffer_pos_
  uint64_t buffer_pos_ = 0;
  Stop stop_ = Stop::kNone;
  Status problem_;
};

}  // namespace kq::log
