// Builders and readers that keep log tests short (Redpanda's
// disk_log_builder idea): make batches of numbered values, read a whole
// partition back, and damage files the way crashes and disks do.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "io/env.h"
#include "log/partition.h"

namespace kq::testing {

struct ReadRecord {
  int64_t offset;
  int64_t timestamp;
  std::string key;
  std::string value;
};

// One uncompressed batch of `count` records with values "<prefix><i>" and
// keys "k<i>", timestamps `ts` (all records).
std::string MakeBatch(const std::string& prefix, int count, int64_t ts = 1000);
// One batch holding a single record of `value_size` bytes.
std::string MakeSizedBatch(size_t value_size, int64_t ts = 1000);

// Appends `batches` batches of `per_batch` records from MakeBatch, with
// values "<prefix>b<n>-<i>", and adds each record's offset and value to
// *written.
void AppendRemembered(log::Partition& p, int batches, int per_batch, const std::string& prefix,
                      std::map<int64_t, std::string>* written);

// Every record from the log start to the log end, or the first error;
// Corruption when a read delivers nothing before the log end.
Result<std::vector<ReadRecord>> ReadAll(log::Partition& p);

// Options for a partition named t-0 on `env` with small segments.
log::PartitionOptions SmallOptions(io::Env* env, uint64_t segment_bytes = 4096);

// Flips one bit of a file in place.
void FlipBit(io::Env* env, const std::string& path, uint64_t byte, int bit = 0);
// Appends raw bytes to a file (garbage, a torn batch).
void AppendBytes(io::Env* env, const std::string& path, const std::string& bytes);

// A fresh directory under /tmp, removed by the destructor.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace kq::testing
