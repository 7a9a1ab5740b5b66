// kq-produce --follow FILE...: tails files the way `tail -F` does (growth,
// rotation by rename, truncation, files that appear later) and appends each
// new complete line as a record, with the files' positions (pipe/position.h)
// on the batch that carries the lines, in the same append
// (pipe/stage_writer.h). A restart reads the positions back from the topic
// and resumes right after the last appended line, also after SIGKILL or a
// power cut (recovery cuts a torn batch and its position together).
//
// Decisions documented in man/kq-produce.1:
//   - every line of one FILE goes to one partition (its position lives
//     there): -p N, else the partition the Java client gives the path as
//     given when it is a key (murmur2);
//   - a file's identity is (device, inode) plus a CRC-32C of its first 4 KiB:
//     a file renamed away while kq-produce was down is found again by its
//     inode in the same directory and finished before the new file is read;
//   - a new file (no position recorded) starts at its beginning, or with
//     --from-end at the end of its last complete line; files that appear
//     while following always start at their beginning;
//   - when a followed file is renamed or removed, what it holds is read to
//     its end (a last line without newline included) before the new file;
//   - SIGINT/SIGTERM: what was read is appended, then exit 0.
//
// Thread safety: one thread; installs SIGINT/SIGTERM handlers.
#pragma once

#include <cstdint>

#include <CLI/CLI.hpp>

#include "common/common_flags.h"
#include "kq-produce/produce_settings.h"

namespace kq::tools::produce {

struct FollowFlags {
  bool follow = false;
  bool from_beginning = false;
  bool from_end = false;
  int64_t poll_ms = 1000;
};

// Adds --follow, --from-beginning, --from-end and --poll-ms to `app`.
void AddFollowFlags(CLI::App& app, FollowFlags* flags);

// Runs kq-produce --follow; returns the exit code.
int RunFollow(const CommonFlags& common, const ProduceFlags& flags, const FollowFlags& follow);

}  // namespace kq::tools::produce
