#include "kq-produce/produce_loop.h"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "common/exit_codes.h"
#include "common/json_envelope.h"
#include "common/time_spec.h"
#include "log/topic_name.h"

namespace kq::tools::produce {
namespace {

constexpr size_t kInitialBuffer = size_t{1} << 20;
// Read only when at least this much room is free, so reads stay large.
constexpr size_t kMinRead = size_t{64} << 10;
// -T output is written once this much has collected (after the records
// behind it were appended).
constexpr size_t kEchoFlushBytes = size_t{1} << 20;

const char* FindDelimiter(const char* from, size_t n, const std::string& delim) {
  if (delim.size() == 1) return static_cast<const char*>(std::memchr(from, delim[0], n));
  return static_cast<const char*>(::memmem(from, n, delim.data(), delim.size()));
}

}  // namespace

ProduceLoop::ProduceLoop(const ProduceConfig& config, RecordWriter* producer)
    : config_(config), producer_(producer), progress_(config.progress) {
  for (const auto& [name, value] : config_.headers) {
    header_views_.push_back({name, std::string_view(value)});
  }
  if (config_.echo) echo_ = std::make_unique<tools::OutputWriter>(1);
  buffer_ = std::make_unique<char[]>(kInitialBuffer);
  capacity_ = kInitialBuffer;
}

Status ProduceLoop::Run(InputSource& input) {
  source_name_ = &input.name();
  line_ = 0;
  begin_ = end_ = 0;
  linger_ms_ = input.interactive() ? 0 : config_.linger_ms;
  Status s = config_.file_is_record ? RunWholeInput(input) : RunDelimited(input);
  if (StopRequested() != 0) done_ = true;
  progress_.Clear();
  return s;
}

Result<InputSource::Wait> ProduceLoop::WaitForInput(InputSource& input, int64_t linger_ms) {
  if (!input.may_stall()) return input.WaitReadable(0);
  const int64_t wait_start = tools::NowMs();
  for (;;) {
    const bool unsynced = producer_->appended_records() != acked_records_;
    int64_t timeout = -1;
    if (unacked_since_ms_ >= 0) {
      timeout = std::max<int64_t>(0, unacked_since_ms_ + linger_ms - tools::NowMs());
    } else if (unsynced) {
      timeout = std::max<int64_t>(0, wait_start + linger_ms - tools::NowMs());
    }
    const InputSource::Wait w = input.WaitReadable(static_cast<int>(timeout));
    if (w != InputSource::Wait::kTimeout) return w;
    KQ_RETURN_IF_ERROR(LingerFlush());
  }
}

Status ProduceLoop::LingerFlush() {
  KQ_RETURN_IF_ERROR(producer_->Flush());
  unacked_since_ms_ = -1;
  acked_records_ = producer_->appended_records();
  return FlushEcho();
}

Status ProduceLoop::FlushEcho() {
  if (!echo_ || echo_broken_) return Status::Ok();
  Status s = echo_->Flush();
  // The reader of -T output went away (`kq-produce -T t | head`): producing
  // goes on, echoing stops.
  if (IsBrokenPipe(s)) {
    echo_broken_ = true;
    return Status::Ok();
  }
  return s;
}

Result<size_t> ProduceLoop::ReadMore(InputSource& input, size_t max_record) {
  if (capacity_ - end_ < kMinRead && begin_ > 0) {
    std::memmove(buffer_.get(), buffer_.get() + begin_, end_ - begin_);
    scan_ -= begin_;
    end_ -= begin_;
    begin_ = 0;
  }
  if (capacity_ - end_ < kMinRead) {
    // One record fills the buffer: grow, but not past what the topic accepts.
    if (end_ - begin_ > max_record) {
      return Status::InvalidArgument(
          fmt::format("{}: record {}: longer than the max.message.bytes of topic '{}' ({})",
                      *source_name_, line_ + 1, producer_->topic(), max_record));
    }
    const size_t bigger = capacity_ * 2;
    auto grown = std::make_unique<char[]>(bigger);
    std::memcpy(grown.get(), buffer_.get() + begin_, end_ - begin_);
    scan_ -= begin_;
    end_ -= begin_;
    begin_ = 0;
    buffer_ = std::move(grown);
    capacity_ = bigger;
  }
  KQ_ASSIGN_OR_RETURN(size_t n, input.Read(buffer_.get() + end_, capacity_ - end_));
  end_ += n;
  input_bytes_ += n;
  chunk_time_ms_ = tools::NowMs();
  return n;
}

Status ProduceLoop::RunMapped(std::string_view data) {
  const std::string& delim = config_.delimiter;
  size_t begin = 0;
  size_t chunk_end = 0;
  while (!done_ && begin < data.size()) {
    if (begin >= chunk_end) {
      // Housekeeping once per MiB, as if it had been read in chunks.
      KQ_RETURN_IF_ERROR(AfterChunk());
      if (StopRequested() != 0) break;
      chunk_time_ms_ = tools::NowMs();
      chunk_end = begin + kInitialBuffer;
    }
    const char* hit = FindDelimiter(data.data() + begin, data.size() - begin, delim);
    const size_t end = hit ? static_cast<size_t>(hit - data.data()) : data.size();
    input_bytes_ += end - begin + (hit ? delim.size() : 0);
    KQ_RETURN_IF_ERROR(OnRecord(data.substr(begin, end - begin), hit != nullptr));
    begin = hit ? end + delim.size() : end;
  }
  return AfterChunk();
}

Status ProduceLoop::RunDelimited(InputSource& input) {
  if (std::string_view mapped = input.Map(); !mapped.empty()) return RunMapped(mapped);
  const std::string& delim = config_.delimiter;
  const size_t max_record = producer_->max_record_bytes();
  scan_ = 0;
  bool eof = false;
  while (!done_) {
    for (;;) {
      const char* base = buffer_.get();
      const char* hit = FindDelimiter(base + scan_, end_ - scan_, delim);
      if (hit == nullptr) break;
      const auto pos = static_cast<size_t>(hit - base);
      const size_t start = begin_;
      begin_ = scan_ = pos + delim.size();
      KQ_RETURN_IF_ERROR(OnRecord(std::string_view(base + start, pos - start), true));
      if (done_) return AfterChunk();
    }
    // A delimiter may be cut by the chunk boundary: search its first bytes again.
    scan_ = end_ - std::min(end_ - begin_, delim.size() - 1);
    if (eof) break;
    KQ_RETURN_IF_ERROR(AfterChunk());
    KQ_ASSIGN_OR_RETURN(InputSource::Wait w, WaitForInput(input, linger_ms_));
    if (w == InputSource::Wait::kStopped) break;
    KQ_ASSIGN_OR_RETURN(size_t n, ReadMore(input, max_record + delim.size()));
    eof = n == 0 || StopRequested() != 0;
  }
  // The last record needs no delimiter after it.
  if (!done_ && begin_ < end_) {
    const size_t start = std::exchange(begin_, end_);
    KQ_RETURN_IF_ERROR(OnRecord(std::string_view(buffer_.get() + start, end_ - start), false));
  }
  return AfterChunk();
}

Status ProduceLoop::RunWholeInput(InputSource& input) {
  const size_t max_record = producer_->max_record_bytes();
  for (;;) {
    KQ_ASSIGN_OR_RETURN(InputSource::Wait w, WaitForInput(input, linger_ms_));
    if (w == InputSource::Wait::kStopped) break;
    scan_ = end_;
    KQ_ASSIGN_OR_RETURN(size_t n, ReadMore(input, max_record));
    if (n == 0) break;
  }
  if (end_ - begin_ > max_record) {
    return Status::InvalidArgument(
        fmt::format("{}: {} bytes: longer than the "
                    "max.message.bytes of topic '{}' ({})",
                    *source_name_, end_ - begin_, producer_->topic(), max_record));
  }
  KQ_RETURN_IF_ERROR(OnRecord(std::string_view(buffer_.get() + begin_, end_ - begin_), false));
  begin_ = end_ = 0;
  return AfterChunk();
}

Status ProduceLoop::OnRecord(std::string_view bytes, bool echo_delimiter) {
  ++line_;
  Status s = config_.json ? AddJson(bytes) : AddPlain(bytes);
  if (!s.ok()) {
    if (!s.IsInvalidArgument()) return s;
    // Say where the bad record is, so a user can fix it and re-run from there.
    std::string where = config_.file_is_record
                            ? *source_name_
                            : fmt::format("{}: {} {}", *source_name_,
                                          config_.delimiter == "\n" ? "line" : "record", line_);
    return Status::InvalidArgument(fmt::format("{}: {}", where, s.message()));
  }
  if (unacked_since_ms_ < 0) unacked_since_ms_ = chunk_time_ms_;
  ++records_;
  if (echo_ && !echo_broken_) {
    std::string* out = echo_->buffer();
    out->append(bytes);
    if (echo_delimiter) out->append(config_.delimiter);
  }
  if (config_.max_records >= 0 && records_ >= static_cast<uint64_t>(config_.max_records)) {
    done_ = true;
  }
  if (progress_.Due()) {
    progress_.Show(fmt::format("{} records  {:.1f} MB", records_, input_bytes_ / 1e6));
  }
  return Status::Ok();
}

Status ProduceLoop::AddPlain(std::string_view bytes) {
  client::ProducerRecord r;
  r.timestamp = chunk_time_ms_;
  r.partition = config_.partition;
  r.headers = header_views_;
  r.value = bytes;
  if (config_.fixed_key) r.key = *config_.fixed_key;
  if (config_.key_delimiter) {
    // No delimiter in the record: all of it is the value and the key is the
    // -k key or null; a record's own key wins over -k. Both as kcat does.
    const std::string& kd = *config_.key_delimiter;
    if (const char* hit = FindDelimiter(bytes.data(), bytes.size(), kd)) {
      const auto at = static_cast<size_t>(hit - bytes.data());
      r.key = bytes.substr(0, at);
      r.value = bytes.substr(at + kd.size());
    }
  }
  if (config_.empty_is_null && r.value->empty()) r.value = std::nullopt;
  return producer_->Add(r);
}

Status ProduceLoop::AddJson(std::string_view bytes) {
  KQ_ASSIGN_OR_RETURN(ParsedEnvelope env, DecodeJsonEnvelope(bytes, {.lenient = config_.lenient}));
  for (const std::string& field : env.ignored_fields) {
    if (!warned_fields_.insert(field).second) continue;
    progress_.Clear();
    fmt::print(stderr, "kq-produce: warning: {}: line {}: unknown field '{}' ignored (--lenient)\n",
               *source_name_, line_, log::EscapeForMessage(field));
  }
  json_headers_.clear();
  for (const auto& [name, value] : env.headers) {
    json_headers_.push_back({name, value ? std::optional<std::string_view>(*value) : std::nullopt});
  }
  json_headers_.insert(json_headers_.end(), header_views_.begin(), header_views_.end());
  client::ProducerRecord r;
  r.timestamp = env.timestamp.value_or(-1) >= 0 ? *env.timestamp : chunk_time_ms_;
  r.headers = json_headers_;
  if (env.key) r.key = *env.key;
  if (env.value) r.value = *env.value;
  r.partition = config_.partition;
  if (r.partition < 0 && env.partition) {
    if (*env.partition < -1) {
      return Status::InvalidArgument(fmt::format("partition {} is not valid", *env.partition));
    }
    r.partition = *env.partition;
  }
  return producer_->Add(r);
}

Status ProduceLoop::AfterChunk() {
  if (unacked_since_ms_ >= 0 && chunk_time_ms_ - unacked_since_ms_ >= linger_ms_) {
    // Input keeps coming: make the records visible to consumers now, and
    // leave the sync to the next pause (or the end).
    KQ_RETURN_IF_ERROR(producer_->AppendPending());
    unacked_since_ms_ = -1;
    KQ_RETURN_IF_ERROR(FlushEcho());
  }
  if (echo_ && echo_->buffer()->size() >= kEchoFlushBytes) {
    KQ_RETURN_IF_ERROR(producer_->AppendPending());
    KQ_RETURN_IF_ERROR(FlushEcho());
  }
  return Status::Ok();
}

}  // namespace kq::tools::produce
