// The default action: apply each topic's cleanup.policy. delete: retention
// (maint/retention.h); compact: key compaction (maint/compactor.h); both:
// retention first (whole segments go cheaply), then compaction of the rest.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/exit_codes.h"
#include "common/output.h"
#include "compact.h"
#include "log/partition.h"
#include "maint/compactor.h"
#include "maint/retention.h"

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

Status Retention(io::Env* env, const Args& args, const Target& t, nlohmann::json* out,
                 Totals* totals) {
  const int64_t now = env->NowMs();
  maint::RetentionPlan plan;
  if (args.dry_run) {
    KQ_ASSIGN_OR_RETURN(auto p, log::Partition::Open(t.path, log::PartitionOptionsFor(env, t.topic, t.partition, t.config), log::OpenMode::kRead));
    plan = maint::PlanRetention(p->Segments(), t.config, now);
  } else {
    KQ_ASSIGN_OR_RETURN(auto p, log::Partition::Open(t.path, log::PartitionOptionsFor(env, t.topic, t.partition, t.config), log::OpenMode::kWrite));
    plan = maint::PlanRetention(p->Segments(), t.config, now);
    KQ_RETURN_IF_ERROR(maint::ApplyRetention(*p, plan));
    KQ_RETURN_IF_ERROR(p->Close());
  }
  (*out)["retention"] = {{"segments", plan.doomed.size()},
                         {"bytes", plan.bytes},
                         {"by_time", plan.by_time},
                         {"by_size", plan.by_size},
                         {"log_start_offset", plan.new_log_start.value()}};
  totals->segments_removed += static_cast<int>(plan.doomed.size());
  totals->bytes_removed += plan.bytes;
  totals->records_removed += plan.records_upper_bound;
  if (args.json || args.quiet) return Status::Ok();
  const char* verb = args.dry_run ? "would remove" : "removed";
  if (plan.empty()) {
    fmt::print("{}: retention: nothing past retention.ms or retention.bytes\n", t.Name());
  } else {
    fmt::print("{}: retention: {} {} segment(s), {} ({} by retention.ms, {} by retention.bytes); "
               "log start offset {} {}\n",
               t.Name(), verb, plan.doomed.size(), HumanBytes(plan.bytes), plan.by_time, plan.by_size,
               args.dry_run ? "would move to" : "moved to", plan.new_log_start.value());
  }
  return Status::Ok();
}

Status Compaction(io::Env* env, const Args& args, const Target& t, Progress* progress,
                  nlohmann::json* out, Totals* totals) {
  maint::CompactOptions o;
  o.env = env;
  o.topic = t.topic;
  o.partition = t.partition;
  o.config = t.config;
  o.max_memory = args.max_memory;
  o.dry_run = args.dry_run;
  o.progress = [&](uint64_t bytes) {
    if (progress->enabled()) progress->Show(fmt::format("{}: cleaning, {} read", t.Name(), HumanBytes(bytes)));
  };
  maint::CompactStats s;
  Status status = maint::CompactPartition(t.path, o, &s);
  progress->Clear();
  KQ_RETURN_IF_ERROR(status);
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
  if (args.json || args.quiet) return Status::Ok();
  if (s.passes == 0) {
    fmt::print("{}: compaction: no sealed segment to clean (the active segment is never cleaned)\n", t.Name());
    return Status::Ok();
  }
  fmt::print("{}: compaction: {} segment(s), {} -> {} segment(s), {}; {} {} record(s) "
             "({} superseded, {} tombstones, {} without key); {} pass(es)\n",
             t.Name(), s.segments_before, HumanBytes(s.bytes_before), s.segments_after,
             HumanBytes(s.bytes_after), args.dry_run ? "would remove" : "removed", f.removed(),
             f.superseded, f.tombstones_removed, f.keyless_removed, s.passes);
  if (s.partial) {
    fmt::print("{}: the keys do not fit in --max-memory at once: a real run takes several passes; "
               "these figures are for the first\n", t.Name());
  }
  return Status::Ok();
}

}  // namespace

int RunClean(io::Env* env, const Args& args, const std::vector<Target>& targets) {
  Totals totals;
  Progress progress;
  for (const Target& t : targets) {
    ++totals.partitions;
    nlohmann::json out = {{"type", "partition"}, {"topic", t.topic}, {"partition", t.partition},
                          {"dry_run", args.dry_run}};
    std::string policy = t.config.cleanup_compact ? (t.config.cleanup_delete ? "compact,delete" : "compact")
                                                  : "delete";
    out["cleanup.policy"] = policy;
    Status s;
    if (!env->IsDirectory(t.path)) {
      s = Status::NotFound(fmt::format("partition {}: directory {} does not exist", t.Name(), t.path));
    }
    if (s.ok() && t.config.cleanup_delete) s = Retention(env, args, t, &out, &totals);
    if (s.ok() && t.config.cleanup_compact) s = Compaction(env, args, t, &progress, &out, &totals);
    if (!s.ok()) {
      ++totals.failed;
      out["error"] = s.message();
      Warn(s.message());
    }
    if (args.json) fmt::print("{}\n", out.dump());
  }
  if (args.json) {
    nlohmann::json summary = {{"type", "summary"}, {"partitions", totals.partitions},
                              {"failed", totals.failed}, {"segments_removed", totals.segments_removed},
                              {"bytes_removed", totals.bytes_removed},
                              {"records_removed", totals.records_removed}, {"dry_run", args.dry_run}};
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
