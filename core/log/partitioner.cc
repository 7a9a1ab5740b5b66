#include "log/partitioner.h"

#include <cassert>

#include <fmt/format.h>

#include "base/crc32c.h"
#include "log/topic_name.h"

namespace kq::log {

uint32_t Murmur2(std::string_view bytes) {
  constexpr uint32_t kSeed = 0x9747b28c;
  constexpr uint32_t kM = 0x5bd1e995;
  constexpr int kR = 24;
  const auto* data = reinterpret_cast<const unsigned char*>(bytes.data());
  const size_t length = bytes.size();
  // Java mixes the length in as an int; keys are far below 2^31 bytes.
  uint32_t h = kSeed ^ static_cast<uint32_t>(length);
  const size_t blocks = length / 4;
  for (size_t i = 0; i < blocks; ++i) {
    const unsigned char* p = data + 4 * i;
    uint32_t k = uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 |
                 uint32_t{p[3]} << 24;  // little-endian, as Java reads it
    k *= kM;
    k ^= k >> kR;
    k *= kM;
    h *= kM;
    h ^= k;
  }
  const unsigned char* tail = data + 4 * blocks;
  switch (length % 4) {
    case 3:
      h ^= uint32_t{tail[2]} << 16;
      [[fallthrough]];
    case 2:
      h ^= uint32_t{tail[1]} << 8;
      [[fallthrough]];
    case 1:
      h ^= uint32_t{tail[0]};
      h *= kM;
  }
  h ^= h >> 13;
  h *= kM;
  h ^= h >> 15;
  return h;
}

int32_t MurmurPartition(std::string_view key, int32_t partitions) {
  assert(partitions >= 1);
  return static_cast<int32_t>((Murmur2(key) & 0x7fffffff) % static_cast<uint32_t>(partitions));
}

int32_t ConsistentPartition(std::string_view key, int32_t partitions) {
  assert(partitions >= 1);
  return static_cast<int32_t>(crc32::Value(key) % static_cast<uint32_t>(partitions));
}

namespace {

struct KindEntry {
  Partitioner::Kind kind;
  std::string_view name;
};
constexpr KindEntry kKindNames[] = {
    {Partitioner::Kind::kMurmur2, "murmur2"},
    {Partitioner::Kind::kMurmur2Random, "murmur2_random"},
    {Partitioner::Kind::kConsistent, "consistent"},
    {Partitioner::Kind::kConsistentRandom, "consistent_random"},
};

}  // namespace

Result<Partitioner::Kind> Partitioner::ParseKind(std::string_view name) {
  for (const KindEntry& k : kKindNames) {
    if (k.name == name) return k.kind;
  }
  return Status::InvalidArgument(fmt::format(
      "unknown partitioner '{}': expected murmur2, murmur2_random, consistent or consistent_random",
      EscapeForMessage(name)));
}

std::string_view Partitioner::KindName(Kind kind) {
  for (const auto& k : kKindNames) {
    if (k.kind == kind) return k.name;
  }
  return "unknown";
}

Partitioner::Partitioner(Kind kind, std::optional<uint64_t> seed)
    : kind_(kind),
      rng_(seed ? *seed : (uint64_t{std::random_device{}()} << 32 | std::random_device{}())) {}

int32_t Partitioner::Partition(std::optional<std::string_view> key, int32_t partitions) {
  assert(partitions >= 1);
  switch (kind_) {
    case Kind::kMurmur2:
      return MurmurPartition(key.value_or(std::string_view()), partitions);
    case Kind::kMurmur2Random:
      if (!key) return StickyPartition(partitions);
      return MurmurPartition(*key, partitions);
    case Kind::kConsistent:
      return ConsistentPartition(key.value_or(std::string_view()), partitions);
    case Kind::kConsistentRandom:
      if (!key || key->empty()) return StickyPartition(partitions);
      return ConsistentPartition(*key, partitions);
  }
  return 0;
}

void Partitioner::OnBatchComplete() {
  previous_ = sticky_;
  sticky_ = -1;
}

int32_t Partitioner::StickyPartition(int32_t partitions) {
  if (sticky_ >= 0 && sticky_partitions_ == partitions) return sticky_;
  if (partitions == 1) {
    sticky_ = 0;
  } else {
    // Pick uniformly among the partitions other than the one just left.
    const bool avoid = previous_ >= 0 && previous_ < partitions;
    std::uniform_int_distribution<int32_t> pick(0, partitions - (avoid ? 2 : 1));
    int32_t p = pick(rng_);
    if (avoid && p >= previous_) ++p;
    sticky_ = p;
  }
  sticky_partitions_ = partitions;
  return sticky_;
}

}  // namespace kq::log
