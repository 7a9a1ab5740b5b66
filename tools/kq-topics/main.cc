// kq-topics: create, list, describe, alter, delete and trim topics of a kq
// log directory or, with -b, a Kafka cluster (kafka-topics plus
// kafka-delete-records). The work is in manage.cc, describe.cc, trim.cc and
// offsets.cc, through one TopicAdmin chosen here from -d/-b; this file only
// declares the flags.
#include <charconv>
#include <cstdint>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "common/cluster_mode.h"
#include "common/common_flags.h"
#include "common/exit_codes.h"
#include "log/topic_name.h"
#include "topics.h"

using namespace kq::tools;
using namespace kq::tools::topics;

namespace {

CLI::App* AddSubcommand(CLI::App& app, const char* name, const char* about) {
  CLI::App* sub = app.add_subcommand(name, about);
  // Common flags (-d, -q, ...) may follow the subcommand: `kq-topics list -d DIR`.
  sub->fallthrough();
  sub->option_defaults()->group("Options");
  return sub;
}

// A repeatable option that takes one value per occurrence, so it never
// swallows the operands after it.
CLI::Option* AddRepeatable(CLI::App* sub, const char* flags, std::vector<std::string>* into,
                           const char* about, const char* type) {
  return sub->add_option(flags, *into, about)->type_name(type)->allow_extra_args(false);
}

// --partitions N: a whole number of partitions within the topic limit. The
// message names the value and the range, instead of CLI11's "Value abc not in
// range" for text that is not a number at all.
CLI::Validator PartitionCount() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        const int64_t max = kq::log::kMaxPartitionsPerTopic;
        int64_t n = 0;
        auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
        if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
          return fmt::format(
              "'{}' is not a number of partitions (give a whole number from 1 to {})",
              kq::log::EscapeForMessage(text), max);
        }
        if (n < 1 || n > max) {
          return fmt::format("{} partitions is out of range (from 1 to {})", n, max);
        }
        return "";
      },
      fmt::format("INT in [1 - {}]", kq::log::kMaxPartitionsPerTopic));
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "Create, list, describe, alter, delete and trim the topics of a kq log directory, and "
      "look up their offsets."};
  CommonFlags common;
  AddCommonFlags(app, kTool, &common);
  app.require_subcommand(1);

  CreateArgs create;
  CLI::App* create_cmd = AddSubcommand(app, "create", "Create topics");
  create_cmd->add_option("topics", create.topics, "Topic names")->required()->type_name("TOPIC...");
  create_cmd->add_option("-p,--partitions", create.partitions, "Number of partitions. Default: 1")
      ->check(PartitionCount())
      ->type_name("N");
  AddRepeatable(create_cmd, "-c,--config", &create.configs,
                "Set a topic config, Kafka's names (repeatable)", "KEY=VALUE");
  create_cmd->add_flag("--if-not-exists", create.if_not_exists,
                       "Succeed when a topic already exists (it is left as it is)");

  ListArgs list;
  CLI::App* list_cmd = AddSubcommand(app, "list", "Print the topic names, one per line");
  list_cmd->add_flag("-j,--json", list.json, "Print a JSON array of {name, partitions}");

  DescribeArgs describe;
  CLI::App* describe_cmd = AddSubcommand(
      app, "describe", "Show config and partitions (offsets, records, bytes) of topics");
  describe_cmd->add_option("topics", describe.topics, "Topic names. Default: every topic")
      ->type_name("TOPIC...");
  describe_cmd->add_flag("-j,--json", describe.json, "Print a JSON array, one object per topic");

  AlterArgs alter;
  CLI::App* alter_cmd = AddSubcommand(app, "alter", "Change a topic's config or partition count");
  alter_cmd->add_option("topic", alter.topic, "Topic name")->required()->type_name("TOPIC");
  AddRepeatable(alter_cmd, "-c,--config", &alter.set_configs, "Set a topic config (repeatable)",
                "KEY=VALUE");
  AddRepeatable(alter_cmd, "--delete-config", &alter.delete_configs,
                "Return a config to its default (repeatable)", "KEY");
  alter_cmd
      ->add_option("-p,--partitions", alter.partitions,
                   "Grow the topic to N partitions (never shrinks)")
      ->check(PartitionCount())
      ->type_name("N");

  DeleteArgs del;
  CLI::App* delete_cmd = AddSubcommand(app, "delete", "Delete topics and all their records");
  delete_cmd->add_option("topics", del.topics, "Topic names")->required()->type_name("TOPIC...");
  delete_cmd->add_flag("--if-exists", del.if_exists, "Succeed when a topic does not exist");
  delete_cmd->add_flag("--force-internal", del.force_internal,
                       "Delete __consumer_offsets too (resets every group; refused otherwise)");

  TrimArgs trim;
  CLI::App* trim_cmd = AddSubcommand(
      app, "trim", "Delete the records before an offset or a time (kafka-delete-records)");
  trim_cmd->add_option("targets", trim.targets, "Topics, or one partition as TOPIC:PARTITION")
      ->required()
      ->type_name("TOPIC[:P]...");
  trim_cmd->add_option("--before", trim.before, "Delete records below OFFSET ('end': all)")
      ->type_name("OFFSET");
  trim_cmd
      ->add_option("--before-time", trim.before_time,
                   "Delete records before the first one with a timestamp >= T "
                   "(ISO-8601, epoch ms, or relative: -1h, -7d)")
      ->type_name("T");
  trim_cmd->add_flag("-j,--json", trim.json, "Print a JSON array, one object per partition");

  OffsetsArgs offsets;
  CLI::App* offsets_cmd = AddSubcommand(
      app, "offsets",
      "Print each partition's earliest and latest offset, or the offset for a time (kcat -Q)");
  offsets_cmd->add_option("topics", offsets.topics, "Topic names")
      ->required()
      ->type_name("TOPIC...");
  offsets_cmd
      ->add_option("--at", offsets.at,
                   "The first offset with a timestamp >= TIME (ISO-8601, epoch ms, or relative: "
                   "-1h); the log end when none")
      ->type_name("TIME");
  offsets_cmd->add_flag("-j,--json", offsets.json, "Print a JSON array, one object per partition");

  SetExamples(app, {
                       "kq-topics create orders --partitions 3 --config retention.ms=86400000",
                       "kq-topics list",
                       "kq-topics describe orders",
                       "kq-topics describe --json | jq '.[].records'",
                       "kq-topics alter orders --partitions 6 --delete-config retention.ms",
                       "kq-topics trim orders:0 --before 1000",
                       "kq-topics trim logs --before-time -7d",
                       "kq-topics offsets orders --at 2026-11-01T00:00:00Z",
                       "kq-topics delete orders",
                   });

  return RunApp(app, argc, argv, kTool, [&]() -> int {
    if (delete_cmd->parsed() && !CheckDeletable(del)) return kExitUsage;
    std::unique_ptr<kq::client::TopicAdmin> admin = OpenTopicAdmin(kTool, common);
    if (!admin) return kExitUsage;
    if (create_cmd->parsed()) return RunCreate(common, *admin, create);
    if (list_cmd->parsed()) return RunList(*admin, list);
    if (describe_cmd->parsed()) return RunDescribe(common, *admin, describe);
    if (alter_cmd->parsed()) return RunAlter(common, *admin, alter);
    if (delete_cmd->parsed()) return RunDelete(common, *admin, del);
    if (offsets_cmd->parsed()) return RunOffsets(*admin, offsets);
    return RunTrim(common, *admin, trim);
  });
}
