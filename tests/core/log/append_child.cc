// A writer process for the crash and concurrency tests.
//
//   append_child DIR WRITER RECORDS PER_BATCH SYNC
//
// Appends RECORDS records with values "<WRITER>:<n>" (n = 0, 1, ...) in
// batches of PER_BATCH to the partition in DIR. With SYNC=1 it syncs after
// every append and then prints the count of records acknowledged so far on
// stdout, one line per append, so a parent that kills it knows exactly what
// had been acknowledged.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include <fmt/format.h>

#include "format/record_batch_builder.h"
#include "io/env.h"
#include "log/partition.h"

using namespace kq;

int main(int argc, char** argv) {
  if (argc != 6) {
    fmt::print(stderr, "usage: append_child DIR WRITER RECORDS PER_BATCH SYNC\n");
    return 2;
  }
  const std::string dir = argv[1];
  const std::string writer = argv[2];
  const long records = std::atol(argv[3]);
  const long per_batch = std::atol(argv[4]);
  const bool sync = std::atoi(argv[5]) != 0;

  log::PartitionOptions options;
  options.env = io::Env::Default();
  options.topic = "crash";
  options.segment_bytes = 64 * 1024;  // many rolls
  options.index_interval_bytes = 1024;
  options.recovery_point_interval_ms = 50;  // exercise checkpoint writes
  auto partition = log::Partition::Open(dir, options, log::OpenMode::kWrite);
  if (!partition.ok()) {
    fmt::print(stderr, "append_child: {}\n", partition.status().ToString());
    return 1;
  }
  long n = 0;
  while (n < records) {
    format::RecordBatchBuilder builder;
    for (long i = 0; i < per_batch && n < records; ++i, ++n) {
      builder.Add(1'700'000'000'000 + n, std::nullopt, fmt::format("{}:{}", writer, n));
    }
    auto batch = builder.Finish();
    if (!batch.ok()) return 1;
    auto appended = (*partition)->Append(*batch);
    if (!appended.ok()) {
      fmt::print(stderr, "append_child: {}\n", appended.status().ToString());
      return 1;
    }
    if (sync) {
      if (Status s = (*partition)->Sync(); !s.ok()) {
        fmt::print(stderr, "append_child: {}\n", s.ToString());
        return 1;
      }
      // Unbuffered write: a line on the pipe means "acknowledged".
      const std::string line = fmt::format("{}\n", n);
      if (write(STDOUT_FILENO, line.data(), line.size()) < 0) return 1;
    }
  }
  return (*partition)->Close().ok() ? 0 : 1;
}
