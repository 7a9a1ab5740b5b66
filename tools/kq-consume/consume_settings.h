// kq-consume's flags as typed, and the checked settings the loop runs with.
// All argument checking happens here, before anything is read or printed, so
// a usage error (exit 2) never follows partial output.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "client/consumer.h"
#include "client/record_source.h"
#include "common/common_flags.h"
#include "kafka/client.h"
#include "common/offset_spec.h"
#include "common/record_format.h"
#include "kq-consume/schema_decoder.h"

namespace kq::tools::consume {

// Bound by CLI11 in main.cc.
struct ConsumeFlags {
  std::vector<std::string> operands;         // TOPIC[:PARTITION]...
  std::vector<std::string> topics;           // -t
  std::vector<std::string> offsets;          // -o (at most a start and an end bound)
  std::optional<int64_t> count;              // -c
  bool exit_at_end = false;                  // -e
  bool follow = false;                       // -F
  std::string format;                        // -f
  std::optional<std::string> key_delimiter;  // -K
  std::optional<std::string> delimiter;      // -D
  bool json = false;                         // -J
  std::string group;                         // -G
  bool ordered = false;                      // --ordered
  int64_t poll_ms = 1000;                    // --poll-ms
  std::vector<std::string> serdes;           // -s (schema_decoder.h)
};

enum class OutputMode { kValue, kKeyValue, kFormat, kJson };

struct ConsumeSettings {
  std::string dir;
  // -b/$KQ_BROKERS: read from this cluster instead of `dir`
  // (kafka::ClusterRecordSource instead of client::LogRecordSource).
  bool use_cluster = false;
  kafka::ClusterConfig cluster;
  std::vector<client::TopicSelection> selections;
  OffsetSpec offset;
  std::optional<int64_t> count;
  bool follow = false;
  bool ordered = false;
  std::string group;  // empty: no group
  int64_t poll_ms = 1000;
  int verbose = 0;
  bool quiet = false;

  OutputMode mode = OutputMode::kValue;
  std::string delimiter = "\n";              // after each record (-D)
  std::string key_delimiter;                 // -K
  std::optional<RecordFormatter> formatter;  // -f
  SerdeSpec serdes;                          // -s
};

// Checks the flags. InvalidArgument (a usage error, exit 2) names the flag.
Result<ConsumeSettings> CheckFlags(const CommonFlags& common, const ConsumeFlags& flags);

// Runs kq-consume; returns the exit code.
int RunConsume(const CommonFlags& common, const ConsumeFlags& flags);

// The start position for a partition without a group commit.
client::StartPosition StartFor(const OffsetSpec& spec);

// The record source for the checked flags (kq-consume and --exec): the
// cluster's with -b, else the log directory's, which stops when `hangup_fd`
// (-1: none) is hung up.
std::unique_ptr<client::RecordSource> OpenSource(const ConsumeSettings& s, int hangup_fd);

// The source's request for the checked flags (kq-consume and --exec).
// InvalidArgument for an -o a cluster group cannot honour.
Result<client::ReadRequest> RequestFor(const ConsumeSettings& s);

}  // namespace kq::tools::consume
