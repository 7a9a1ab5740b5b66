// kq-schemas: the schema registry of a kq log directory (the `_schemas`
// topic, in Confluent Schema Registry's layout): register, list, look up,
// check compatibility, set levels, delete, and validate JSON lines against a
// schema. The work is in commands.cc and validate.cc; this file only
// declares the flags.
#include <CLI/CLI.hpp>

#include "common/common_flags.h"
#include "common/exit_codes.h"
#include "schemas_tool.h"

using namespace kq::tools;
using namespace kq::tools::schemas_tool;

namespace {

CLI::App* AddSubcommand(CLI::App& app, const char* name, const char* about) {
  CLI::App* sub = app.add_subcommand(name, about);
  sub->fallthrough();
  sub->option_defaults()->group("Options");
  return sub;
}

void AddType(CLI::App* sub, Args& args) {
  sub->add_option("-t,--type", args.type, "Schema language: avro (default) or json")
      ->type_name("avro|json");
}

void AddJson(CLI::App* sub, Args& args, const char* what) {
  sub->add_flag("-j,--json", args.json, what);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "Register, look up and check schemas in the registry of a kq log directory "
      "(Confluent Schema Registry's data, in the topic _schemas). The subject of a topic's "
      "values is <topic>-value, of its keys <topic>-key."};
  CommonFlags common;
  AddCommonFlags(app, kTool, &common);
  app.require_subcommand(1);
  Args args;

  CLI::App* reg =
      AddSubcommand(app, "register", "Register a schema under a subject; print its version and id");
  reg->add_option("subject", args.subject, "Subject")->required()->type_name("SUBJECT");
  reg->add_option("file", args.file, "Schema file ('-': stdin)")->required()->type_name("FILE");
  AddType(reg, args);
  AddJson(reg, args, "Print {id, version, existed}");

  CLI::App* list = AddSubcommand(app, "list", "Print the subjects, one per line");
  list->add_flag("--deleted", args.deleted, "Include soft-deleted subjects");
  AddJson(list, args, "Print a JSON array");

  CLI::App* versions = AddSubcommand(app, "versions", "Print a subject's versions, one per line");
  versions->add_option("subject", args.subject, "Subject")->required()->type_name("SUBJECT");
  versions->add_flag("--deleted", args.deleted, "Include soft-deleted versions");
  AddJson(versions, args, "Print a JSON array");

  CLI::App* get =
      AddSubcommand(app, "get", "Print a schema: a subject's version (default: latest), or by id");
  get->add_option("subject", args.subject, "Subject")->type_name("SUBJECT");
  get->add_option("version", args.version, "Version number or 'latest'")->type_name("VERSION");
  get->add_option("--id", args.id, "The schema with this global id")->type_name("ID");
  AddJson(get, args, "Print {subject, version, id, schemaType, schema}");

  CLI::App* check = AddSubcommand(
      app, "check",
      "Check a schema's compatibility with a subject's versions, without registering");
  check->add_option("subject", args.subject, "Subject")->required()->type_name("SUBJECT");
  check->add_option("file", args.file, "Schema file ('-': stdin)")->required()->type_name("FILE");
  check->add_option("--version", args.version, "Against this version alone")->type_name("VERSION");
  AddType(check, args);
  AddJson(check, args, "Print {is_compatible, messages}");

  CLI::App* config = AddSubcommand(
      app, "config",
      "Print, or with --compatibility set, the compatibility level (global or a subject's)");
  config->add_option("subject", args.subject, "Subject (default: the global level)")
      ->type_name("SUBJECT");
  config
      ->add_option("-c,--compatibility", args.compatibility,
                   "BACKWARD, BACKWARD_TRANSITIVE, FORWARD, FORWARD_TRANSITIVE, FULL, "
                   "FULL_TRANSITIVE or NONE")
      ->type_name("LEVEL");
  AddJson(config, args, "Print {compatibilityLevel}");

  CLI::App* del =
      AddSubcommand(app, "delete", "Delete a subject or one version (soft; then --permanent)");
  del->add_option("subject", args.subject, "Subject")->required()->type_name("SUBJECT");
  del->add_option("version", args.version, "Version number or 'latest'")->type_name("VERSION");
  del->add_flag("--permanent", args.permanent,
                "Remove soft-deleted versions for good (tombstones in _schemas)");
  AddJson(del, args, "Print a JSON array of the deleted versions");

  CLI::App* validate = AddSubcommand(
      app, "validate", "Check JSON lines on stdin against a schema file; one verdict per line");
  validate->add_option("file", args.file, "Schema file")->required()->type_name("SCHEMA_FILE");
  AddType(validate, args);
  AddJson(validate, args, "Print {line, valid, error} per line");

  SetExamples(app,
              {
                  "kq-schemas register orders-value order.avsc",
                  "kq-schemas register events-value event.json --type json",
                  "kq-schemas list",
                  "kq-schemas versions orders-value --json",
                  "kq-schemas get orders-value latest",
                  "kq-schemas get --id 3",
                  "kq-schemas check orders-value order-v2.avsc",
                  "kq-schemas config orders-value --compatibility FULL",
                  "kq-schemas delete orders-value 2",
                  "kq-consume orders -J | jq -c .value | kq-schemas validate order.json -t json",
              });

  return RunApp(app, argc, argv, kTool, [&]() -> int {
    if (!common.brokers.empty()) {
      return ReportUsageError(kTool,
                              "-b is not supported: kq-schemas works on a log directory's "
                              "registry (serve it over HTTP with kq-serve --schema-registry)");
    }
    if (reg->parsed()) return RunRegister(common, args);
    if (list->parsed()) return RunList(common, args);
    if (versions->parsed()) return RunVersions(common, args);
    if (get->parsed()) return RunGet(common, args);
    if (check->parsed()) return RunCheck(common, args);
    if (config->parsed()) return RunConfig(common, args);
    if (del->parsed()) return RunDelete(common, args);
    return RunValidate(common, args);
  });
}
