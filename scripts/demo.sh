#!/usr/bin/env bash
# The demo: the daemon in a network namespace on the seed 003 master
# configuration (its addresses moved into 192.0.2.0/24), its process tree,
# then the VRRP child killed and respawned by the watchdog.
set -uo pipefail
bin=${1:-build/keepalived}
bin=$(readlink -f "$bin")
top=$(cd "$(dirname "$0")/.." && pwd)
[[ $(id -u) -eq 0 ]] || { echo "demo: needs root (network namespaces)"; exit 1; }
ns=ka-demo-$$
dir=$(mktemp -d /tmp/ka-demo.XXXXXX)
cleanup() {
	local p
	for p in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
	ip netns del "$ns" 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
wait_for() { # seconds command...
	local i n=$(($1 * 20)); shift
	for ((i = 0; i < n; i++)); do "$@" && return 0; sleep 0.05; done
	return 1
}

ip netns add "$ns"
ip -n "$ns" link set lo up
ip -n "$ns" link add eth0 type veth peer name eth1
ip -n "$ns" link set eth0 up
ip -n "$ns" link set eth1 up
ip -n "$ns" addr add 192.0.2.10/24 dev eth0
sed 's/10\.139\.1\./192.0.2./g' "$top/demo/seed003-master.conf" >"$dir/keepalived.conf"

say "Configuration (seed 003 master, addresses in 192.0.2.0/24)"
grep -v '^[[:space:]]*[#!]' "$dir/keepalived.conf" | sed 's/ *#.*//' | grep -v '^[[:space:]]*$'

say "Config test: keepalived -t"
ip netns exec "$ns" "$bin" -t -f "$dir/keepalived.conf" && echo "configuration OK (exit 0)"

say "Starting keepalived in namespace $ns"
ip netns exec "$ns" "$bin" -l -G -f "$dir/keepalived.conf" \
	-p "$dir/keepalived.pid" -r "$dir/vrrp.pid" -c "$dir/checkers.pid" >"$dir/log" 2>&1
wait_for 5 test -s "$dir/vrrp.pid" || { echo "daemon did not start"; cat "$dir/log"; exit 1; }
parent=$(cat "$dir/keepalived.pid")
vrrp=$(cat "$dir/vrrp.pid")
ps -o pid,ppid,cmd --forest -p "$parent" --ppid "$parent"

say "Killing the VRRP child (pid $vrrp) with SIGKILL"
t0=$(date +%s%3N)
kill -KILL "$vrrp"
respawned() { local p; p=$(cat "$dir/vrrp.pid" 2>/dev/null) && [[ -n $p && $p != "$vrrp" ]] && kill -0 "$p" 2>/dev/null; }
if wait_for 5 respawned; then
	echo "respawned as pid $(cat "$dir/vrrp.pid") after $(($(date +%s%3N) - t0)) ms"
else
	echo "NOT respawned"; cat "$dir/log"; exit 1
fi
ps -o pid,ppid,cmd --forest -p "$parent" --ppid "$parent"

say "Daemon log"
cat "$dir/log"

say "Stopping (SIGTERM)"
kill -TERM "$parent"
wait_for 10 bash -c "! kill -0 $parent 2>/dev/null" && echo "stopped; processes left in namespace: $(ip netns pids "$ns" | wc -l)"
