#!/usr/bin/env bash
# Proves the crash tests bite: puts known durability bugs back, one at a
# time, on a scratch copy of the tree, builds the named test and expects it
# to FAIL. Not run by CTest (it builds a second tree): run it by hand or with
# `make crash-bugs`.
#
#   bash tests/crash-bugs.sh                 # every bug
#   bash tests/crash-bugs.sh roll_no_dirsync # just these
#   KQ_CRASH_BUGS_DIR=/tmp/x JOBS=2 bash tests/crash-bugs.sh   # reuse a scratch dir
#
# Each bug is one small function below: the file it changes, a perl
# substitution (perl -0: the pattern may span lines) and the test that must
# catch it. When code moves (for instance recovery into core/log/recovery.cc),
# only FILE and the pattern of the affected functions need retargeting: a
# pattern that no longer matches is reported as "NOT APPLIED", never as caught.
set -uo pipefail

SRC=$(cd "$(dirname "$0")/.." && pwd)
WORK=${KQ_CRASH_BUGS_DIR:-$(mktemp -d /tmp/kq-crash-bugs.XXXXXX)}
JOBS=${JOBS:-2}
TREE=$WORK/tree
BUILD=$WORK/build

# --- the bugs ----------------------------------------------------------------
# Each sets FILE (relative to the tree), EXPR (perl substitution), TARGET (the
# test binary) and FILTER (doctest -tc filter; a comma separates patterns).

# Recovery keeps a torn tail: zeros or garbage past the last flush stay and
# wedge the next append.
bug_torn_tail_not_cut() {
  FILE=core/log/recovery.cc
  EXPR='s/KQ_RETURN_IF_ERROR\(env_->TruncateFile\(log_path_, valid_end_\)\);/(void)0;/'
  TARGET=crash_test FILTER='crash: append*'
}

# The recovery-point checkpoint is written before the data it covers is synced.
bug_checkpoint_before_sync() {
  FILE=core/log/partition.cc
  EXPR='s/(  if \(synced_end != durable_end_\) \{\n)\s*KQ_RETURN_IF_ERROR\(segments_\.back\(\)->SyncLog\(\)\);\n/$1/;
        s/(recovery_point_written_ms_ = now;\n  \}\n)(  return Status::Ok\(\);)/$1  KQ_RETURN_IF_ERROR(segments_.back()->SyncLog());\n$2/'
  TARGET=crash_test FILTER='*the recovery point written at every sync'
}

# The recovery point follows the log end on every append, without a sync.
bug_recovery_point_on_append() {
  FILE=core/log/partition.cc
  EXPR='s/(    return s;\n  \}\n)(  return result;\n\})/$1  KQ_RETURN_IF_ERROR(WriteOffsetCheckpoint(kRecoveryPointCheckpoint, log_end_));\n$2/'
  TARGET=crash_test FILTER='*the recovery point left behind'
}

# The cleaned segment is renamed into place without being synced first.
bug_cleaned_not_synced() {
  FILE=core/maint/cleaned_segment.cc
  EXPR='s/KQ_RETURN_IF_ERROR\(log_->Sync\(\)\);\n//'
  TARGET=crash_test FILTER='crash: compaction*'
}

# A roll creates the next segment without syncing the directory.
bug_roll_no_dirsync() {
  FILE=core/log/partition.cc
  EXPR='s/(The new file.s name must survive a crash before any data in it counts\.\n)  return options_\.env->SyncDir\(dir_\);/$1  return Status::Ok();/'
  TARGET=crash_test FILTER='crash: appends that roll segments'
}

# Sync() writes the recovery-point checkpoint (a rename) without syncing the
# log it covers at all.
bug_no_log_sync_before_checkpoint() {
  FILE=core/log/partition.cc
  EXPR='s/(  if \(synced_end != durable_end_\) \{\n)\s*KQ_RETURN_IF_ERROR\(segments_\.back\(\)->SyncLog\(\)\);\n/$1/'
  TARGET=crash_test FILTER='crash: appends and group commits*'
}

# More of the same kind.

# WriteFileAtomic renames the .tmp file over the checkpoint without syncing it.
bug_atomic_write_no_sync() {
  FILE=core/io/env.cc
  EXPR='s/    if \(sync\) KQ_RETURN_IF_ERROR\(file->Sync\(\)\);\n//'
  TARGET=crash_test FILTER='*the recovery point written at every sync'
}

# A roll seals the old segment without syncing its log.
bug_seal_no_sync() {
  FILE=core/log/segment.cc
  EXPR='s/KQ_RETURN_IF_ERROR\(log_writer_->Sync\(\)\);\n  KQ_RETURN_IF_ERROR\(index_writer_->Sync\(\)\);/KQ_RETURN_IF_ERROR(index_writer_->Sync());/'
  TARGET=crash_test FILTER='crash: appends that roll segments'
}

# The producer acknowledges a flush without syncing (flush=fsync).
bug_producer_flush_no_sync() {
  FILE=core/client/producer.cc
  EXPR='s/(Status LogProducer::SyncPartition\(PartitionState& state\) \{\n)/$1  return Status::Ok();\n/'
  TARGET=crash_test FILTER='crash: the producer*'
}

# The compaction swap renames the cleaned log over the old one without
# first removing the old segment's indexes (a stale index can pair with it).
bug_swap_keeps_old_indexes() {
  FILE=core/maint/segment_swap.cc
  EXPR='s/  KQ_RETURN_IF_ERROR\(RemoveIfPresent\(env, PathOf\(dir, a, SegmentFileKind::kIndex\)\)\);\n  KQ_RETURN_IF_ERROR\(RemoveIfPresent\(env, PathOf\(dir, a, SegmentFileKind::kTimeIndex\)\)\);\n//'
  TARGET=crash_test FILTER='crash: compaction*'
}

# Sync() writes the recovery point without syncing the active segment's
# index files first, whose entries below it recovery then trusts.
bug_index_not_synced_before_checkpoint() {
  FILE=core/log/partition.cc
  EXPR='s/      KQ_RETURN_IF_ERROR\(segments_\.back\(\)->SyncIndexes\(\)\);\n//'
  TARGET=crash_test FILTER='*timestamps out of order*'
}

# Recovery keeps the index entries below the recovery point unchecked but
# for the last one (zeros left by a power cut survive as an entry (0, 0)).
bug_recovery_trusts_index_entries() {
  FILE=core/log/recovery.cc
  EXPR='s/  index_\.TruncateToSize\(index_entries_from_file_\);\n  time_index_\.TruncateToSize\(time_entries_from_file_\);\n//;
        s/if \(holds\) break;/if (holds || !holds) break;/'
  TARGET=crash_test FILTER='*unsynced index entries*'
}

ALL_BUGS=(torn_tail_not_cut checkpoint_before_sync recovery_point_on_append cleaned_not_synced
          roll_no_dirsync no_log_sync_before_checkpoint atomic_write_no_sync seal_no_sync
          producer_flush_no_sync swap_keeps_old_indexes index_not_synced_before_checkpoint
          recovery_trusts_index_entries)

# --- the driver ----------------------------------------------------------------

copy_tree() {
  mkdir -p "$TREE"
  # The working tree as it is (committed or not), without build directories.
  (cd "$SRC" && git ls-files -z --cached --others --exclude-standard) |
    (cd "$SRC" && xargs -0 cp --parents -t "$TREE" 2>/dev/null)
}

run_bug() {
  local bug=$1
  FILE='' EXPR='' TARGET='' FILTER=''
  "bug_$bug"
  cp "$SRC/$FILE" "$TREE/$FILE"
  perl -0pi -e "$EXPR" "$TREE/$FILE"
  if cmp -s "$SRC/$FILE" "$TREE/$FILE"; then
    RESULTS+=("$bug: NOT APPLIED (the pattern no longer matches $FILE: retarget it)")
    FAILED=1
    return
  fi
  local log=$WORK/$bug.log
  if ! cmake --build "$BUILD" -j "$JOBS" --target "$TARGET" >"$log" 2>&1; then
    RESULTS+=("$bug: BUILD FAILED ($FILE; see $log)")
    FAILED=1
  elif "$BUILD/bin/$TARGET" -tc="$FILTER" >>"$log" 2>&1; then
    if grep -q 'test cases: *0 |' "$log"; then
      RESULTS+=("$bug: the filter '$FILTER' matches no test case in $TARGET")
    else
      RESULTS+=("$bug: NOT CAUGHT by $TARGET -tc='$FILTER' ($FILE; see $log)")
    fi
    FAILED=1
  else
    local first
    first=$(grep -m1 -E 'ERROR|FATAL' "$log" | sed 's/^.*\(ERROR\|FATAL ERROR\): //' | cut -c1-110)
    local where
    where=$(grep -m1 -E '^TEST CASE:' "$log" | sed 's/^TEST CASE: *//')
    RESULTS+=("$bug: caught by $TARGET, '$where': $first")
  fi
  cp "$SRC/$FILE" "$TREE/$FILE"  # back to the real code for the next bug
}

main() {
  local bugs=("$@")
  [ ${#bugs[@]} -eq 0 ] && bugs=("${ALL_BUGS[@]}")
  echo "scratch tree: $WORK"
  copy_tree
  cmake -S "$TREE" -B "$BUILD" >/dev/null || exit 1
  RESULTS=()
  FAILED=0
  for bug in "${bugs[@]}"; do
    echo "--- $bug"
    run_bug "$bug"
    echo "${RESULTS[-1]}"
  done
  echo
  echo "summary:"
  printf '  %s\n' "${RESULTS[@]}"
  exit $FAILED
}

main "$@"
