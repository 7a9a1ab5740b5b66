// BatchFilter: decides, record by record, what one batch of the cleaned range
// keeps (reference section 4.2), and rebuilds the batch when anything changes.
//
// A record at offset o with key k is kept when
//   - the batch is a control batch (kept whole), or lies at or past the
//     map's end (records there were not mapped: kept untouched);
//   - it has a key (keyless records are dropped, as Kafka's cleaner does),
//   - no later record for k is in the map (map[k] <= o), and
//   - it has a value, or it is a tombstone whose batch has no delete horizon
//     yet or one that is still in the future.
// A rebuilt batch keeps baseOffset, lastOffsetDelta, the partition leader
// epoch, producer id/epoch, baseSequence, the attribute bits and the codec;
// records keep their offsets and timestamps. The first rewrite of a batch
// that keeps tombstones sets the delete horizon (KIP-534): attributes bit 6
// and baseTimestamp = now + delete.retention.ms.
//
// Not thread-safe (one filter per cleaner). No I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "format/record.h"
#include "format/record_batch.h"
#include "maint/key_map.h"

namespace kq::maint {

struct FilterStats {
  int64_t batches = 0;
  int64_t batches_rewritten = 0;
  int64_t batches_dropped = 0;
  int64_t records = 0;
  int64_t superseded = 0;          // an older value of a key with a later one
  int64_t tombstones_removed = 0;  // past their delete horizon
  int64_t keyless_removed = 0;
  int64_t horizons_set = 0;  // batches that got a delete horizon

  int64_t removed() const { return superseded + tombstones_removed + keyless_removed; }
  void Add(const FilterStats& o);
};

enum class FilterOutcome {
  kKept,       // the batch is unchanged: copy its bytes
  kRewritten,  // *out holds the rebuilt batch
  kDropped,    // nothing of the batch remains
};

struct FilterContext {
  const KeyMap* map = nullptr;
  int64_t map_end = 0;  // first offset not in the map
  int64_t now_ms = 0;
  int64_t delete_retention_ms = 86400000;
};

class BatchFilter {
 public:
  explicit BatchFilter(const FilterContext& context) : context_(context) {}

  // Filters one whole, validated batch. With keep_if_empty, a batch that
  // loses every record is rewritten empty instead of dropped (it keeps the
  // segment's end offset where it was).
  Result<FilterOutcome> Filter(std::string_view batch, const format::BatchHeader& header,
                               bool keep_if_empty, std::string* out, FilterStats* stats);

 private:
  // A kept record, copied into arena_ (the decoder's views do not outlive
  // its callback, and whether to rebuild is known only at the end).
  struct Kept {
    int32_t offset_delta;
    int64_t timestamp;
    int64_t key_at, key_len;      // key_len -1: null
    int64_t value_at, value_len;  // value_len -1: null
    size_t headers_at, headers_count;
  };
  struct KeptHeader {
    int64_t key_at, key_len;
    int64_t value_at, value_len;
  };

  // What the first walk learns about each record.
  struct Seen {
    KeyHash hash;
    int64_t offset;
    bool has_key;
    bool tombstone;
  };
  // Decides each record from seen_ into keep_; returns how many are kept.
  size_t Decide(bool horizon_passed, bool* has_tombstones, FilterStats* stats);
  Status CopyKept(std::string_view batch);
  int64_t Store(std::optional<std::string_view> bytes);
  std::optional<std::string_view> View(int64_t at, int64_t len) const;
  Result<std::string> Rebuild(const format::BatchHeader& h, bool has_tombstones);

  FilterContext context_;
  std::string scratch_;
  std::vector<Seen> seen_;
  std::vector<bool> keep_;
  std::string arena_;
  std::vector<Kept> kept_;
  std::vector<KeptHeader> kept_headers_;
  std::vector<format::HeaderView> header_views_;
};

}  // namespace kq::maint
