#!/usr/bin/env bash
# Shared by the load scripts: writes a one-app (GitHub) config for a distribution started on loopback.
# Usage: write_config DIR PORT CLOUD_URL
write_config() {
  local dir=$1 port=$2 cloud=$3
  mkdir -p "$dir"
  [[ -f "$dir/gh.pem" ]] || openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$dir/gh.pem" 2>/dev/null
  printf 'bench-hook-secret' > "$dir/hook-secret"
  cat > "$dir/atlas.yaml" <<YAML
runner: {id: bench-runner, publicUrl: "http://127.0.0.1:$port", cloudSecret: whsec_c2VjcmV0LWJ5dGVzLWZvci10aGUtY2xvdWQ=}
server: {host: 127.0.0.1, port: $port}
shutdown: {timeout: 5s}
cloud:
  url: $cloud
  auth: {hmacSecret: bench-cloud-jwt-secret-long-enough-for-hs256-keys, audience: bench-runner}
installations:
  - id: bench
    apps:
      - id: gh-main
        vcs: github
        webUrl: http://127.0.0.1:1
        apiUrl: ${BENCH_GITHUB_API:-http://127.0.0.1:1/api/v3}
        webhookSecret: \${file:hook-secret}
        github: {appId: "1", privateKey: \${file:gh.pem}, installationId: "99"}
webhooks: {spoolDir: spool, maxBackoff: 5s}
tasks: {driver: local}
YAML
}

# Usage: signed_bodies FILE: BODIES (default 100,000) signed 1 KB pushes for wrk/webhook.lua, one
# "signature<TAB>body" per line; enough that at ~30,000 req/s a body comes round again only after the webhook
# configs' 1 s replay window (with fewer, Atlas answers cheap duplicates and a row measures those).
signed_bodies() {
  python3 - "$1" <<'PY'
import hashlib, hmac, os, sys
with open(sys.argv[1], "w") as out:
    for i in range(int(os.environ.get("BODIES", "100000"))):
        body = '{"ref":"refs/heads/main","n":%d,"pad":"%s"}' % (i, "x" * 980)
        sig = hmac.new(b"bench-hook-secret", body.encode(), hashlib.sha256).hexdigest()
        out.write(sig + "\t" + body + "\n")
PY
}

# Usage: write_webhook_config DIR PORT CLOUD_URL [PAUSED]: write_config with webhooks.replayWindow 1s (a body may come
# round again a few seconds later); PAUSED=1 adds an admin route that overrides webhook-delivery with autoStartup
# false, so that the spool fills and only the acceptance path runs.
write_webhook_config() {
  local dir=$1
  write_config "$dir" "$2" "$3"
  sed -i 's/^webhooks: {spoolDir: spool, maxBackoff: 5s}/webhooks: {spoolDir: spool, maxBackoff: 5s, replayWindow: 1s}/' \
    "$dir/atlas.yaml"
  if [[ "${4:-0}" == 1 ]]; then
    mkdir -p "$dir/routes"
    cat > "$dir/routes/paused.camel.yaml" <<'YAML'
- route:
    id: webhook-delivery
    autoStartup: false
    routeConfigurationId: atlas-delivery
    from:
      uri: direct:webhook-delivery
      steps:
        - process: {ref: webhookSign}
        - process: {ref: webhookSend}
YAML
    echo "routes: {dir: routes}" >> "$dir/atlas.yaml"
  fi
}

# Usage: duplicates_so_far PORT: how many webhooks the Atlas on PORT has answered as duplicates (its /metrics).
duplicates_so_far() {
  curl -s "http://127.0.0.1:$1/metrics" | awk '/^atlas_webhooks_duplicate_total/ {r += $2} END {printf "%d", r}'
}

# Usage: spool_counts PORT: "N pending, N delivered, N answered as duplicates" from the Atlas on PORT (its /metrics).
spool_counts() {
  curl -s "http://127.0.0.1:$1/metrics" | awk '/^atlas_webhooks_spool_depth/ {d = $2}
    /^atlas_webhooks_delivered_total/ {n += $2} /^atlas_webhooks_duplicate_total/ {r += $2}
    END {printf "%d pending, %d delivered, %d answered as duplicates", d, n, r}'
}

# Usage: journal_syncs PORT: the webhook journal's group commits since start on the Atlas on PORT (its /metrics):
# how many, their mean, and how many took over 25 ms (each holds every acceptance waiting in it).
journal_syncs() {
  curl -s "http://127.0.0.1:$1/metrics" | awk '/^atlas_spool_journal_sync_seconds_count\{spool="webhooks"/ {c = $2}
    /^atlas_spool_journal_sync_seconds_sum\{spool="webhooks"/ {s = $2}
    /^atlas_spool_journal_sync_seconds_bucket\{spool="webhooks",le="0.025"/ {b = $2}
    END {printf "%d journal syncs, mean %.2f ms, %d over 25 ms", c, (c > 0 ? 1000 * s / c : 0), c - b}'
}

# Polls URL until it answers 200; prints nothing; fails after 60 s.
wait_ready() {
  for _ in $(seq 1 3000); do
    if [[ "$(curl -s -o /dev/null -w '%{http_code}' "$1")" == "200" ]]; then return 0; fi
    sleep 0.02
  done
  echo "not ready: $1" >&2
  return 1
}

# --- wrk helpers shared by run-proxy-bench.sh, run-webhook-bench.sh and run-task-bench.sh ---
# Every figure comes from Debian's wrk: 2 threads, 32 connections, WARMUP seconds (default 30: C2 needs that long on
# two busy cores) not reported, then SECONDS_PER_RUN.
WRK_THREADS=${WRK_THREADS:-2}
WRK_CONNECTIONS=${WRK_CONNECTIONS:-32}
WARMUP=${WARMUP:-30}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-10}
WRK_TIMEOUT=${WRK_TIMEOUT:-2s}
bench_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# the bench classes and the bare Camel baselines' libraries (mvn -pl bench -am package)
BASELINE_CP="$bench_dir/target/classes:$bench_dir/target/baseline-lib/*"

# Before a measured run, longer than the webhook configs' 1 s replay window: every wrk run starts again at the first
# signed bodies, which the warm-up's last second may have sent at a high rate, and Atlas would answer those as cheap
# duplicates at the start of the measured run.
settle() { sleep 2; }

# Usage: measure LABEL URL LUA_SCRIPT [result file]. A warm-up run, then the measured run; prints one row and
# appends "LABEL RPS" to $work/results.
measure() {
  local label=$1 url=$2 script=$3 out
  RUN_ID="w$RANDOM$RANDOM" wrk -t"$WRK_THREADS" -c"$WRK_CONNECTIONS" -d"${WARMUP}s" --timeout "$WRK_TIMEOUT" -s "$script" "$url" > /dev/null 2>&1 || true
  settle
  out=$(RUN_ID="m$RANDOM$RANDOM" wrk -t"$WRK_THREADS" -c"$WRK_CONNECTIONS" -d"${SECONDS_PER_RUN}s" --timeout "$WRK_TIMEOUT" --latency -s "$script" "$url" 2>&1)
  local load rps p50 p99 bad
  load=$(cut -d' ' -f1-3 /proc/loadavg)
  rps=$(awk '/^Requests\/sec/ {printf "%.0f", $2}' <<< "$out")
  p50=$(awk '$1 == "50%" {print $2}' <<< "$out")
  p99=$(awk '$1 == "99%" {print $2}' <<< "$out")
  bad=$(awk -F': ' '/Non-2xx or 3xx/ {print $2}' <<< "$out")
  printf '  %-34s %9s req/s   p50 %9s   p99 %9s   non-2xx %-7s load %s\n' "$label" "${rps:-?}" "${p50:-?}" \
    "${p99:-?}" "${bad:-0}" "$load"
  if grep -q "Socket errors" <<< "$out"; then grep "Socket errors" <<< "$out" | sed 's/^/    /'; fi
  echo "$label|${rps:-0}" >> "$work/results"
}

# Usage: ratio NUMERATOR_LABEL DENOMINATOR_LABEL: prints NUMERATOR / DENOMINATOR from $work/results.
ratio() {
  awk -F'|' -v a="$1" -v b="$2" '$1 == a {x = $2} $1 == b {y = $2}
    END {if (y > 0) printf "  ratio %s / %s: %.2fx\n", a, b, x / y}' "$work/results"
}

# Usage: wait_port_ready URL [METHOD]: polls until URL answers anything but a refused connection (60 s).
wait_listening() {
  for _ in $(seq 1 3000); do
    if [[ "$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' -d '{}' "$1")" != "000" ]]; then
      return 0
    fi
    sleep 0.02
  done
  echo "not listening: $1" >&2
  return 1
}

# Usage: jfr_start PID / jfr_stop PID FILE: a JFR recording (profile settings) of one measured run, then the
# methods most often on top of the sampled stacks and the hottest packages.
jfr_start() { jcmd "$1" JFR.start name=bench settings=profile > /dev/null; }
jfr_stop() {
  jcmd "$1" JFR.dump name=bench filename="$2" > /dev/null
  jcmd "$1" JFR.stop name=bench > /dev/null
  echo "  JFR profile: $2 (top frames of jdk.ExecutionSample, share of samples)"
  jfr print --events jdk.ExecutionSample "$2" | awk '
    /stackTrace = \[/ {getline; sub(/^[ \t]+/, ""); sub(/line:.*/, ""); top[$0]++; n++}
    END {for (f in top) printf "%6.1f%%  %s\n", 100 * top[f] / n, f}' | sort -rn | head -"${JFR_TOP:-15}" | sed 's/^/    /'
}

# Usage: jwt AUDIENCE SECRET: an HS256 JWT valid for nine minutes, made with openssl.
jwt() {
  local b64url header payload signature
  b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }
  header=$(printf '{"alg":"HS256","typ":"JWT"}' | b64url)
  payload=$(printf '{"sub":"bench","aud":"%s","exp":%d}' "$1" $(( $(date +%s) + 540 )) | b64url)
  signature=$(printf '%s.%s' "$header" "$payload" | openssl dgst -sha256 -hmac "$2" -binary | b64url)
  echo "$header.$payload.$signature"
}
