#!/usr/bin/env bash
# Makes a fresh Debian machine with Node 20 ready for kubelab: the Debian packages it runs
# (NATS, etcdctl and etcd for tests and benchmarks, busybox, ab, h2load for benchmarks, nft for
# kube-proxy's nftables mode), the npm packages, and the build. The tests also need the real kubectl (1.32) on PATH, which Debian does
# not package at that version.
# Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

declare -A packages=([nats-server]=nats-server [etcdctl]=etcd-client [etcd]=etcd-server [busybox]=busybox [ab]=apache2-utils [h2load]=nghttp2-client [nft]=nftables)
missing=()
for command in "${!packages[@]}"; do
  if ! PATH="$PATH:/usr/sbin:/sbin" command -v "$command" >/dev/null 2>&1; then missing+=("${packages[$command]}"); fi
done
if ((${#missing[@]} > 0)); then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  echo "kubelab setup: installing Debian packages: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # On a machine with systemd, Debian starts the packages' own servers: NATS on 4222 and etcd on
  # 2379, the lab's ports. The lab runs its own; the services just installed are stopped.
  if [ -d /run/systemd/system ]; then
    for unit in nats-server etcd; do
      package=$([ "$unit" = etcd ] && echo etcd-server || echo nats-server)
      if [[ " ${missing[*]} " == *" $package "* ]] && systemctl is-enabled --quiet "$unit" 2>/dev/null; then
        echo "kubelab setup: stopping Debian's $unit service (the lab runs its own on its port)"
        $sudo systemctl disable --now "$unit" >/dev/null 2>&1 || true
      fi
    done
  fi
fi

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "kubelab setup: installing npm packages"
  npm ci --no-audit --no-fund --loglevel=error
fi
npm run --silent build
