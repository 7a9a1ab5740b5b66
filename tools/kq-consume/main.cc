// kq-consume: print the records of topics, like cat (or tail -F with -F).
//
// Thin main: flags (CLI11) → checked settings (consume_settings.cc) → one
// client::RecordSource, a directory's or a cluster's, printing each record
// (consume_loop.cc) → exit code.
// See man/kq-consume.1.
#include <CLI/CLI.hpp>

#include "common/common_flags.h"
#include "kq-consume/consume_settings.h"
#include "kq-consume/exec_sink.h"

namespace {

using kq::tools::consume::ConsumeFlags;

void AddConsumeFlags(CLI::App& app, ConsumeFlags* f) {
  app.add_option("operands", f->operands, "Topics to read; TOPIC:N reads only partition N")
      ->type_name("TOPIC[:PARTITION]...");
  app.add_option("-t,--topic", f->topics, "Topic to read (repeatable; also TOPIC:PARTITION)")
      ->type_name("TOPIC")
      ->allow_extra_args(false);  // `-t a b`: b is an operand, not a second -t
  app.option_defaults()->group("Reading");
  app.add_option("-o,--offset", f->offsets,
                 "Where to start: beginning (default), end, stored, N, -N (last N of each "
                 "partition), s@MS, e@MS (stop before), @T1[:T2] with ISO-8601, epoch ms or "
                 "relative times (@-1h). Given twice: a start and an end")
      ->type_name("OFFSET")
      ->allow_extra_args(false);
  app.add_option("-c,--count", f->count, "Stop after N records")->type_name("N");
  app.add_flag("-e,--exit", f->exit_at_end,
               "Exit at the end of the log (the default; accepted for kcat habits)");
  app.add_flag("-F,--follow", f->follow,
               "Keep waiting for new records at the end of the log, like tail -F");
  app.add_option("-G,--group", f->group,
                 "Consume as a member of GROUP: resume from its committed offsets, commit what "
                 "was printed, share partitions with the group's other members")
      ->type_name("GROUP")
      ->check(CLI::Validator(
          [](std::string& name) {
            return name.empty() ? std::string("the group name is empty") : std::string();
          },
          "GROUP"));
  app.add_flag("--ordered", f->ordered, "Interleave partitions by record timestamp");
  app.add_option("--poll-ms", f->poll_ms,
                 "With -F, re-check the log at least every MS ms even without a file-system "
                 "event. Default: 1000")
      ->type_name("MS");
  app.option_defaults()->group("Output");
  app.add_option("-f,--format", f->format,
                 "Print each record with FORMAT: %t topic, %p partition, %o offset, %k key, "
                 "%K key length, %s value, %S value length, %R value length as 4 big-endian "
                 "bytes, %T timestamp (ms), %d ISO-8601 timestamp, %h headers, %% and the "
                 "escapes \\n \\t \\0 \\xNN \\NNN (octal)")
      ->type_name("FORMAT");
  app.add_option("-K,--key-delimiter", f->key_delimiter, "Print key, DELIM, value (escapes as -D)")
      ->type_name("DELIM");
  app.add_option("-D,--delimiter", f->delimiter,
                 "Print DELIM after each record, with escapes \\n \\t \\r \\0 \\\\ \\xNN. "
                 "Default: \\n")
      ->type_name("DELIM");
  app.add_flag("-J,--json", f->json,
               "Print JSON lines (topic, partition, offset, tstype, ts, headers, key, payload; "
               "key_b64/payload_b64 for bytes that are not UTF-8), readable by kq-produce -J");
  // Schemas (schema_decoder.h).
  app.add_option("-s,--serdes", f->serdes,
                 "Decode values (value=TYPE), keys (key=TYPE) or both (TYPE) written in the schema "
                 "wire format, with the directory's registry; TYPE is avro or json (repeatable)")
      ->type_name("[key=|value=]avro|json");
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "Print the records of topics, one value per line, and exit at the end of the log "
      "as it was when reading started (-F: keep following)."};
  kq::tools::CommonFlags common;
  ConsumeFlags flags;
  kq::tools::AddCommonFlags(app, "consume", &common);
  AddConsumeFlags(app, &flags);
  kq::tools::consume::ExecFlags exec;
  kq::tools::consume::AddExecFlags(app, &exec);
  kq::tools::SetExamples(
      app, {"kq-consume orders", "kq-consume logs -o -20 -F",
            "kq-consume orders -o @2026-11-01T00:00:00Z:2026-11-02T00:00:00Z",
            "kq-consume users -K '\\t'", "kq-consume orders -f '%p:%o %d %k=%s\\n'",
            "kq-consume src -J | kq-produce -J dst", "kq-consume -G billing -F orders",
            "kq-consume logs:0 -o end -F | grep ERROR",
            "kq-consume -G loader -F -J orders --exec 'load-orders --first $KQ_FIRST_OFFSET'"});
  return kq::tools::RunApp(app, argc, argv, "consume", [&] {
    if (!exec.command.empty()) {
      return kq::tools::consume::RunExec(common, flags, exec);
    }
    return kq::tools::consume::RunConsume(common, flags);
  });
}
