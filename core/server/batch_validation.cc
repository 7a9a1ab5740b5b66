#include "server/batch_validation.h"

#include <fmt/format.h>

#include "format/record.h"

namespace kq::server {

using protocol::ErrorCode;

std::optional<PartitionError> ValidateBatches(std::string_view records, size_t max_batch_bytes,
                                              bool compacted, std::vector<std::string>* batches,
                                              std::vector<format::BatchHeader>* headers) {
  std::string scratch;
  size_t position = 0;
  while (position < records.size()) {
    std::string_view rest = records.substr(position);
    format::FrameProbe probe = format::ProbeFrame(rest, SIZE_MAX);
    if (probe.state != format::FrameState::kComplete) {
      if (rest.size() >= format::kBatchHeaderSize && rest[16] != format::kMagicV2)
        return PartitionError{
            ErrorCode::kUnsupportedForMessageFormat,
            fmt::format("batch at byte {}: magic {} (kq stores RecordBatch v2 only)", position,
                        int(rest[16]))};
      return PartitionError{
          ErrorCode::kCorruptMessage,
          fmt::format(
              "batch at byte {}: {}", position,
              probe.state == format::FrameState::kIncomplete ? "truncated" : probe.problem)};
    }
    std::string_view batch = rest.substr(0, probe.size);
    if (batch.size() > max_batch_bytes)
      return PartitionError{ErrorCode::kMessageTooLarge,
                            fmt::format("batch at byte {} is {} bytes; the topic allows {}",
                                        position, batch.size(), max_batch_bytes)};
    if (Status s = format::ValidateBatch(batch); !s.ok())
      return PartitionError{ErrorCode::kCorruptMessage,
                            fmt::format("batch at byte {}: {}", position, s.message())};
    auto header = format::DecodeBatchHeader(batch);
    if (!header.ok() || header->is_control())
      return PartitionError{
          ErrorCode::kInvalidRecord,
          fmt::format("batch at byte {}: clients may not write control batches", position)};
    if (header->is_transactional())
      return PartitionError{ErrorCode::kInvalidRecord,
                            "kq-serve does not support transactions (no transaction coordinator)"};
    // A compressed batch may inflate by a large factor, but not without
    // bound: a request must not make the server allocate gigabytes.
    const size_t max_decompressed =
        std::min(format::kDefaultMaxBatchBytes * 4, std::max<size_t>(max_batch_bytes, 1) * 64);
    Status records_ok = format::ForEachRecord(
        batch, &scratch,
        [&](const format::RecordView& r) {
          if (compacted && !r.key)
            return Status::InvalidArgument("a record without a key on a compacted topic");
          return Status::Ok();
        },
        max_decompressed);
    if (!records_ok.ok())
      return PartitionError{records_ok.code() == Status::Code::kNotSupported
                                ? ErrorCode::kUnsupportedCompressionType
                            : records_ok.IsInvalidArgument() ? ErrorCode::kInvalidRecord
                                                             : ErrorCode::kCorruptMessage,
                            fmt::format("batch at byte {}: {}", position, records_ok.message())};
    batches->emplace_back(batch);
    headers->push_back(*header);
    position += batch.size();
  }
  if (batches->empty())
    return PartitionError{ErrorCode::kInvalidRecord, "no record batch in the request"};
  return std::nullopt;
}

}  // namespace kq::server
