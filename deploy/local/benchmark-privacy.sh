#!/usr/bin/env bash
# Benchmark (not a test): FedAdam's federated client-average accuracy on the demo network for
# per-site privacy caps epsilon in {0.5, 1, 2, 4, 8, inf} (delta 1e-5) and seeds 42-46.
#
#   deploy/local/benchmark-privacy.sh [--dp-epsilons 1,4,inf] [--seeds 42,43] [--out DIR]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
. "$root/.mvn/find-jdk25.sh"
./mvnw -B -q -DskipTests package -pl coordinator,site-node,deploy -am
exec java -cp deploy/target/medfed-demo.jar org.medfed.demo.BenchmarkMain --repository "$root" \
  --dp-epsilons 0.5,1,2,4,8,inf "$@"
