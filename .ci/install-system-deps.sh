#!/usr/bin/env bash
# Installs the Debian packages the test suite and the benchmarks talk to as real
# peers: etcd (registry tests), redis-cli (RESP peer), protoc (checks generated
# .proto), and Apache Thrift's compiler (generates the Thrift peer of `npm run bench`).
# The packages' own service start is disabled so nothing grabs a default port.
set -euo pipefail
need=()
command -v etcd >/dev/null 2>&1 || need+=(etcd-server)
command -v redis-cli >/dev/null 2>&1 || need+=(redis-tools)
command -v protoc >/dev/null 2>&1 || need+=(protobuf-compiler)
command -v thrift >/dev/null 2>&1 || need+=(thrift-compiler)
[ ${#need[@]} -eq 0 ] && exit 0
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
# policy-rc.d exit 101 tells invoke-rc.d not to start services during install.
policy=/usr/sbin/policy-rc.d
had_policy=0
[ -e "$policy" ] && had_policy=1
if [ $had_policy -eq 0 ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null
  $SUDO chmod +x "$policy"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -o DPkg::Lock::Timeout=300
$SUDO apt-get install -y -o DPkg::Lock::Timeout=300 --no-install-recommends "${need[@]}"
[ $had_policy -eq 0 ] && $SUDO rm -f "$policy"
# etcd-server ships a systemd unit; on machines with systemd make sure it is off.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet etcd 2>/dev/null; then
  $SUDO systemctl stop etcd || true
  $SUDO systemctl disable etcd || true
fi
pkill -x etcd 2>/dev/null || true
exit 0
