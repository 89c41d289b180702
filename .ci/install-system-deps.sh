#!/usr/bin/env bash
# Installs the Debian packages the test suite and the benchmarks talk to as real
# peers: etcd and ZooKeeper (registry tests), redis-cli (RESP peer), redis-server and
# redis-benchmark (the RESP comparison of `npm run bench`), protoc (checks generated
# .proto), and Apache Thrift's compiler (generates the Thrift peer of `npm run bench`).
# The packages' own service start is disabled so nothing grabs a default port.
set -euo pipefail
need=()
command -v etcd >/dev/null 2>&1 || need+=(etcd-server)
# etcdctl turns on etcd's user/password authentication in the security tests.
command -v etcdctl >/dev/null 2>&1 || need+=(etcd-client)
command -v redis-cli >/dev/null 2>&1 || need+=(redis-tools)
# bench/resp-vs-redis.ts starts its own redis-server on a free port (redis-tools has redis-benchmark).
installing_redis=0
command -v redis-server >/dev/null 2>&1 || { need+=(redis-server); installing_redis=1; }
command -v protoc >/dev/null 2>&1 || need+=(protobuf-compiler)
command -v thrift >/dev/null 2>&1 || need+=(thrift-compiler)
# Apache Thrift's Python library: an independent Thrift client and server in the tests (Debian's python3).
dpkg -s python3-thrift >/dev/null 2>&1 || need+=(python3-thrift)
# The tests run ZooKeeper's jar with java: the library package and a headless JRE
# are all they need (the `zookeeper` package would pull a full desktop JRE).
[ -f /usr/share/java/zookeeper.jar ] && command -v java >/dev/null 2>&1 || need+=(libzookeeper-java default-jre-headless)
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
# The zookeeper package itself ships no service (zookeeperd does); should one be
# installed and running, stop it so nothing holds the default port 2181 (the
# tests start their own servers on free ports).
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet zookeeper 2>/dev/null; then
  $SUDO systemctl stop zookeeper || true
  $SUDO systemctl disable zookeeper || true
elif [ -x /etc/init.d/zookeeper ]; then
  $SUDO /etc/init.d/zookeeper stop >/dev/null 2>&1 || true
fi
# redis-server ships a service on 6379 (its start was blocked above). Keep it off on
# machines with systemd, and should the package's server run anyway, stop it through
# its own port, so nothing holds 6379 (the bench starts its own on a free port). Only
# right after installing it: a redis someone runs on purpose is left alone.
if [ $installing_redis -eq 1 ]; then
  if command -v systemctl >/dev/null 2>&1 && systemctl is-enabled --quiet redis-server 2>/dev/null; then
    $SUDO systemctl disable --now redis-server >/dev/null 2>&1 || true
  fi
  if redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
    redis-cli -h 127.0.0.1 -p 6379 shutdown nosave >/dev/null 2>&1 || true
  fi
fi
exit 0
