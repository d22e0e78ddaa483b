#!/usr/bin/env bash
# Webhook acceptance (resolve, verify the GitHub signature, durable file spool, 202) with wrk, in one run beside
# its baselines: a bare Camel platform-http route answering 202 (the "must" tier) and a bare Vert.x server answering
# 202 (the "goal" tier). Every request is a signed 1 KB push with its own body and delivery id; Atlas delivers to
# a bare sink in the background as in production. Loopback only, bounded in time; everything shares the machine.
# Needs: mvn -B -ntp -DskipTests package (deploy/target/atlas and bench/target), wrk, openssl, python3.
# ATLAS_DIST=dir runs another distribution; COMPARE_DIST=dir also measures a second one in the same run (for
# example the build before a change; COMPARE_JAVA_OPTS: its JVM options); JFR=1 profiles Atlas's measured run.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/bench-config.sh"
dist="${ATLAS_DIST:-$here/../deploy/target/atlas}"
work=$(mktemp -d)
atlas_port=${ATLAS_PORT:-18081}
vertx_port=${VERTX_PORT:-18082}
cloud_port=${CLOUD_PORT:-18083}
camel_port=${CAMEL_PORT:-18084}
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT

# a pool of unique signed bodies; replayWindow 1s lets a body come round again a few seconds later
python3 - "$work/bodies.tsv" <<'PY'
import hashlib, hmac, sys
with open(sys.argv[1], "w") as out:
    for i in range(30000):
        body = '{"ref":"refs/heads/main","n":%d,"pad":"%s"}' % (i, "x" * 980)
        sig = hmac.new(b"bench-hook-secret", body.encode(), hashlib.sha256).hexdigest()
        out.write(sig + "\t" + body + "\n")
PY
export WEBHOOK_BODIES="$work/bodies.tsv" WRK_THREADS

start_atlas() { # DIST PORT NAME [JAVA_OPTS]
  local dir="$work/$3"
  write_config "$dir" "$2" "http://127.0.0.1:$cloud_port"
  sed -i 's/^webhooks: {spoolDir: spool, maxBackoff: 5s}/webhooks: {spoolDir: spool, maxBackoff: 5s, replayWindow: 1s}/' "$dir/atlas.yaml"
  JAVA_OPTS="${4:-${JAVA_OPTS:-}}" ATLAS_LOG_LEVEL=WARN "$1/bin/atlas" run --config "$dir/atlas.yaml" > "$dir/atlas.log" 2>&1 &
  pids+=($!)
  atlas_pid=$!
  wait_ready "http://127.0.0.1:$2/health/ready"
}
spooled() { # NAME: how many webhooks the spool holds or delivered
  echo "$(ls "$work/$1/spool/pending" | grep -c '\.wh$' || true) pending, $(ls "$work/$1/spool/delivered" | wc -l) delivered"
}

java -cp "$BASELINE_CP" dev.atlas.bench.HelloServer "$cloud_port" 200 > "$work/cloud.log" 2>&1 & pids+=($!)
java -cp "$BASELINE_CP" dev.atlas.bench.HelloServer "$vertx_port" > "$work/vertx.log" 2>&1 & pids+=($!)
java -cp "$BASELINE_CP" dev.atlas.bench.baseline.BareCamelRoutes accept "$camel_port" > "$work/camel.log" 2>&1 & pids+=($!)
wait_listening "http://127.0.0.1:$vertx_port/"
wait_listening "http://127.0.0.1:$camel_port/webhook/github/gh-main"
start_atlas "$dist" "$atlas_port" atlas

echo "webhook acceptance, wrk -t$WRK_THREADS -c$WRK_CONNECTIONS, ${WARMUP}s warm-up + ${SECONDS_PER_RUN}s each ($(nproc) cores, $(java -version 2>&1 | head -1))"
measure "bare Vert.x 202" "http://127.0.0.1:$vertx_port/webhook/github/gh-main" "$here/wrk/webhook.lua"
measure "bare Camel platform-http 202" "http://127.0.0.1:$camel_port/webhook/github/gh-main" "$here/wrk/webhook.lua"
[[ "${JFR:-0}" == 1 ]] && jfr_start "$atlas_pid"
measure "Atlas" "http://127.0.0.1:$atlas_port/webhook/github/gh-main" "$here/wrk/webhook.lua"
[[ "${JFR:-0}" == 1 ]] && jfr_stop "$atlas_pid" "${JFR_FILE:-/tmp/atlas-webhook.jfr}"
echo "  Atlas spool right after the run: $(spooled atlas)"
if [[ -n "${COMPARE_DIST:-}" ]]; then
  kill "$atlas_pid"; wait "$atlas_pid" 2>/dev/null || true
  start_atlas "$COMPARE_DIST" "$atlas_port" compare "${COMPARE_JAVA_OPTS:-}"
  measure "Atlas ($(basename "$COMPARE_DIST"))" "http://127.0.0.1:$atlas_port/webhook/github/gh-main" "$here/wrk/webhook.lua"
  echo "  its spool right after the run: $(spooled compare)"
  ratio "Atlas" "Atlas ($(basename "$COMPARE_DIST"))"
fi
ratio "Atlas" "bare Camel platform-http 202"
ratio "Atlas" "bare Vert.x 202"
