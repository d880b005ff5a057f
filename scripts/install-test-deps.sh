#!/usr/bin/env bash
# Installs the servers the tests start as child processes (Debian/Ubuntu packages):
#   redis-server (+ redis-tools: redis-cli), etcd-server + etcd-client (etcdctl), zookeeper.
# Idempotent: when everything is present it changes nothing and does not call apt.
# The packages' own services are kept from starting (policy-rc.d) and stopped if they did start:
# the tests start their own servers on free ports.
set -euo pipefail

PACKAGES=(redis-server redis-tools etcd-server etcd-client zookeeper)
ZOOKEEPER_JAR=/usr/share/java/zookeeper.jar

missing=()
command -v redis-server >/dev/null 2>&1 || missing+=("redis-server")
command -v redis-cli >/dev/null 2>&1 || missing+=("redis-cli")
command -v etcd >/dev/null 2>&1 || missing+=("etcd")
command -v etcdctl >/dev/null 2>&1 || missing+=("etcdctl")
[ -f "$ZOOKEEPER_JAR" ] || missing+=("zookeeper.jar")

if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-test-deps: redis-server, redis-cli, etcd, etcdctl and $ZOOKEEPER_JAR are present; nothing to do"
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1; then
  SUDO=(sudo)
else
  echo "install-test-deps: missing ${missing[*]}; run as root or install sudo, or: apt-get install -y ${PACKAGES[*]}" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-test-deps: missing ${missing[*]} and apt-get is not available; install ${PACKAGES[*]} (Debian names) by hand" >&2
  exit 1
fi

# Keep the packages' init scripts from starting their services during installation.
POLICY=/usr/sbin/policy-rc.d
added_policy=false
if [ ! -e "$POLICY" ]; then
  ${SUDO[@]+"${SUDO[@]}"} sh -c "printf '#!/bin/sh\nexit 101\n' > $POLICY && chmod 755 $POLICY"
  added_policy=true
fi
cleanup() {
  if [ "$added_policy" = true ]; then
    ${SUDO[@]+"${SUDO[@]}"} rm -f "$POLICY"
  fi
}
trap cleanup EXIT

# Only packages not installed yet: their services are the ones to stop afterwards.
newly=()
for package in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || newly+=("$package")
done

export DEBIAN_FRONTEND=noninteractive
${SUDO[@]+"${SUDO[@]}"} env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
${SUDO[@]+"${SUDO[@]}"} env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${PACKAGES[@]}" >/dev/null

# Belt and braces where systemd runs: a service that started anyway is stopped.
if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
  for package in ${newly[@]+"${newly[@]}"}; do
    case "$package" in
      redis-server) unit=redis-server ;;
      etcd-server) unit=etcd ;;
      *) continue ;;
    esac
    if systemctl is-active --quiet "$unit" 2>/dev/null; then
      ${SUDO[@]+"${SUDO[@]}"} systemctl stop "$unit" || true
    fi
  done
fi

newly_text="${newly[*]+${newly[*]}}"
echo "install-test-deps: ${missing[*]} missing; ran apt-get install ${PACKAGES[*]} (newly installed: ${newly_text:-none})"
