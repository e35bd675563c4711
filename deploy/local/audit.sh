#!/usr/bin/env bash
# Runs medfed-audit with a JDK 25 (found as ./mvnw finds one), building it first if needed. Takes
# exactly medfed-audit's arguments and returns its exit status (0 verified, 1 failed, 2 usage).
#
#   deploy/local/audit.sh verify --log DIR --ca CA.pem [--receipts DIR ...] [--json FILE]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
. "$root/.mvn/find-jdk25.sh"
jar="$root/auditor/target/medfed-audit.jar"
if [ ! -f "$jar" ]; then
  (cd "$root" && ./mvnw -B -q -DskipTests package -pl auditor -am) >&2
fi
exec java -jar "$jar" "$@"
