#!/usr/bin/env bash
# Webhook acceptance (verify + durable spool + 202) under load, side by side in the same run with a bare Vert.x
# server as the baseline. Loopback only; every load phase is bounded in time.
# Needs: mvn -B -ntp -DskipTests package (the distribution and bench/target/benchmarks.jar).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
dist="$here/../deploy/target/atlas"
jar="$here/target/benchmarks.jar"
source "$here/bench-config.sh"
work=$(mktemp -d)
atlas_port=${ATLAS_PORT:-18081}
hello_port=${HELLO_PORT:-18082}
cloud_port=${CLOUD_PORT:-18083}
# DELIVER=0 leaves the cloud down: deliveries fail fast and back off, so the run measures acceptance alone
deliver=${DELIVER:-1}
seconds=${SECONDS_PER_PHASE:-10}
concurrency=${CONCURRENCY:-32}
write_config "$work" "$atlas_port" "http://127.0.0.1:$cloud_port"

# the cloud is the same bare server: Atlas delivers to it in the background, as in production
cloud=""
if [[ "$deliver" == 1 ]]; then
  java -cp "$jar" dev.atlas.bench.HelloServer "$cloud_port" > "$work/cloud.log" 2>&1 & cloud=$!
fi
java -cp "$jar" dev.atlas.bench.HelloServer "$hello_port" > "$work/hello.log" 2>&1 & hello=$!
JAVA_OPTS="${JAVA_OPTS:--XX:+UseSerialGC -Xmx512m}" ATLAS_LOG_LEVEL=WARN \
  "$dist/bin/atlas" run --config "$work/atlas.yaml" > "$work/atlas.log" 2>&1 & atlas=$!
trap 'kill $atlas $hello $cloud 2>/dev/null || true; rm -rf "$work"' EXIT
wait_ready "http://127.0.0.1:$atlas_port/health/ready"

body="$work/body.json"
head -c 2048 /dev/zero | tr '\0' 'x' | sed 's/^/{"action":"opened","pad":"/; s/$/"}/' > "$body"
sig="sha256=$(openssl dgst -sha256 -hmac bench-hook-secret -r < "$body" | cut -d' ' -f1)"
load() { java -cp "$jar" dev.atlas.bench.HttpLoad --method POST --body-file "$body" \
  --header "Content-Type: application/json" --header "X-GitHub-Event: pull_request" \
  --header "X-Hub-Signature-256: $sig" --unique-header X-GitHub-Delivery "$@"; }

echo "warm-up (not reported)"
load --url "http://127.0.0.1:$hello_port/" --duration 5 --concurrency "$concurrency" --label warm-hello > /dev/null
load --url "http://127.0.0.1:$atlas_port/webhook/github/gh-main" --duration 5 --concurrency "$concurrency" \
  --label warm-atlas > /dev/null
echo "throughput, closed loop, $concurrency in flight, ${seconds}s each:"
load --url "http://127.0.0.1:$hello_port/" --duration "$seconds" --concurrency "$concurrency" --label "  bare Vert.x"
load --url "http://127.0.0.1:$atlas_port/webhook/github/gh-main" --duration "$seconds" --concurrency "$concurrency" \
  --label "  Atlas webhook"
echo "latency at a fixed 1000 req/s, ${seconds}s each:"
load --url "http://127.0.0.1:$hello_port/" --duration "$seconds" --rate 1000 --concurrency 256 --label "  bare Vert.x"
load --url "http://127.0.0.1:$atlas_port/webhook/github/gh-main" --duration "$seconds" --rate 1000 --concurrency 256 \
  --label "  Atlas webhook"
echo "spool after the run: $(ls "$work/spool/pending" | wc -l) pending, $(ls "$work/spool/delivered" | wc -l) delivered"
