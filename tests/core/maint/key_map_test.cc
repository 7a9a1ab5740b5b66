// KeyMap and HashKey (core/maint/key_map.h): the cleaner's bounded-memory
// map from a key's 128-bit hash to the latest offset seen for it.
#include "maint/key_map.h"

#include <doctest/doctest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include <fmt/format.h>

namespace kq::maint {
namespace {

KeyHash KeyOf(int i) { return HashKey(fmt::format("key-{}", i)); }

TEST_CASE("key map: HashKey is MurmurHash3 x64 128-bit with seed 0") {
  // Published vectors; the canonical byte dump of the fox is
  // 6c1b07bc7bbc4be3 47939ac4a93c437a, i.e. h1 and h2 in little-endian order.
  CHECK(HashKey("") == KeyHash{0, 0});
  CHECK(HashKey("hello") == KeyHash{0xcbd8a7b341bd9b02ULL, 0x5b1e906a48ae1d19ULL});
  CHECK(HashKey("The quick brown fox jumps over the lazy dog") ==
        KeyHash{0xe34bbc7bbc071b6cULL, 0x7a433ca9c49a9347ULL});
  // Every tail length hashes differently from its neighbours (no byte of the
  // tail is skipped).
  const std::string text = "0123456789abcdefghijklmnopqrstuvwxyz";
  for (size_t n = 1; n <= text.size(); ++n) {
    CAPTURE(n);
    CHECK(!(HashKey(text.substr(0, n)) == HashKey(text.substr(0, n - 1))));
    std::string changed = text.substr(0, n);
    changed[n - 1] ^= 1;
    CHECK(!(HashKey(changed) == HashKey(text.substr(0, n))));
  }
}

TEST_CASE("key map: the latest offset of a key wins, in whatever order Puts come") {
  KeyMap map(1 << 20);
  const KeyHash k = HashKey("k");
  CHECK(map.Get(k) == -1);
  map.Put(k, 0);
  CHECK(map.Get(k) == 0);  // offset 0 is a value, not "absent"
  map.Put(k, 10);
  CHECK(map.Get(k) == 10);
  map.Put(k, 5);  // an older record seen later does not win
  CHECK(map.Get(k) == 10);
  map.Put(k, std::numeric_limits<int64_t>::max() - 1);
  CHECK(map.Get(k) == std::numeric_limits<int64_t>::max() - 1);
  CHECK(map.size() == 1);
  CHECK(map.Get(HashKey("other")) == -1);
}

TEST_CASE("key map: hashes that share a slot or half a hash stay distinct keys") {
  KeyMap map(0);  // the smallest map: 16 slots, 12 keys
  REQUIRE(map.max_keys() == 12);
  // The home slot comes from `lo` alone: lo 0 and 1 both start at slot 0, so
  // these form one probe chain; they differ in hi, in lo, or in both.
  const std::vector<KeyHash> chain = {{1, 0}, {2, 0}, {1, 1}, {2, 1}, {0, 1}, {3, 0}};
  // lo near 2^64 starts at the last slot: the chain wraps around to slot 0.
  const std::vector<KeyHash> wrapping = {{7, ~uint64_t{0}}, {8, ~uint64_t{0}}, {9, ~uint64_t{0}}};
  int64_t offset = 100;
  for (const KeyHash& k : chain) map.Put(k, offset++);
  for (const KeyHash& k : wrapping) map.Put(k, offset++);
  CHECK(map.size() == chain.size() + wrapping.size());
  offset = 100;
  for (const KeyHash& k : chain) {
    CAPTURE(k.hi);
    CAPTURE(k.lo);
    CHECK(map.Get(k) == offset++);
  }
  for (const KeyHash& k : wrapping) CHECK(map.Get(k) == offset++);
  // Absent keys whose chains run through occupied slots end at an empty one.
  CHECK(map.Get({4, 0}) == -1);
  CHECK(map.Get({1, 2}) == -1);
  CHECK(map.Get({10, ~uint64_t{0}}) == -1);
  // Updating one key of the chain touches no other.
  map.Put({2, 1}, 1000);
  CHECK(map.Get({2, 1}) == 1000);
  CHECK(map.Get({1, 1}) == 102);
  CHECK(map.Get({2, 0}) == 101);
}

TEST_CASE("key map: memory stays within the budget while the table grows to max_keys") {
  for (const size_t budget : {size_t{100} << 10, size_t{8} << 20}) {
    CAPTURE(budget);
    KeyMap map(budget);
    const size_t start = map.memory_bytes();
    // Few keys cost little: a large map starts at a fraction of its cap (a
    // small one starts at it).
    const bool grows = budget >= (size_t{8} << 20);
    if (grows) CHECK(start * 4 <= budget);
    // The cap is reached with max_keys keys at a load of at most 3/4.
    const size_t keys = map.max_keys();
    CHECK(keys * KeyMap::kSlotBytes * 4 / 3 <= budget);
    CHECK(keys * KeyMap::kSlotBytes * 2 >= budget / 2);  // and the budget is used, not wasted
    size_t peak = start;
    for (size_t i = 0; i < keys; ++i) {
      REQUIRE(map.HasRoomFor(1));
      map.Put(KeyOf(static_cast<int>(i)), static_cast<int64_t>(i));
      peak = std::max(peak, map.memory_bytes());
      // A doubling holds the old half-size table beside the new one.
      REQUIRE(peak + peak / 2 <= budget);
    }
    CHECK(map.size() == keys);
    CHECK(map.size() * KeyMap::kSlotBytes * 4 <= map.memory_bytes() * 3);  // load <= 3/4
    CHECK((peak > start) == grows);  // a large map grew, and every key survived the moves
    for (size_t i = 0; i < keys; ++i) {
      if (map.Get(KeyOf(static_cast<int>(i))) != static_cast<int64_t>(i)) {
        FAIL_CHECK("key-" << i << " lost or changed while growing");
        break;
      }
    }
  }
}

TEST_CASE("key map: a full map says so, still updates its keys, and can be cleared") {
  KeyMap map(4096);
  const size_t keys = map.max_keys();
  REQUIRE(keys >= 12);
  for (size_t i = 0; i < keys; ++i) map.Put(KeyOf(static_cast<int>(i)), 10);
  CHECK(map.size() == keys);
  CHECK(!map.HasRoomFor(1));
  CHECK(map.HasRoomFor(0));
  // A key already there needs no room: its offset still moves forward.
  map.Put(KeyOf(0), 50);
  CHECK(map.Get(KeyOf(0)) == 50);
  CHECK(map.size() == keys);
  // Absent keys are answered (the load is at most 3/4: a probe finds a gap).
  for (int i = 0; i < 1000; ++i) {
    if (map.Get(KeyOf(100000 + i)) != -1) {
      FAIL_CHECK("absent key-" << 100000 + i << " found");
      break;
    }
  }
  const size_t bytes = map.memory_bytes();
  map.Clear();
  CHECK(map.size() == 0);
  CHECK(map.memory_bytes() == bytes);
  CHECK(map.HasRoomFor(keys));
  CHECK(map.Get(KeyOf(0)) == -1);
  map.Put(KeyOf(1), 3);
  CHECK(map.Get(KeyOf(1)) == 3);
}

}  // namespace
}  // namespace kq::maint
