#!/usr/bin/env bash
# Installs what svclab needs on a fresh Debian machine (run as root).
#   Scripts/setup.sh          what building and running svclab needs
#   Scripts/setup.sh --test   also what the test suite needs
# Packages already present are skipped quietly; `apt-get update` runs at most once.
set -euo pipefail

build_pkgs=(liblua5.4-dev libreadline-dev pkg-config)
test_pkgs=(lua5.4 lua-busted tmux iptables iproute2 graphviz python3-pip conntrack nftables tcpdump procps util-linux)
# DNS on the wire: dig, glibc's getent, musl-gcc, dnsperf and unbound (Scripts/test-wire.sh, bench-dns.sh).
test_pkgs+=(dnsutils libc-bin musl-tools dnsperf unbound)

want=("${build_pkgs[@]}")
[ "${1:-}" = "--test" ] && want+=("${test_pkgs[@]}")

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: missing Debian packages: ${missing[*]} (run as root to install them)" >&2
    exit 1
  fi
  echo "setup: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq -o DPkg::Lock::Timeout=600 >/dev/null
  apt-get install -y -qq -o DPkg::Lock::Timeout=600 --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ "${1:-}" = "--test" ]; then
  # The schema validator for exported manifests comes from PyPI.
  if ! command -v kubernetes-validate >/dev/null 2>&1; then
    echo "setup: installing kubernetes-validate from PyPI" >&2
    python3 -m pip install -q --disable-pip-version-check kubernetes-validate >/dev/null 2>&1 \
      || python3 -m pip install -q --disable-pip-version-check --break-system-packages kubernetes-validate >/dev/null
  fi
  # dnspython, the second wire client of Scripts/test-wire.sh.
  if ! python3 -c 'import dns.message' >/dev/null 2>&1; then
    echo "setup: installing dnspython from PyPI" >&2
    python3 -m pip install -q --disable-pip-version-check dnspython >/dev/null 2>&1 \
      || python3 -m pip install -q --disable-pip-version-check --break-system-packages dnspython >/dev/null
  fi
fi
