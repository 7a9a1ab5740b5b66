// ValidateBatches: what the Produce path checks before any byte of a
// partition's records touches the disk. The records field of a Produce
// request is untrusted: it must split into whole RecordBatch v2 frames, each
// within the size limit, with a matching CRC, every record decodable through
// its codec (none, gzip, snappy, lz4, zstd) and as many records as the header
// says; clients may not write control or transactional batches; a compacted
// topic takes only keyed records. The first failure names the batch's byte
// position and the Kafka error the partition is answered with.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "format/record_batch.h"
#include "protocol/error_codes.h"

namespace kq::server {

struct PartitionError {
  protocol::ErrorCode code;
  std::string message;
};

// On success (nullopt) `batches` holds copies of the batches (the log patches
// their offsets in place) and `headers` their decoded headers.
std::optional<PartitionError> ValidateBatches(std::string_view records, size_t max_batch_bytes,
                                              bool compacted, std::vector<std::string>* batches,
                                              std::vector<format::BatchHeader>* headers);

}  // namespace kq::server
