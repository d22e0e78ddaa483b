#!/usr/bin/env bash
# Webhook acceptance while a backlog grows: the cloud unreachable for a minute (delivery paused: an admin override of
# webhook-delivery with autoStartup: false), wrk -t2 -c32 for BACKLOG_SECONDS (60) after BACKLOG_WARMUP (10 s), so that the
# spool holds ~0.5-1 million pending webhooks by the end. For one or more distributions in turn (ROUNDS rounds,
# default 1), each started afresh: req/s, p50 / p99 / p99.9 / max, the backlog at the end, and the collector's pauses
# during the measured run (-Xlog:gc: count, longest, total). What it shows: whether an acceptance waits while the
# spool's tables or the heap grow with the backlog (the other scripts' 10 s runs end before the backlog is large).
# Usage: run-webhook-backlog.sh [DIST ...]   (default deploy/target/atlas; pass an older build's folder beside it)
# Needs: mvn -B -ntp -DskipTests package, wrk, openssl, python3; ~1.5 GB of disk for the spool per distribution.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/bench-config.sh"
dists=("$@")
[[ ${#dists[@]} -gt 0 ]] || dists=("$here/../deploy/target/atlas")
work=$(mktemp -d)
port=${ATLAS_PORT:-18091}
seconds=${BACKLOG_SECONDS:-60}
warmup=${BACKLOG_WARMUP:-10}
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT

signed_bodies "$work/bodies.tsv"
export WEBHOOK_BODIES="$work/bodies.tsv" WRK_THREADS
url="http://127.0.0.1:$port/webhook/github/gh-main"

# Usage: backlog_run DIST LABEL
backlog_run() {
  local dir="$work/atlas" out before rps p50 p99 tail pauses
  rm -rf "$dir"
  # the cloud's address answers nothing: delivery is paused anyway
  write_webhook_config "$dir" "$port" "http://127.0.0.1:1" 1
  ATLAS_JAVA_OPTS="-Xlog:gc:file=$dir/gc.log" ATLAS_LOG_LEVEL=WARN "$1/bin/atlas" run --config "$dir/atlas.yaml" \
    > "$dir/atlas.log" 2>&1 &
  local pid=$!
  pids+=($pid)
  wait_ready "http://127.0.0.1:$port/health/ready"
  RUN_ID="w$RANDOM$RANDOM" wrk -t"$WRK_THREADS" -c"$WRK_CONNECTIONS" -d"${warmup}s" --timeout "$WRK_TIMEOUT" \
    -s "$here/wrk/webhook.lua" "$url" > /dev/null 2>&1 || true
  settle
  before=$(wc -l < "$dir/gc.log")
  out=$(TAIL_LATENCY=1 RUN_ID="m$RANDOM$RANDOM" wrk -t"$WRK_THREADS" -c"$WRK_CONNECTIONS" -d"${seconds}s" \
    --timeout "$WRK_TIMEOUT" --latency -s "$here/wrk/webhook.lua" "$url" 2>&1)
  rps=$(awk '/^Requests\/sec/ {printf "%.0f", $2}' <<< "$out")
  p50=$(awk '$1 == "50%" {print $2}' <<< "$out")
  p99=$(awk '$1 == "99%" {print $2}' <<< "$out")
  tail=$(awk '/^tail:/ {printf "p99.9 %.1fms   max %.1fms", $2 / 1000, $3 / 1000}' <<< "$out")
  pauses=$(tail -n +"$((before + 1))" "$dir/gc.log" | awk '/Pause/ {ms = $NF; sub("ms", "", ms); n++; s += ms;
    if (ms > m) m = ms; if (/Full/) f++} END {printf "%d pauses (%d full), longest %.1f ms, %.0f ms in all", n, f, m, s}')
  printf '  %-28s %6s req/s   p50 %9s   p99 %9s   %s   load %s\n' "$2" "${rps:-?}" "${p50:-?}" "${p99:-?}" \
    "${tail:-?}" "$(cut -d' ' -f1-3 /proc/loadavg)"
  echo "    $(spool_counts "$port"); collector during the run: $pauses"
  if grep -q "Socket errors" <<< "$out"; then grep "Socket errors" <<< "$out" | sed 's/^/    /'; fi
  kill "$pid"; wait "$pid" 2>/dev/null || true
  rm -rf "$dir"
}

echo "webhook acceptance into a growing backlog (delivery paused), wrk -t$WRK_THREADS -c$WRK_CONNECTIONS, ${warmup}s warm-up + ${seconds}s ($(nproc) cores)"
for round in $(seq 1 "${ROUNDS:-1}"); do
  for dist in "${dists[@]}"; do
    backlog_run "$dist" "$(basename "$(cd "$dist/.." && pwd)")/$(basename "$dist") #$round"
  done
done
