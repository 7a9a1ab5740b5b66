// LogDir: the metadata of a kq log directory, Kafka's layout plus `.kq/`:
//
//   DIR/.kq/format.json        {"format_version": 1, "created_at": "2026-...Z",
//                               "cluster_id": "<22 chars of URL-safe base64>"}
//   DIR/.kq/topics/<t>.json    {"partitions": N, "config": {<explicitly set keys>}}
//   DIR/.kq/topics.lock        flock held while topics are created, altered or deleted
//   DIR/<t>-<p>/               one folder per partition (segment_name.h)
//
// OpenPartition opens a partition with the options its topic's config gives,
// so every caller that holds the directory (producer, offsets store,
// kq-topics, cleanup, DeleteRecords, a server) shapes segments the same way
// instead of assembling PartitionOptions by hand.
//
// Any number of processes may open the same directory. Changes to topic
// metadata take an exclusive lock on topics.lock, so two processes racing to
// create the same topic serialize (EnsureTopic makes the second one see the
// first one's topic). Reads take no lock: metadata files are only ever
// replaced atomically.
//
// Durability: every method that changes metadata returns after it is durable
// (Env::WriteFileAtomic; new and removed folders are followed by SyncDir).
// A topic's metadata is written after its partition folders exist, and removed
// before them, so metadata never names a partition whose folder is missing
// (except after someone removes folders by hand).
//
// Thread safety: a LogDir is an immutable handle (path, Env, format info);
// its methods may be called from several threads. The Env must outlive it.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/strong_types.h"
#include "io/env.h"
#include "log/partition.h"
#include "log/topic_config.h"

namespace kq::log {

inline constexpr int kLogDirFormatVersion = 1;
// A sanity cap on partitions per topic: each one is a folder and open files.
inline constexpr int32_t kMaxPartitionsPerTopic = 10000;

struct TopicInfo {
  std::string name;
  int32_t partitions = 0;
  TopicConfig config;
};

// One change for AlterTopicConfig: set `key` to `value`, or reset it to the
// default when `value` is empty (nullopt).
struct ConfigChange {
  std::string key;
  std::optional<std::string> value;
};

class LogDir {
 public:
  // Opens the log directory at `path`. With create_if_missing, a missing
  // directory or missing .kq/ metadata is created (a directory holding other
  // files is adopted as it is). Errors: NotFound (no directory, or not a kq
  // directory and !create_if_missing), NotSupported (format newer than this
  // build), Corruption (unreadable format.json, naming the file).
  static Result<LogDir> Open(io::Env* env, const std::string& path, bool create_if_missing);

  const std::string& path() const { return path_; }
  io::Env* env() const { return env_; }
  const std::string& cluster_id() const { return cluster_id_; }
  const std::string& created_at() const { return created_at_; }

  // Creates a topic with `partitions` partitions (1..kMaxPartitionsPerTopic)
  // and the explicitly set keys of `config`. Errors: InvalidArgument (bad name
  // or count), Conflict ("topic 'x' already exists", or a leftover non-empty
  // partition folder without metadata), or the I/O error that stopped it.
  // All or nothing: a create that fails removes the folders and metadata it
  // made before it returns the error (a crash or a disk that keeps failing
  // may leave empty folders, which the next create reuses).
  Status CreateTopic(std::string_view name, int32_t partitions, const TopicConfig& config);
  // Like CreateTopic, but an existing topic is not an error: returns it as it
  // is (its partition count and config win over the arguments).
  Result<TopicInfo> EnsureTopic(std::string_view name, int32_t partitions,
                                const TopicConfig& config);

  // Topic names, sorted.
  Result<std::vector<std::string>> ListTopics() const;
  // NotFound "topic 'x' does not exist in DIR" when missing.
  Result<TopicInfo> DescribeTopic(std::string_view name) const;
  // Applies all changes or none (a bad key or value leaves the topic as it was).
  Status AlterTopicConfig(std::string_view name, const std::vector<ConfigChange>& changes);
  // Grows the topic to `new_count` partitions; shrinking or keeping the count
  // is InvalidArgument (records are never moved between partitions). A grow
  // that fails leaves the old count and removes the folders it made.
  Status AddPartitions(std::string_view name, int32_t new_count);
  // Removes the metadata (the topic is gone from that moment), then every
  // partition folder of the topic. Callers must make sure no process is still
  // writing to it.
  Status DeleteTopic(std::string_view name);

  // NotFound "partition 4 of topic 't' does not exist (it has 2)" unless
  // 0 <= partition < topic.partitions.
  static Status CheckPartition(const TopicInfo& topic, PartitionId partition);

  // Opens partition `partition` of `topic`, with the options its config
  // gives (PartitionOptionsFor: segment.bytes, segment.ms, index sizes). In
  // kWrite mode a missing partition folder is created, as Partition::Open
  // does. Errors: NotFound for a partition outside 0..partitions-1
  // ("partition 4 of topic 't' does not exist (it has 2)") or, in kRead mode,
  // a missing folder; otherwise what Partition::Open returns.
  // The returned Partition does not refer to this LogDir; it uses its Env,
  // which must outlive it.
  Result<std::unique_ptr<Partition>> OpenPartition(const TopicInfo& topic, PartitionId partition,
                                                   OpenMode mode) const;
  // The same after reading the topic's metadata (DescribeTopic's errors).
  Result<std::unique_ptr<Partition>> OpenPartition(std::string_view topic, PartitionId partition,
                                                   OpenMode mode) const;

  // DIR/<topic>-<p>. REQUIRES: topic is a valid name.
  std::string PartitionPath(std::string_view topic, PartitionId partition) const;
  // DIR/.kq/topics/<topic>.json. REQUIRES: topic is a valid name.
  std::string TopicMetadataPath(std::string_view topic) const;
  // DIR/.kq/topics: creating, altering or deleting a topic changes it.
  std::string TopicsPath() const;

 private:
  LogDir(io::Env* env, std::string path) : env_(env), path_(std::move(path)) {}

  std::string KqPath() const;
  Status InitializeFormat();
  Status LoadFormat();
  Result<std::unique_ptr<io::FileLock>> LockTopics() const;
  Status CreateTopicLocked(std::string_view name, int32_t partitions, const TopicConfig& config);
  Status CreatePartitionDirs(std::string_view name, int32_t from, int32_t to,
                             std::vector<std::string>* made);
  void RemoveMadeDirs(const std::vector<std::string>& made) const;
  Status WriteTopic(std::string_view name, int32_t partitions, const TopicConfig& config);

  io::Env* env_;
  std::string path_;
  std::string cluster_id_;
  std::string created_at_;
};

// A new cluster id: 16 random bytes as 22 characters of URL-safe base64
// without padding (Kafka's Uuid form), never starting with '-'.
std::string NewClusterId();

}  // namespace kq::log
