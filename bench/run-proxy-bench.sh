#!/usr/bin/env bash
# VCS API proxy throughput and added latency, side by side in the same run with Debian's nginx as a plain reverse
# proxy to the same local upstream (a bare Vert.x server posing as the GitHub API). Loopback only, bounded in time.
# Needs: mvn -B -ntp -DskipTests package, and nginx (apt-get install -y nginx).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
dist="$here/../deploy/target/atlas"
jar="$here/target/benchmarks.jar"
source "$here/bench-config.sh"
work=$(mktemp -d)
atlas_port=${ATLAS_PORT:-18091}
upstream_port=${UPSTREAM_PORT:-18092}
nginx_port=${NGINX_PORT:-18093}
seconds=${SECONDS_PER_PHASE:-10}
concurrency=${CONCURRENCY:-32}
BENCH_GITHUB_API="http://127.0.0.1:$upstream_port/api/v3" write_config "$work" "$atlas_port" "http://127.0.0.1:1"

cat > "$work/nginx.conf" <<NGINX
worker_processes 1;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  upstream github { server 127.0.0.1:$upstream_port; keepalive 64; }
  server {
    listen 127.0.0.1:$nginx_port;
    location /vcs/rest/ {
      proxy_pass http://github/api/v3/;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
NGINX

java -cp "$jar" dev.atlas.bench.HelloServer "$upstream_port" 200 > "$work/upstream.log" 2>&1 & upstream=$!
nginx -c "$work/nginx.conf" -p "$work"
JAVA_OPTS="${JAVA_OPTS:--XX:+UseSerialGC -Xmx512m}" ATLAS_LOG_LEVEL=WARN \
  "$dist/bin/atlas" run --config "$work/atlas.yaml" > "$work/atlas.log" 2>&1 & atlas=$!
trap 'kill $atlas $upstream 2>/dev/null || true; nginx -c "$work/nginx.conf" -p "$work" -s stop 2>/dev/null || true; rm -rf "$work"' EXIT
wait_ready "http://127.0.0.1:$atlas_port/health/ready"

# a cloud JWT (HS256, 9 minutes), made with openssl: the load client only replays it
b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }
header=$(printf '{"alg":"HS256","typ":"JWT"}' | b64url)
payload=$(printf '{"sub":"bench","aud":"bench-runner","exp":%d}' $(( $(date +%s) + 540 )) | b64url)
signature=$(printf '%s.%s' "$header" "$payload" | openssl dgst -sha256 -hmac bench-cloud-jwt-secret-long-enough-for-hs256-keys -binary | b64url)
jwt="$header.$payload.$signature"

load() { java -cp "$jar" dev.atlas.bench.HttpLoad --header "Accept: application/vnd.github+json" \
  --header "Authorization: Bearer $jwt" --header "X-App-ID: gh-main" "$@"; }
direct="http://127.0.0.1:$upstream_port/api/v3/repos/acme/api"
via_nginx="http://127.0.0.1:$nginx_port/vcs/rest/repos/acme/api"
via_atlas="http://127.0.0.1:$atlas_port/vcs/rest/repos/acme/api"

echo "warm-up (not reported)"
for u in "$direct" "$via_nginx" "$via_atlas"; do load --url "$u" --duration 5 --concurrency "$concurrency" --label warm > /dev/null; done
echo "throughput, closed loop, $concurrency in flight, ${seconds}s each:"
load --url "$direct" --duration "$seconds" --concurrency "$concurrency" --label "  upstream direct"
load --url "$via_nginx" --duration "$seconds" --concurrency "$concurrency" --label "  via nginx"
load --url "$via_atlas" --duration "$seconds" --concurrency "$concurrency" --label "  via Atlas"
echo "latency at a fixed 500 req/s, ${seconds}s each:"
load --url "$direct" --duration "$seconds" --rate 500 --concurrency 256 --label "  upstream direct"
load --url "$via_nginx" --duration "$seconds" --rate 500 --concurrency 256 --label "  via nginx"
load --url "$via_atlas" --duration "$seconds" --rate 500 --concurrency 256 --label "  via Atlas"
