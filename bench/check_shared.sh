#!/usr/bin/env bash
# Shared checks, ours vs Debian's keepalived, same run (one after the other).
#
# 10 virtual servers (203.0.113.1-10, ports 8000-8001) in front of the same
# 500 real servers (198.51.100.1-250 x ports 8000-8001) with identical
# TCP_CHECKs (delay_loop 1, connect_timeout 2, retry 1).  keepalived runs one
# check per real server per virtual server: 5,000 per delay_loop.  Ours runs
# identical checks once and fans the result out: 500 per delay_loop.
# Measured over SECONDS after WARM: checks per delay_loop (connections the
# servers accepted per second, delay_loop being 1 s), CPU of the checker
# child (% of a core, utime+stime from /proc/PID/stat) and its VmRSS.
# Goal (issue 4): ours 500 per loop, keepalived 5,000; ours CPU <= 1/8 of
# keepalived's.
#
# Usage: bench/check_shared.sh [SECONDS]   (default 20; env WARM=5,
#        SHARED_TYPES="tcp" (or "tcp http"), DAEMONS="ours ka")
source "$(dirname "$0")/check_lib.sh"
SECS=${1:-${SHARED_SECS:-20}}
WARM=${WARM:-5}
TYPES=${SHARED_TYPES:-tcp}
COPIES=10
RS=500
c_need
c_setup "" || b_die "cannot build the namespaces"
srv_main || b_die "check_srv did not start"

b_header
echo "# SECONDS=$SECS WARM=$WARM: $COPIES virtual servers x the same $RS real servers, identical checks, delay_loop 1"
echo "# $SHIM_NOTE"
c_daemons
: >"$B_DIR/res"

for type in $TYPES; do
	conf=$B_DIR/shared-$type.conf
	gen_conf "$conf" "$type" "$RS" "$COPIES"
	[[ $type == tcp ]] && key=tcp || key=resp
	for kind in $C_DAEMONS; do
		c_start "$kind" "$conf" || b_die "$(b_label "$kind") did not start its checker (log $C_LOG)"
		sleep "$WARM"
		c0=$(srv_count main "$key")
		k0=$(proc_ticks "$CPID")
		t0=$EPOCHREALTIME
		sleep "$SECS"
		k1=$(proc_ticks "$CPID")
		t1=$EPOCHREALTIME
		c1=$(srv_count main "$key")
		rss=$(proc_rss_kb "$CPID")
		pid_alive "$CPID" || b_die "$(b_label "$kind")'s checker died (log $C_LOG)"
		c_stop
		awk -v type="$type" -v kind="$kind" -v c=$((c1 - c0)) -v k=$((k1 - k0)) -v t0="$t0" -v t1="$t1" \
			-v hz="$HZ" -v rss="$rss" 'BEGIN { dt = t1 - t0
			printf "%s %s %.1f %.2f %.2f %d\n", type, kind, c / dt, k / hz / dt * 100,
				c ? k / hz * 1e6 / c : 0, rss }' >>"$B_DIR/res"
	done
done

echo
echo "== Shared checks: $COPIES virtual servers x $RS identical real servers, delay_loop 1 s =="
printf '%-5s %-11s %15s %8s %9s %9s\n' type daemon checks/loop cpu% us/check rss-kB
declare -A CPU
while read -r type kind cps cpu us rss; do
	CPU[$type-$kind]=$cpu
	printf '%-5s %-11s %15s %8s %9s %9s\n' "$type" "$(b_label "$kind")" "$cps" "$cpu" "$us" "$rss"
done <"$B_DIR/res"
echo "(checks/loop: connections the servers accepted per second; expected: ours $RS, keepalived $((RS * COPIES)))"
if [[ $C_DAEMONS == *ours* && $C_DAEMONS == *ka* ]]; then
	echo
	for type in $TYPES; do
		echo "ratio ours/keepalived CPU ($type): $(ratio "${CPU[$type-ours]}" "${CPU[$type-ka]}")  (goal <= 0.125)"
	done
fi
exit 0
