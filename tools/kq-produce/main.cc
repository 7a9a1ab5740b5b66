// kq-produce: write records from stdin or files into a topic.
//
// Thin main: flags (CLI11) → checked settings (produce_settings.cc) → one
// client::RecordWriter, a directory's or a cluster's, fed by a ProduceLoop →
// exit code. See man/kq-produce.1.
#include <cstdio>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "common/common_flags.h"
#include "common/exit_codes.h"
#include "kq-produce/follow_source.h"
#include "kq-produce/produce_settings.h"

namespace {

using kq::tools::produce::ProduceFlags;

void AddProduceFlags(CLI::App& app, ProduceFlags* f) {
  app.add_option("operands", f->operands, "TOPIC, then FILEs to read (default: stdin)")
      ->type_name("[TOPIC] [FILE...]");
  app.add_option("-t,--topic", f->topic, "Topic to write to (instead of the first operand)")
      ->type_name("TOPIC");
  app.option_defaults()->group("Input");
  app.add_option("-D,--delimiter", f->delimiter,
                 "Record delimiter, with escapes \\n \\t \\r \\0 \\\\ \\xNN \\NNN (octal). "
                 "Default: \\n")
      ->type_name("DELIM");
  app.add_option("-K,--key-delimiter", f->key_delimiter,
                 "Split each record into key and value at the first DELIM (same escapes); "
                 "a record without DELIM has a null key")
      ->type_name("DELIM");
  app.add_option("-k,--key", f->key,
                 "Use KEY as the key of every record (with -K: of records without DELIM)")
      ->type_name("KEY");
  app.add_flag("-l,--whole-file", f->whole_file, "Each FILE (or all of stdin) is one record");
  app.add_flag("-J,--json", f->json,
               "Read JSON envelope lines as kq-consume -J prints them (key, payload, headers, "
               "partition, ts, *_b64)");
  app.add_flag("--lenient", f->lenient,
               "With -J: warn about unknown fields and ignore them (default: an error)");
  app.add_flag("-Z,--null-empty", f->null_empty, "Send an empty value as null (a tombstone)");
  app.add_option("-H,--header", f->headers,
                 "Add header NAME=VALUE to every record (repeatable, order kept)")
      ->type_name("NAME=VALUE")
      ->allow_extra_args(false);
  app.add_option("-c,--count", f->count, "Stop after N records")->type_name("N");
  app.add_flag("-T,--tee", f->tee, "Echo each record as read to stdout once it is written");
  app.option_defaults()->group("Writing");
  app.add_option("-p,--partition", f->partition,
                 "Write every record to partition N (default, or -1: chosen by the "
                 "partitioner)")
      ->type_name("N");
  app.add_option("--partitioner", f->partitioner,
                 "murmur2_random (default, as the Java client), murmur2, consistent, "
                 "consistent_random")
      ->type_name("NAME");
  app.add_option("-z,--compression", f->compression,
                 "Batch compression: none (default), gzip, snappy, lz4 or zstd")
      ->type_name("CODEC");
  app.add_option("--batch-bytes", f->batch_bytes,
                 "Append a partition's batch once it reaches N bytes. Default: 262144")
      ->type_name("N");
  app.add_option("--linger-ms", f->linger_ms,
                 "Flush buffered records when no input arrives for MS ms. Default: 5")
      ->type_name("MS");
  app.add_option("--flush", f->flush,
                 "fsync (sync before acknowledging), interval:MS or os. Default: the topic's "
                 "flush config")
      ->type_name("POLICY");
  app.add_option("--partitions", f->partitions,
                 "Partitions of a topic created because it was missing. Default: 1")
      ->type_name("N");
  app.add_flag("--no-create", f->no_create, "Fail instead of creating a missing topic");
  app.add_flag("--force-internal", f->force_internal,
               "Write to __consumer_offsets too (refused otherwise, as Kafka does)");
  app.add_flag("--report", f->report,
               "Print a JSON summary at exit: records, bytes, first and last offset per "
               "partition");
  // Schemas (schema_writer.h).
  app.add_option("--value-schema", f->schemas.value_schema,
                 "Values are JSON: encode each with this schema (a registered SUBJECT[:VERSION], "
                 "or a FILE registered under TOPIC-value) in the schema wire format")
      ->type_name("SUBJECT[:VERSION]|FILE");
  app.add_option("--key-schema", f->schemas.key_schema,
                 "Keys are JSON: encode each as --value-schema does (FILE registered under "
                 "TOPIC-key)")
      ->type_name("SUBJECT[:VERSION]|FILE");
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "Write records from stdin or FILEs into a topic, one per line.\n"
      "Unlike kcat -P: a FILE is read as stdin is, one record per line (or per -D\n"
      "delimiter), and -l makes each FILE one record. kcat sends each FILE as one\n"
      "message, and its -l splits a file into lines."};
  kq::tools::CommonFlags common;
  ProduceFlags flags;
  kq::tools::AddCommonFlags(app, "produce", &common);
  AddProduceFlags(app, &flags);
  kq::tools::produce::FollowFlags follow;
  kq::tools::produce::AddFollowFlags(app, &follow);
  kq::tools::SetExamples(
      app, {"tail -F /var/log/app.log | kq-produce app", "kq-produce -K '\\t' users users.tsv",
            "kq-produce -k sensor1 -H source=lab readings < data.txt", "kq-produce -l images *.png",
            "kq-consume -J src | kq-produce -J dst",
            "kq-produce --partitions 6 --report orders < orders.txt",
            "kq-produce --value-schema order.avsc orders < orders.jsonl",
            "kq-produce --follow app /var/log/app.log  # restarts resume after the last line"});
  return kq::tools::RunApp(app, argc, argv, "produce", [&] {
    if (follow.follow) {
      return kq::tools::produce::RunFollow(common, flags, follow);
    }
    return kq::tools::produce::RunProduce(common, flags);
  });
}
