// Choosing a partition for a record, compatible with Kafka clients, so the same
// key lands on the same partition whether kq-produce, a Java producer or
// librdkafka wrote it (with the matching partitioner selected).
//
//   name               keyed record               null key        empty key
//   murmur2            murmur2 % n (Java)         murmur2("")     hashed
//   murmur2_random     murmur2 % n (Java)         sticky random   hashed
//   consistent         crc32 % n                  crc32("") = 0   crc32("") = 0
//   consistent_random  crc32 % n (librdkafka)     sticky random   sticky random
//
// The names and null-key behaviours are librdkafka's. `murmur2_random` is what
// the Java client's default partitioner does, so it is kq's default: keyed
// records go where Java puts them, keyless records are spread out.
//
// Sticky (Kafka's uniform sticky idea, KIP-480/794): keyless records stay on
// one randomly chosen partition until the producer reports that a batch was
// completed (OnBatchComplete), then move to another one. Batches fill up
// instead of being split across partitions.
#pragma once

#include <cstdint>
#include <optional>
#include <random>
#include <string_view>

#include "base/result.h"

namespace kq::log {

// Kafka's Java client murmur2 (32-bit, seed 0x9747b28c). The Java function
// returns this as a signed int: static_cast<int32_t>(Murmur2("21")) == -973932308.
uint32_t Murmur2(std::string_view bytes);

// (Murmur2(key) & 0x7fffffff) % partitions. REQUIRES: partitions >= 1.
int32_t MurmurPartition(std::string_view key, int32_t partitions);

// crc32(key) % partitions (CRC-32/IEEE, unsigned). REQUIRES: partitions >= 1.
int32_t ConsistentPartition(std::string_view key, int32_t partitions);

// One per topic per producer: the sticky choice is per partition count.
// Not thread-safe.
class Partitioner {
 public:
  enum class Kind {
    kMurmur2,           // "murmur2"
    kConsistentRandom,  // "consistent_random" (librdkafka's default)
    kConsistent,        // "consistent"
    kMurmur2Random,     // "murmur2_random" (the Java client's default; kq's)
  };
  static constexpr Kind kDefaultKind = Kind::kMurmur2Random;

  // "murmur2", "murmur2_random", "consistent", "consistent_random"; anything
  // else is InvalidArgument listing those.
  static Result<Kind> ParseKind(std::string_view name);
  static std::string_view KindName(Kind kind);

  // `seed` makes the random choices reproducible (tests); by default they come
  // from std::random_device.
  explicit Partitioner(Kind kind = kDefaultKind, std::optional<uint64_t> seed = std::nullopt);

  Kind kind() const { return kind_; }

  // The partition in [0, partitions) for a record with `key` (nullopt: a null
  // key). REQUIRES: partitions >= 1.
  int32_t Partition(std::optional<std::string_view> key, int32_t partitions);

  // A batch was completed (sent or appended): the next keyless record goes to
  // a different partition when there is more than one.
  void OnBatchComplete();

 private:
  int32_t StickyPartition(int32_t partitions);

  Kind kind_;
  std::mt19937_64 rng_;
  int32_t sticky_ = -1;            // -1: choose on the next keyless record
  int32_t sticky_partitions_ = 0;  // the count sticky_ was chosen for
  int32_t previous_ = -1;          // avoided by the next choice
};

}  // namespace kq::log
