// kq-groups: list, describe, reset and delete the consumer groups of a kq log
// directory or, with -b, a Kafka cluster (kafka-consumer-groups). The work
// is in inspect.cc, reset.cc and delete.cc, through one GroupAdmin chosen
// here from -d/-b; this file only declares the flags.
#include <CLI/CLI.hpp>

#include "common/cluster_mode.h"
#include "common/common_flags.h"
#include "common/exit_codes.h"
#include "groups_tool.h"

using namespace kq::tools;
using namespace kq::tools::groups_tool;

namespace {

CLI::App* AddSubcommand(CLI::App& app, const char* name, const char* about) {
  CLI::App* sub = app.add_subcommand(name, about);
  // Common flags (-d, -q, ...) may follow the subcommand: `kq-groups list -d DIR`.
  sub->fallthrough();
  sub->option_defaults()->group("Options");
  return sub;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"List, describe, reset and delete the consumer groups of a kq log directory."};
  CommonFlags common;
  AddCommonFlags(app, kTool, &common);
  app.require_subcommand(1);

  ListArgs list;
  CLI::App* list_cmd = AddSubcommand(app, "list", "Print the names of the groups, one per line");
  list_cmd->add_flag("-j,--json", list.json,
                     "Print a JSON array of {group, members, committed_partitions}");

  DescribeArgs describe;
  CLI::App* describe_cmd = AddSubcommand(
      app, "describe", "Show a group's offsets, log end offsets, lag and partition owners");
  describe_cmd->add_option("group", describe.group, "Group name")->required()->type_name("GROUP");
  describe_cmd->add_flag("-j,--json", describe.json, "Print one JSON object");

  ResetArgs reset;
  CLI::App* reset_cmd =
      AddSubcommand(app, "reset", "Plan, and with --execute commit, new offsets for a group");
  reset_cmd->add_option("group", reset.group, "Group name")->required()->type_name("GROUP");
  reset_cmd->add_flag("--to-earliest", reset.to_earliest, "To the log start offset");
  reset_cmd->add_flag("--to-latest", reset.to_latest, "To the log end offset");
  reset_cmd
      ->add_option("--to-offset", reset.to_offset,
                   "To offset N (kept within the log's start and end)")
      ->type_name("N");
  reset_cmd
      ->add_option("--to-datetime", reset.to_datetime,
                   "To the first record with a timestamp >= T "
                   "(ISO-8601, epoch ms, or relative: -1h, -7d)")
      ->type_name("T");
  reset_cmd
      ->add_option("--shift-by", reset.shift_by, "Move the committed offset by N (negative: back)")
      ->type_name("N");
  reset_cmd
      ->add_option("--topic", reset.topics,
                   "Only these partitions: a topic, or TOPIC:P[,P...] (repeatable). "
                   "Default: every partition the group has committed")
      ->type_name("TOPIC[:P]")
      ->allow_extra_args(false);
  reset_cmd->add_flag("--execute", reset.execute,
                      "Commit the new offsets (default: only show them)");
  reset_cmd->add_flag("--dry-run", reset.dry_run, "Only show the plan (the default)");
  reset_cmd->add_flag(
      "-j,--json", reset.json,
      "Print the plan as a JSON array of {topic, partition, current_offset, new_offset}");

  DeleteArgs del;
  CLI::App* delete_cmd = AddSubcommand(app, "delete", "Delete groups and their committed offsets");
  delete_cmd->add_option("groups", del.groups, "Group names")->required()->type_name("GROUP...");

  SetExamples(app, {
                       "kq-groups list",
                       "kq-groups describe billing",
                       "kq-groups describe billing --json | jq '.partitions[].lag'",
                       "kq-groups reset billing --to-datetime -1h",
                       "kq-groups reset billing --to-earliest --topic orders:0,1 --execute",
                       "kq-groups reset billing --shift-by=-100 --execute",
                       "kq-groups delete billing",
                   });

  return RunApp(app, argc, argv, kTool, [&]() -> int {
    std::unique_ptr<kq::client::GroupAdmin> admin = OpenGroupAdmin(kTool, common);
    if (!admin) return kExitUsage;
    if (list_cmd->parsed()) return RunList(*admin, list);
    if (describe_cmd->parsed()) return RunDescribe(common, *admin, describe);
    if (reset_cmd->parsed()) return RunReset(common, *admin, reset);
    return RunDelete(common, *admin, del);
  });
}
