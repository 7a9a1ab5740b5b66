#include "maint/key_map.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>

namespace kq::maint {

namespace {

constexpr size_t kInitialSlots = size_t{1} << 14;

inline uint64_t Rotl(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }

inline uint64_t Mix64(uint64_t k) {
  k ^= k >> 33;
  k *= 0xff51afd7ed558ccdULL;
  k ^= k >> 33;
  k *= 0xc4ceb9fe1a85ec53ULL;
  k ^= k >> 33;
  return k;
}

inline uint64_t LoadLE64(const unsigned char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
  v = __builtin_bswap64(v);
#endif
  return v;
}

}  // namespace

KeyHash HashKey(std::string_view key) {
  constexpr uint64_t c1 = 0x87c37b91114253d5ULL;
  constexpr uint64_t c2 = 0x4cf5ad432745937fULL;
  const auto* data = reinterpret_cast<const unsigned char*>(key.data());
  const size_t len = key.size();
  const size_t blocks = len / 16;
  uint64_t h1 = 0, h2 = 0;
  for (size_t i = 0; i < blocks; ++i) {
    uint64_t k1 = LoadLE64(data + i * 16);
    uint64_t k2 = LoadLE64(data + i * 16 + 8);
    k1 *= c1;
    k1 = Rotl(k1, 31);
    k1 *= c2;
    h1 ^= k1;
    h1 = Rotl(h1, 27);
    h1 += h2;
    h1 = h1 * 5 + 0x52dce729;
    k2 *= c2;
    k2 = Rotl(k2, 33);
    k2 *= c1;
    h2 ^= k2;
    h2 = Rotl(h2, 31);
    h2 += h1;
    h2 = h2 * 5 + 0x38495ab5;
  }
  const unsigned char* tail = data + blocks * 16;
  uint64_t k1 = 0, k2 = 0;
  const size_t rest = len & 15;
  for (size_t i = rest; i > 8; --i) k2 ^= uint64_t{tail[i - 1]} << ((i - 9) * 8);
  if (rest > 8) {
    k2 *= c2;
    k2 = Rotl(k2, 33);
    k2 *= c1;
    h2 ^= k2;
  }
  for (size_t i = std::min<size_t>(rest, 8); i > 0; --i)
    k1 ^= uint64_t{tail[i - 1]} << ((i - 1) * 8);
  if (rest > 0) {
    k1 *= c1;
    k1 = Rotl(k1, 31);
    k1 *= c2;
    h1 ^= k1;
  }
  h1 ^= len;
  h2 ^= len;
  h1 += h2;
  h2 += h1;
  h1 = Mix64(h1);
  h2 = Mix64(h2);
  h1 += h2;
  h2 += h1;
  return {h1, h2};
}

KeyMap::KeyMap(size_t max_memory_bytes) {
  // Growing from n/2 to n slots holds both tables at once: 1.5 n slots.
  max_slots_ = std::max(kMinSlots, max_memory_bytes * 2 / 3 / kSlotBytes);
  // Sizes go max, max/2, max/4, ...: doubling always lands on the cap.
  slots_ = max_slots_;
  while (slots_ / 2 >= kInitialSlots) slots_ /= 2;
  table_ = Allocate(slots_);
}

KeyMap::~KeyMap() { std::free(table_); }

KeyMap::Slot* KeyMap::Allocate(size_t slots) {
  // calloc: large zeroed blocks come straight from the kernel, untouched
  // pages cost no resident memory.
  void* p = std::calloc(slots, sizeof(Slot));
  if (p == nullptr) throw std::bad_alloc();
  return static_cast<Slot*>(p);
}

size_t KeyMap::Home(const KeyHash& key) const {
  return static_cast<size_t>((static_cast<unsigned __int128>(key.lo) * slots_) >> 64);
}

void KeyMap::Put(const KeyHash& key, int64_t offset) {
  if ((size_ + 1) * 4 > slots_ * 3 && slots_ < max_slots_) Grow();
  const uint64_t stored = static_cast<uint64_t>(offset) + 1;
  size_t i = Home(key);
  while (true) {
    Slot& s = table_[i];
    if (s.offset_plus_one == 0) {
      s = {key.hi, key.lo, stored};
      ++size_;
      return;
    }
    if (s.hi == key.hi && s.lo == key.lo) {
      s.offset_plus_one = std::max(s.offset_plus_one, stored);
      return;
    }
    if (++i == slots_) i = 0;
  }
}

int64_t KeyMap::Get(const KeyHash& key) const {
  size_t i = Home(key);
  while (true) {
    const Slot& s = table_[i];
    if (s.offset_plus_one == 0) return -1;
    if (s.hi == key.hi && s.lo == key.lo) return static_cast<int64_t>(s.offset_plus_one - 1);
    if (++i == slots_) i = 0;
  }
}

void KeyMap::Grow() {
  Slot* old = table_;
  const size_t old_slots = slots_;
  slots_ = std::min(max_slots_, slots_ * 2);
  table_ = Allocate(slots_);
  size_ = 0;
  for (size_t i = 0; i < old_slots; ++i) {
    if (old[i].offset_plus_one == 0) continue;
    const KeyHash k{old[i].hi, old[i].lo};
    size_t j = Home(k);
    while (table_[j].offset_plus_one != 0) {
      if (++j == slots_) j = 0;
    }
    table_[j] = old[i];
    ++size_;
  }
  std::free(old);
}

void KeyMap::Clear() {
  std::memset(table_, 0, slots_ * sizeof(Slot));
  size_ = 0;
}

}  // namespace kq::maint
