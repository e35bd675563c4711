#!/usr/bin/env bash
# Benchmark (not a test): the demo network for every strategy and seeds 42-46, as FLamby reports,
# printed as a Markdown table beside FLamby's published values. Takes a few minutes.
#
#   deploy/local/benchmark.sh [--strategies fedavg,fedadam] [--seeds 42,43] [--out DIR]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
. "$root/.mvn/find-jdk25.sh"
./mvnw -B -q -DskipTests package
exec java -cp deploy/target/medfed-demo.jar org.medfed.demo.BenchmarkMain --repository "$root" "$@"
