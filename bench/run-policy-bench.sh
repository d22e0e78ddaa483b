#!/usr/bin/env bash
# Runs the policy-decision benchmark briefly (one fork, 2 warm-up and 3 measured iterations of 1 s each).
# Builds bench/target/benchmarks.jar first when it is missing. Extra arguments go to JMH (e.g. -prof gc).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
jar="$here/target/benchmarks.jar"
if [[ ! -f "$jar" ]]; then
    (cd "$here/.." && mvn -q -DskipTests install -pl bench -am)
fi
exec java -jar "$jar" "(Policy|Rest)DecisionBenchmark" -f 1 -wi 2 -i 3 -w 1s -r 1s "$@"
