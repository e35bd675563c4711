#!/usr/bin/env bash
# Benchmark (not a test): the secure-aggregation protocol core, in one process, for n in
# {4, 10, 100} sites, d in {1e4, 1e6} parameters and 0/10/30 % of sites dropping before masked
# input; SecAgg+ rows for n = 100. Prints a Markdown table. Needs a few GiB of heap.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
. "$root/.mvn/find-jdk25.sh"
./mvnw -B -q -DskipTests package -pl deploy -am
exec java -Xmx12g -cp "deploy/target/medfed-demo.jar" org.medfed.demo.SecAggBenchmark "$@"
