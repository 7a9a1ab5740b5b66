// Append and read micro-benchmark for the partition log.
//
//   append_bench [DIR] [RECORDS] [BATCH]
//
// Builds batches of BATCH 100-byte records and appends them with
// log::Partition (page cache only, the "os" flush policy), then writes the
// same bytes with plain write() calls of the same sizes to another file, in
// the same run. Then reads everything back: Partition::Read plus a walk of
// every record, against read() of the raw file. Prints records/s, MB/s and
// the ratio to the raw baseline.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "format/record.h"
#include "format/record_batch_builder.h"
#include "io/env.h"
#include "log/partition.h"

using namespace kq;
using Clock = std::chrono::steady_clock;

namespace {

double Seconds(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

void Report(const char* what, long records, uint64_t bytes, double kq_s, double raw_s) {
  fmt::print("{:<8} kq: {:>10.0f} records/s {:>8.1f} MB/s | raw: {:>8.1f} MB/s | kq/raw = {:.2f}\n",
             what, records / kq_s, bytes / kq_s / 1e6, bytes / raw_s / 1e6, raw_s / kq_s);
}

}  // namespace

int main(int argc, char** argv) {
  const std::string dir = argc > 1 ? argv[1] : "/tmp/kq-append-bench";
  const long records = argc > 2 ? std::atol(argv[2]) : 2'000'000;
  const int per_batch = argc > 3 ? std::atoi(argv[3]) : 1000;
  io::Env* env = io::Env::Default();
  (void)env->RemoveTree(dir);
  const std::string value(100, 'v');

  log::PartitionOptions options;
  options.env = env;
  options.topic = "bench";
  auto opened = log::Partition::Open(dir + "/bench-0", options, log::OpenMode::kWrite);
  if (!opened.ok()) {
    fmt::print(stderr, "append_bench: {}\n", opened.status().ToString());
    return 1;
  }
  log::Partition& p = **opened;

  // The raw baseline writes the same bytes in the same chunk sizes; it runs
  // before and after the kq append and the faster run counts, so page-cache
  // warm-up favours neither side.
  const std::string raw_path = dir + "/raw.bin";
  std::string chunk(per_batch * 120 + 1024, 'r');
  auto raw_write = [&](const std::vector<size_t>& sizes) {
    int fd = open(raw_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0644);
    auto t0 = Clock::now();
    for (size_t size : sizes) {
      if (write(fd, chunk.data(), size) != static_cast<ssize_t>(size)) std::abort();
    }
    const double s = Seconds(t0);
    close(fd);
    return s;
  };
  double raw_first = 0;
  {
    format::RecordBatchBuilder probe;
    for (int i = 0; i < per_batch; ++i) probe.Add(1'700'000'000'000, std::nullopt, value);
    const size_t size = probe.Finish()->size();
    std::vector<size_t> sizes(static_cast<size_t>((records + per_batch - 1) / per_batch), size);
    raw_first = raw_write(sizes);
  }

  // --- append: build + append, as a producer does -------------------------
  std::vector<size_t> batch_sizes;
  uint64_t bytes = 0;
  auto start = Clock::now();
  format::RecordBatchBuilder builder;
  for (long n = 0; n < records;) {
    builder.Reset();
    for (int i = 0; i < per_batch && n < records; ++i, ++n)
      builder.Add(1'700'000'000'000 + n, std::nullopt, value);
    auto batch = builder.Finish();
    if (!batch.ok() || !p.Append(*batch).ok()) {
      fmt::print(stderr, "append_bench: append failed\n");
      return 1;
    }
    batch_sizes.push_back(batch->size());
    bytes += batch->size();
  }
  const double kq_append = Seconds(start);

  const double raw_append = std::min(raw_first, raw_write(batch_sizes));
  Report("append", records, bytes, kq_append, raw_append);

  // --- read: every record through the partition, against read() ----------
  long seen = 0;
  std::string scratch;
  start = Clock::now();
  Offset at = p.log_start_offset();
  while (at < p.log_end_offset()) {
    auto read = p.Read(at, 1 << 20);
    if (!read.ok() || read->bytes.empty()) return 1;
    std::string_view rest = read->bytes;
    while (!rest.empty()) {
      auto probe = format::ProbeFrame(rest);
      (void)format::ForEachRecord(rest.substr(0, probe.size), &scratch,
                                  [&](const format::RecordView&) {
                                    ++seen;
                                    return Status::Ok();
                                  });
      rest.remove_prefix(probe.size);
    }
    at = read->next_offset;
  }
  const double kq_read = Seconds(start);
  int fd = open(raw_path.c_str(), O_RDONLY);
  std::string buf(1 << 20, '\0');
  start = Clock::now();
  while (read(fd, buf.data(), buf.size()) > 0) {
  }
  const double raw_read = Seconds(start);
  close(fd);
  if (seen != records) {
    fmt::print(stderr, "append_bench: read {} records, expected {}\n", seen, records);
    return 1;
  }
  Report("read", records, bytes, kq_read, raw_read);
  (void)p.Close();
  (void)env->RemoveTree(dir);
  return 0;
}
