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

# Polls URL until it answers 200; prints nothing; fails after 60 s.
wait_ready() {
  for _ in $(seq 1 3000); do
    if [[ "$(curl -s -o /dev/null -w '%{http_code}' "$1")" == "200" ]]; then return 0; fi
    sleep 0.02
  done
  echo "not ready: $1" >&2
  return 1
}
