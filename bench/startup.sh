#!/usr/bin/env bash
# Time from `atlas run` to ready, and the process's RSS once idle (after a few requests). Loopback only.
# Needs the distribution: mvn -B -ntp -DskipTests package
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
dist="${ATLAS_DIST:-$here/../deploy/target/atlas}"
source "$here/bench-config.sh"
work=$(mktemp -d)
port=${PORT:-18080}
runs=${RUNS:-5}
write_config "$work" "$port" "http://127.0.0.1:1"

# The probe runs inside this shell (bash's /dev/tcp, a FIFO that never fills as its 20 ms timer): on a 2-core machine a
# `curl` and a `sleep` process per poll took CPU from the start-up being measured (~0.6 s of a 2.7 s start here).
mkfifo "$work/nap"
exec {nap}<>"$work/nap"
ready_now() { # 0 when GET /health/ready answers 200
  local fd status
  { exec {fd}<>"/dev/tcp/127.0.0.1/$port"; } 2>/dev/null || return 1
  printf 'GET /health/ready HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' >&"$fd"
  read -r -u "$fd" _ status _ || status=""
  exec {fd}>&-
  [[ "$status" == 200 ]]
}
microseconds() { local now=${EPOCHREALTIME/./}; echo "$now"; }

for i in $(seq 1 "$runs"); do
  start=$(microseconds)
  "$dist/bin/atlas" run --config "$work/atlas.yaml" > "$work/run-$i.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 3000); do
    ready_now && break
    read -r -t 0.02 -u "$nap" _ || true
  done
  ready_now || { echo "not ready: see $work/run-$i.log" >&2; exit 1; }
  ready_ms=$(( ($(microseconds) - start) / 1000 ))
  for _ in $(seq 1 20); do curl -s -o /dev/null "http://127.0.0.1:$port/health/ready"; done
  sleep 2
  rss_kb=$(awk '/VmRSS/ {print $2}' "/proc/$(pgrep -P $pid java || echo $pid)/status" 2>/dev/null || awk '/VmRSS/ {print $2}' /proc/$pid/status)
  kill -TERM $pid; wait $pid || true
  echo "run $i: ready in ${ready_ms} ms, idle RSS $((rss_kb / 1024)) MiB"
done
rm -rf "$work"
