#!/usr/bin/env bash
# Runs one examples/*.sh in a fresh temporary directory with KQ_DIR set, so
# examples never touch the user's data. Usage: run-example.sh EXAMPLE.sh
set -euo pipefail
example=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
export KQ_DIR="$work/kq-data"
bash "$example"
