#!/usr/bin/env bash
# Provisions a fresh consortium PKI for the compose network in deploy/compose/pki and completes
# each site's kit as its hospital would: records under /data, mapping, its own split rows, state in
# the /var/lib/medfed volume. Refuses to overwrite an existing pki folder.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
. "$root/.mvn/find-jdk25.sh"
jar="$root/coordinator/target/medfed-coordinator.jar"
[ -f "$jar" ] || { echo "prepare.sh: build first: ./mvnw -DskipTests package" >&2; exit 1; }
java -jar "$jar" provision init --out "$here/pki" --consortium medfed-compose \
  --coordinator-address coordinator:7443 --sites cleveland,hungary,switzerland,long-beach

declare -A files=([cleveland]=processed.cleveland.data [hungary]=processed.hungarian.data
                  [switzerland]=processed.switzerland.data [long-beach]=processed.va.data)
declare -A centers=([cleveland]=cleveland [hungary]=hungarian [switzerland]=switzerland
                    [long-beach]=va)
for site in cleveland hungary switzerland long-beach; do
  kit="$here/pki/sites/$site"
  cp "$root/data/heart-disease/uci-mapping.yaml" "$kit/mapping.yaml"
  { head -n 1 "$root/data/heart-disease/flamby_split_rs43.csv"
    awk -F, -v c="${centers[$site]}" '$2 == c' "$root/data/heart-disease/flamby_split_rs43.csv"
  } > "$kit/split.csv"
  cat > "$kit/site.yaml" <<YAML
# MedFed site node configuration for $site (container layout).
coordinator: coordinator:7443
tls:
  certificate: site.crt.pem
  private-key: site.key.pem
  ca-certificate: ca.crt.pem
data:
  connector: csv
  path: /data/${files[$site]}
  mapping: mapping.yaml
  split-file: split.csv
  split-center: ${centers[$site]}
policy:
  allowed-model-types: [logistic-regression]
  allowed-columns: [age, sex, cp, trestbps, chol, fbs, restecg, thalach, exang, oldpeak, num]
state-dir: /var/lib/medfed
YAML
done
# The containers run as uid 10001: let them read their kits (keys stay 0600 otherwise).
chmod -R a+rX "$here/pki/sites" "$here/pki/coordinator"
echo "PKI and kits in $here/pki (keep pki/ca offline). Next: docker compose -p medfed -f $here/docker-compose.yml up --build"
