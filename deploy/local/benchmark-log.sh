#!/usr/bin/env bash
# Benchmark (not a test): durable appends per second to the coordinator's exchange log, with 1 to
# 64 concurrent appenders; every append is fsynced (group commit) before it returns.
#
#   deploy/local/benchmark-log.sh [DIR]    (DIR: where to write; defaults to a temporary folder)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
. "$root/.mvn/find-jdk25.sh"
./mvnw -B -q -DskipTests package
exec java -cp "coordinator/target/medfed-coordinator.jar:coordinator/target/lib/*" \
  org.medfed.coordinator.exchangelog.AppendBenchmark "$@"
