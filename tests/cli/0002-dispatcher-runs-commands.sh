#!/usr/bin/env bash
# kq runs kq-COMMAND (next to kq first, then on PATH), passes arguments,
# exit codes and signals through, and refuses unknown commands.
. "$(dirname "$0")/helpers.sh"

run kq --help
expect_rc 0
expect_out_contains "Usage: kq COMMAND"
expect_out_contains "topics"
expect_out_contains "Examples"

run kq --version
expect_rc 0
case $OUT in "kq "[0-9]*) ;; *) fail "--version printed [$OUT]" ;; esac

run kq
expect_rc 2
expect_err_contains "Usage: kq COMMAND"

run kq topics create t --partitions 2
expect_rc 0
run kq topics list
expect_rc 0
expect_out "t"

# Exit codes of the command come back unchanged.
run kq topics describe nope
expect_rc 1
expect_err_contains "kq-topics: topic 'nope' does not exist"
run kq topics list --frobnicate
expect_rc 2

run kq help topics
expect_rc 0
expect_out_contains "Examples"

for bad in foo ../kq-topics topics/ -x; do
  run kq "$bad"
  expect_rc 2 "kq $bad"
done
run kq foo
expect_err_contains "kq: 'foo' is not a kq command. See 'kq --help'."
run kq help foo
expect_rc 2
expect_err_contains "'foo' is not a kq command"

# A command found on PATH, with its arguments, exit code and signals.
mkdir bin
cat >bin/kq-zzfake <<'SCRIPT'
#!/bin/sh
printf '%s|' "$0" "$@"
case $1 in
  exit) exit "$2" ;;
  term) kill -TERM $$ ;;
esac
SCRIPT
chmod +x bin/kq-zzfake
PATH="$PWD/bin:$PATH"
run kq zzfake 'a b' '' c
expect_rc 0
expect_out "$PWD/bin/kq-zzfake|a b||c|"
run kq zzfake exit 42
expect_rc 42
run kq zzfake term
expect_rc 143 "killed by SIGTERM"

# The kq-topics next to kq wins over one earlier on PATH.
cat >bin/kq-topics <<'SCRIPT'
#!/bin/sh
echo impostor
SCRIPT
chmod +x bin/kq-topics
run kq topics list
expect_out "t"
pass
