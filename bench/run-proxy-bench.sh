#!/usr/bin/env bash
# The VCS proxy (POST /vcs/graphql viewer { login }: cloud JWT, GraphQL policy, installation token, forward) with
# wrk, in one run beside its baselines on the same upstream (a bare Vert.x server posing as GitHub Enterprise):
# a bare Camel platform-http -> vertx-http route (the "must" tier) and Debian's nginx proxy_pass with a keep-alive
# upstream (the "goal" tier). Loopback only, bounded in time; everything shares the machine.
# Needs: mvn -B -ntp -DskipTests package (deploy/target/atlas and bench/target), wrk, nginx, openssl.
# ATLAS_DIST=dir runs another distribution; JFR=1 profiles Atlas's measured run.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/bench-config.sh"
dist="${ATLAS_DIST:-$here/../deploy/target/atlas}"
work=$(mktemp -d)
atlas_port=${ATLAS_PORT:-18091}
upstream_port=${UPSTREAM_PORT:-18092}
nginx_port=${NGINX_PORT:-18093}
camel_port=${CAMEL_PORT:-18094}
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; nginx -c "$work/nginx.conf" -p "$work" -s stop 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
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
    location = /vcs/graphql {
      proxy_pass http://github/api/graphql;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
NGINX

java -cp "$BASELINE_CP" dev.atlas.bench.HelloServer "$upstream_port" 200 > "$work/upstream.log" 2>&1 & pids+=($!)
java -cp "$BASELINE_CP" dev.atlas.bench.baseline.BareCamelRoutes proxy "$camel_port" "http://127.0.0.1:$upstream_port" \
  > "$work/camel.log" 2>&1 & pids+=($!)
nginx -c "$work/nginx.conf" -p "$work"
ATLAS_LOG_LEVEL=WARN "$dist/bin/atlas" run --config "$work/atlas.yaml" > "$work/atlas.log" 2>&1 & atlas=$!
pids+=($atlas)
wait_listening "http://127.0.0.1:$upstream_port/api/graphql"
wait_listening "http://127.0.0.1:$camel_port/vcs/graphql"
wait_ready "http://127.0.0.1:$atlas_port/health/ready"
JWT=$(jwt bench-runner bench-cloud-jwt-secret-long-enough-for-hs256-keys)
export JWT
code=$(curl -s -o "$work/check.json" -w '%{http_code}' -X POST -H "Authorization: Bearer $JWT" -H 'X-App-ID: gh-main' \
  -H 'Content-Type: application/json' -d '{"query":"query { viewer { login } }"}' "http://127.0.0.1:$atlas_port/vcs/graphql")
[[ "$code" == 200 ]] || { echo "Atlas answered $code: $(cat "$work/check.json")" >&2; exit 1; }

echo "VCS proxy, POST /vcs/graphql, wrk -t$WRK_THREADS -c$WRK_CONNECTIONS, ${WARMUP}s warm-up + ${SECONDS_PER_RUN}s each ($(nproc) cores, $(java -version 2>&1 | head -1))"
if [[ -z "${SKIP_BASELINES:-}" ]]; then # SKIP_BASELINES=1: Atlas alone, e.g. to compare JVM options
  measure "upstream direct" "http://127.0.0.1:$upstream_port/api/graphql" "$here/wrk/proxy.lua"
  measure "nginx proxy_pass" "http://127.0.0.1:$nginx_port/vcs/graphql" "$here/wrk/proxy.lua"
  measure "bare Camel platform-http -> vertx-http" "http://127.0.0.1:$camel_port/vcs/graphql" "$here/wrk/proxy.lua"
fi
[[ "${JFR:-0}" == 1 ]] && jfr_start "$atlas"
measure "Atlas" "http://127.0.0.1:$atlas_port/vcs/graphql" "$here/wrk/proxy.lua"
[[ "${JFR:-0}" == 1 ]] && jfr_stop "$atlas" "${JFR_FILE:-/tmp/atlas-proxy.jfr}"
ratio "Atlas" "bare Camel platform-http -> vertx-http"
ratio "Atlas" "nginx proxy_pass"
