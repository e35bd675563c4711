#!/usr/bin/env bash
# Benchmark (not a test): writes a protocol-consistent exchange log of 10^6 entries through the
# coordinator's real log writer (100 sites, a signed tree head per round), then times the
# auditor verifying it.
#
#   deploy/local/benchmark-audit.sh [DIR] [ENTRIES]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
. "$root/.mvn/find-jdk25.sh"
dir="${1:-$(mktemp -d)}"
entries="${2:-1000000}"
./mvnw -B -q -DskipTests package -pl coordinator,auditor -am
java -cp "coordinator/target/medfed-coordinator.jar:coordinator/target/lib/*" \
  org.medfed.coordinator.exchangelog.SyntheticLogBenchmark "$dir" "$entries"
start=$(date +%s.%N)
java -jar auditor/target/medfed-audit.jar verify --log "$dir/exchange-log" \
  --ca "$dir/ca.crt.pem" --json "$dir/audit.json" | tail -n 12
end=$(date +%s.%N)
echo "audit wall seconds: $(echo "$end - $start" | bc)"
