#!/usr/bin/env bash
# Installs the Debian packages the network-namespace tests need (TESTING.md: "whatever they need
# is installed by the build's own idempotent scripts"). Runs in every build; does nothing unless
# we are root on a Debian-like machine and a tool is missing. Never fails the build: the tests
# themselves skip with a clear message when a tool is still missing.
set -u
needed=(ip:iproute2 iptables:iptables nft:nftables ping:iputils-ping iperf3:iperf3 curl:curl)
missing=()
for pair in "${needed[@]}"; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "e2e: missing ${missing[*]} and cannot install them here (need root and apt-get); namespace tests will skip"
  exit 0
fi
echo "e2e: installing ${missing[*]} for the namespace tests"
export DEBIAN_FRONTEND=noninteractive
if ! apt-get install -y -q --no-install-recommends "${missing[@]}" >/tmp/zerokube-e2e-apt.log 2>&1; then
  apt-get update -q >/dev/null 2>&1 || true
  apt-get install -y -q --no-install-recommends "${missing[@]}" >/tmp/zerokube-e2e-apt.log 2>&1 \
    || echo "e2e: apt-get failed (see /tmp/zerokube-e2e-apt.log); namespace tests will skip"
fi
exit 0
