// The work of kq-produce after its flags are checked: read records from the
// inputs, hand them to a client::RecordWriter, flush on linger and at the end.
//
// Reading: each input is read in 1 MiB chunks into one buffer and split in
// place (memchr for a one-byte delimiter), so a record costs no allocation
// beyond its copy into the batch being built. A record cut by a chunk
// boundary is moved to the front of the buffer before the next read.
//
// Linger: while records are buffered or appended but not yet acknowledged,
// the wait for more input is limited to what is left of --linger-ms; when it
// runs out, the producer flushes (append + sync per the flush policy). Input
// typed at a terminal uses a linger of 0: each line is written as typed.
//
// Errors inside the input (a malformed -J line, a record too large for the
// topic) stop reading at that record: the records before it are written and
// acknowledged, nothing from it or after it is, and Run returns
// InvalidArgument naming the input and line.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "base/status.h"
#include "client/producer.h"
#include "common/output.h"
#include "format/record.h"
#include "kq-produce/input_source.h"
#include "client/record_writer.h"

namespace kq::tools::produce {

using client::RecordWriter;

struct ProduceConfig {
  std::string delimiter = "\n";                              // -D
  bool file_is_record = false;                               // -l
  std::optional<std::string> key_delimiter;                  // -K
  std::optional<std::string> fixed_key;                      // -k
  int32_t partition = -1;                                    // -p
  bool empty_is_null = false;                                // -Z
  std::vector<std::pair<std::string, std::string>> headers;  // -H, in order
  int64_t max_records = -1;                                  // -c; -1: no limit
  bool echo = false;                                         // -T
  bool json = false;                                         // -J
  bool lenient = false;                                      // --lenient: unknown -J fields warn
  int64_t linger_ms = 5;                                     // --linger-ms
  bool progress = false;                                     // show progress on stderr
};

class ProduceLoop {
 public:
  // `producer` must outlive the loop.
  ProduceLoop(const ProduceConfig& config, RecordWriter* producer);

  // Reads `input` to its end (or to -c, or a stop signal). Call once per input.
  Status Run(InputSource& input);
  // True once -c records were taken or a stop signal arrived: skip the rest.
  bool done() const { return done_; }
  // Records handed to the producer so far.
  uint64_t records() const { return records_; }
  // Writes what -T echoed since the last call (after the producer flushed).
  Status FlushEcho();

 private:
  Status RunDelimited(InputSource& input);
  Status RunWholeInput(InputSource& input);
  // RunDelimited over a mapped file (InputSource::Map).
  Status RunMapped(std::string_view data);
  // Waits for input, flushing the producer when the linger runs out.
  Result<InputSource::Wait> WaitForInput(InputSource& input, int64_t linger_ms);
  Result<size_t> ReadMore(InputSource& input, size_t max_record);
  // echo_delimiter: the record ended with a delimiter (echoed after it).
  Status OnRecord(std::string_view bytes, bool echo_delimiter);
  Status AddPlain(std::string_view bytes);
  Status AddJson(std::string_view bytes);
  Status AfterChunk();
  Status LingerFlush();

  const ProduceConfig& config_;
  RecordWriter* producer_;
  std::vector<format::HeaderView> header_views_;  // from -H, built once
  std::vector<format::HeaderView> json_headers_;  // scratch for -J
  std::unique_ptr<tools::OutputWriter> echo_;
  std::set<std::string> warned_fields_;  // --lenient: each unknown field is named once
  tools::Progress progress_;

  // The read buffer: [begin_, end_) holds bytes not yet split into records.
  std::unique_ptr<char[]> buffer_;
  size_t capacity_ = 0;
  size_t begin_ = 0;
  size_t end_ = 0;
  size_t scan_ = 0;  // where the search for the next delimiter resumes

  const std::string* source_name_ = nullptr;
  uint64_t line_ = 0;              // record number within the current input
  int64_t chunk_time_ms_ = -1;     // timestamp of the records of this chunk
  int64_t linger_ms_ = 5;          // for the current input (0 at a terminal)
  int64_t unacked_since_ms_ = -1;  // first record not yet appended; -1: none
  uint64_t acked_records_ = 0;     // appended_records() at the last Flush
  uint64_t records_ = 0;
  uint64_t input_bytes_ = 0;
  bool done_ = false;
  bool echo_broken_ = false;
};

}  // namespace kq::tools::produce
