// kq-consume -b: read records from a Kafka-protocol cluster.
//
// librdkafka calls used and why:
//   rd_kafka_query_watermark_offsets   BEFORE reading, each partition's high
//       watermark is fixed as its stop offset: kq-consume exits at the end
//       of the log "as it was when reading started" (like cat), so records
//       produced meanwhile do not keep it running. The low watermark
//       resolves "beginning" and "-N" (max(low, high - N)).
//   rd_kafka_offsets_for_times         s@MS and @T1 starts.
//   rd_kafka_assign (without a group)  reads exactly the chosen partitions
//       from the computed offsets; nothing is committed.
//   rd_kafka_subscribe (-G)            group mode: group.id is the group,
//       enable.auto.commit=false, and our rebalance_cb fixes the stop offsets
//       of newly assigned partitions (watermarks again) and resumes from the
//       group's committed offsets (auto.offset.reset from -o: earliest for
//       beginning/stored, latest for end).
//   rd_kafka_commit (sync, explicit list) -G: commits the offsets of the
//       records the caller has printed, only after its flush callback said
//       they are out (a killed consumer re-reads instead of losing).
//   rd_kafka_consumer_poll              the loop; enable.partition.eof so an
//       empty tail is noticed without waiting for a timeout.
//   rd_kafka_pause_partitions           a partition that reached its stop
//       offset (or e@MS) stops fetching while others go on.
// librdkafka never delivers transaction control records or aborted
// transactional records (isolation.level=read_committed is its default).
//
// Thread safety: ConsumeRange runs on the caller's thread and calls the
// callbacks from it.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/status.h"
#include "common/kafka_client.h"
#include "common/offset_spec.h"
#include "common/record_format.h"

namespace kq::tools::kafka {

struct TopicSelection {
  std::string topic;
  std::optional<int32_t> partition;  // nullopt: every partition (TOPIC vs TOPIC:N)
};

struct ConsumeRequest {
  std::vector<TopicSelection> topics;  // at least one
  OffsetSpec start;                    // -o (merged by ParseOffsetSpecs)
  bool follow = false;                 // -F: never stop at the end
  std::optional<uint64_t> max_records; // -c N
  // -G: the consumer group. Empty: read without a group (assign). In group
  // mode -o may only be beginning, end or stored (what to do where the
  // group has no committed offset), and partition selections are refused:
  // the group decides who reads which partition.
  std::string group;
  // When set and becoming true (e.g. from a SIGINT handler), the loop ends
  // within ~100 ms as if the end had been reached (commits still happen).
  const std::atomic<bool>* stop = nullptr;
};

// Called for each record in offset order per partition (partitions
// interleave in arrival order). The views in the record are valid only
// during the call. A non-OK return stops consuming and is returned
// (after a final commit in group mode of what was delivered before it).
using RecordSink = std::function<Status(const FormattedRecord& record)>;

// Called when the reader has caught up (nothing arrived within a poll) and
// before every commit; it must flush the caller's output. May be empty.
using FlushHook = std::function<Status()>;

// Reads the request's records and passes each to `sink`. Without follow,
// returns OK once every partition reached the stop offset fixed at the
// start (for -G: at assignment), or after max_records. Errors: NotFound for
// a missing topic or partition ("topic 'x' does not exist at '...'" /
// "partition x-9 does not exist (topic has 3)"), InvalidArgument for -o
// stored without a group, IoError for an unreachable cluster (within
// config.timeout_ms) or a fetch failure naming its topic-partition.
Status ConsumeRange(const ClusterConfig& config, const ConsumeRequest& request,
                    const RecordSink& sink, const FlushHook& flush = {});

}  // namespace kq::tools::kafka
