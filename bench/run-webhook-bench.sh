#!/usr/bin/env bash
# Webhook acceptance (resolve, verify the GitHub signature, durable file spool, 202) with wrk, in one run beside
# its baselines: a bare Camel platform-http route answering 202 (the "must" tier) and a bare Vert.x server answering
# 202 (the "goal" tier); and, for reference, the floor of any durable acceptance here: a bare Vert.x server that
# answers 202 once the body is synced to disk with a group commit and does nothing else (DurableHello), and the bare
# Camel route with that group commit as its one step (BareCamelRoutes durable): what any Camel route that stores each
# body durably costs here. Every request is a signed 1 KB push with its own body and delivery id; Atlas delivers to
# a bare sink in the background as in production; before that, unless ALONE=0, a second Atlas runs with its delivery
# route not started (an admin override with autoStartup: false), to show the acceptance path's own ratio. Loopback only, bounded in time; everything shares the machine.
# Needs: mvn -B -ntp -DskipTests package (deploy/target/atlas and bench/target), wrk, openssl, python3.
# ATLAS_DIST=dir runs another distribution; COMPARE_DIST=dir also measures a second one in the same run (for
# example the build before a change; COMPARE_JAVA_OPTS: its JVM options); JFR=1 profiles Atlas's measured run.
# Then, unless DELIVERY=0, the delivery rows: the sink (CountingSink, answering 200) counts distinct webhook-ids;
# one run measures webhooks/s end to end (first request to last delivery) and one kills Atlas with kill -9 half-way
# and restarts it; each prints "lost:", the webhooks answered 202 (new, not duplicate) the sink never received.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/bench-config.sh"
dist="${ATLAS_DIST:-$here/../deploy/target/atlas}"
work=$(mktemp -d)
atlas_port=${ATLAS_PORT:-18081}
vertx_port=${VERTX_PORT:-18082}
cloud_port=${CLOUD_PORT:-18083}
camel_port=${CAMEL_PORT:-18084}
durable_port=${DURABLE_PORT:-18085}
camel_durable_port=${CAMEL_DURABLE_PORT:-18086}
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT

# a pool of unique signed bodies; replayWindow 1s lets a body come round again a few seconds later
signed_bodies "$work/bodies.tsv"
export WEBHOOK_BODIES="$work/bodies.tsv" WRK_THREADS

start_atlas() { # DIST PORT NAME [JAVA_OPTS]
  local dir="$work/$3"
  write_webhook_config "$dir" "$2" "http://127.0.0.1:$cloud_port" "${PAUSED:-0}"
  JAVA_OPTS="${4:-${JAVA_OPTS:-}}" ATLAS_LOG_LEVEL=WARN "$1/bin/atlas" run --config "$dir/atlas.yaml" > "$dir/atlas.log" 2>&1 &
  pids+=($!)
  atlas_pid=$!
  wait_ready "http://127.0.0.1:$2/health/ready"
}
spooled() { echo "$(spool_counts "$atlas_port"); $(journal_syncs "$atlas_port")"; } # since its start, warm-ups included

java -cp "$BASELINE_CP" dev.atlas.bench.CountingSink "$cloud_port" > "$work/cloud.log" 2>&1 & pids+=($!)
java -cp "$BASELINE_CP" dev.atlas.bench.HelloServer "$vertx_port" > "$work/vertx.log" 2>&1 & pids+=($!)
java -cp "$BASELINE_CP" dev.atlas.bench.baseline.BareCamelRoutes accept "$camel_port" > "$work/camel.log" 2>&1 & pids+=($!)
# on the disk Atlas's spool uses (the work folder), not on a tmpfs
java -cp "$BASELINE_CP" dev.atlas.bench.DurableHello "$durable_port" "$work/durable.bin" > "$work/durable.log" 2>&1 & pids+=($!)
java -cp "$BASELINE_CP" dev.atlas.bench.baseline.BareCamelRoutes durable "$camel_durable_port" "$work/camel-durable.bin" \
  > "$work/camel-durable.log" 2>&1 & pids+=($!)
wait_listening "http://127.0.0.1:$vertx_port/"
wait_listening "http://127.0.0.1:$durable_port/"
wait_listening "http://127.0.0.1:$camel_port/webhook/github/gh-main"
wait_listening "http://127.0.0.1:$camel_durable_port/webhook/github/gh-main"
echo "webhook acceptance, wrk -t$WRK_THREADS -c$WRK_CONNECTIONS, ${WARMUP}s warm-up + ${SECONDS_PER_RUN}s each ($(nproc) cores, $(java -version 2>&1 | head -1))"
measure "bare Vert.x 202" "http://127.0.0.1:$vertx_port/webhook/github/gh-main" "$here/wrk/webhook.lua"
measure "bare Camel platform-http 202" "http://127.0.0.1:$camel_port/webhook/github/gh-main" "$here/wrk/webhook.lua"
measure "bare Vert.x durable 202" "http://127.0.0.1:$durable_port/webhook/github/gh-main" "$here/wrk/webhook.lua"
measure "bare Camel durable 202" "http://127.0.0.1:$camel_durable_port/webhook/github/gh-main" "$here/wrk/webhook.lua"
if [[ "${ALONE:-1}" == 1 ]]; then
  # the acceptance path alone (delivery route not started, the spool filling): what the bare route is compared with
  PAUSED=1 start_atlas "$dist" "$atlas_port" alone
  measure "Atlas, delivery paused" "http://127.0.0.1:$atlas_port/webhook/github/gh-main" "$here/wrk/webhook.lua"
  echo "  its spool right after the run: $(spooled)"
  kill "$atlas_pid"; wait "$atlas_pid" 2>/dev/null || true
fi
start_atlas "$dist" "$atlas_port" atlas
[[ "${JFR:-0}" == 1 ]] && jfr_start "$atlas_pid"
measure "Atlas" "http://127.0.0.1:$atlas_port/webhook/github/gh-main" "$here/wrk/webhook.lua"
[[ "${JFR:-0}" == 1 ]] && jfr_stop "$atlas_pid" "${JFR_FILE:-/tmp/atlas-webhook.jfr}"
echo "  Atlas spool right after the run: $(spooled)"
if [[ -n "${COMPARE_DIST:-}" ]]; then
  kill "$atlas_pid"; wait "$atlas_pid" 2>/dev/null || true
  start_atlas "$COMPARE_DIST" "$atlas_port" compare "${COMPARE_JAVA_OPTS:-}"
  measure "Atlas ($(basename "$COMPARE_DIST"))" "http://127.0.0.1:$atlas_port/webhook/github/gh-main" "$here/wrk/webhook.lua"
  echo "  its spool right after the run: $(spooled)"
  ratio "Atlas" "Atlas ($(basename "$COMPARE_DIST"))"
fi
ratio "Atlas" "bare Camel platform-http 202"
[[ "${ALONE:-1}" == 1 ]] && ratio "Atlas, delivery paused" "bare Camel platform-http 202"
ratio "Atlas" "bare Vert.x 202"
ratio "Atlas" "bare Vert.x durable 202"
ratio "bare Vert.x durable 202" "bare Camel platform-http 202"
ratio "bare Camel durable 202" "bare Camel platform-http 202"
[[ "${ALONE:-1}" == 1 ]] && ratio "Atlas, delivery paused" "bare Camel durable 202"

sink() { curl -s "${@:2}" "http://127.0.0.1:$cloud_port/$1"; }
drained() { # waits (up to 60 s) until Atlas's spool has nothing pending
  for _ in $(seq 1 600); do
    [[ "$(spool_counts "$atlas_port")" == "0 pending"* ]] && return 0
    sleep 0.1
  done
}
# Usage: delivery_run LABEL KILL_AFTER_SECONDS (0: no kill). Sends signed webhooks for SECONDS_PER_RUN with wrk,
# then waits until the sink has every accepted one (or 15 s without a new one).
delivery_run() {
  local label=$1 kill_after=$2 out accepted count t0 unique last wrk_pid
  drained
  sink reset -X POST > /dev/null
  t0=$(date +%s%3N)
  COUNT_ACCEPTED=1 RUN_ID="d$RANDOM$RANDOM" wrk -t"$WRK_THREADS" -c"$WRK_CONNECTIONS" -d"${SECONDS_PER_RUN}s" \
    --timeout "$WRK_TIMEOUT" -s "$here/wrk/webhook.lua" "http://127.0.0.1:$atlas_port/webhook/github/gh-main" \
    > "$work/delivery.out" 2>&1 &
  wrk_pid=$!
  if (( kill_after > 0 )); then
    sleep "$kill_after"
    kill -9 "$atlas_pid"
  fi
  wait "$wrk_pid" || true
  if (( kill_after > 0 )); then
    wait "$atlas_pid" 2>/dev/null || true
    start_atlas "$dist" "$atlas_port" atlas
  fi
  accepted=$(awk '/^accepted:/ {print $2}' "$work/delivery.out")
  local rps
  rps=$(awk '/^Requests\/sec/ {printf "%.0f", $2}' "$work/delivery.out")
  local still=0 previous=-1
  while :; do
    read -r _ unique last <<< "$(sink count)"
    (( unique >= accepted )) && break
    if (( unique == previous )); then still=$((still + 1)); else still=0; fi
    (( still >= 150 )) && break
    previous=$unique
    sleep 0.1
  done
  read -r count unique last <<< "$(sink count)"
  local lost=$(( accepted > unique ? accepted - unique : 0 ))
  if (( kill_after > 0 )); then
    printf '  %-34s accepted %7d (%s req/s), delivered %7d distinct (%d deliveries), lost: %d\n' "$label" \
      "$accepted" "${rps:-?}" "$unique" "$count" "$lost"
  else
    awk -v n="$unique" -v a="$accepted" -v c="$count" -v ms=$((last - t0)) -v rps="${rps:-?}" -v label="$label" \
      -v lost="$lost" -v load="$(cut -d' ' -f1-3 /proc/loadavg)" 'BEGIN {
        printf "  %-34s accepted %7d (%s req/s), delivered %7d distinct (%d deliveries) %.1f s after the first request: %.0f webhooks/s end to end, lost: %d   load %s\n",
          label, a, rps, n, c, ms / 1000, n / (ms / 1000), lost, load}'
  fi
}
if [[ -z "${COMPARE_DIST:-}" && "${DELIVERY:-1}" == 1 ]]; then
  echo "delivery to a sink answering 200 (wrk ${SECONDS_PER_RUN}s, then until every accepted webhook arrived)"
  delivery_run "end to end" 0
  delivery_run "kill -9 after $(( SECONDS_PER_RUN / 2 ))s, restart" $(( SECONDS_PER_RUN / 2 ))
fi
