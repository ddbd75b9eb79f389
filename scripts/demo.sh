#!/usr/bin/env bash
# The demo: two directors and a client on a bridge, running the seed 003
# master/backup configuration (addresses moved into 192.0.2.0/24).  It
# shows the process tree, who owns the VIPs, a takeover after kill -9 of
# the master's daemon with its measured time, the watchdog respawning a
# killed VRRP child, and preemption when the master returns.
set -uo pipefail
bin=$(readlink -f "${1:-build/keepalived}")
top=$(cd "$(dirname "$0")/.." && pwd)
[[ $(id -u) -eq 0 ]] || { echo "demo: needs root (network namespaces)"; exit 1; }
tag=kademo$$
dir=$(mktemp -d /tmp/ka-demo.XXXXXX)
sw=$tag-sw m=$tag-master b=$tag-backup cl=$tag-client
cleanup() {
	local ns p
	for ns in $m $b $cl $sw; do
		for p in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
		ip netns del "$ns" 2>/dev/null
	done
	rm -rf "$dir"
}
trap cleanup EXIT
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
now_ms() { date +%s%3N; }
wait_for() { # seconds command...
	local i n=$(($1 * 50)); shift
	for ((i = 0; i < n; i++)); do "$@" && return 0; sleep 0.02; done
	return 1
}
owns() { # (no `ip | grep -q` under pipefail: an early exit of grep fails the pipe)
	local out
	out=$(ip -n "$1" -4 addr show dev eth0)
	[[ $out == *" 192.0.2.1/"* ]]
}
owner() {
	if owns "$m" && owns "$b"; then echo "BOTH (split brain!)"
	elif owns "$m"; then echo "director 1 (master config, 192.0.2.10)"
	elif owns "$b"; then echo "director 2 (backup config, 192.0.2.11)"
	else echo "nobody"; fi
}

say "Building the LAN: a bridge, two directors and a client (namespaces)"
ip netns add "$sw"
ip -n "$sw" link add br0 type bridge
ip -n "$sw" link set br0 up
i=0
for ns in $m $b $cl; do
	i=$((i + 1))
	ip netns add "$ns"
	ip -n "$ns" link set lo up
	ip -n "$ns" link add eth0 type veth peer name "p$i" netns "$sw"
	ip -n "$sw" link set "p$i" master br0 up
	ip -n "$ns" link set eth0 up
done
ip -n "$m" addr add 192.0.2.10/24 dev eth0
ip -n "$b" addr add 192.0.2.11/24 dev eth0
ip -n "$cl" addr add 192.0.2.200/24 dev eth0
sed 's/10\.139\.1\./192.0.2./g' "$top/demo/seed003-master.conf" >"$dir/master.conf"
sed 's/10\.139\.1\./192.0.2./g' "$top/demo/seed003-backup.conf" >"$dir/backup.conf"
echo "director 1: 192.0.2.10, director 2: 192.0.2.11, client: 192.0.2.200"

say "Configuration of director 1 (seed 003 master; comments removed)"
sed 's/[#!].*//' "$dir/master.conf" | grep -v '^[[:space:]]*$'

start() { # ns conf name
	ip netns exec "$1" "$bin" -l -G -f "$2" -p "$dir/$3.pid" -r "$dir/$3.vrrp.pid" \
		-c "$dir/$3.check.pid" >>"$dir/$3.log" 2>&1
	wait_for 5 test -s "$dir/$3.vrrp.pid"
}

say "Starting keepalived on both directors"
t0=$(now_ms)
start "$m" "$dir/master.conf" d1
start "$b" "$dir/backup.conf" d2
wait_for 10 owns "$m" && echo "director 1 became MASTER after $(($(now_ms) - t0)) ms (Master_Down_Interval 3.61 s: even 'state MASTER' waits, as upstream)"
echo "VIP 192.0.2.1 is owned by: $(owner)"
ps -o pid,ppid,args --forest -p "$(cat "$dir/d1.pid")" --ppid "$(cat "$dir/d1.pid")" | cut -c1-100

say "The watchdog: kill -9 the VRRP child of director 1"
old=$(cat "$dir/d1.vrrp.pid")
t0=$(now_ms)
kill -KILL "$old"
respawned() { local p; p=$(cat "$dir/d1.vrrp.pid" 2>/dev/null) && [[ -n $p && $p != "$old" ]] && kill -0 "$p" 2>/dev/null; }
wait_for 5 respawned && echo "VRRP child $old respawned as $(cat "$dir/d1.vrrp.pid") after $(($(now_ms) - t0)) ms"
wait_for 10 owns "$m"
echo "VIP 192.0.2.1 is owned by: $(owner)"

say "Failover: kill -9 every process of director 1's daemon"
t0=$(now_ms)
kill -KILL "$(cat "$dir/d1.pid")" "$(cat "$dir/d1.vrrp.pid")"
ip -n "$m" addr del 192.0.2.1/32 dev eth0 2>/dev/null # a dead daemon leaves its VIPs
ip -n "$m" addr del 192.0.2.2/32 dev eth0 2>/dev/null
if wait_for 10 owns "$b"; then
	echo "director 2 took over after $(($(now_ms) - t0)) ms (bound: Master_Down_Interval 3 x 1 s + skew 0.61 s = 3.61 s)"
else
	echo "director 2 did NOT take over"; cat "$dir/d2.log"; exit 1
fi
echo "VIP 192.0.2.1 is owned by: $(owner)"
grep -h "Entering MASTER" "$dir/d2.log" | tail -1

say "Director 1 returns: higher priority (100 > 99), it preempts"
rm -f "$dir"/d1*.pid
t0=$(now_ms)
start "$m" "$dir/master.conf" d1
if wait_for 10 owns "$m" && wait_for 5 bash -c "! owns_b() { [[ \$(ip -n $b -4 addr show dev eth0) == *' 192.0.2.1/'* ]]; }; owns_b"; then
	echo "director 1 preempted after $(($(now_ms) - t0)) ms"
fi
echo "VIP 192.0.2.1 is owned by: $(owner)"

say "Logs of director 2"
cat "$dir/d2.log"

say "Stopping both (SIGTERM)"
kill -TERM "$(cat "$dir/d1.pid")" "$(cat "$dir/d2.pid")"
wait_for 10 bash -c "[[ -z \$(ip netns pids $m) && -z \$(ip netns pids $b) ]]" && echo "stopped; nothing left running"
