// Reading records from a Kafka-protocol cluster (kq-consume -b; later the
// cluster source of kq-replicate).
//
// librdkafka calls used and why:
//   rd_kafka_query_watermark_offsets   BEFORE reading, each partition's high
//       watermark is fixed as its stop offset: kq-consume exits at the end
//       of the log "as it was when reading started" (like cat), so records
//       produced meanwhile do not keep it running. The low watermark
//       resolves "beginning" and "-N" (max(low, high - N)).
//   rd_kafka_offsets_for_times         timestamp starts.
//   rd_kafka_assign (without a group)  reads exactly the chosen partitions
//       from the computed offsets; nothing is committed.
//   rd_kafka_subscribe (a group)       group mode: group.id is the group,
//       enable.auto.commit=false, and our rebalance_cb fixes the stop offsets
//       of newly assigned partitions (watermarks again) and resumes from the
//       group's committed offsets (auto.offset.reset from the start:
//       earliest for beginning, latest for end).
//   rd_kafka_commit (sync, explicit list) groups: commits the offsets of the
//       records the caller has printed, only after its flush callback said
//       they are out (a killed consumer re-reads instead of losing).
//   rd_kafka_consumer_poll              the loop; enable.partition.eof so an
//       empty tail is noticed without waiting for a timeout.
//   rd_kafka_pause_partitions           a partition that reached its stop
//       offset (or its end timestamp) stops fetching while others go on.
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
#include "client/consumer.h"
#include "client/consumer_partition.h"
#include "kafka/client.h"

namespace kq::kafka {

// The same vocabulary as the log-directory consumer (client/consumer.h):
// TOPIC or TOPIC:N selections, start positions, and records as views.
using client::ConsumedRecord;
using client::StartPosition;
using client::TopicSelection;

struct ConsumeRequest {
  std::vector<TopicSelection> topics;  // at least one
  // Where each partition starts; out-of-range offsets are clamped to the
  // watermarks. In group mode: where the group has no committed offset, and
  // only kBeginning (auto.offset.reset=earliest) or kEnd (latest).
  StartPosition start;
  // When set, a partition stops at its first record whose timestamp is >=
  // this (epoch ms, exclusive), as kcat's e@ does.
  std::optional<int64_t> end_timestamp_ms;
  bool follow = false;                  // never stop at the end
  std::optional<uint64_t> max_records;  // stop after this many records
  // The consumer group. Empty: read without a group (assign). In group mode
  // partition selections are refused: the group decides who reads which
  // partition.
  std::string group;
  // When set and becoming true (e.g. from a SIGINT handler), the loop ends
  // within ~100 ms as if the end had been reached (commits still happen).
  const std::atomic<bool>* stop = nullptr;
};

// Called for each record in offset order per partition (partitions
// interleave in arrival order). The record and every view in it are valid
// only during the call. A non-OK return stops consuming and is returned
// (after a final commit in group mode of what was delivered before it).
using RecordSink = client::RecordSink;

// Called when the reader has caught up (nothing arrived within a poll) and
// before every commit; it must flush the caller's output. May be empty.
using FlushHook = std::function<Status()>;

// Reads the request's records and passes each to `sink`. Without follow,
// returns OK once every partition reached the stop offset fixed at the
// start (in group mode: at assignment), or after max_records. Errors: NotFound for
// a missing topic or partition ("topic 'x' does not exist at '...'" /
// "partition x-9 does not exist (topic has 3)"), InvalidArgument for a
// partition selection or a start other than beginning/end in group mode,
// IoError for an unreachable cluster (within
// config.timeout_ms) or a fetch failure naming its topic-partition.
Status ConsumeRange(const ClusterConfig& config, const ConsumeRequest& request,
                    const RecordSink& sink, const FlushHook& flush = {});

}  // namespace kq::kafka
