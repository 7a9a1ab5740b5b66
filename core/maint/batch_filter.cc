#include "maint/batch_filter.h"

#include <algorithm>

#include <fmt/format.h>

#include "format/record.h"
#include "format/record_batch_builder.h"

namespace kq::maint {

void FilterStats::Add(const FilterStats& o) {
  batches += o.batches;
  batches_rewritten += o.batches_rewritten;
  batches_dropped += o.batches_dropped;
  records += o.records;
  superseded += o.superseded;
  tombstones_removed += o.tombstones_removed;
  keyless_removed += o.keyless_removed;
  horizons_set += o.horizons_set;
}

int64_t BatchFilter::Store(std::optional<std::string_view> bytes) {
  if (!bytes) return -1;
  const auto at = static_cast<int64_t>(arena_.size());
  arena_.append(*bytes);
  return at;
}

std::optional<std::string_view> BatchFilter::View(int64_t at, int64_t len) const {
  if (len < 0) return std::nullopt;
  return std::string_view(arena_).substr(static_cast<size_t>(at), static_cast<size_t>(len));
}

size_t BatchFilter::Decide(bool horizon_passed, bool* has_tombstones, FilterStats* stats) {
  constexpr size_t kAhead = 8;
  const KeyMap& map = *context_.map;
  for (size_t i = 0; i < std::min(kAhead, seen_.size()); ++i) {
    if (seen_[i].has_key) map.Prefetch(seen_[i].hash);
  }
  keep_.assign(seen_.size(), false);
  size_t kept = 0;
  for (size_t i = 0; i < seen_.size(); ++i) {
    if (i + kAhead < seen_.size() && seen_[i + kAhead].has_key)
      map.Prefetch(seen_[i + kAhead].hash);
    const Seen& r = seen_[i];
    if (!r.has_key) {
      ++stats->keyless_removed;
      continue;
    }
    if (map.Get(r.hash) > r.offset) {
      ++stats->superseded;
      continue;
    }
    if (r.tombstone) {
      if (horizon_passed) {
        ++stats->tombstones_removed;
        continue;
      }
      *has_tombstones = true;
    }
    keep_[i] = true;
    ++kept;
  }
  return kept;
}

Status BatchFilter::CopyKept(std::string_view batch) {
  arena_.clear();
  kept_.clear();
  kept_headers_.clear();
  size_t i = 0;
  return format::ForEachRecord(batch, &scratch_, [&](const format::RecordView& r) {
    if (i >= keep_.size() || !keep_[i++]) return Status::Ok();
    Kept k{r.offset_delta, r.timestamp, 0, -1, 0, -1, kept_headers_.size(), r.headers.size()};
    k.key_at = Store(r.key);
    k.key_len = r.key ? static_cast<int64_t>(r.key->size()) : -1;
    k.value_at = Store(r.value);
    k.value_len = r.value ? static_cast<int64_t>(r.value->size()) : -1;
    for (const format::HeaderView& hv : r.headers) {
      kept_headers_.push_back({Store(hv.key), static_cast<int64_t>(hv.key.size()), Store(hv.value),
                               hv.value ? static_cast<int64_t>(hv.value->size()) : -1});
    }
    kept_.push_back(k);
    return Status::Ok();
  });
}

Result<FilterOutcome> BatchFilter::Filter(std::string_view batch, const format::BatchHeader& h,
                                          bool keep_if_empty, std::string* out,
                                          FilterStats* stats) {
  ++stats->batches;
  stats->records += h.records_count;
  // Control markers stay; unmapped batches are the next pass's business.
  if (h.is_control() || h.base_offset >= context_.map_end) return FilterOutcome::kKept;
  const bool horizon_passed = h.has_delete_horizon() && context_.now_ms >= h.base_timestamp;
  // First walk: hashes only. Most batches of a much-updated log are dropped
  // or kept whole, and then the records are never copied.
  seen_.clear();
  Status s = format::ForEachRecord(batch, &scratch_, [&](const format::RecordView& r) {
    seen_.push_back({r.key ? HashKey(*r.key) : KeyHash{}, r.offset, r.key.has_value(), !r.value});
    return Status::Ok();
  });
  if (!s.ok()) return s.WithPrefix(fmt::format("batch at offset {}", h.base_offset));
  bool has_tombstones = false;
  const size_t kept = Decide(horizon_passed, &has_tombstones, stats);
  const bool needs_horizon = has_tombstones && !h.has_delete_horizon();
  if (kept == seen_.size() && !needs_horizon) return FilterOutcome::kKept;
  if (kept == 0 && !keep_if_empty) {
    ++stats->batches_dropped;
    return FilterOutcome::kDropped;
  }
  if (needs_horizon) ++stats->horizons_set;
  ++stats->batches_rewritten;
  s = CopyKept(batch);
  if (!s.ok()) return s.WithPrefix(fmt::format("batch at offset {}", h.base_offset));
  KQ_ASSIGN_OR_RETURN(*out, Rebuild(h, has_tombstones));
  return FilterOutcome::kRewritten;
}

Result<std::string> BatchFilter::Rebuild(const format::BatchHeader& h, bool has_tombstones) {
  format::RecordBatchBuilder::Options o;
  o.compression = h.compression();
  o.base_offset = h.base_offset;
  o.partition_leader_epoch = h.partition_leader_epoch;
  o.producer_id = h.producer_id;
  o.producer_epoch = h.producer_epoch;
  o.base_sequence = h.base_sequence;
  o.is_transactional = h.is_transactional();
  o.log_append_time = h.is_log_append_time();
  o.last_offset_delta = h.last_offset_delta;
  if (has_tombstones) {
    // Keep a horizon once set: the wait for tombstones does not restart.
    o.base_timestamp =
        h.has_delete_horizon() ? h.base_timestamp : context_.now_ms + context_.delete_retention_ms;
    o.delete_horizon = true;
  } else if (kept_.empty()) {
    // An empty batch reports maxTimestamp = baseTimestamp: keep the
    // original maximum so time-based retention still sees it.
    o.base_timestamp = h.max_timestamp;
  }
  format::RecordBatchBuilder builder(o);
  for (const Kept& k : kept_) {
    header_views_.clear();
    for (size_t i = 0; i < k.headers_count; ++i) {
      const KeptHeader& kh = kept_headers_[k.headers_at + i];
      header_views_.push_back({*View(kh.key_at, kh.key_len), View(kh.value_at, kh.value_len)});
    }
    KQ_RETURN_IF_ERROR(builder.AddWithOffsetDelta(k.offset_delta, k.timestamp,
                                                  View(k.key_at, k.key_len),
                                                  View(k.value_at, k.value_len), header_views_));
  }
  auto rebuilt = builder.Finish();
  if (!rebuilt.ok())
    return rebuilt.status().WithPrefix(fmt::format("rebuilding batch at offset {}", h.base_offset));
  return rebuilt;
}

}  // namespace kq::maint
