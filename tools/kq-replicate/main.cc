// kq-replicate: makes a log directory a byte-identical follower of another
// (or of a Kafka server), and carries the same through a pipe with send and
// receive. This file only declares the flags; the work is in sync.cc and
// stream.cc, the rules in core/replica/.
#include <malloc.h>

#include <CLI/CLI.hpp>

#include "common/common_flags.h"
#include "common/exit_codes.h"
#include "replicate.h"

using namespace kq::tools;
using namespace kq::tools::replicate;

int main(int argc, char** argv) {
  // Batches travel as strings of up to a few MiB, allocated and freed for
  // every fetch: keep them on the heap instead of fresh mmap'ed pages, whose
  // page faults otherwise cost more than the copy itself.
  mallopt(M_MMAP_THRESHOLD, 64 << 20);
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
  CLI::App app{
      "Make DEST a byte-identical follower of SOURCE: the same topics, partitions, configs, "
      "offsets, batches and leader epochs. SOURCE is a log directory or kafka://HOST:PORT; "
      "DEST is a log directory, or kafka://HOST:PORT to mirror the records into a cluster. "
      "Each run continues where DEST stands."};
  Args args;
  AddCommonFlags(app, kTool, &args.common);
  // The directories are operands here: -d, -b and -X would only be ambiguous.
  for (const char* flag : {"--dir", "--brokers", "--property"}) {
    app.remove_option(app.get_option(flag));
  }
  app.require_subcommand(0, 1);
  app.add_option("-t,--topic", args.topics,
                 "Only topics matching this name or glob (repeatable; * ? [..])")
      ->type_name("GLOB");
  app.add_flag("-j,--json", args.json, "Print the summary as one JSON object on stdout");

  app.add_option("source", args.source, "Log directory, or kafka://HOST:PORT")->type_name("SOURCE");
  app.add_option("dest", args.dest, "Log directory to make a follower, or kafka://HOST:PORT")
      ->type_name("DEST");
  app.add_flag("-f,--follow", args.follow,
               "Keep syncing as SOURCE grows (lag on stderr when it is a terminal)");
  app.add_option("--status-file", args.status_file,
                 "With --follow, keep FILE rewritten (atomically) with a JSON status: "
                 "per-partition ends and lag")
      ->type_name("FILE");
  app.add_option("--replica-id", args.replica_id,
                 "Broker id to fetch as from a kafka:// source (the leader tracks it as a "
                 "follower). Default: -1, a plain consumer fetch")
      ->type_name("N");

  CLI::App* send = app.add_subcommand(
      "send", "Write DIR's topics as a replication stream to stdout (for receive)");
  send->fallthrough();  // -q, -v after the subcommand
  send->add_option("dir", args.dir, "Log directory to send")->required()->type_name("DIR");
  send->add_option("--since-state", args.since_state,
                   "Send only what a receiver lacks, from the state it printed "
                   "(receive --print-state)")
      ->type_name("FILE");
  send->add_option("-t,--topic", args.topics, "Only topics matching this name or glob")
      ->type_name("GLOB");

  CLI::App* receive = app.add_subcommand("receive", "Apply a replication stream from stdin to DIR");
  receive->fallthrough();
  receive->add_option("dir", args.dir, "Log directory to update")->required()->type_name("DIR");
  receive->add_flag("--print-state", args.print_state,
                    "Print where DIR stands (for send --since-state) and exit");
  receive->add_flag("-j,--json", args.json, "Print the summary as one JSON object on stdout");

  SetExamples(app, {"kq-replicate /var/lib/kq /backup/kq          copy what is new",
                    "kq-replicate -f --status-file st.json /var/lib/kq /mnt/follower",
                    "kq-replicate -t 'orders*' kafka://10.0.0.5:9092 ./orders-copy",
                    "kq-replicate /var/lib/kq kafka://broker1:9092    mirror into a cluster",
                    "kq-replicate send /var/lib/kq | ssh backup kq-replicate receive /srv/kq",
                    "ssh backup kq-replicate receive /srv/kq --print-state > state.json",
                    "kq-replicate send --since-state state.json /var/lib/kq | ssh backup "
                    "kq-replicate receive /srv/kq"});
  return RunApp(app, argc, argv, kTool, [&] {
    if (send->parsed()) return RunSend(args);
    if (receive->parsed()) return RunReceive(args);
    if (args.source.empty() || args.dest.empty()) {
      return ReportUsageError(kTool, "SOURCE and DEST are required");
    }
    return RunSync(args);
  });
}
