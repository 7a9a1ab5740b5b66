// --verify and --repair.
#include <cctype>
#include <string>
#include <string_view>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/exit_codes.h"
#include "common/output.h"
#include "compact.h"
#include "maint/repair.h"
#include "maint/verifier.h"

namespace kq::tools::compact {
namespace {

// True when `message` already says "offset N" (or "offsets N..") for this
// offset, so the line does not repeat it as "(offset N): offset N ...".
bool MentionsOffset(std::string_view message, int64_t offset) {
  const std::string number = std::to_string(offset);
  for (std::string_view word : {"offset ", "offsets "}) {
    for (size_t at = message.find(word); at != std::string_view::npos;
         at = message.find(word, at + 1)) {
      std::string_view rest = message.substr(at + word.size());
      if (rest.starts_with(number) &&
          (rest.size() == number.size() ||
           !std::isdigit(static_cast<unsigned char>(rest[number.size()])))) {
        return true;
      }
    }
  }
  return false;
}

}  // namespace

int RunVerify(io::Env* env, const Args& args, const std::vector<Target>& targets) {
  int problems = 0;
  int failed = 0;
  Progress progress;
  for (const Target& t : targets) {
    maint::VerifyOptions o;
    o.env = env;
    o.topic = t.topic;
    o.partition = t.partition;
    o.expect_contiguous = !t.config.cleanup_compact;
    o.progress = [&](uint64_t bytes) {
      if (progress.enabled())
        progress.Show(fmt::format("{}: verifying, {} checked", t.Name(), HumanBytes(bytes)));
    };
    maint::VerifyReport report;
    Status s = maint::VerifyPartition(
        t.path, o,
        [&](const maint::VerifyProblem& p) {
          progress.Clear();
          if (args.json) {
            nlohmann::json j = {{"type", p.note ? "note" : "problem"},
                                {"topic", t.topic},
                                {"partition", t.partition},
                                {"file", p.file},
                                {"position", p.position},
                                {"offset", p.offset},
                                {"message", p.message}};
            fmt::print("{}\n", j.dump());
          }
          if (p.note && (args.json || args.verbose == 0)) return;
          // Problems always go to stderr, with file, byte position and offset.
          const std::string offset = p.offset >= 0 && !MentionsOffset(p.message, p.offset)
                                         ? fmt::format(" (offset {})", p.offset)
                                         : "";
          Warn(fmt::format("{}{}: {}: position {}{}: {}", p.note ? "note: " : "", t.Name(), p.file,
                           p.position, offset, p.message));
        },
        &report);
    progress.Clear();
    if (!s.ok()) {
      ++failed;
      Warn(s.message());
      continue;
    }
    problems += report.problems;
    if (args.json) {
      nlohmann::json j = {{"type", "partition"},         {"topic", t.topic},
                          {"partition", t.partition},    {"segments", report.segments},
                          {"batches", report.batches},   {"bytes", report.bytes},
                          {"problems", report.problems}, {"notes", report.notes}};
      fmt::print("{}\n", j.dump());
    } else if (!args.quiet) {
      fmt::print(
          "{}: {} segment(s), {} batch(es), {}: {}\n", t.Name(), report.segments, report.batches,
          HumanBytes(report.bytes),
          report.problems == 0 ? std::string("ok") : fmt::format("{} problem(s)", report.problems));
    }
  }
  if (args.json) {
    nlohmann::json j = {{"type", "summary"},
                        {"partitions", targets.size()},
                        {"problems", problems},
                        {"failed", failed}};
    fmt::print("{}\n", j.dump());
  }
  std::fflush(stdout);
  return problems > 0 || failed > 0 ? kExitRuntime : kExitOk;
}

int RunRepair(io::Env* env, const Args& args, const std::vector<Target>& targets) {
  int failed = 0;
  const Result<log::LogDir> dir = log::LogDir::Open(env, args.dir, /*create_if_missing=*/false);
  for (const Target& t : targets) {
    maint::RepairOptions o;
    o.truncate_corrupt = args.truncate_corrupt;
    maint::RepairReport report;
    Status s = dir.status();
    if (s.ok()) {
      Result<log::TopicInfo> info = dir->DescribeTopic(t.topic);
      s = info.ok() ? maint::RepairPartition(*dir, *info, PartitionId(t.partition), o, &report)
                    : info.status();
    }
    if (args.json) {
      nlohmann::json j = {{"type", "partition"},
                          {"topic", t.topic},
                          {"partition", t.partition},
                          {"indexes_rebuilt", report.indexes_rebuilt},
                          {"torn_bytes_truncated", report.torn_bytes_truncated},
                          {"stale_files_removed", report.stale_files_removed},
                          {"cut", report.cut},
                          {"actions", report.actions}};
      if (report.cut) {
        j["cut_from_offset"] = report.cut_from_offset;
        j["cut_to_offset"] = report.cut_to_offset;
        j["cut_bytes"] = report.cut_bytes;
        j["segments_removed"] = report.segments_removed;
      }
      if (report.damage_found) j["damage"] = report.damage;
      if (!s.ok()) j["error"] = s.message();
      fmt::print("{}\n", j.dump());
    } else if (!args.quiet) {
      for (const std::string& a : report.actions) fmt::print("{}: {}\n", t.Name(), a);
      if (s.ok() && report.actions.empty()) fmt::print("{}: nothing to repair\n", t.Name());
    }
    if (!s.ok()) {
      ++failed;
      Warn(s.message());
    }
  }
  std::fflush(stdout);
  return failed > 0 ? kExitRuntime : kExitOk;
}

}  // namespace kq::tools::compact
