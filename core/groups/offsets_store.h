// OffsetsStore: committed consumer-group offsets, kept as records of the
// compacted topic DIR/__consumer_offsets-<n> in Kafka's own layout
// (offset_commit_codec.h), so anything that can read that topic from a Kafka
// broker can read it here too.
//
// A group's records live in partition abs(JavaHashCode(group)) % partitions,
// as in Kafka. Within that partition the latest record per key wins and a
// tombstone (null value) deletes the key. The topic is created (compacted,
// kDefaultOffsetsPartitions partitions, 100 MiB segments like Kafka's) by the
// first Commit; an existing topic keeps its partition count. Reading never
// writes, so listings work on a read-only directory.
//
// Fetch and ListGroups replay the partitions incrementally: the store caches
// the latest value per key and reads only what was appended since the last
// call (a truncated or compacted-away start makes it replay from scratch).
// Records whose key or value does not decode (not written by Kafka or kq) are
// skipped and counted in skipped_records().
//
// Durability: Commit and Delete return after their batch is synced.
// Concurrency: any number of processes may commit to the same directory at
// once (appends go through log::Partition, which serializes writers); each
// store sees others' commits on its next Fetch/ListGroups. An OffsetsStore
// object is not thread safe; use one per thread or lock around it.
// The Env must outlive the store.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"
#include "base/status.h"
#include "groups/topic_partition.h"
#include "io/env.h"

namespace kq::groups {

inline constexpr char kOffsetsTopic[] = "__consumer_offsets";
// One partition is plenty for one machine's directory; Kafka's 50 spread
// coordinators over brokers, which a directory does not have.
inline constexpr int32_t kDefaultOffsetsPartitions = 1;

class OffsetsStore {
 public:
  // Opens the store over the existing log directory `log_dir` (NotFound when
  // it is not one). Writes nothing.
  static Result<std::unique_ptr<OffsetsStore>> Open(io::Env* env, const std::string& log_dir);

  virtual ~OffsetsStore() = default;

  // Appends one batch with a record per offset; durable on return.
  // InvalidArgument for a bad group name or a negative offset.
  virtual Status Commit(std::string_view group,
                        const std::vector<std::pair<TopicPartition, CommittedOffset>>& offsets) = 0;

  // The group's live committed offsets (empty map for an unknown group).
  virtual Result<std::map<TopicPartition, CommittedOffset>> Fetch(std::string_view group) = 0;

  // Groups that have at least one live committed offset, sorted.
  virtual Result<std::vector<std::string>> ListGroups() = 0;

  // Writes tombstones for `which` (empty = every partition the group has);
  // durable on return.
  virtual Status Delete(std::string_view group, const std::vector<TopicPartition>& which) = 0;

  // Records skipped so far because their key or value did not decode.
  virtual uint64_t skipped_records() const = 0;
};

}  // namespace kq::groups
