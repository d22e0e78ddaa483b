#!/usr/bin/env bash
# Task ingress over HTTP (POST /api/tasks/{id}: cloud JWT, task checks, clone credential, dispatch to the local
# driver whose one step is `true`) with wrk, in one run beside a bare Camel platform-http route answering 202 and a
# bare Vert.x server answering 202 (what any POST costs on this machine). Every task has its own id. Atlas also runs
# the accepted jobs (four at a time) while it is measured. Loopback only, bounded in time.
# Needs: mvn -B -ntp -DskipTests package (deploy/target/atlas and bench/target), wrk, openssl.
# ATLAS_DIST=dir runs another distribution; JFR=1 profiles Atlas's measured run.
# MODE=rabbitmq measures task ingress over RabbitMQ instead (RABBIT_URI, default the local broker as guest): the same
# task messages published by bench/rabbitmq/TaskPublisher.java (32 unanswered at most, like wrk's connections) to
# Atlas's queue (RABBIT_CONSUMERS consumers, default 8), beside the same publisher answering its own messages as a
# bare consumer would (the broker's round trip, same run).
# DRIVER=nomad dispatches to a stand-in of Nomad's API (bench/src/.../NomadStandIn.java) instead of the local driver:
# the jobs are registered and run nowhere, so the machine measures Atlas's task ingress without the jobs beside it.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# a task can take seconds to be accepted: wrk's default 2 s timeout would drop the slow ones from the figures
WRK_TIMEOUT=${WRK_TIMEOUT:-10s}
source "$here/bench-config.sh"
dist="${ATLAS_DIST:-$here/../deploy/target/atlas}"
work=$(mktemp -d)
atlas_port=${ATLAS_PORT:-18071}
vertx_port=${VERTX_PORT:-18072}
camel_port=${CAMEL_PORT:-18073}
nomad_port=${NOMAD_PORT:-18074}
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
secret=bench-cloud-jwt-secret-long-enough-for-hs256-keys
cat > "$work/atlas.yaml" <<YAML
runner: { id: bench-runner, publicUrl: "http://127.0.0.1:$atlas_port", cloudSecret: bench-cloud-secret }
server: { host: 127.0.0.1, port: $atlas_port }
cloud:
  url: https://asgard.example
  auth: { hmacSecret: $secret, audience: bench-runner }
installations:
  - id: bench
    apps:
      - id: gl-bench
        vcs: gitlab
        webUrl: https://gitlab.example
        apiUrl: https://gitlab.example/api/v4
        webhookSecret: bench-hook-secret
        gitlab: { token: bench-gitlab-token }
tasks:
  driver: ${DRIVER:-local}
  cloneStep: false
  # the bench accepts tasks far faster than its jobs (true, then an atlas report JVM) run: the queue holds them all
  # (QUEUE_BOUND=0 leaves the key out, for a distribution from before maxQueued)
  local: { maxConcurrent: 4$( [[ "${QUEUE_BOUND:-1}" == 0 ]] || echo ", maxQueued: 1000000" ) }
  nomad: { address: "http://127.0.0.1:$nomad_port", token: bench-nomad-token }
auth: { signingKeys: data/keys }
YAML
mode=${MODE:-http}
rabbit_uri=${RABBIT_URI:-amqp://guest:guest@127.0.0.1:5672/}
task_queue="bench.tasks.$RANDOM$RANDOM"
if [[ "$mode" == rabbitmq ]]; then
  cat >> "$work/atlas.yaml" <<YAML
rabbitmq: { uri: "$rabbit_uri" }
YAML
  sed -i "s|^  cloneStep: false|  cloneStep: false\n  rabbitmq: { enabled: true, queue: $task_queue, consumers: ${RABBIT_CONSUMERS:-8} }|" "$work/atlas.yaml"
fi
cat > "$work/task.json" <<JSON
{"type": "analysis", "appId": "gl-bench",
 "repository": {"cloneUrl": "https://gitlab.example/acme/widgets.git", "ref": "main",
                "sha": "0123456789abcdef0123456789abcdef01234567"},
 "resultUrl": "https://asgard.example/results",
 "analyzers": [{"name": "noop", "image": "busybox:1.36", "command": ["true"], "cpu": "100m", "memory": "64Mi"}]}
JSON
export TASK_BODY="$work/task.json"

java -cp "$BASELINE_CP" dev.atlas.bench.HelloServer "$vertx_port" > "$work/vertx.log" 2>&1 & pids+=($!)
if [[ "${DRIVER:-local}" == nomad ]]; then
  java -cp "$BASELINE_CP" dev.atlas.bench.NomadStandIn "$nomad_port" > "$work/nomad.log" 2>&1 & pids+=($!)
  wait_listening "http://127.0.0.1:$nomad_port/v1/status/leader"
fi
java -cp "$BASELINE_CP" dev.atlas.bench.baseline.BareCamelRoutes accept "$camel_port" > "$work/camel.log" 2>&1 & pids+=($!)
ATLAS_LOG_LEVEL=WARN "$dist/bin/atlas" run --config "$work/atlas.yaml" > "$work/atlas.log" 2>&1 & atlas=$!
pids+=($atlas)
wait_listening "http://127.0.0.1:$vertx_port/api/tasks"
wait_listening "http://127.0.0.1:$camel_port/api/tasks"
wait_ready "http://127.0.0.1:$atlas_port/health/ready"
JWT=$(jwt bench-runner "$secret")
export JWT
code=$(curl -s -o "$work/check.json" -w '%{http_code}' -X POST -H "Authorization: Bearer $JWT" \
  -H 'Content-Type: application/json' --data-binary @"$work/task.json" "http://127.0.0.1:$atlas_port/api/tasks/bench-check")
[[ "$code" == 201 ]] || { echo "Atlas answered $code: $(cat "$work/check.json")" >&2; exit 1; }

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
if [[ "$mode" == rabbitmq ]]; then
  publisher=(java -cp "$dist/lib/*" "$here/rabbitmq/TaskPublisher.java" "$rabbit_uri")
  # Usage: publish LABEL QUEUE [echo N]: a warm-up, then the measured run; one row like measure's.
  publish() {
    local label=$1 queue=$2 out load before after
    shift 2
    "${publisher[@]}" "$queue" "$TASK_BODY" "$WARMUP" 32 "w$RANDOM" "$@" > /dev/null 2>&1 || true
    before=$(cpu_ticks "$atlas")
    out=$("${publisher[@]}" "$queue" "$TASK_BODY" "$SECONDS_PER_RUN" 32 "m$RANDOM" "$@" 2>/dev/null | tail -1)
    after=$(cpu_ticks "$atlas")
    load=$(cut -d' ' -f1-3 /proc/loadavg)
    printf '  %-34s %s   load %s\n' "$label" "$out" "$load"
    if [[ "$label" == Atlas ]]; then
      awk -v t=$((after - before)) -v hz="$(getconf CLK_TCK)" -v n="$(awk '{print $2}' <<< "$out")" \
        'BEGIN {if (n > 0) printf "    Atlas JVM CPU: %.1f s for %d tasks = %.2f ms per task\n", t / hz, n, 1000 * t / hz / n}'
    fi
    echo "$label|$(awk '{print $5}' <<< "$out")" >> "$work/results"
  }
  echo "task ingress over RabbitMQ, queue $task_queue, 32 in flight, ${WARMUP}s warm-up + ${SECONDS_PER_RUN}s each ($(nproc) cores)"
  publish "bare consumer (publisher's echo)" "bench.echo.$RANDOM" echo "${RABBIT_CONSUMERS:-8}"
  kill -0 "$atlas" 2>/dev/null || { echo "Atlas is gone:" >&2; tail -n 20 "$work/atlas.log" >&2; exit 1; }
  [[ "${JFR:-0}" == 1 ]] && jfr_start "$atlas"
  publish "Atlas" "$task_queue"
  [[ "${JFR:-0}" == 1 ]] && jfr_stop "$atlas" "${JFR_FILE:-/tmp/atlas-task.jfr}"
  ratio "Atlas" "bare consumer (publisher's echo)"
  if [[ -n "${SHOW_LOG:-}" ]]; then tail -n "$SHOW_LOG" "$work/atlas.log"; fi
  exit 0
fi

echo "task ingress, POST /api/tasks/{id}, wrk -t$WRK_THREADS -c$WRK_CONNECTIONS, ${WARMUP}s warm-up + ${SECONDS_PER_RUN}s each ($(nproc) cores, $(java -version 2>&1 | head -1))"
measure "bare Vert.x 202" "http://127.0.0.1:$vertx_port/api/tasks" "$here/wrk/task.lua"
measure "bare Camel platform-http 202" "http://127.0.0.1:$camel_port/api/tasks" "$here/wrk/task.lua"
kill -0 "$atlas" 2>/dev/null || { echo "Atlas is gone:" >&2; tail -n 20 "$work/atlas.log" >&2; exit 1; }
[[ "${JFR:-0}" == 1 ]] && jfr_start "$atlas"
# Atlas's own CPU time (its JVM, not the jobs' processes) during the measured run, per accepted task: what a task
# costs whatever share of the machine Atlas got. Same wrk runs as measure's.
measure_with_cpu() {
  local label=$1 url=$2 script=$3 before after out rps
  RUN_ID="w$RANDOM$RANDOM" wrk -t"$WRK_THREADS" -c"$WRK_CONNECTIONS" -d"${WARMUP}s" --timeout "$WRK_TIMEOUT" -s "$script" "$url" > /dev/null 2>&1 || true
  before=$(cpu_ticks "$atlas")
  out=$(RUN_ID="m$RANDOM$RANDOM" wrk -t"$WRK_THREADS" -c"$WRK_CONNECTIONS" -d"${SECONDS_PER_RUN}s" --timeout "$WRK_TIMEOUT" --latency -s "$script" "$url" 2>&1)
  after=$(cpu_ticks "$atlas")
  rps=$(awk '/^Requests\/sec/ {printf "%.0f", $2}' <<< "$out")
  printf '  %-34s %9s req/s   p50 %9s   p99 %9s   non-2xx %-7s load %s\n' "$label" "${rps:-?}" \
    "$(awk '$1 == "50%" {print $2}' <<< "$out")" "$(awk '$1 == "99%" {print $2}' <<< "$out")" \
    "$(awk -F': ' '/Non-2xx or 3xx/ {n = $2} END {print n + 0}' <<< "$out")" "$(cut -d' ' -f1-3 /proc/loadavg)"
  awk -v t=$((after - before)) -v hz="$(getconf CLK_TCK)" -v n="$(awk '/requests in/ {print $1}' <<< "$out")" \
    'BEGIN {if (n > 0) printf "    Atlas JVM CPU: %.1f s for %d tasks = %.2f ms per task\n", t / hz, n, 1000 * t / hz / n}'
  echo "$label|${rps:-0}" >> "$work/results"
}
measure_with_cpu "Atlas" "http://127.0.0.1:$atlas_port/api/tasks" "$here/wrk/task.lua"
[[ "${JFR:-0}" == 1 ]] && jfr_stop "$atlas" "${JFR_FILE:-/tmp/atlas-task.jfr}"
ratio "Atlas" "bare Camel platform-http 202"
ratio "Atlas" "bare Vert.x 202"
if [[ -n "${SHOW_LOG:-}" ]]; then tail -n "$SHOW_LOG" "$work/atlas.log"; fi
