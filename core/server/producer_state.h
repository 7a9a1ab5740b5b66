// Idempotent producers (KIP-98, without transactions).
//
// ProducerIds hands out producer ids (InitProducerId) that stay unique
// across restarts: ids come in blocks, and the end of the current block is
// written durably to DIR/.kq/server/producer-id-block before any id of the
// block is given out, so a restarted server starts past every id it issued.
//
// PartitionProducers is one partition's producer state: per producer id, the
// epoch and the sequence numbers of its last five batches (Kafka keeps five,
// the most a client has in flight). A batch is checked before it is appended:
//   - a known batch again (a retry after a lost acknowledgement) is a
//     duplicate: acknowledged with its first offset, not appended twice;
//   - the next sequence is appended;
//   - anything else is OUT_OF_ORDER_SEQUENCE_NUMBER; an older epoch is
//     INVALID_PRODUCER_EPOCH; a new epoch must start at sequence 0.
// The state is rebuilt from the batch headers of the log when the partition
// is first produced to by an idempotent producer after a restart, so a retry
// that crosses a server restart is still recognised.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>

#include "base/result.h"
#include "format/record_batch.h"
#include "io/env.h"
#include "log/partition.h"

namespace kq::server {

class ProducerIds {
 public:
  static Result<std::unique_ptr<ProducerIds>> Open(io::Env* env, const std::string& log_dir);
  Result<int64_t> Next();

 private:
  ProducerIds(io::Env* env, std::string path) : env_(env), path_(std::move(path)) {}
  io::Env* env_;
  std::string path_;
  int64_t next_ = 0;
  int64_t block_end_ = 0;  // exclusive; durable on disk
};

enum class SequenceCheck {
  kAppend,        // new and in order
  kDuplicate,     // seen before: acknowledge with duplicate_base_offset
  kOutOfOrder,    // OUT_OF_ORDER_SEQUENCE_NUMBER
  kInvalidEpoch,  // INVALID_PRODUCER_EPOCH
};

class PartitionProducers {
 public:
  // Reads the batch headers of `partition` from its log start.
  static Result<std::unique_ptr<PartitionProducers>> Rebuild(log::Partition* partition);

  // Checks `header` (producer_id >= 0). For kDuplicate, *duplicate_base_offset
  // is the first offset the batch got the first time.
  SequenceCheck Check(const format::BatchHeader& header, int64_t* duplicate_base_offset) const;
  // Records an appended batch (its header with the assigned base offset).
  void Record(const format::BatchHeader& header);

 private:
  struct BatchSeq {
    int32_t first_seq;
    int32_t last_seq;
    int64_t base_offset;
  };
  struct Producer {
    int16_t epoch = -1;
    std::deque<BatchSeq> recent;  // oldest first, at most kRecent
  };
  static constexpr size_t kRecent = 5;
  std::map<int64_t, Producer> producers_;
};

}  // namespace kq::server
