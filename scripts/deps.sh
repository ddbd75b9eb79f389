#!/usr/bin/env bash
# Install the Debian packages needed to build and test; idempotent: apt is
# only called when something is missing.
set -euo pipefail
pkgs=(build-essential cmake pkg-config libevent-dev libmnl-dev libnftnl-dev libssl-dev
      nftables wrk curl python3-aiosmtpd snmpd snmp groff-base man-db
      clang libclang-rt-14-dev python3-scapy
      clang-format iproute2 procps psmisc tcpdump keepalived
      ipvsadm qemu-system-x86 busybox-static cpio)
missing=()
for p in "${pkgs[@]}"; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[[ $st == "install ok installed" ]] || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
	echo "deps: all ${#pkgs[@]} packages present"
	exit 0
fi
SUDO=""
[[ $(id -u) -eq 0 ]] || SUDO="sudo"
echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# Debian's keepalived package ships a service; never let it start here.
if [[ ! -e /usr/sbin/policy-rc.d ]]; then
	printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
	$SUDO chmod 755 /usr/sbin/policy-rc.d
	trap '$SUDO rm -f /usr/sbin/policy-rc.d' EXIT
fi
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
