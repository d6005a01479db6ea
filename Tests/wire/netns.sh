#!/usr/bin/env bash
# glibc's getaddrinfo (getent ahosts) and musl's (a tiny program built with musl-gcc) in a
# network namespace of our own (svlt-PID) with the client pod's resolv.conf and /etc/hosts
# (`ip netns exec` bind-mounts /etc/netns/NAME/*): the kube-dns ClusterIP is put on the
# namespace's loopback and svclab serves there (Tests/wire/resolvers.lua).
# The namespace and /etc/netns/NAME are removed on exit, failure, Ctrl-C and SIGTERM.
#   Tests/wire/netns.sh SVCLAB      (root)
set -uo pipefail
cd "$(dirname "$0")/../.."
bin=$(realpath "$1")
if [ "$(id -u)" -ne 0 ]; then
  echo "FAIL  the resolver tests need root (network namespaces)"
  echo "0 passed, 1 failed"
  exit 1
fi
namespaces=()
work=$(mktemp -d)
cleanup() {
  for ns in "${namespaces[@]}"; do
    ip netns del "$ns" 2>/dev/null
    rm -rf "/etc/netns/$ns"
  done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT
trap 'cleanup; exit 143' TERM

# run POD: one namespace with POD's resolv.conf, /etc/hosts and addresses; glibc then musl.
outs=()
run() {
  local pod=$1 ip=$2 ns=svlt-$$-$1
  namespaces+=("$ns")
  mkdir -p "/etc/netns/$ns"
  "$bin" Tests/wire/podfiles.lua resolv.conf "$pod" >"/etc/netns/$ns/resolv.conf" || return 1
  "$bin" Tests/wire/podfiles.lua hosts "$pod" >"/etc/netns/$ns/hosts" || return 1
  # files then dns, as in Debian's and most images' nsswitch.conf.
  printf 'hosts: files dns\n' >"/etc/netns/$ns/nsswitch.conf"
  ip netns add "$ns" || return 1
  ip -n "$ns" link set lo up
  local nameserver
  nameserver=$(awk '/^nameserver/ {print $2; exit}' "/etc/netns/$ns/resolv.conf")
  ip -n "$ns" addr add "$nameserver/32" dev lo
  # The pod's own interface: its IPv4 address and an IPv6 one. glibc's getaddrinfo with
  # AI_ADDRCONFIG (getent ahosts) asks AAAA only when the host has a non-loopback IPv6
  # address; resolve() models a program that asks A and AAAA at every step (Docs/Fidelity.md).
  ip -n "$ns" link add eth0 type veth peer name peer0
  ip -n "$ns" link set peer0 up
  ip -n "$ns" link set eth0 up
  ip -n "$ns" addr add "$ip/24" dev eth0
  ip -n "$ns" addr add "fd00:10:244:1::${ip##*.}/64" dev eth0 nodad
  ip netns exec "$ns" "$bin" Tests/wire/resolvers.lua glibc "getent ahosts %s" "$pod" >"$work/glibc-$pod.out" 2>&1 || total_status=1
  cat "$work/glibc-$pod.out"
  outs+=("$work/glibc-$pod.out")
  if [ -x "$work/gai-musl" ]; then
    ip netns exec "$ns" "$bin" Tests/wire/resolvers.lua musl "$work/gai-musl %s" "$pod" >"$work/musl-$pod.out" 2>&1 || total_status=1
    cat "$work/musl-$pod.out"
    outs+=("$work/musl-$pod.out")
  fi
}
total_status=0
if ! { command -v musl-gcc >/dev/null && musl-gcc -O2 -static -o "$work/gai-musl" Tests/wire/gai.c; }; then
  echo "FAIL  musl-gcc (Debian's musl-tools) could not build Tests/wire/gai.c"
  echo "0 passed, 1 failed" >"$work/musl-build.out"
  outs+=("$work/musl-build.out")
  total_status=1
fi
run client 10.244.1.20 || total_status=1
run dotted 10.244.1.21 || total_status=1
p=0; f=0
for out in "${outs[@]}"; do
  s=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$out" | tail -1)
  [ -n "$s" ] || s="0 passed, 1 failed"
  p=$((p + $(cut -d' ' -f1 <<<"$s"))); f=$((f + $(cut -d' ' -f3 <<<"$s")))
done
echo "$p passed, $f failed"
exit $total_status
