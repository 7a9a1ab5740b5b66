#!/usr/bin/env bash
# kq-serve through a Kafka client (bench/serve_bench.cc: librdkafka, 100-byte
# records) beside Redis Streams in the same run: redis-benchmark XADD of
# 100-byte values into one stream (pipelined, -P 64) and XRANGE reads of 1000
# entries a call, against a redis-server of this script's own, once without
# persistence and once with appendfsync always (the durability of kq's fsync
# flush policy). Prints both sides and the ratios. Targets (issue 11):
# producer >= 1,000,000 records/s and consumer >= 2,000,000 records/s, both
# ahead of Redis; p99 produce latency at 10,000 records/s under 5 ms, beside
# the latency of fdatasync alone on the same disk.
# Beside each rate: the CPU seconds per million records of the server and of
# the client (librdkafka's threads, redis-benchmark), which depend much less
# than the rates on what else the machine runs.
# redis-server is installed with apt-get when missing and this runs as root;
# otherwise the reference is skipped with a message.
# KQ_BENCH_TOPIC_CONFIG=KEY=VALUE (e.g. flush=os) creates the kq topics with it.
# Usage: bench/serve_bench.sh [BIN_DIR] [RECORDS] [LATENCY_SECONDS]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=$(cd "${1:-$here/../build/bin}" && pwd)
records=${2:-2000000}
latency_seconds=${3:-10}
export PATH="$bin:$PATH"

work=$(mktemp -d "${TMPDIR:-/tmp}/kq-serve-bench-XXXXXX")
server_pid=
stop_server() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=
  fi
}
trap 'stop_server; rm -rf "$work"' EXIT

# --- kq-serve --------------------------------------------------------------
kq-serve -d "$work/kq-data" --listen 127.0.0.1:0 2>"$work/serve.log" </dev/null >/dev/null &
server_pid=$!
address=
for _ in $(seq 200); do
  address=$(sed -n 's/.*event=listening address=\([^ ]*\).*/\1/p' "$work/serve.log")
  [ -n "$address" ] && break
  kill -0 "$server_pid" 2>/dev/null || { echo "kq-serve exited: $(cat "$work/serve.log")"; exit 1; }
  sleep 0.05
done
[ -n "$address" ] || { echo "kq-serve did not start listening"; exit 1; }
echo "kq-serve pid $server_pid on $address; $records records of 100 bytes"
KQ_SERVE_PID=$server_pid serve_bench "$address" "$records" "$latency_seconds" "$work" \
  >"$work/kq.txt"
stop_server
kq() { awk -v k="$1" '$1 == k { print $2 }' "$work/kq.txt"; }

# --- Redis Streams ---------------------------------------------------------
if ! command -v redis-server >/dev/null || ! command -v redis-benchmark >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing redis-server (the reference; bench only) with apt-get"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q redis-server >/dev/null 2>&1 || true
  fi
fi
have_redis=1
command -v redis-server >/dev/null && command -v redis-benchmark >/dev/null || have_redis=0

value=$(printf 'x%.0s' $(seq 100))
# start_redis ARGS...: a redis-server on a free port of 127.0.0.1; sets port.
start_redis() {
  rm -rf "$work/redis" && mkdir "$work/redis"
  for _ in $(seq 20); do
    port=$((20000 + RANDOM % 40000))
    redis-server --port "$port" --bind 127.0.0.1 --dir "$work/redis" --save '' "$@" \
      >"$work/redis.log" 2>&1 </dev/null &
    server_pid=$!
    for _ in $(seq 100); do
      redis-cli -p "$port" ping >/dev/null 2>&1 && return 0
      kill -0 "$server_pid" 2>/dev/null || break
      sleep 0.05
    done
    stop_server
  done
  echo "redis-server did not start: $(cat "$work/redis.log")"
  exit 1
}
# proc_cpu PID: the process's user + system CPU seconds.
proc_cpu() {
  awk -v hz="$(getconf CLK_TCK)" '{ sub(/.*\) /, ""); print ($12 + $13) / hz }' "/proc/$1/stat"
}
# rb RECORDS_PER_CALL ARGS...: runs redis-benchmark ARGS; sets rate (records/s)
# and server_cpu, client_cpu (CPU seconds per million records).
rb() {
  local per_call=$1 before after rps calls
  shift
  before=$(proc_cpu "$server_pid")
  /usr/bin/time -f '%U %S' -o "$work/time" \
    redis-benchmark -p "$port" --csv "$@" >"$work/rb.csv"
  after=$(proc_cpu "$server_pid")
  rps=$(tail -n 1 "$work/rb.csv" | awk -F'","' '{ print $2 }')
  calls=$(awk '$1 == "-n" { getline; print; exit }' RS=' ' <<<"$*")
  rate=$(echo "$rps * $per_call" | bc)
  server_cpu=$(awk -v d="$(echo "$after - $before" | bc)" -v m="$((calls * per_call))" \
    'BEGIN { printf "%.3f", d * 1000000 / m }')
  client_cpu=$(awk -v m="$((calls * per_call))" '{ printf "%.3f", ($1 + $2) * 1000000 / m }' \
    "$work/time")
}
if [ "$have_redis" = 1 ]; then
  start_redis --appendonly no
  rb 1 -n "$records" -P 64 XADD s '*' f "$value"
  xadd=$rate xadd_cpu="$server_cpu $client_cpu"
  # One reader, as the kq consumer: 1000 entries a call, 8 calls in flight.
  rb 1000 -n $((records / 1000)) -c 1 -P 8 XRANGE s - + COUNT 1000
  xrange=$rate xrange_cpu="$server_cpu $client_cpu"
  stop_server
  start_redis --appendonly yes --appendfsync always
  rb 1 -n "$records" -P 64 XADD s '*' f "$value"
  xadd_fsync=$rate xadd_fsync_cpu="$server_cpu $client_cpu"
  stop_server
else
  echo "redis-server or redis-benchmark missing (Debian: apt-get install redis-server):"
  echo "the Redis Streams reference is skipped"
fi

# --- report ----------------------------------------------------------------
mb() { echo "scale=1; $1 * 100 / 1000000" | bc; }
# row WHAT RATE SERVER_CPU CLIENT_CPU
row() { printf '%-52s %10.0f %7s %7s %7s\n' "$1" "$2" "$(mb "$2")" "$3" "$4"; }
ratio() { printf '%-52s %10.2f\n' "$1" "$(echo "scale=4; $2 / $3" | bc)"; }
kq_row() { row "$1" "$(kq "$2_records_per_s")" "$(kq "$2_server_cpu_s_per_m")" \
  "$(kq "$2_client_cpu_s_per_m")"; }
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-52s %10s %7s %15s\n' "" "records/s" "MB/s" "CPU s/M records"
printf '%-52s %10s %7s %7s %7s\n' "" "" "" "server" "client"
kq_row "kq-serve produce, acks=1 (linger.ms=5, 1 MB batches)" produce_acks_1
kq_row "kq-serve produce, acks=all" produce_acks_all
kq_row "kq-serve consume from the beginning" consume
if [ "$have_redis" = 1 ]; then
  # shellcheck disable=SC2086  # the CPU pairs split into two columns
  row "Redis XADD, no persistence (-P 64, 50 clients)" "$xadd" $xadd_cpu
  # shellcheck disable=SC2086
  row "Redis XADD, appendfsync always" "$xadd_fsync" $xadd_fsync_cpu
  # shellcheck disable=SC2086
  row "Redis XRANGE COUNT 1000 (-P 8, 1 client)" "$xrange" $xrange_cpu
  ratio "ratio kq acks=1 / XADD no persistence" "$(kq produce_acks_1_records_per_s)" "$xadd"
  ratio "ratio kq acks=all / XADD appendfsync always" "$(kq produce_acks_all_records_per_s)" \
    "$xadd_fsync"
  ratio "ratio kq consume / XRANGE" "$(kq consume_records_per_s)" "$xrange"
fi
echo
echo "acks=all at 10,000 records/s for $latency_seconds s, fsync flush policy, produce() to"
echo "delivery report (target: p99 < 5 ms):"
printf '%-20s %10s %10s %10s %10s %10s\n' "" "rate" "p50 ms" "p99 ms" "p99.9 ms" "max ms"
for linger in 0 5; do
  k=latency_linger$linger
  printf '%-20s %10s %10s %10s %10s %10s\n' "linger.ms=$linger" "$(kq "${k}_rate_achieved")" \
    "$(kq "${k}_p50_ms")" "$(kq "${k}_p99_ms")" "$(kq "${k}_p999_ms")" "$(kq "${k}_max_ms")"
done
printf '%-20s %10s %10s %10s %10s %10s\n' "reference: fdatasync" "1000" "$(kq sync_p50_ms)" \
  "$(kq sync_p99_ms)" "$(kq sync_p999_ms)" "$(kq sync_max_ms)"
echo "(reference: 1,000-byte appends to a file beside the log, each followed by fdatasync)"
