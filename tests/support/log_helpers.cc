#include "support/log_helpers.h"

#include <stdlib.h>

#include <doctest/doctest.h>
#include <fmt/format.h>

#include "format/record.h"
#include "format/record_batch_builder.h"

namespace kq::testing {

std::string MakeBatch(const std::string& prefix, int count, int64_t ts) {
  format::RecordBatchBuilder builder;
  for (int i = 0; i < count; ++i) {
    const std::string key = fmt::format("k{}", i);
    const std::string value = fmt::format("{}{}", prefix, i);
    builder.Add(ts, key, value);
  }
  auto batch = builder.Finish();
  REQUIRE(batch.ok());
  return std::move(*batch);
}

std::string MakeSizedBatch(size_t value_size, int64_t ts) {
  format::RecordBatchBuilder builder;
  builder.Add(ts, std::nullopt, std::string(value_size, 'x'));
  auto batch = builder.Finish();
  REQUIRE(batch.ok());
  return std::move(*batch);
}

Result<std::vector<ReadRecord>> ReadAll(log::Partition& p) {
  std::vector<ReadRecord> out;
  Offset at = p.log_start_offset();
  std::string scratch;
  while (at < p.log_end_offset()) {
    KQ_ASSIGN_OR_RETURN(log::ReadChunk chunk, p.Read(at, 64 * 1024));
    if (chunk.bytes.empty()) {
      // The log claims records up to its end: a read that delivers none
      // before it has lost them, which a test must not take for the end.
      return Status::Corruption(
          fmt::format("partition {}: read at offset {} returned nothing before the log end {}",
                      p.Name(), at.value(), p.log_end_offset().value()));
    }
    std::string_view rest = chunk.bytes;
    while (!rest.empty()) {
      auto probe = format::ProbeFrame(rest);
      REQUIRE(probe.state == format::FrameState::kComplete);
      std::string_view batch = rest.substr(0, probe.size);
      KQ_RETURN_IF_ERROR(format::ForEachRecord(batch, &scratch, [&](const format::RecordView& r) {
        if (r.offset >= at.value()) {
          out.push_back({r.offset, r.timestamp, std::string(r.key.value_or("")),
                         std::string(r.value.value_or(""))});
        }
        return Status::Ok();
      }));
      rest.remove_prefix(probe.size);
    }
    at = chunk.next_offset;
  }
  return out;
}

void AppendRemembered(log::Partition& p, int batches, int per_batch, const std::string& prefix,
                      std::map<int64_t, std::string>* written) {
  for (int b = 0; b < batches; ++b) {
    const std::string values = fmt::format("{}b{}-", prefix, b);
    std::string batch = MakeBatch(values, per_batch);
    auto r = p.Append(batch);
    REQUIRE_MESSAGE(r.ok(), r.status().ToString());
    for (int i = 0; i < per_batch; ++i)
      (*written)[r->first_offset.value() + i] = values + std::to_string(i);
  }
}

log::PartitionOptions SmallOptions(io::Env* env, uint64_t segment_bytes) {
  log::PartitionOptions o;
  o.env = env;
  o.topic = "t";
  o.partition = PartitionId(0);
  o.segment_bytes = segment_bytes;
  o.index_interval_bytes = 256;
  o.recovery_point_interval_ms = 0;
  return o;
}

void FlipBit(io::Env* env, const std::string& path, uint64_t byte, int bit) {
  auto data = env->ReadFileToString(path);
  REQUIRE(data.ok());
  REQUIRE(byte < data->size());
  (*data)[byte] = static_cast<char>((*data)[byte] ^ (1 << bit));
  auto file = env->CreateTruncated(path);
  REQUIRE(file.ok());
  REQUIRE((*file)->Append(*data).ok());
}

void AppendBytes(io::Env* env, const std::string& path, const std::string& bytes) {
  auto file = env->OpenAppendable(path);
  REQUIRE(file.ok());
  REQUIRE((*file)->Append(bytes).ok());
}

TempDir::TempDir() {
  char tmpl[] = "/tmp/kq-test-XXXXXX";
  char* made = mkdtemp(tmpl);
  REQUIRE(made != nullptr);
  path_ = made;
}

TempDir::~TempDir() { (void)io::Env::Default()->RemoveTree(path_); }

}  // namespace kq::testing
