#!/usr/bin/env bash
# The longest a single write to a de-duplication table (SeenTable: delivered ids, replayed bodies) holds its caller,
# for one or more distributions in the same run, alternating: bench/seentable/SeenTableStall.java puts PUTS new keys
# (default 3,200,000: a day of deliveries at 37 a second) one every GAP_NANOS (default 10,000: 100,000 a second) and
# prints the longest put, which is a rebuild when one holds the lock. ROUNDS (2) rounds.
# Usage: run-seen-table-stall.sh [DIST ...]   (default: deploy/target/atlas; pass an older build's folder beside it)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
dists=("$@")
[[ ${#dists[@]} -gt 0 ]] || dists=("$here/../deploy/target/atlas")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for round in $(seq 1 "${ROUNDS:-2}"); do
  for dist in "${dists[@]}"; do
    printf 'round %s  %-40s ' "$round" "$(basename "$(cd "$dist/.." && pwd)")/$(basename "$dist")"
    java -XX:+UseSerialGC -Xmx1g -Dlogback.statusListenerClass=ch.qos.logback.core.status.NopStatusListener \
      -cp "$dist/lib/*" "$here/seentable/SeenTableStall.java" "${PUTS:-3200000}" "${GAP_NANOS:-10000}" "$work" \
      2>/dev/null | grep puts
  done
done
