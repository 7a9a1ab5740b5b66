// kq-consume --exec CMD: a sink. Records are collected per partition into
// batches (--batch-records, --batch-bytes, --batch-ms; a batch also ends
// whenever the reader catches up, and before every group commit); each batch
// runs `sh -c CMD` once with the batch on its stdin, printed in the chosen
// output format (-f, -J, -K, -D), and its topic, partition and offsets in
// the environment:
//   KQ_TOPIC, KQ_PARTITION, KQ_FIRST_OFFSET, KQ_LAST_OFFSET, KQ_RECORDS,
//   KQ_GROUP (empty without -G), KQ_ATTEMPT (1 for the first run)
// so an idempotent CMD can deduplicate by offset.
//
// At-least-once (man/kq-consume.1): with -G, the group commits a position
// only after every batch before it ran CMD to exit 0 (the commit follows
// the flush that runs the pending batches). A failed run is retried
// (--retries, doubling --retry-backoff-ms each time); then either kq-consume
// stops, exit 1, committing nothing past the last good batch (on a log
// directory it commits up to each partition's last good batch first), or with
// --dead-letter TOPIC the batch's records are written to TOPIC (log
// directory only) with Connect's error headers, made durable, and reading
// goes on. SIGINT/SIGTERM: the running batch finishes, the pending ones run,
// the group commits, exit 0.
//
// Thread safety: one thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "common/common_flags.h"
#include "kq-consume/consume_settings.h"

namespace kq::tools::consume {

struct ExecFlags {
  std::string command;  // empty: no --exec
  int64_t batch_records = 500;
  int64_t batch_bytes = int64_t{1} << 20;
  int64_t batch_ms = 1000;
  int64_t retries = 3;
  int64_t retry_backoff_ms = 100;
  std::string dead_letter;
};

// Adds --exec, --batch-records, --batch-bytes, --batch-ms, --retries,
// --retry-backoff-ms and --dead-letter.
void AddExecFlags(CLI::App& app, ExecFlags* flags);

// Runs kq-consume --exec; returns the exit code.
int RunExec(const CommonFlags& common, const ConsumeFlags& flags, const ExecFlags& exec);

}  // namespace kq::tools::consume
