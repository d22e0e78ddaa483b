#!/usr/bin/env bash
# Interleaved A/B of webhook acceptance for two or more distributions on a busy machine: every Atlas runs at once
# (each with its own counting sink), all are warmed up, then wrk drives them in turn, ROUNDS times, SECONDS_PER_RUN
# each; the load of the machine falls on all of them alike, so the per-round ratios and the medians compare builds
# where separate runs minutes apart do not. Usage: run-webhook-ab.sh DIST_A DIST_B [DIST_C...]
# Env: ROUNDS (5), SECONDS_PER_RUN (5 here), WARMUP (20), BASE_PORT (28700). Needs what run-webhook-bench.sh needs.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
SECONDS_PER_RUN=${SECONDS_PER_RUN:-5}
WARMUP=${WARMUP:-20}
source "$here/bench-config.sh"
rounds=${ROUNDS:-5}
base=${BASE_PORT:-28700}
work=$(mktemp -d)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
signed_bodies "$work/bodies.tsv"
export WEBHOOK_BODIES="$work/bodies.tsv" WRK_THREADS
dists=("$@")
for i in "${!dists[@]}"; do
  port=$((base + 10 * i)); sink=$((port + 1))
  if ss -ltn | grep -q ":$port \|:$sink "; then echo "port $port or $sink is in use" >&2; exit 1; fi
  java -cp "$BASELINE_CP" dev.atlas.bench.CountingSink "$sink" > "$work/sink$i.log" 2>&1 & pids+=($!)
  write_webhook_config "$work/a$i" "$port" "http://127.0.0.1:$sink"
  ATLAS_LOG_LEVEL=WARN "${dists[$i]}/bin/atlas" run --config "$work/a$i/atlas.yaml" > "$work/a$i/atlas.log" 2>&1 & pids+=($!)
done
for i in "${!dists[@]}"; do wait_ready "http://127.0.0.1:$((base + 10 * i))/health/ready"; done
url() { echo "http://127.0.0.1:$((base + 10 * $1))/webhook/github/gh-main"; }
for i in "${!dists[@]}"; do
  RUN_ID="w$i$RANDOM" wrk -t"$WRK_THREADS" -c"$WRK_CONNECTIONS" -d"${WARMUP}s" -s "$here/wrk/webhook.lua" "$(url "$i")" > /dev/null 2>&1 || true
done
echo "interleaved webhook acceptance, wrk -t$WRK_THREADS -c$WRK_CONNECTIONS, ${WARMUP}s warm-up each, $rounds rounds of ${SECONDS_PER_RUN}s"
for r in $(seq 1 "$rounds"); do
  line="  round $r:"
  for i in "${!dists[@]}"; do
    out=$(RUN_ID="r$r$i$RANDOM" wrk -t"$WRK_THREADS" -c"$WRK_CONNECTIONS" -d"${SECONDS_PER_RUN}s" --latency -s "$here/wrk/webhook.lua" "$(url "$i")" 2>&1)
    rps=$(awk '/^Requests\/sec/ {printf "%.0f", $2}' <<< "$out"); p50=$(awk '$1 == "50%" {print $2}' <<< "$out")
    p99=$(awk '$1 == "99%" {print $2}' <<< "$out")
    echo "$i $rps" >> "$work/ab"
    line+=$(printf '   %s %6s req/s (p50 %s, p99 %s)' "$(basename "${dists[$i]}")" "$rps" "$p50" "$p99")
  done
  echo "$line   load $(cut -d' ' -f1-3 /proc/loadavg)"
done
for i in "${!dists[@]}"; do
  printf '  median %-24s %s req/s\n' "$(basename "${dists[$i]}")" \
    "$(awk -v i="$i" '$1 == i {print $2}' "$work/ab" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')"
done
for i in "${!dists[@]}"; do
  echo "  $(basename "${dists[$i]}") spool: $(spool_counts $((base + 10 * i))); sink (deliveries distinct last-ms): $(curl -s "http://127.0.0.1:$((base + 10 * i + 1))/count")"
done
