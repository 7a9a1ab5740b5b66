// KeyMap: the cleaner's bounded-memory map from a record key to the latest
// offset seen for it in the part of the log being cleaned (Kafka's
// SkimpyOffsetMap idea).
//
// It stores a 128-bit hash of the key, never the key, so an entry is a fixed
// 24 bytes whatever the key size:
//
//   slot := hash_hi:u64 hash_lo:u64 offset_plus_one:u64   (0 = empty slot)
//
// Two different keys share an entry only if their 128-bit hashes collide
// (about 2^-64 for a billion keys), which the cleaner accepts as Kafka does
// with MD5.
//
// Open addressing with linear probing; the table starts small and doubles up
// to a cap derived from `max_memory_bytes`, so a partition with few keys costs
// little memory. While doubling, the old and the new table exist together;
// the cap is chosen so that even then the map stays within
// `max_memory_bytes`. The load factor stays at or below 3/4.
//
// Not thread-safe. No I/O.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace kq::maint {

struct KeyHash {
  uint64_t hi = 0;
  uint64_t lo = 0;
  bool operator==(const KeyHash&) const = default;
};

// MurmurHash3 (x64, 128-bit variant), seed 0: fast and well mixed.
KeyHash HashKey(std::string_view key);

class KeyMap {
 public:
  static constexpr size_t kSlotBytes = 24;
  // The smallest map accepted (tests use tiny ones to force several passes).
  static constexpr size_t kMinSlots = 16;

  // The cap is max(kMinSlots, max_memory_bytes / (1.5 * kSlotBytes)) slots.
  explicit KeyMap(size_t max_memory_bytes);
  ~KeyMap();
  KeyMap(const KeyMap&) = delete;
  KeyMap& operator=(const KeyMap&) = delete;

  // How many distinct keys the map can hold at its largest.
  size_t max_keys() const { return max_slots_ / 4 * 3; }
  size_t size() const { return size_; }
  // True when `n` more distinct keys are sure to fit.
  bool HasRoomFor(size_t n) const { return size_ + n <= max_keys(); }

  // Records `offset` for the key, keeping the larger offset when the key is
  // already there. REQUIRES: HasRoomFor(1).
  void Put(const KeyHash& key, int64_t offset);
  // The offset stored for the key, or -1 when absent.
  int64_t Get(const KeyHash& key) const;

  // Starts loading the key's slot into the cache: callers walking many keys
  // prefetch a few ahead, hiding the memory latency of a large table.
  void Prefetch(const KeyHash& key) const { __builtin_prefetch(&table_[Home(key)]); }

  // Forgets every key (keeps the current table).
  void Clear();
  // Bytes of the table allocated now.
  size_t memory_bytes() const { return slots_ * kSlotBytes; }

 private:
  struct Slot {
    uint64_t hi;
    uint64_t lo;
    uint64_t offset_plus_one;
  };
  static_assert(sizeof(Slot) == kSlotBytes);

  size_t Home(const KeyHash& key) const;
  void Grow();
  static Slot* Allocate(size_t slots);

  Slot* table_ = nullptr;
  size_t slots_ = 0;
  size_t max_slots_ = 0;
  size_t size_ = 0;
};

}  // namespace kq::maint
