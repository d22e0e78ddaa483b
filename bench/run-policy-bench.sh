#!/usr/bin/env bash
# Runs the policy-decision benchmarks briefly (one fork, 2 warm-up and 3 measured iterations of 1 s each).
# WARMUP=5 ITERATIONS=8 bench/run-policy-bench.sh measures longer (steadier on a busy machine).
# Builds bench/target/benchmarks.jar first when it is missing. Extra arguments go to JMH (e.g. -prof gc).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
jar="$here/target/benchmarks.jar"
if [[ ! -f "$jar" ]]; then
    (cd "$here/.." && mvn -q -DskipTests install -pl bench -am)
fi
exec java -jar "$jar" "(Policy|Rest)DecisionBenchmark" -f 1 -wi "${WARMUP:-2}" -i "${ITERATIONS:-3}" -w 1s -r 1s "$@"
