// kq-produce's flags as parsed, and the run: check them (usage errors exit 2
// naming the flag), open the directory and topic, feed the inputs through a
// ProduceLoop, close (every record acknowledged), print --report.
//
// Decisions documented in man/kq-produce.1:
//   -K with no delimiter in a record: the key is null, the value the whole record.
//   A bad record (malformed -J line, too large for max.message.bytes, partition
//   out of range) stops the run: the records before it are written and
//   acknowledged, nothing from it on; exit 1 naming the input and line.
//   SIGINT/SIGTERM: what was read is written and flushed; exit 0 when that
//   succeeded (kcat's behaviour), so `timeout` and Ctrl-C lose nothing.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/common_flags.h"
#include "kq-produce/schema_writer.h"

namespace kq::tools::produce {

struct ProduceFlags {
  std::vector<std::string> operands;
  std::optional<std::string> topic;
  std::optional<std::string> delimiter;
  std::optional<std::string> key_delimiter;
  std::optional<std::string> key;
  bool whole_file = false;
  bool json = false;
  bool lenient = false;
  bool null_empty = false;
  std::vector<std::string> headers;
  std::optional<int64_t> count;
  bool tee = false;
  std::optional<int64_t> partition;
  std::string partitioner;
  std::string compression = "none";
  int64_t batch_bytes = 256 * 1024;
  int64_t linger_ms = 5;
  std::string flush;
  int64_t partitions = 1;
  bool no_create = false;
  bool force_internal = false;
  bool report = false;
  SchemaFlags schemas;  // --value-schema, --key-schema
};

// Returns the exit code.
int RunProduce(const CommonFlags& common, const ProduceFlags& flags);

}  // namespace kq::tools::produce
