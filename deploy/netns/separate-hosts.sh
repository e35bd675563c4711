#!/usr/bin/env bash
# Separate hosts on one machine: the coordinator and four hospital sites, each in its own Linux
# network namespace, joined through a router namespace by virtual links. Runs a study, captures
# every packet on the router's interfaces, and checks from the capture that every byte between
# hosts is TLS 1.3 and that each site talked to the coordinator and to nothing else. A second run
# adds 200 ms delay and 5 % loss on the sites' links; the study must still complete.
#
#   deploy/netns/separate-hosts.sh [--runs clean,impaired] [--rounds N] [--workdir DIR]
#                                  [--summary FILE] [--timeout SECONDS] [--id ID]
#                                  [--impairment auto|netem|tun]
#
# Needs root, iproute2 with `ip netns`, python3 and a JDK 25. Exit codes: 0 every run passed,
# 1 a run failed (the reasons are printed and in the summary), 2 usage, 3 missing rights or tools.
# Everything it creates (namespaces, links, processes) is removed when it ends, also on Ctrl-C,
# on failure and when --timeout expires. See deploy/netns/README.md.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
here="$root/deploy/netns"
cd "$root"

runs="clean,impaired"
rounds=3
workdir=""
summary=""
timeout=420
id=""
impairment="auto"
delay_ms=200
loss_percent=5

usage() {
  sed -n '8,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}
fail_usage() {
  echo "separate-hosts: $1" >&2
  usage >&2
  exit 2
}
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs="${2:-}"; shift 2 ;;
    --rounds) rounds="${2:-}"; shift 2 ;;
    --workdir) workdir="${2:-}"; shift 2 ;;
    --summary) summary="${2:-}"; shift 2 ;;
    --timeout) timeout="${2:-}"; shift 2 ;;
    --id) id="${2:-}"; shift 2 ;;
    --impairment) impairment="${2:-}"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) fail_usage "unknown option \"$1\"" ;;
  esac
done
[[ "$runs" =~ ^(clean|impaired)(,(clean|impaired))*$ ]] ||
  fail_usage "--runs must list clean and/or impaired, comma-separated, not \"$runs\""
[[ "$rounds" =~ ^[1-9][0-9]?$ ]] || fail_usage "--rounds must be 1 to 99, not \"$rounds\""
[[ "$timeout" =~ ^[1-9][0-9]*$ ]] || fail_usage "--timeout must be whole seconds, not \"$timeout\""
[[ "$impairment" =~ ^(auto|netem|tun)$ ]] ||
  fail_usage "--impairment must be auto, netem or tun, not \"$impairment\""
# Namespace names are global to the machine: a per-run id keeps concurrent runs apart.
[ -n "$id" ] || id="$(printf '%04x%04x' $$ $((RANDOM)))"
[[ "$id" =~ ^[a-z0-9]{1,12}$ ]] || fail_usage "--id must be 1 to 12 lowercase letters or digits"

need() {
  echo "separate-hosts: $1" >&2
  exit 3
}
[ "$(id -u)" = 0 ] || need "needs root to create network namespaces; run it with sudo"
command -v ip >/dev/null || need "needs iproute2's ip command"
command -v ss >/dev/null || need "needs iproute2's ss command"
command -v python3 >/dev/null || need "needs python3 for the packet capture and its analysis"
# The interpreter itself, not a version manager's shim: a background process's id must be its own.
python="$(python3 -c 'import sys; print(sys.executable)')"
probe="mf${id}-probe"
ip netns add "$probe" 2>/dev/null || need "cannot create a network namespace (ip netns add failed)"
ip netns del "$probe"

. "$root/.mvn/find-jdk25.sh"
java="$JAVA_HOME/bin/java"
coordinator_jar="$root/coordinator/target/medfed-coordinator.jar"
site_jar="$root/site-node/target/medfed-site-node.jar"
if [ ! -f "$coordinator_jar" ] || [ ! -d "$root/coordinator/target/lib" ] ||
  [ ! -f "$site_jar" ] || [ ! -d "$root/site-node/target/lib" ]; then
  echo "separate-hosts: building the coordinator and site-node jars (tests skipped)..."
  ./mvnw -B -q -DskipTests package -pl coordinator,site-node -am
fi

temporary_workdir=0
if [ -z "$workdir" ]; then
  workdir="$(mktemp -d /tmp/medfed-netns-XXXXXX)"
  temporary_workdir=1
fi
mkdir -p "$workdir/jars/coordinator" "$workdir/jars/site-node"
workdir="$(cd "$workdir" && pwd)"
# Both runs use one snapshot of the jars and their lib/ folders, so a rebuild in the tree
# meanwhile cannot pull classes from under a running JVM.
cp -r "$coordinator_jar" "$root/coordinator/target/lib" "$workdir/jars/coordinator/"
cp -r "$site_jar" "$root/site-node/target/lib" "$workdir/jars/site-node/"
coordinator_jar="$workdir/jars/coordinator/medfed-coordinator.jar"
site_jar="$workdir/jars/site-node/medfed-site-node.jar"

# ---- everything started or created, so that cleanup can undo exactly that ----

pids=()
namespaces=()
watchdog=""

forget_pid() {
  local kept=() pid
  for pid in "${pids[@]}"; do
    [ "$pid" = "$1" ] || kept+=("$pid")
  done
  pids=("${kept[@]}")
}

# Stops one process this script started: SIGTERM, then SIGKILL after $2 seconds.
stop_process() {
  local pid="$1" seconds="${2:-10}" waited=0
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null && [ "$waited" -lt $((seconds * 10)) ]; do
      sleep 0.1
      waited=$((waited + 1))
    done
    if kill -0 "$pid" 2>/dev/null; then
      echo "separate-hosts: process $pid ignored SIGTERM for $seconds s; killing it" >&2
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  wait "$pid" 2>/dev/null || true
  forget_pid "$pid"
}

delete_namespace() {
  local ns="$1" pid name kept=()
  # Whatever still runs inside one of our namespaces was started by this script.
  for pid in $(ip netns pids "$ns" 2>/dev/null); do
    echo "separate-hosts: process $pid was still running in $ns; killing it" >&2
    kill -KILL "$pid" 2>/dev/null || true
  done
  ip netns del "$ns" 2>/dev/null || true
  for name in "${namespaces[@]}"; do
    [ "$name" = "$ns" ] || kept+=("$name")
  done
  namespaces=("${kept[@]}")
}

cleanup() {
  local rc=$?
  set +e
  # A second Ctrl-C must not cut the cleanup short and leave namespaces behind; it is bounded.
  trap '' INT TERM
  trap - EXIT
  [ -n "$watchdog" ] && kill "$watchdog" 2>/dev/null && wait "$watchdog" 2>/dev/null
  local pid ns waited=0
  for pid in "${pids[@]}"; do
    kill -TERM "$pid" 2>/dev/null
  done
  for pid in "${pids[@]}"; do
    while kill -0 "$pid" 2>/dev/null && [ "$waited" -lt 100 ]; do
      sleep 0.1
      waited=$((waited + 1))
    done
    stop_process "$pid" 0
  done
  for ns in "${namespaces[@]}"; do
    delete_namespace "$ns"
  done
  rm -rf "$workdir/jars"
  if [ "$rc" = 0 ] && [ "$temporary_workdir" = 1 ]; then
    rm -rf "$workdir"
    echo "separate-hosts: removed $workdir; pass --workdir DIR to keep the captures and logs"
  else
    echo "separate-hosts: logs, captures and reports kept in $workdir"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'echo "separate-hosts: interrupted; removing everything it created" >&2; exit 130' INT
trap 'exit 143' TERM

# A single process (not a subshell with a sleeping child), so that cleanup can stop it by its id.
"$python" -c '
import os, sys, time
time.sleep(float(sys.argv[1]))
sys.stderr.write("separate-hosts: still running after %s s (--timeout); stopping everything\n"
                 % sys.argv[1])
os.kill(int(sys.argv[2]), 15)' "$timeout" $$ &
watchdog=$!

# Runs a command in namespace $1. Not for background processes: those are started with
# `ip netns exec` directly, which execs, so that $! is the process itself and not a subshell.
nsx() {
  local ns="$1"
  shift
  ip netns exec "$ns" "$@"
}

# ---- the network ----

coordinator_ip=10.77.0.2
grpc_port=7443
http_port=8080
site_ids=(cleveland hungary switzerland long-beach)
site_files=(processed.cleveland.data processed.hungarian.data processed.switzerland.data
  processed.va.data)
site_centers=(cleveland hungarian switzerland va)
site_names=("Cleveland Clinic Foundation, Ohio" "Hungarian Institute of Cardiology, Budapest"
  "University Hospitals Zurich and Basel" "V.A. Medical Center, Long Beach, California")
router="mf${id}-net"
coordinator_ns="mf${id}-coord"
site_ns() { echo "mf${id}-s$(($1 + 1))"; }
site_ip() { echo "10.77.$(($1 + 1)).2"; }

add_namespace() {
  ip netns add "$1"
  namespaces+=("$1")
  # No IPv6: its link-local chatter would only add noise to the capture.
  nsx "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  ip -n "$1" link set lo up
}

# Joins host namespace $1 to the router with a veth pair: the router's end is "to-$2" on
# 10.77.$3.1/24, the host's end is eth0 on 10.77.$3.2/24 with the router as its default route.
attach_host() {
  local ns="$1" name="$2" subnet="$3"
  ip link add "to-$name" netns "$router" type veth peer name eth0 netns "$ns"
  ip -n "$router" addr add "10.77.$subnet.1/24" dev "to-$name"
  ip -n "$router" link set "to-$name" up
  ip -n "$ns" addr add "10.77.$subnet.2/24" dev eth0
  ip -n "$ns" link set eth0 up
  ip -n "$ns" route add default via "10.77.$subnet.1"
}

build_network() {
  add_namespace "$router"
  nsx "$router" sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.all.send_redirects=0 \
    net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
  add_namespace "$coordinator_ns"
  attach_host "$coordinator_ns" coordinator 0
  local i
  for i in "${!site_ids[@]}"; do
    add_namespace "$(site_ns "$i")"
    attach_host "$(site_ns "$i")" "${site_ids[$i]}" $((i + 1))
  done
}

router_links() {
  echo to-coordinator
  local site
  for site in "${site_ids[@]}"; do echo "to-$site"; done
}

# ---- delay and loss on the sites' links ----

mechanism=""
netem_error=""

# Tries the kernel's netem on both ends of every site link (so both directions are impaired);
# without netem, routes the same traffic through impair.py instead.
impair_sites() {
  local run_dir="$1" i errors="$run_dir/logs/netem.err"
  local netem=(root netem delay "${delay_ms}ms" loss "${loss_percent}%")
  mechanism=""
  if [ "$impairment" != tun ]; then
    if nsx "$router" tc qdisc add dev "to-${site_ids[0]}" "${netem[@]}" 2>"$errors"; then
      mechanism=netem
      for i in "${!site_ids[@]}"; do
        [ "$i" = 0 ] || nsx "$router" tc qdisc add dev "to-${site_ids[$i]}" "${netem[@]}"
        nsx "$(site_ns "$i")" tc qdisc add dev eth0 "${netem[@]}"
      done
      echo "  impairment: netem, ${delay_ms} ms delay and ${loss_percent} % loss each way on every site link"
      return
    fi
    netem_error="$(tr '\n' ' ' <"$errors" | sed 's/ *$//')"
    if [ "$impairment" = netem ]; then
      echo "separate-hosts: tc netem is unavailable on this kernel: $netem_error" >&2
      return 1
    fi
    echo "  impairment: netem is unavailable on this kernel (tc said: $netem_error), so"
  else
    echo "  impairment (--impairment tun):"
  fi
  mechanism=tun
  echo "    impair.py holds every packet to or from a site ${delay_ms} ms in the router and drops ${loss_percent} %"
  local ready="$run_dir/impair.ready"
  ip netns exec "$router" "$python" "$here/impair.py" --tun mfimpair --delay-ms "$delay_ms" \
    --loss-percent "$loss_percent" --ready-file "$ready" --stats "$run_dir/impairment.json" \
    >"$run_dir/logs/impair.log" 2>&1 &
  impair_pid=$!
  pids+=("$impair_pid")
  wait_for_file "$ready" 10 "$impair_pid" "impair.py did not start" "$run_dir/logs/impair.log"
  ip -n "$router" link set mfimpair up
  # Packets come back out of the TUN from a site's address: strict reverse-path filtering would
  # drop them, as it would not expect that source on that interface.
  nsx "$router" sysctl -qw net.ipv4.conf.mfimpair.rp_filter=0
  ip -n "$router" route add default dev mfimpair table 100
  local link
  for link in $(router_links); do
    # Everything arriving from a host goes through the TUN once; what comes back out of the TUN
    # arrives on mfimpair, matches no rule, and is forwarded by the main table.
    ip -n "$router" rule add iif "$link" lookup 100 pref 100
  done
}

# ---- the study ----

# Waits up to $2 seconds for process $3 to write file $1; else fails with $4 and the log $5.
wait_for_file() {
  local file="$1" seconds="$2" pid="$3" message="$4" log="$5" waited=0
  while [ ! -s "$file" ]; do
    if ! kill -0 "$pid" 2>/dev/null || [ "$waited" -ge $((seconds * 10)) ]; then
      echo "separate-hosts: $message: $(tail -n 5 "$log" 2>/dev/null)" >&2
      return 1
    fi
    sleep 0.1
    waited=$((waited + 1))
  done
}

provision() {
  local run_dir="$1"
  if ! "$java" -jar "$coordinator_jar" provision init --out "$run_dir/pki" \
    --consortium medfed-netns --coordinator-address "$coordinator_ip:$grpc_port" \
    --sites "$(IFS=,; echo "${site_ids[*]}")" >"$run_dir/logs/provision.log" 2>&1; then
    echo "separate-hosts: provisioning failed: $(cat "$run_dir/logs/provision.log")" >&2
    return 1
  fi
}

# Completes site $2's kit as its hospital would: only its own records file, the mapping, its own
# rows of FLamby's split, and the coordinator's address as this network has it.
configure_site() {
  local run_dir="$1" i="$2"
  local kit="$run_dir/pki/sites/${site_ids[$i]}"
  mkdir -p "$kit/records"
  cp "$root/data/heart-disease/${site_files[$i]}" "$kit/records/"
  cp "$root/data/heart-disease/uci-mapping.yaml" "$kit/mapping.yaml"
  awk -F, -v center="${site_centers[$i]}" 'NR == 1 || $2 == center' \
    "$root/data/heart-disease/flamby_split_rs43.csv" >"$kit/split.csv"
  cat >"$kit/site.yaml" <<EOF
# MedFed site node configuration for ${site_names[$i]}, written by separate-hosts.sh.
coordinator: $coordinator_ip:$grpc_port
tls:
  certificate: site.crt.pem
  private-key: site.key.pem
  ca-certificate: ca.crt.pem
data:
  connector: csv
  path: records/${site_files[$i]}
  mapping: mapping.yaml
  split-file: split.csv
  split-center: ${site_centers[$i]}
policy:
  allowed-model-types: [logistic-regression]
  allowed-columns: [age, sex, cp, trestbps, chol, fbs, restecg, thalach, exang, oldpeak, num]
state-dir: state
EOF
}

# The demo's study with fewer rounds and the run's round deadline; when $3 is given and the study
# has a secure-aggregation phase deadline, that one too.
write_study() {
  local run_dir="$1" deadline="$2" phase_deadline="$3"
  local edits=(-e "s/^rounds: .*/rounds: $rounds/" -e "s/^round-deadline: .*/round-deadline: $deadline/")
  [ -z "$phase_deadline" ] ||
    edits+=(-e "s/phase-deadline: [0-9]*[a-z]*/phase-deadline: $phase_deadline/")
  sed "${edits[@]}" "$root/deploy/local/study.yaml" >"$run_dir/study.yaml"
  if ! grep -qx "rounds: $rounds" "$run_dir/study.yaml" ||
    ! grep -qx "round-deadline: $deadline" "$run_dir/study.yaml"; then
    echo "separate-hosts: deploy/local/study.yaml has no top-level rounds or round-deadline line to override" >&2
    return 1
  fi
}

# GET on the coordinator's REST API, from inside its namespace over its loopback (never captured).
coordinator_get() {
  nsx "$coordinator_ns" "$python" -c '
import sys, urllib.request
sys.stdout.write(urllib.request.urlopen(sys.argv[1], timeout=10).read().decode())' \
    "http://127.0.0.1:$http_port$1"
}

# Waits until no TCP connection in any host namespace has unacknowledged data or an unfinished
# close, so the capture holds every byte before it stops. TIME-WAIT is done: all was acknowledged.
wait_for_quiet_links() {
  local waited=0 ns busy
  while [ "$waited" -lt 150 ]; do
    busy=0
    for ns in "$coordinator_ns" $(for i in "${!site_ids[@]}"; do site_ns "$i"; done); do
      if nsx "$ns" ss -Htan | awk '$1 != "TIME-WAIT" && $1 != "LISTEN" { found = 1 } END { exit !found }'; then
        busy=1
      fi
    done
    [ "$busy" = 0 ] && break
    sleep 0.1
    waited=$((waited + 1))
  done
  # What is still held in impair.py's queue is at most delay_ms old, and only acknowledgements.
  sleep "$(awk -v d="$delay_ms" 'BEGIN { print d / 1000 + 0.3 }')"
}

run_study() {
  local name="$1" run_dir="$workdir/$1"
  local started=$SECONDS deadline_per_round phase_deadline enrolment study_limit
  # A round trip is 400 ms on the impaired links and a lost segment costs a retransmission
  # timeout, so that run gets deadlines well above what it needs (3 rounds took 48 s here).
  if [ "$name" = impaired ]; then
    deadline_per_round=90s phase_deadline=45s enrolment=120s study_limit=$((120 + rounds * 40))
  else
    deadline_per_round=30s phase_deadline="" enrolment=60s study_limit=$((60 + rounds * 20))
  fi
  rm -rf "$run_dir"
  mkdir -p "$run_dir/logs" "$run_dir/capture"
  echo "run $name: namespaces $router (router), $coordinator_ns, mf${id}-s1..s4; work in $run_dir"

  provision "$run_dir"
  write_study "$run_dir" "$deadline_per_round" "$phase_deadline"
  local i
  for i in "${!site_ids[@]}"; do configure_site "$run_dir" "$i"; done
  build_network

  impair_pid=""
  mechanism=none
  if [ "$name" = impaired ]; then impair_sites "$run_dir"; fi

  ip netns exec "$router" "$python" "$here/capture.py" capture --out "$run_dir/capture" \
    $(router_links | sed 's/^/--interface /') --ready-file "$run_dir/capture.ready" \
    >"$run_dir/logs/capture.log" 2>&1 &
  local capture_pid=$!
  pids+=("$capture_pid")
  wait_for_file "$run_dir/capture.ready" 10 "$capture_pid" "the capture did not start" \
    "$run_dir/logs/capture.log"
  echo "  capturing on the router's $(router_links | wc -l) interfaces"

  ip netns exec "$coordinator_ns" "$java" -XX:TieredStopAtLevel=1 -XX:+UseSerialGC \
    -jar "$coordinator_jar" serve \
    --medfed.study-file="$run_dir/study.yaml" \
    --medfed.data-dir="$run_dir/coordinator-data" \
    --medfed.tls.certificate="$run_dir/pki/coordinator/coordinator.crt.pem" \
    --medfed.tls.private-key="$run_dir/pki/coordinator/coordinator.key.pem" \
    --medfed.tls.ca-certificate="$run_dir/pki/coordinator/ca.crt.pem" \
    --medfed.grpc.host="$coordinator_ip" --medfed.grpc.port="$grpc_port" \
    --medfed.enrolment-window="$enrolment" \
    --micronaut.server.host=127.0.0.1 --micronaut.server.port="$http_port" \
    >"$run_dir/logs/coordinator.log" 2>&1 &
  local coordinator_pid=$!
  pids+=("$coordinator_pid")
  local waited=0
  until nsx "$coordinator_ns" ss -Hltn "sport = :$grpc_port" | grep -q .; do
    if ! kill -0 "$coordinator_pid" 2>/dev/null || [ "$waited" -ge 600 ]; then
      echo "separate-hosts: the coordinator did not start listening; see $run_dir/logs/coordinator.log" >&2
      return 1
    fi
    sleep 0.1
    waited=$((waited + 1))
  done
  echo "  coordinator listening on $coordinator_ip:$grpc_port after $((SECONDS - started)) s"

  local site_pids=()
  for i in "${!site_ids[@]}"; do
    ip netns exec "$(site_ns "$i")" "$java" -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -jar "$site_jar" \
      --config "$run_dir/pki/sites/${site_ids[$i]}/site.yaml" --exit-when-study-ends \
      >"$run_dir/logs/${site_ids[$i]}.log" 2>&1 &
    site_pids+=($!)
    pids+=($!)
  done
  echo "  4 sites started, each in its own namespace; waiting for the study to end"

  local study_started=$SECONDS running
  site_exits=()
  while :; do
    running=0
    for i in "${!site_pids[@]}"; do
      kill -0 "${site_pids[$i]}" 2>/dev/null && running=$((running + 1))
    done
    [ "$running" = 0 ] && break
    if ! kill -0 "$coordinator_pid" 2>/dev/null; then
      echo "separate-hosts: the coordinator exited during the study; see $run_dir/logs/coordinator.log" >&2
      break
    fi
    if [ $((SECONDS - study_started)) -ge "$study_limit" ]; then
      echo "separate-hosts: the study did not end within $study_limit s; see $run_dir/logs" >&2
      break
    fi
    sleep 0.5
  done
  for i in "${!site_pids[@]}"; do
    if kill -0 "${site_pids[$i]}" 2>/dev/null; then
      stop_process "${site_pids[$i]}" 5
      site_exits+=(still-running)
    else
      local code=0
      wait "${site_pids[$i]}" || code=$?
      forget_pid "${site_pids[$i]}"
      site_exits+=("$code")
    fi
  done
  local study_seconds=$((SECONDS - study_started))

  local study_id
  study_id="$(sed -n 's/^id: *//p' "$run_dir/study.yaml")"
  coordinator_get "/api/studies/$study_id" >"$run_dir/study.json" 2>>"$run_dir/logs/rest.log" ||
    echo '{}' >"$run_dir/study.json"
  coordinator_get "/api/studies/$study_id/rounds" >"$run_dir/rounds.json" \
    2>>"$run_dir/logs/rest.log" || echo '[]' >"$run_dir/rounds.json"
  stop_process "$coordinator_pid" 20
  wait_for_quiet_links
  stop_process "$capture_pid" 10
  [ -n "$impair_pid" ] && stop_process "$impair_pid" 10
  local ns
  for ns in "${namespaces[@]}"; do delete_namespace "$ns"; done

  local hosts=("coordinator=$coordinator_ip")
  for i in "${!site_ids[@]}"; do hosts+=("${site_ids[$i]}=$(site_ip "$i")"); done
  "$python" - "$run_dir/hosts.json" "${hosts[@]}" <<'EOF'
import json, sys
out, (coordinator, *sites) = sys.argv[1], [arg.split("=") for arg in sys.argv[2:]]
json.dump({
    "coordinator": {"name": coordinator[0], "ip": coordinator[1]},
    "sites": [{"name": name, "ip": ip} for name, ip in sites],
    # The router's own address on each link is .1 of the host's /24.
    "router_ips": [ip.rsplit(".", 1)[0] + ".1" for _, ip in [coordinator, *sites]],
    "links": {"to-" + name: name for name, _ in [coordinator, *sites]},
}, open(out, "w"), indent=2)
EOF
  "$python" "$here/capture.py" analyse --pcap-dir "$run_dir/capture" --hosts "$run_dir/hosts.json" \
    --out "$run_dir/analysis.json" | sed 's/^/  /' || true
  [ -s "$run_dir/analysis.json" ] || echo '{"ok": false, "violations": ["the analysis did not run"]}' \
    >"$run_dir/analysis.json"

  "$python" - "$run_dir" "$name" "$((SECONDS - started))" "$study_seconds" "$rounds" \
    "$mechanism" "$netem_error" "${site_ids[*]}" "${site_exits[*]}" "$delay_ms" "$loss_percent" <<'EOF'
import json, os, sys
run_dir, name, seconds, study_seconds, rounds, mechanism, netem_error = sys.argv[1:8]
sites, exits, delay_ms, loss_percent = sys.argv[8].split(), sys.argv[9].split(), *sys.argv[10:12]
load = lambda f, default: json.load(open(os.path.join(run_dir, f))) if os.path.exists(
    os.path.join(run_dir, f)) and os.path.getsize(os.path.join(run_dir, f)) else default
study, round_list, analysis = load("study.json", {}), load("rounds.json", []), load("analysis.json", {})
summary = study.get("summary", {})
failures = []
if summary.get("status") != "completed":
    failures.append(f"the study ended as {summary.get('status') or 'unknown'} "
                    f"({summary.get('outcome') or 'no outcome'}), not completed")
if summary.get("roundsCompleted") != int(rounds):
    failures.append(f"{summary.get('roundsCompleted')} of {rounds} rounds completed")
for site, code in zip(sites, exits):
    if code != "0":
        failures.append(f"site {site} ended with exit code {code}")
failures += [f"capture: {v}" for v in analysis.get("violations", [])]
impairment = None
if name == "impaired":
    impairment = {"mechanism": mechanism, "delay_ms": float(delay_ms),
                  "loss_percent": float(loss_percent), "netem_available": mechanism == "netem",
                  "netem_error": netem_error or None}
    if mechanism == "tun":
        impairment.update(load("impairment.json", {}))
        impairment["mechanism"] = "tun"
        if not impairment.get("dropped") or not impairment.get("forwarded"):
            failures.append("impair.py dropped or forwarded nothing, so the links were not impaired")
run = {
    "name": name,
    "ok": not failures,
    "failures": failures,
    "duration_seconds": int(seconds),
    "study_seconds": int(study_seconds),
    "study": {
        "status": summary.get("status"),
        "outcome": summary.get("outcome"),
        "rounds_planned": summary.get("roundsPlanned"),
        "rounds_completed": summary.get("roundsCompleted"),
        "rounds": [{"round": r.get("round"), "status": r.get("status"),
                    "sites_updated": sum(1 for s in r.get("sites", []) if s.get("outcome") == "updated"),
                    "client_average_accuracy": r.get("clientAverageAccuracy")} for r in round_list],
        "site_exit_codes": dict(zip(sites, exits)),
    },
    "impairment": impairment,
    "capture": {k: v for k, v in analysis.items() if k != "links"},
    "work_directory": run_dir,
}
json.dump(run, open(os.path.join(run_dir, "run.json"), "w"), indent=2)
print(f"run {name}: {'PASSED' if run['ok'] else 'FAILED'} in {seconds} s "
      f"(study {study_seconds} s, {summary.get('roundsCompleted')}/{rounds} rounds)")
for failure in failures:
    print(f"  FAILURE: {failure}")
EOF
}

echo "separate-hosts: work directory $workdir (kept on failure)"
overall=0
run_files=()
IFS=, read -r -a run_list <<<"$runs"
for run in "${run_list[@]}"; do
  run_study "$run"
  run_files+=("$workdir/$run/run.json")
  "$python" -c 'import json,sys; sys.exit(0 if json.load(open(sys.argv[1]))["ok"] else 1)' \
    "$workdir/$run/run.json" || overall=1
done

[ -n "$summary" ] || summary="$workdir/summary.json"
"$python" - "$summary" "$overall" "${run_files[@]}" <<'EOF'
import json, sys
out, overall, files = sys.argv[1], sys.argv[2], sys.argv[3:]
runs = [json.load(open(f)) for f in files]
impaired = next((r["impairment"] for r in runs if r["impairment"]), None)
json.dump({
    "ok": overall == "0" and all(r["ok"] for r in runs),
    "impairment_mechanism": impaired and impaired["mechanism"],
    "netem_available": impaired and impaired["netem_available"],
    "runs": runs,
}, open(out, "w"), indent=2)
EOF
echo "separate-hosts: summary written to $summary"
[ "$overall" = 0 ] && echo "separate-hosts: every run passed" || echo "separate-hosts: FAILED" >&2
exit "$overall"
