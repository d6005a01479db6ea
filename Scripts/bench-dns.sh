#!/usr/bin/env bash
# dnsperf against svclab's DNS server and, in the same run, against unbound serving the same
# Service names from a zone generated from the lab (90 % existing names, 10 % NXDOMAIN).
# Each server is pinned to CPU 0 and dnsperf to CPU 1 (taskset); each run lasts SECONDS.
# Prints both QPS, their ratio, and svclab's memory (RSS) with the names and without.
#   Scripts/bench-dns.sh [NAMES] [SECONDS]      (SVCLAB=path/to/svclab to skip the release build;
#   WIRE_SERVER=path serves with Scripts/bench/wire-server.swift built alone, no Lua lab)
set -euo pipefail
cd "$(dirname "$0")/.."
names=${1:-10000}
seconds=${2:-15}
port_svclab=15353
port_unbound=15354
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT INT TERM
# SVCLAB=path uses that binary instead of building the release one.
if [ -n "${WIRE_SERVER:-}" ]; then
  bin=$WIRE_SERVER
elif [ -n "${SVCLAB:-}" ]; then
  bin=$SVCLAB
else
  swift build -c release --product svclab >/dev/null
  bin=.build/release/svclab
fi

# wait_for FILE: until the server prints its "serving" line (at most 10 minutes).
wait_for() {
  for _ in $(seq 1 1200); do
    grep -q "serving on" "$1" 2>/dev/null && return 0
    sleep 0.5
  done
  echo "server did not start: $(cat "$1")" >&2
  return 1
}
rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }

# serve PORT OUT NAMES: svclab with the lab, or (WIRE_SERVER=path) the wire server alone over
# the engine, built from Scripts/bench/wire-server.swift (no Lua lab; same names and queries).
serve() {
  mkdir -p "$2"
  if [ -n "${WIRE_SERVER:-}" ]; then
    exec taskset -c 0 "$WIRE_SERVER" "$2" "$3" "$1"
  else
    exec taskset -c 0 "$bin" dns --listen "127.0.0.1:$1" Scripts/bench/dns-lab.lua "$2" "$3"
  fi
}
# svclab: the lab, then serving.
serve "$port_svclab" "$work" "$names" >"$work/svclab.out" 2>&1 &
svclab_pid=$!
pids+=("$svclab_pid")
wait_for "$work/svclab.out"
rss_lab=$(rss_kb "$svclab_pid")

# svclab with no Services, for the memory the names take.
serve "$((port_svclab + 10))" "$work/empty" 0 >"$work/empty.out" 2>&1 &
empty_pid=$!
pids+=("$empty_pid")
wait_for "$work/empty.out"
rss_empty=$(rss_kb "$empty_pid")
kill "$empty_pid"

cat >"$work/unbound.conf" <<CONF
server:
  interface: 127.0.0.1
  port: $port_unbound
  do-ip6: no
  num-threads: 1
  chroot: ""
  username: ""
  pidfile: ""
  directory: "$work"
  use-syslog: no
  logfile: ""
  verbosity: 0
  do-daemonize: no
  access-control: 127.0.0.0/8 allow
  include: "$work/zone.conf"
CONF
taskset -c 0 unbound -d -c "$work/unbound.conf" >"$work/unbound.out" 2>&1 &
pids+=("$!")
for _ in $(seq 1 100); do
  dig @127.0.0.1 -p "$port_unbound" +short +tries=1 +time=1 cluster.local SOA >/dev/null 2>&1 && break
  sleep 0.2
done

perf() {
  taskset -c 1 dnsperf -s 127.0.0.1 -p "$1" -d "$work/queries.txt" -l "$seconds" -c 4 -Q 1000000 2>&1 \
    | awk '/Queries per second/ {print $4}'
}
# A short warm-up each, then the measured runs, alternating.
seconds_saved=$seconds; seconds=2; perf "$port_svclab" >/dev/null; perf "$port_unbound" >/dev/null; seconds=$seconds_saved
qps_svclab=$(perf "$port_svclab")
qps_unbound=$(perf "$port_unbound")
rss_served=$(rss_kb "$svclab_pid")
stats=$(dig @127.0.0.1 -p "$port_svclab" +short svc-00001.default.svc.cluster.local)
echo "names:            $names Services (90 % existing, 10 % NXDOMAIN queries)"
echo "svclab QPS:       $qps_svclab"
echo "unbound QPS:      $qps_unbound"
awk -v a="$qps_svclab" -v b="$qps_unbound" 'BEGIN { printf "ratio:            %.2f (svclab / unbound)\n", a / b }'
echo "svclab RSS:       ${rss_lab} KiB with the names, ${rss_empty} KiB without, ${rss_served} KiB after the run"
awk -v a="$rss_lab" -v b="$rss_empty" -v n="$names" 'BEGIN { printf "memory per 10,000 names: %.1f MiB\n", (a - b) / 1024 * 10000 / n }'
echo "check: svc-00001 -> $stats"
