#include "log/batch_scanner.h"

#include <algorithm>

#include <fmt/format.h>

namespace kq::log {

BatchScanner::BatchScanner(const io::RandomAccessFile& file, uint64_t start, uint64_t end,
                           Options options)
    : file_(file), pos_(start), end_(end), options_(options), buffer_pos_(start) {
  if (options_.verify_crc) options_.load_bytes = true;
}

Status BatchScanner::Fill(size_t n) {
  const uint64_t want_end = std::min<uint64_t>(end_, pos_ + n);
  if (pos_ >= buffer_pos_ && want_end <= buffer_pos_ + buffer_.size()) return Status::Ok();
  const size_t to_read = static_cast<size_t>(
      std::min<uint64_t>(end_ - pos_, std::max<uint64_t>(n, options_.read_ahead)));
  buffer_pos_ = pos_;
  return file_.Read(pos_, to_read, &buffer_);
}

bool BatchScanner::StopWith(Stop why, Status problem) {
  stop_ = why;
  problem_ = std::move(problem);
  return false;
}

bool BatchScanner::Next(Batch* batch) {
  if (stop_ != Stop::kNone) return false;
  if (pos_ >= end_) return StopWith(Stop::kEnd);
  const size_t header_need =
      options_.load_bytes ? format::kFramePrefixSize : format::kBatchHeaderSize;
  if (Status s = Fill(format::kBatchHeaderSize); !s.ok()) return StopWith(Stop::kIoError, s);
  std::string_view avail(buffer_.data() + (pos_ - buffer_pos_),
                         buffer_.size() - static_cast<size_t>(pos_ - buffer_pos_));
  if (avail.size() < header_need && pos_ + avail.size() >= end_) return StopWith(Stop::kTorn);
  format::FrameProbe probe = format::ProbeFrame(avail, options_.max_batch_bytes);
  if (probe.state == format::FrameState::kCorrupt) {
    return StopWith(Stop::kCorrupt,
                    Status::Corruption(fmt::format("{}: batch at position {}: {}", file_.path(),
                                                   pos_, probe.problem)));
  }
  if (pos_ + probe.size > end_ || avail.size() < format::kBatchHeaderSize) {
    return StopWith(Stop::kTorn);
  }
  if (options_.load_bytes && avail.size() < probe.size) {
    if (Status s = Fill(probe.size); !s.ok()) return StopWith(Stop::kIoError, s);
    avail = std::string_view(buffer_.data() + (pos_ - buffer_pos_),
                             buffer_.size() - static_cast<size_t>(pos_ - buffer_pos_));
    if (avail.size() < probe.size) return StopWith(Stop::kTorn);  // file shrank under us
  }
  Result<format::BatchHeader> header = format::DecodeBatchHeader(avail);
  if (!header.ok()) return StopWith(Stop::kTorn);
  batch->position = pos_;
  batch->header = *header;
  batch->bytes = options_.load_bytes ? avail.substr(0, probe.size) : std::string_view();
  if (options_.verify_crc) {
    if (Status s = format::ValidateBatch(batch->bytes); !s.ok()) {
      return StopWith(Stop::kCorrupt,
                      s.WithPrefix(fmt::format("{}: batch at position {} (offset {})", file_.path(),
                                               pos_, header->base_offset)));
    }
  }
  pos_ += probe.size;
  return true;
}

}  // namespace kq::log
