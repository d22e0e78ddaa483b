#!/usr/bin/env bash
# Task API load: starts Atlas (the built distribution, deploy/target/atlas) with the local driver and a GitLab app
# whose clone credential is a static token, posts analysis tasks whose one step is `true`, and prints accepted
# tasks per second and POST latency (p50/p99/max). Arguments: [tasks] [threads]. Results: bench/README.md, "Tasks".
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
atlas="${ATLAS_BIN:-$here/../deploy/target/atlas/bin/atlas}"
tasks="${1:-5000}"
threads="${2:-8}"
port="${PORT:-18080}"
work="$(mktemp -d)"
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
mkdir -p "$work/secrets"
head -c 48 /dev/urandom | base64 -w0 > "$work/secrets/cloud-jwt-secret"
cat > "$work/atlas.yaml" <<YAML
runner: { id: bench-runner, publicUrl: "http://127.0.0.1:$port", cloudSecret: bench-cloud-secret }
server: { host: 127.0.0.1, port: $port }
cloud:
  url: https://asgard.example
  auth: { hmacSecret: "\${file:secrets/cloud-jwt-secret}", audience: bench-runner }
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
  driver: local
  cloneStep: false
  local: { maxConcurrent: 4 }
auth: { signingKeys: data/keys }
YAML
"$atlas" run --config "$work/atlas.yaml" > "$work/atlas.log" 2>&1 &
pid=$!
for _ in $(seq 1 60); do
  curl -fs "http://127.0.0.1:$port/health/live" >/dev/null 2>&1 && break
  sleep 1
done
(cd "$here/.." && mvn -q -o compile -pl bench >/dev/null)
java -cp "$here/target/classes" dev.atlas.bench.tasks.TaskLoad --url "http://127.0.0.1:$port" \
  --secret-file "$work/secrets/cloud-jwt-secret" --audience bench-runner --app gl-bench \
  --clone-url https://gitlab.example/acme/widgets.git --result-url https://asgard.example/results \
  --tasks "$tasks" --threads "$threads"
curl -s "http://127.0.0.1:$port/metrics" | grep -E '^atlas_tasks_(accepted_total|dispatch_latency_seconds_(count|sum|max))' || true
