#!/usr/bin/env bash
# Builds kube-apiserver, kube-controller-manager and kubectl v1.20.2 offline from Debian bookworm's
# `kubernetes` source package (../shared/design/KUBE-APISERVER.md) and caches them OUTSIDE the
# repository. Idempotent: exits at once when the cache is complete. Never fails the Maven build:
# without root, apt-get or the source package it prints why and exits 0, and the tests that need
# the binaries skip with that reason (see KubeApiServer.java).
#
#   e2e/scripts/kube-apiserver.sh            build if missing, print the cache directory
#   ZEROKUBE_CACHE=/path ...                 cache root (default: $HOME/.cache/zerokube)
set -uo pipefail

cache_root="${ZEROKUBE_CACHE:-$HOME/.cache/zerokube}"
out="$cache_root/kube-1.20.2"
marker="$out/.complete"
version="1.20.5+really1.20.2-1.1+deb12u1"
orig_sha256="b83c0780efb182d928dc63d46488a847f161f04e40a94b96bf5247dd671ecdfc"

say() { echo "kube-apiserver.sh: $*" >&2; }
give_up() { say "$*; tests needing a real API server will skip"; mkdir -p "$out"; echo "$*" > "$out/.unavailable"; exit 0; }

if [ -f "$marker" ]; then
  echo "$out"
  exit 0
fi
[ "$(id -u)" = 0 ] || give_up "needs root to install Debian's Go and etcd"
command -v apt-get >/dev/null 2>&1 || give_up "needs apt-get (Debian)"

mkdir -p "$cache_root"
exec 9>"$cache_root/kube-1.20.2.lock"
flock 9
[ -f "$marker" ] && { echo "$out"; exit 0; }

export DEBIAN_FRONTEND=noninteractive
say "installing Go, etcd and build tools from Debian"
apt-get install -y -q golang-go etcd-server rsync jq golang-github-modern-go-reflect2-dev >/tmp/zerokube-kube-apt.log 2>&1 \
  || { apt-get update -q >/dev/null 2>&1; apt-get install -y -q golang-go etcd-server rsync jq golang-github-modern-go-reflect2-dev >/tmp/zerokube-kube-apt.log 2>&1; } \
  || give_up "apt-get install failed (see /tmp/zerokube-kube-apt.log)"

scratch="$cache_root/kube-build"
rm -rf "$scratch"
mkdir -p "$scratch/parts" "$scratch/lists/partial" "$scratch/cache/archives/partial" "$scratch/src"
# A private apt configuration with deb-src entries, so the system's apt setup stays untouched.
sed 's/^Types: deb$/Types: deb-src/' /etc/apt/sources.list.d/debian.sources > "$scratch/parts/debian-src.sources" \
  || give_up "no /etc/apt/sources.list.d/debian.sources to derive a source list from"
apt_private=(-o Dir::Etc::SourceList=/dev/null -o "Dir::Etc::SourceParts=$scratch/parts"
             -o "Dir::State::Lists=$scratch/lists" -o "Dir::Cache=$scratch/cache")
say "downloading the kubernetes $version source package"
apt-get "${apt_private[@]}" update -q >"$scratch/apt-update.log" 2>&1 || give_up "apt-get update of the source list failed"
(cd "$scratch/src" && apt-get "${apt_private[@]}" source --download-only "kubernetes=$version" >"$scratch/apt-source.log" 2>&1) \
  || give_up "apt-get source kubernetes=$version failed"
orig=$(ls "$scratch"/src/kubernetes_*.orig.tar.* 2>/dev/null | head -1)
[ -n "$orig" ] || give_up "no orig tarball downloaded"
echo "$orig_sha256  $orig" | sha256sum -c --quiet - || give_up "orig tarball checksum mismatch"
tar -xf "$orig" -C "$scratch/src" || give_up "cannot unpack $orig"
tree="$scratch/src/kubernetes-1.20.2"
[ -d "$tree/vendor" ] || give_up "unexpected source layout (no $tree/vendor)"

# The vendored reflect2 1.0.1 crashes the server under Go >= 1.18: use Debian's fixed copy.
find "$tree/vendor/github.com/modern-go/reflect2" -maxdepth 1 \( -name '*.go' -o -name '*.s' \) -delete
cp /usr/share/gocode/src/github.com/modern-go/reflect2/*.go "$tree/vendor/github.com/modern-go/reflect2/"
cp /usr/share/gocode/src/github.com/modern-go/reflect2/*.s "$tree/vendor/github.com/modern-go/reflect2/" 2>/dev/null || true

say "building (about 10 minutes on 2 cores)"
(cd "$tree" && env -u GOFLAGS HOME="$scratch" make WHAT="cmd/kube-apiserver cmd/kube-controller-manager cmd/kubectl" \
   >"$scratch/make.log" 2>&1) || give_up "make failed (see $scratch/make.log)"
mkdir -p "$out"
for b in kube-apiserver kube-controller-manager kubectl; do
  install -m 0755 "$tree/_output/bin/$b" "$out/$b" || give_up "missing $b after the build"
done
ln -sf "$(command -v etcd)" "$out/etcd"
rm -f "$out/.unavailable"
touch "$marker"
rm -rf "$scratch"
say "cached in $out"
echo "$out"
