// OffsetsStore: committed consumer-group offsets, kept as records of the
// compacted topic DIR/__consumer_offsets-<n> in Kafka's own layout
// (offset_commit_codec.h), so anything that can read that topic from a Kafka
// broker can read it here too.
//
// A group's records live in partition abs(JavaHashCode(group)) % partitions,
// as in Kafka. Within that partition the latest record per key wins and a
// tombstone (null value) deletes the key.
//
// Durability: Commit and Delete return after their batch is synced.
// Concurrency: any number of processes may commit to the same directory at
// once (appends go through log::Partition, which serializes writers); each
// store sees others' commits on its next Fetch/ListGroups. An OffsetsStore
// object is not thread safe; use one per thread or lock around it.
// The Env must outlive the store.
#pragma once

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

class OffsetsStore {
 public:
  // Opens the store over the log directory `log_dir`, creating the
  // __consumer_offsets topic (compacted) when it is missing.
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
};

}  // namespace kq::groups
