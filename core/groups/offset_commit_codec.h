// The byte layout of __consumer_offsets records, as Kafka's group coordinator
// writes them (reference section 8.4). Keys and values start with a
// big-endian int16 schema version. Strings are an int16 big-endian length
// followed by that many UTF-8 bytes; flexible versions use compact strings
// (unsigned varint length + 1) and end with tagged fields.
//
//   offset-commit key v0/v1   version:int16 group:string topic:string partition:int32
//   group-metadata key v2     version:int16 group:string
//   offset-commit value v0    version:int16 offset:int64 metadata:string commitTimestamp:int64
//   offset-commit value v1    ... v0 fields ... expireTimestamp:int64
//   offset-commit value v2    same fields as v0
//   offset-commit value v3    version:int16 offset:int64 leaderEpoch:int32 metadata:string
//                             commitTimestamp:int64
//   offset-commit value v4    v3's fields with metadata a compact string, then tagged fields
//   tombstone                 null value: the key is deleted
//
// kq writes key v1 with value v3 (what Kafka writes) and key v2 for group
// metadata. Key versions above 2 are newer Kafka record types: they decode as
// kOther so replays can skip them. Group metadata values are not decoded.
//
// Pure functions, no I/O, thread-safe. Decoders check lengths before every
// read and reject trailing bytes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"
#include "base/status.h"
#include "groups/topic_partition.h"

namespace kq::groups {

inline constexpr int16_t kOffsetCommitKeyVersion = 1;
inline constexpr int16_t kGroupMetadataKeyVersion = 2;
inline constexpr int16_t kOffsetCommitValueVersion = 3;
inline constexpr int16_t kMaxOffsetCommitValueVersion = 4;
// Group ids become directory names (group_membership.h): keep them within
// one file-name component, like topic names.
inline constexpr size_t kMaxGroupNameLength = 249;

enum class OffsetsKeyKind {
  kOffsetCommit,   // key v0/v1: group, topic, partition
  kGroupMetadata,  // key v2: group
  kOther,          // a newer record type this build does not read
};

struct OffsetsKey {
  OffsetsKeyKind kind = OffsetsKeyKind::kOther;
  int16_t version = 0;
  std::string group;
  TopicPartition tp;  // kOffsetCommit only
};

std::string EncodeOffsetCommitKey(std::string_view group, const TopicPartition& tp);
std::string EncodeGroupMetadataKey(std::string_view group);
// Value v3. REQUIRES: metadata fits an int16 length (Commit checks).
std::string EncodeOffsetCommitValue(const CommittedOffset& value);

// Corruption (field and byte position) for truncated or malformed bytes.
Result<OffsetsKey> DecodeOffsetsKey(std::string_view bytes);
// Value v0..v4; NotSupported for other versions, Corruption for bad bytes.
// Fields a version lacks get CommittedOffset's defaults (leader_epoch -1).
Result<CommittedOffset> DecodeOffsetCommitValue(std::string_view bytes);

// Java's String.hashCode of the UTF-16 form of `utf8` (invalid bytes count as
// U+FFFD, as Java's decoder substitutes them).
int32_t JavaStringHashCode(std::string_view utf8);
// Kafka's placement: Utils.abs(group.hashCode()) % partitions, where
// Utils.abs maps INT32_MIN to 0. REQUIRES: partitions > 0.
int32_t PartitionForGroup(std::string_view group, int32_t partitions);

// OK, or InvalidArgument naming the problem: empty, too long, '/', "." or
// "..", control characters or invalid UTF-8.
Status ValidateGroupName(std::string_view group);

}  // namespace kq::groups
