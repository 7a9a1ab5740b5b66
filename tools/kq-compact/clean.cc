// The default action: apply each topic's cleanup.policy (maint/cleanup.h:
// retention, key compaction, or retention then compaction) and print what it
// did, as text or JSON lines, with a summary.
#include <optional>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/exit_codes.h"
#include "common/output.h"
#include "compact.h"
#include "maint/cleanup.h"

namespace kq::tools::compact {

namespace {

struct Totals {
  int partitions = 0;
  int failed = 0;
  uint64_t bytes_before = 0;
  uint64_t bytes_removed = 0;
  int64_t records_removed = 0;
  int segments_removed = 0;
};

void PrintRetention(const Args& args, const Target& t, const maint::RetentionPlan& plan,
                    nlohmann::json* out, Totals* totals) {
  (*out)["retention"] = {{"segments", plan.doomed.size()},
                         {"bytes", plan.bytes},
                         {"by_time", plan.by_time},
                         {"by_size", plan.by_size},
                         {"log_start_offset", plan.new_log_start.value()}};
  totals->segments_removed += static_cast<int>(plan.doomed.size());
  totals->bytes_removed += plan.bytes;
  totals->records_removed += plan.records_upper_bound;
  if (args.json || args.quiet) return;
  const char* verb = args.dry_run ? "would remove" : "removed";
  if (plan.empty()) {
    fmt::print("{}: retention: nothing past retention.ms or retention.bytes\n", t.Name());
  } else {
    fmt::print(
        "{}: retention: {} {} segment(s), {} ({} by retention.ms, {} by retention.bytes); "
        "log start offset {} {}\n",
        t.Name(), verb, plan.doomed.size(), HumanBytes(plan.bytes), plan.by_time, plan.by_size,
        args.dry_run ? "would move to" : "moved to", plan.new_log_start.value());
  }
}

void PrintCompaction(const Args& args, const Target& t, const maint::CompactStats& s,
                     nlohmann::json* out, Totals* totals) {
  const maint::FilterStats& f = s.filter;
  (*out)["compaction"] = {{"passes", s.passes},
                          {"segments_before", s.segments_before},
                          {"segments_after", s.segments_after},
                          {"bytes_before", s.bytes_before},
                          {"bytes_after", s.bytes_after},
                          {"records_removed", f.removed()},
                          {"superseded", f.superseded},
                          {"tombstones_removed", f.tombstones_removed},
                          {"keyless_removed", f.keyless_removed},
                          {"delete_horizons_set", f.horizons_set},
                          {"stale_files_removed", s.stale_files_removed},
                          {"map_keys", s.map_keys},
                          {"partial", s.partial}};
  totals->bytes_removed += s.bytes_before - std::min(s.bytes_before, s.bytes_after);
  totals->records_removed += f.removed();
  totals->segments_removed += s.segments_before - s.segments_after;
  if (args.json || args.quiet) return;
  if (s.passes == 0) {
    fmt::print("{}: compaction: no sealed segment to clean (the active segment is never cleaned)\n",
               t.Name());
    return;
  }
  fmt::print(
      "{}: compaction: {} segment(s), {} -> {} segment(s), {}; {} {} record(s) "
      "({} superseded, {} tombstones, {} without key); {} pass(es)\n",
      t.Name(), s.segments_before, HumanBytes(s.bytes_before), s.segments_after,
      HumanBytes(s.bytes_after), args.dry_run ? "would remove" : "removed", f.removed(),
      f.superseded, f.tombstones_removed, f.keyless_removed, s.passes);
  if (s.partial) {
    fmt::print(
        "{}: the keys do not fit in --max-memory at once: a real run takes several passes; "
        "these figures are for the first\n",
        t.Name());
  }
}

// The topic's metadata for `t`, read once per topic (targets come grouped
// by topic).
Result<log::TopicInfo> TopicOf(const log::LogDir& dir, const Target& t,
                               std::optional<log::TopicInfo>* cached) {
  if (!*cached || (*cached)->name != t.topic) {
    KQ_ASSIGN_OR_RETURN(log::TopicInfo info, dir.DescribeTopic(t.topic));
    *cached = std::move(info);
  }
  return **cached;
}

// Cleans one target per its topic's cleanup.policy (maint/cleanup.h) and
// prints what each step did.
Status Clean(const log::LogDir& dir, const Args& args, const Target& t,
             std::optional<log::TopicInfo>* topic, Progress* progress, nlohmann::json* out,
             Totals* totals) {
  KQ_ASSIGN_OR_RETURN(log::TopicInfo info, TopicOf(dir, t, topic));
  maint::CleanupOptions options;
  options.max_memory = args.max_memory;
  options.dry_run = args.dry_run;
  options.progress = [&](uint64_t bytes) {
    if (progress->enabled())
      progress->Show(fmt::format("{}: cleaning, {} read", t.Name(), HumanBytes(bytes)));
  };
  maint::CleanupReport report;
  Status s = maint::CleanPartition(dir, info, PartitionId(t.partition), options, &report);
  progress->Clear();
  if (report.retention) PrintRetention(args, t, *report.retention, out, totals);
  if (report.compaction) PrintCompaction(args, t, *report.compaction, out, totals);
  return s;
}

}  // namespace

int RunClean(io::Env* env, const Args& args, const std::vector<Target>& targets) {
  Totals totals;
  Progress progress;
  const Result<log::LogDir> dir = log::LogDir::Open(env, args.dir, /*create_if_missing=*/false);
  std::optional<log::TopicInfo> topic;
  for (const Target& t : targets) {
    ++totals.partitions;
    nlohmann::json out = {{"type", "partition"},
                          {"topic", t.topic},
                          {"partition", t.partition},
                          {"dry_run", args.dry_run}};
    std::string policy = t.config.cleanup_compact
                             ? (t.config.cleanup_delete ? "compact,delete" : "compact")
                             : "delete";
    out["cleanup.policy"] = policy;
    Status s = dir.ok() ? Clean(*dir, args, t, &topic, &progress, &out, &totals) : dir.status();
    if (!s.ok()) {
      ++totals.failed;
      out["error"] = s.message();
      Warn(s.message());
    }
    if (args.json) fmt::print("{}\n", out.dump());
  }
  if (args.json) {
    nlohmann::json summary = {{"type", "summary"},
                              {"partitions", totals.partitions},
                              {"failed", totals.failed},
                              {"segments_removed", totals.segments_removed},
                              {"bytes_removed", totals.bytes_removed},
                              {"records_removed", totals.records_removed},
                              {"dry_run", args.dry_run}};
    fmt::print("{}\n", summary.dump());
  } else if (!args.quiet) {
    fmt::print("{} partition(s){}: {} {} ({} segment(s), {} record(s)){}\n", totals.partitions,
               args.dry_run ? " (dry run)" : "", args.dry_run ? "would free" : "freed",
               HumanBytes(totals.bytes_removed), totals.segments_removed, totals.records_removed,
               totals.failed ? fmt::format("; {} failed", totals.failed) : "");
  }
  std::fflush(stdout);
  return totals.failed ? kExitRuntime : kExitOk;
}

}  // namespace kq::tools::compact
