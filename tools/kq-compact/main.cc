// kq-compact: the offline tool for what a log directory holds and how it
// shrinks: retention and key compaction per cleanup.policy (default),
// --dry-run, --dump, --verify and --repair. This file only declares the
// flags; the work is in clean.cc, inspect.cc and dump.cc.
#include <CLI/CLI.hpp>

#include "common/common_flags.h"
#include "common/exit_codes.h"
#include "compact.h"

using namespace kq::tools;
using namespace kq::tools::compact;

namespace {

int Run(const CommonFlags& common, Args& args, const std::string& max_memory, int actions) {
  if (!common.brokers.empty()) {
    return ReportError(
        kTool, kq::Status::NotSupported(
                   "cluster mode is not available: kq-compact works on a log directory only"));
  }
  if (actions > 1) {
    return ReportUsageError(kTool, "--dump, --verify, --repair and --dry-run exclude each other");
  }
  if (args.print_data && args.action != Action::kDump) {
    return ReportUsageError(kTool, "--print-data needs --dump");
  }
  if (args.truncate_corrupt && args.action != Action::kRepair) {
    return ReportUsageError(kTool, "--truncate-corrupt needs --repair");
  }
  auto size = ParseSize(max_memory);
  if (!size.ok()) return ReportUsageError(kTool, "--max-memory: " + size.status().message());
  args.max_memory = *size;
  args.dir = common.dir;
  args.quiet = common.quiet;
  args.verbose = common.verbose;
  kq::io::Env* env = kq::io::Env::Default();
  auto targets = ResolveTargets(env, args.dir, args.operands);
  if (!targets.ok()) {
    if (targets.status().IsInvalidArgument())
      return ReportUsageError(kTool, targets.status().message());
    return ReportError(kTool, targets.status());
  }
  switch (args.action) {
    case Action::kDump:
      return RunDump(env, args, *targets);
    case Action::kVerify:
      return RunVerify(env, args, *targets);
    case Action::kRepair:
      return RunRepair(env, args, *targets);
    case Action::kClean:
      break;
  }
  return RunClean(env, args, *targets);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "Apply retention and key compaction to a kq log directory per each topic's cleanup.policy, "
      "or inspect, verify and repair its segments. Works on all topics when none is named."};
  CommonFlags common;
  AddCommonFlags(app, kTool, &common);
  Args args;
  std::string max_memory = "32M";
  bool dump = false, verify = false, repair = false;
  app.add_option("targets", args.operands, "Topics, or single partitions as TOPIC:PARTITION")
      ->type_name("TOPIC[:PARTITION]...");
  app.add_flag("-n,--dry-run", args.dry_run,
               "Print what cleaning would remove (segments, records, bytes); change nothing");
  app.add_flag("--dump", dump,
               "Print segments and batches (offsets, position, size, CRC, codec, timestamps)");
  app.add_flag("--print-data", args.print_data,
               "With --dump: print every record's key and value too");
  app.add_flag("--verify", verify,
               "Check framing, magic, CRC, offsets and indexes; exit 1 when a problem is found");
  app.add_flag("--repair", repair, "Rebuild indexes and truncate a torn tail");
  app.add_flag(
      "--truncate-corrupt", args.truncate_corrupt,
      "With --repair: cut each partition at its first corrupt batch (what is dropped is printed)");
  app.add_flag("-j,--json", args.json, "Print one JSON object per line, ending with a summary");
  app.add_option(
         "--max-memory", max_memory,
         "Memory for the key map of one partition (K, M, G suffixes); partitions whose keys "
         "do not fit are cleaned in several passes. Default: 32M")
      ->type_name("SIZE");
  SetExamples(
      app,
      {"kq-compact                      clean every topic per its cleanup.policy",
       "kq-compact --dry-run orders     what cleaning orders would remove",
       "kq-compact --dump --print-data orders:0 | less", "kq-compact --verify && echo clean",
       "kq-compact --repair --truncate-corrupt orders:3", "kq-compact --max-memory 256M users"});
  return RunApp(app, argc, argv, kTool, [&] {
    int actions = (dump ? 1 : 0) + (verify ? 1 : 0) + (repair ? 1 : 0) + (args.dry_run ? 1 : 0);
    if (dump) args.action = Action::kDump;
    if (verify) args.action = Action::kVerify;
    if (repair) args.action = Action::kRepair;
    return Run(common, args, max_memory, actions);
  });
}
