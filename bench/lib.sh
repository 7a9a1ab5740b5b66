# Shared by the bench/*.sh scripts.

# enter_lines_bench NAME LINES: enters a fresh work directory (removed when
# the script exits) holding in.txt, LINES lines from make_lines; sets `work`
# and `size` and prints the input size.
enter_lines_bench() {
  work=$(mktemp -d "${TMPDIR:-/tmp}/kq-$1-bench-XXXXXX")
  trap 'rm -rf "$work"' EXIT
  cd "$work"
  make_lines "$2" in.txt
  size=$(stat -c %s in.txt)
  echo "input: $2 lines, $size bytes"
}

# make_lines N FILE: N lines of 100 bytes (newline included),
# "key<5 digits>\t<9-digit sequence>-xxx...", 100,000 distinct keys.
make_lines() {
  awk -v n="$1" 'BEGIN {
    pad = sprintf("%*s", 100, ""); gsub(/ /, "x", pad)
    for (i = 0; i < n; i++) {
      line = sprintf("key%05d\t%09d-", (i * 7919) % 100000, i)
      print line substr(pad, 1, 99 - length(line))
    }
  }' >"$2"
}

# best CMD [SETUP]: runs SETUP (if any) then CMD, three times, and sets
# BEST_WALL and BEST_CPU (user + sys) of the fastest run, in seconds.
best() {
  local wall cpu t u s
  local TIMEFORMAT='%R %U %S'
  BEST_WALL=
  for _ in 1 2 3; do
    [ -n "${2:-}" ] && eval "$2"
    t=$( { time bash -c "$1" >/dev/null 2>&1; } 2>&1 | tail -n 1)
    read -r wall u s <<<"$t"
    cpu=$(printf "%.3f" "$(echo "$u + $s" | bc)")
    if [ -z "$BEST_WALL" ] || [ "$(echo "$wall < $BEST_WALL" | bc)" = 1 ]; then
      BEST_WALL=$wall BEST_CPU=$cpu
    fi
  done
}
