#!/usr/bin/env bash
# The MedFed local demo: a coordinator and four hospital site nodes as separate JVMs on this
# machine, training one model on the UCI Heart Disease data over mutual TLS.
#
#   deploy/local/demo.sh [--report FILE] [--strategy S] [--rounds N] [--seed N] [--workdir DIR]
#
# Builds what it needs (once), then runs. Everything it starts is stopped when it ends, also on
# Ctrl-C or failure.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
. "$root/.mvn/find-jdk25.sh"

jars=(coordinator/target/medfed-coordinator.jar site-node/target/medfed-site-node.jar
      auditor/target/medfed-audit.jar deploy/target/medfed-demo.jar)
stale=0
for jar in "${jars[@]}"; do
  if [ ! -f "$jar" ] || [ -n "$(find proto/src crypto/src coordinator/src site-node/src auditor/src deploy/src pom.xml \
      */pom.xml -newer "$jar" -print -quit 2>/dev/null)" ]; then
    stale=1
  fi
done
if [ "$stale" = 1 ]; then
  echo "Building MedFed (tests skipped; run ./mvnw verify for them)..."
  ./mvnw -B -q -DskipTests package
fi

exec java -jar deploy/target/medfed-demo.jar --repository "$root" "$@"
