#!/usr/bin/env bash
# Benchmark (not a test): the secure-aggregation protocol core, in one process, for n in
# {4, 10, 100} sites, d in {1e4, 1e6} parameters and 0/10/30 % of sites dropping before masked
# input; SecAgg+ rows for n = 100. Each row is the median of 5 rounds after 2 warm-up rounds of the
# same shape, with a per-phase breakdown of the per-site work. Prints a Markdown table; takes about
# 10 minutes on 2 cores. Needs a few GiB of heap. Options (passed through): --warmup W, --rounds R,
# --only n:d and --dropout percent (both repeatable), e.g. --only 100:1000000 --dropout 10.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
. "$root/.mvn/find-jdk25.sh"
./mvnw -B -q -DskipTests package -pl deploy -am
exec java -Xmx12g -cp "deploy/target/medfed-demo.jar" org.medfed.demo.SecAggBenchmark "$@"
