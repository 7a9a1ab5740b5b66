// kq-pipe: a transform between two topics through any command, exactly once
// across crashes and restarts (the input positions travel in the output's
// batches). Thin main: flags (CLI11) → pipe_stage.cc → exit code. See
// man/kq-pipe.1.
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "common/common_flags.h"
#include "kq-pipe/pipe_stage.h"

namespace {

using kq::tools::pipe_tool::PipeFlags;

void AddPipeFlags(CLI::App& app, PipeFlags* f) {
  app.add_option("operands", f->operands, "IN OUT -- CMD [ARGS...]")
      ->type_name("IN OUT -- CMD [ARGS...]");
  app.option_defaults()->group("Transform");
  app.add_flag("--map", f->map,
               "CMD is one long-running filter answering exactly one line per input line (an "
               "empty line drops the record); the output keeps each input's key, headers and "
               "timestamp");
  app.add_option("-K,--key-delimiter", f->key_delimiter,
                 "Without --map: split each output line into key and value at the first DELIM")
      ->type_name("DELIM");
  app.add_option("--batch-records", f->batch_records,
                 "Records read per round; without --map, records per CMD run (one partition "
                 "each). Default: 1000")
      ->type_name("N");
  app.add_option("--timeout", f->timeout_ms,
                 "Fail when CMD does not answer (--map) or end (without) within MS ms")
      ->type_name("MS");
  app.option_defaults()->group("Reading and writing");
  app.add_option("-G,--group", f->group,
                 "Share IN's partitions with the other kq-pipe processes of GROUP")
      ->type_name("GROUP");
  app.add_flag("-F,--follow", f->follow, "Keep waiting for new records at the end of IN");
  app.add_option("--partitions", f->partitions,
                 "Partitions of OUT when it is created. Default: IN's")
      ->type_name("N");
  app.add_option("--flush", f->flush, "fsync, interval:MS or os. Default: OUT's flush config")
      ->type_name("POLICY");
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "Consume topic IN, feed its records to CMD, append CMD's output to topic OUT.\n"
      "The input position goes into OUT with the output, in the same append, so a\n"
      "restart (even after kill -9) resumes exactly where the output ends: every\n"
      "input record's output is in OUT once. No group commit, no transactions."};
  kq::tools::CommonFlags common;
  PipeFlags flags;
  kq::tools::AddCommonFlags(app, "pipe", &common);
  AddPipeFlags(app, &flags);
  kq::tools::SetExamples(
      app, {"kq-pipe --map -F orders orders-slim -- jq -c --unbuffered '{id, total}'",
            "kq-pipe --map logs no-debug -- sed -u 's/^DEBUG.*//'  # empty: dropped",
            "kq-pipe -K ' ' words counts -- sh -c 'sort | uniq -c'",
            "kq-pipe -G enrich -F --map raw enriched -- ./enrich.py"});
  return kq::tools::RunApp(app, argc, argv, "pipe",
                           [&] { return kq::tools::pipe_tool::RunPipe(common, flags); });
}
