#!/usr/bin/env bash
# CPU per webhook, by thread, in steady state: the bare Camel 202 route, then Atlas (delivery paused unless
# PAUSED=0), each warmed up with three 10 s wrk runs (WARMUPS) and then measured over 10 s of wrk from the threads' own
# counters (/proc/PID/task/*/stat, user + system), divided by the requests answered in those 10 s. Also prints how
# idle the machine was (a path that leaves the cores idle is waiting, not computing). The webhook-bench ratios say
# how fast; this says where the CPU goes, and stays comparable when the machine's speed changes between runs.
# Needs: mvn -B -ntp -DskipTests package (deploy/target/atlas and bench/target), wrk, openssl, python3.
# ATLAS_DIST=dir measures another distribution; PAUSED=0 keeps delivery on (to a counting sink answering 200);
# ATLAS_JAVA_OPTS is added to Atlas's JVM options (for example -XX:+PreserveFramePointer for a perf profile);
# DURABLE=1 also measures the bare route with a group-commit step (BareCamelRoutes durable);
# PERF=1 also records Atlas's measured 10 s with perf (perf.data and the JIT's symbol map in the work folder, kept).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/bench-config.sh"
dist="${ATLAS_DIST:-$here/../deploy/target/atlas}"
work=$(mktemp -d)
atlas_port=${ATLAS_PORT:-18091}
camel_port=${CAMEL_PORT:-18094}
cloud_port=${CLOUD_PORT:-18093}
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; [[ "${PERF:-0}" == 1 ]] || rm -rf "$work"' EXIT

signed_bodies "$work/bodies.tsv"
export WEBHOOK_BODIES="$work/bodies.tsv" WRK_THREADS

threads_cpu() { # PID: "thread-name ticks" per thread name (names cut to 15 characters by the kernel), summed
  local t name ticks
  for t in /proc/"$1"/task/*; do
    name=$(tr ' ' '_' < "$t/comm" 2>/dev/null) || continue
    ticks=$(awk '{print $14 + $15}' "$t/stat" 2>/dev/null) || continue
    echo "$name $ticks"
  done | awk '{a[$1] += $2} END {for (k in a) print k, a[k]}' | sort
}
machine_ticks() { head -1 /proc/stat; }

# Usage: cpu_per_request LABEL PID URL [ATLAS_PORT: also counts the measured run's duplicate answers]
cpu_per_request() {
  local label=$1 pid=$2 url=$3 port=${4:-} out requests hz duplicates=0
  for i in $(seq 1 "${WARMUPS:-3}"); do
    RUN_ID="w$i$RANDOM" wrk -t"$WRK_THREADS" -c"$WRK_CONNECTIONS" -d10s --timeout "$WRK_TIMEOUT" \
      -s "$here/wrk/webhook.lua" "$url" > /dev/null 2>&1 || true
  done
  settle
  if [[ -n "$port" ]]; then duplicates=$(duplicates_so_far "$port"); fi
  threads_cpu "$pid" > "$work/before"
  local machine_before perf_pid=""
  machine_before=$(machine_ticks)
  if [[ "${PERF:-0}" == 1 && "$label" == Atlas* ]]; then
    perf record -F 999 -g -p "$pid" -o "$work/perf.data" -- sleep 10 > /dev/null 2>&1 &
    perf_pid=$!
  fi
  out=$(RUN_ID="m$RANDOM" wrk -t"$WRK_THREADS" -c"$WRK_CONNECTIONS" -d10s --timeout "$WRK_TIMEOUT" --latency \
    -s "$here/wrk/webhook.lua" "$url" 2>&1)
  [[ -n "$perf_pid" ]] && wait "$perf_pid"
  threads_cpu "$pid" > "$work/after"
  if [[ -n "$port" ]]; then duplicates=$(( $(duplicates_so_far "$port") - duplicates )); fi
  requests=$(awk '/requests in/ {print $1}' <<< "$out")
  hz=$(getconf CLK_TCK)
  printf '  %-28s %8s req/s   p99 %8s   load %s\n' "$label" "$(awk '/^Requests\/sec/ {printf "%.0f", $2}' <<< "$out")" \
    "$(awk '$1 == "99%" {print $2}' <<< "$out")" "$(cut -d' ' -f1-3 /proc/loadavg)"
  join "$work/before" "$work/after" | awk -v n="$requests" -v hz="$hz" '{d = ($3 - $2) * 1e6 / hz / n; all += d;
    if (d >= 0.5) printf "    %-26s %7.1f us per request\n", $1, d} END {printf "    %-26s %7.1f us per request\n", "all threads", all}'
  echo "$machine_before $(machine_ticks)" | awk '{for (i = 2; i <= 11; i++) a += $i; for (i = 13; i <= 22; i++) b += $i;
    printf "    the machine idle %.0f %% of the measured time\n", 100 * (($16 + $17) - ($5 + $6)) / (b - a)}'
  if [[ -n "$port" ]]; then
    echo "    answered as duplicates in the measured run: $duplicates (0: every request was an acceptance)"
  fi
  if [[ -n "$perf_pid" ]]; then
    jcmd "$pid" Compiler.perfmap > /dev/null 2>&1 && cp "/tmp/perf-$pid.map" "$work/" 2>/dev/null || true
    echo "    perf: $work/perf.data (JIT symbols: $work/perf-$pid.map; perf script -i ... needs the map in /tmp)"
  fi
}

echo "CPU per webhook, wrk -t$WRK_THREADS -c$WRK_CONNECTIONS, ${WARMUPS:-3} x 10 s warm-up + 10 s measured ($(nproc) cores)"
bare_route() { # LABEL ROUTE [ARGS...]: one bare Camel route, measured, then stopped
  java -cp "$BASELINE_CP" dev.atlas.bench.baseline.BareCamelRoutes "$2" "$camel_port" "${@:3}" > "$work/camel.log" 2>&1 &
  camel_pid=$!
  pids+=("$camel_pid")
  wait_listening "http://127.0.0.1:$camel_port/webhook/github/gh-main"
  cpu_per_request "$1" "$camel_pid" "http://127.0.0.1:$camel_port/webhook/github/gh-main"
  kill "$camel_pid"; wait "$camel_pid" 2>/dev/null || true
}
bare_route "bare Camel platform-http 202" accept
# DURABLE=1: also the bare route whose one step group-commits the body to disk (on the spool's disk, the work folder)
[[ "${DURABLE:-0}" == 1 ]] && bare_route "bare Camel durable 202" durable "$work/camel-durable.bin"

java -cp "$BASELINE_CP" dev.atlas.bench.CountingSink "$cloud_port" > "$work/cloud.log" 2>&1 & pids+=($!)
dir="$work/atlas"
write_webhook_config "$dir" "$atlas_port" "http://127.0.0.1:$cloud_port" "${PAUSED:-1}"
ATLAS_LOG_LEVEL=WARN "$dist/bin/atlas" run --config "$dir/atlas.yaml" > "$dir/atlas.log" 2>&1 &
pids+=($!)
wait_ready "http://127.0.0.1:$atlas_port/health/ready"
atlas_pid=$(pgrep -f -- "--config $dir/atlas.yaml" | while read -r p; do
  [[ "$(cat "/proc/$p/comm" 2>/dev/null)" == java ]] && echo "$p"; done | head -1)
cpu_per_request "Atlas$([[ "${PAUSED:-1}" == 1 ]] && echo ", delivery paused")" "$atlas_pid" \
  "http://127.0.0.1:$atlas_port/webhook/github/gh-main" "$atlas_port"
echo "    spool: $(spool_counts "$atlas_port") since the start"
