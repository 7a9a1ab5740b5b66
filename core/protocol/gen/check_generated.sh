#!/bin/bash
# Reruns generate.py into a temporary directory and diffs the result against
# the committed output (core/protocol/messages/, the tests' sample values), so
# a schema or generator change cannot land without its regenerated code.
# Exit 77 (CTest's "skipped") when /usr/bin/python3 or clang-format is missing.
set -euo pipefail
src=${1:?usage: check_generated.sh SOURCE_DIR}
if [[ ! -x /usr/bin/python3 ]]; then
  echo "SKIP: /usr/bin/python3 is not installed; the generated codecs are not rechecked"
  exit 77
fi
if ! command -v clang-format >/dev/null; then
  echo "SKIP: clang-format is not installed; the generated codecs are not rechecked"
  exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
/usr/bin/python3 "$src/core/protocol/gen/generate.py" --core-out "$tmp/messages" --tests-out "$tmp/tests"
status=0
diff -ru "$src/core/protocol/messages" "$tmp/messages" || status=1
diff -u "$src/tests/core/protocol/generated_samples.h" "$tmp/tests/generated_samples.h" || status=1
if [[ $status -ne 0 ]]; then
  echo "FAIL: the committed generated code differs from generate.py's output;" \
       "run /usr/bin/python3 core/protocol/gen/generate.py and commit the result"
fi
exit $status
