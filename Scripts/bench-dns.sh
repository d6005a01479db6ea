#!/usr/bin/env bash
# dnsperf against `svclab dns` (the release binary) and, in the same run, against unbound
# serving the same Service names from a zone generated from the lab (queries: 90 % existing
# names, 10 % NXDOMAIN); and the wire server's two front ends over the same engine, the poll
# loop and SwiftNIO (Scripts/bench/wire-server, no Lua lab). Every server is pinned to CPU 0
# and dnsperf to CPU 1 (taskset); the servers take turns, ROUNDS times, SECONDS each.
# Prints each server's QPS per round and median, svclab / unbound, NIO / poll loop, svclab's
# memory per 10,000 names, and whether a change made under load reached the next query.
#   Scripts/bench-dns.sh [NAMES] [SECONDS]
# Environment: SVCLAB=path (skip the release build; SVCLAB=none: only the two front ends and
# unbound), BEFORE=path (another svclab binary, measured in the same turns), ROUNDS (default
# 3), ENGINES=0 (skip the poll/NIO comparison).
set -euo pipefail
cd "$(dirname "$0")/.."
names=${1:-10000}
seconds=${2:-10}
rounds=${ROUNDS:-3}
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT INT TERM
if [ -n "${SVCLAB:-}" ]; then
  bin=$SVCLAB
else
  swift build -c release --product svclab >/dev/null
  bin=.build/release/svclab
fi
wire=""
if [ "${ENGINES:-1}" != 0 ]; then
  swift build -c release --package-path Scripts/bench/wire-server --scratch-path .build-wire \
    >/dev/null
  wire=.build-wire/release/wire-server
fi

# wait_for FILE: until the server prints its "serving on" line (at most 10 minutes).
wait_for() {
  for _ in $(seq 1 1200); do
    grep -q "serving on" "$1" 2>/dev/null && return 0
    sleep 0.5
  done
  echo "server did not start: $(cat "$1")" >&2
  return 1
}
rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }

# start NAME PORT COMMAND...: a server pinned to CPU 0, its output in $work/NAME.out.
declare -A port_of
start() {
  local name=$1 port=$2
  shift 2
  taskset -c 0 "$@" >"$work/$name.out" 2>&1 &
  pids+=("$!")
  port_of[$name]=$port
  eval "pid_$name=$!"
}
mkdir -p "$work/lab" "$work/empty" "$work/before" "$work/wire"
servers=()
if [ "$bin" != none ]; then
  start svclab 15353 "$bin" dns --listen 127.0.0.1:15353 Scripts/bench/dns-lab.lua "$work/lab" \
    "$names"
  wait_for "$work/svclab.out"
  rss_lab=$(rss_kb "$pid_svclab")
  servers=(svclab)
  # svclab with no Services, for the memory the names take.
  start empty 15363 "$bin" dns --listen 127.0.0.1:15363 Scripts/bench/dns-lab.lua "$work/empty" 0
  wait_for "$work/empty.out"
  rss_empty=$(rss_kb "$pid_empty")
  kill "$pid_empty"
fi
if [ -n "${BEFORE:-}" ]; then
  start before 15355 "$BEFORE" dns --listen 127.0.0.1:15355 Scripts/bench/dns-lab.lua \
    "$work/before" "$names"
  wait_for "$work/before.out"
  servers+=(before)
fi
if [ -n "$wire" ]; then
  start poll 15356 "$wire" "$work/wire" "$names" 15356 poll
  start nio 15357 "$wire" "$work/wire" "$names" 15357 nio
  wait_for "$work/poll.out"
  wait_for "$work/nio.out"
  servers+=(poll nio)
  # Without svclab, unbound serves the harness's zone (the same names).
  [ "$bin" != none ] || cp "$work/wire/zone.conf" "$work/wire/queries.txt" "$work/lab/"
fi

cat >"$work/unbound.conf" <<CONF
server:
  interface: 127.0.0.1
  port: 15354
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
  include: "$work/lab/zone.conf"
CONF
start unbound 15354 unbound -d -c "$work/unbound.conf"
for _ in $(seq 1 100); do
  dig @127.0.0.1 -p 15354 +short +tries=1 +time=1 cluster.local SOA >/dev/null 2>&1 && break
  sleep 0.2
done
servers+=(unbound)

# The same answers from every server before anything is measured.
want=$(dig @127.0.0.1 -p 15354 +short svc-00001.default.svc.cluster.local)
for s in "${servers[@]}"; do
  got=$(dig @127.0.0.1 -p "${port_of[$s]}" +short +tries=2 +time=2 \
    svc-00001.default.svc.cluster.local)
  if [ "$got" != "$want" ]; then
    echo "$s answers svc-00001 with '$got', unbound with '$want'" >&2
    exit 1
  fi
done

# perf PORT SECONDS: dnsperf's queries per second against 127.0.0.1:PORT.
perf() {
  taskset -c 1 dnsperf -s 127.0.0.1 -p "$1" -d "$work/lab/queries.txt" -l "$2" -c 4 \
    -Q 1000000 2>&1 | awk '/Queries per second/ {printf "%d\n", $4}'
}
for s in "${servers[@]}"; do perf "${port_of[$s]}" 2 >/dev/null; done  # warm-up
declare -A qps
for r in $(seq 1 "$rounds"); do
  for s in "${servers[@]}"; do qps[$s]+="$(perf "${port_of[$s]}" "$seconds") "; done
done
median() { tr ' ' '\n' <<<"$1" | grep . | sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
echo "names: $names Services (90 % existing, 10 % NXDOMAIN queries), $rounds rounds of ${seconds} s"
for s in "${servers[@]}"; do
  printf "%-8s QPS: %-28s median %s\n" "$s" "${qps[$s]}" "$(median "${qps[$s]}")"
done
ratio() {
  awk -v a="$(median "${qps[$1]}")" -v b="$(median "${qps[$2]}")" \
    'BEGIN { printf "%.2f", a / b }'
}
[ "$bin" != none ] && echo "svclab / unbound: $(ratio svclab unbound)"
[ -n "${BEFORE:-}" ] && echo "svclab / before:  $(ratio svclab before)"
[ -n "$wire" ] && echo "poll / unbound:   $(ratio poll unbound)" \
  && echo "nio / poll loop:  $(ratio nio poll)"
[ "$bin" != none ] || exit 0
rss_served=$(rss_kb "$pid_svclab")
echo "svclab RSS: ${rss_lab} KiB with the names, ${rss_empty} KiB without," \
  "${rss_served} KiB after the runs"
awk -v a="$rss_lab" -v b="$rss_empty" -v n="$names" \
  'BEGIN { printf "memory per 10,000 names: %.1f MiB\n", (a - b) / 1024 * 10000 / n }'
for s in "${servers[@]}"; do kill "$(eval echo "\$pid_$s")" 2>/dev/null || true; done
mkdir -p "$work/change"
"$bin" Scripts/bench/dns-change.lua "$work/change" "$names" 5
