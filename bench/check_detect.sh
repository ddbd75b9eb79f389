#!/usr/bin/env bash
# Detection latency of a failed real server, ours vs Debian's keepalived,
# same run (one after the other).
#
# One virtual server (203.0.113.1:9000) with one real server, 203.0.113.10:9000
# (its own check_srv in the servers namespace, bound to that address), a
# TCP_CHECK with delay_loop 1, connect_timeout 2, retry 1,
# delay_before_retry 1, and notify_down / notify_up scripts that append
# "down|up $EPOCHREALTIME" to a log (bash, no fork: the timestamp is taken
# when the daemon's script runs).  Two ways to fail, RUNS trials each:
#   rst   the listener process is killed (SIGKILL): the next SYN gets a RST,
#         every check fails at once;
#   drop  the server's address is removed from the servers namespace (which
#         does not forward): SYNs vanish without an answer, every check
#         fails after connect_timeout.
# Trial r stops the server (r - 0.5) / RUNS * delay_loop after a check reached
# it (seen from its accept counter), so the stop phases relative to the check
# grid are spread evenly and are the same for both daemons.  Measured: from
# the stop (just before the kill; just after `ip addr del` returned) to the
# notify_down timestamp.  Then the server is restored and the time to the
# notify_up is reported too.
# Bounds (what the configuration allows, + 20 ms):
#   rst   delay_loop + retry x delay_before_retry + 20 ms        = 2020 ms
#   drop  delay_loop + (retry + 1) x connect_timeout
#         + retry x delay_before_retry + 20 ms                   = 6020 ms
# (the next check starts within delay_loop; each of the retry + 1 attempts
# fails at once (rst) or after connect_timeout (drop); delay_before_retry
# separates them).
#
# Usage: bench/check_detect.sh [RUNS]   (default 10; env DETECT_MODES="rst drop",
#        DAEMONS="ours ka")
source "$(dirname "$0")/check_lib.sh"
RUNS=${1:-${DETECT_RUNS:-10}}
MODES=${DETECT_MODES:-rst drop}
DL=1 CT=2 RETRY=1 DBR=1
c_need
c_setup "" || b_die "cannot build the namespaces"
srv_main || b_die "check_srv did not start"
srv_start det -b "$DET_ADDR" -t "$DET_PORT" || b_die "check_srv for $DET_ADDR did not start"

NLOG=$B_DIR/notify.log
cat >"$B_DIR/notify.sh" <<EOF
#!/bin/bash
echo "\$1 \$EPOCHREALTIME" >>$NLOG
EOF
chmod 755 "$B_DIR/notify.sh"
cat >"$B_DIR/detect.conf" <<EOF
global_defs {
    router_id bench
}
virtual_server 203.0.113.1 $DET_PORT {
    delay_loop $DL
    lb_algo rr
    lb_kind NAT
    protocol TCP
    real_server $DET_ADDR $DET_PORT {
        weight 1
        notify_down "$B_DIR/notify.sh down"
        notify_up "$B_DIR/notify.sh up"
        TCP_CHECK {
            connect_timeout $CT
            retry $RETRY
            delay_before_retry $DBR
        }
    }
}
EOF
declare -A BOUND=([rst]=$(((DL + RETRY * DBR) * 1000 + 20)) [drop]=$(((DL + (RETRY + 1) * CT + RETRY * DBR) * 1000 + 20)))

b_header
echo "# RUNS=$RUNS modes=\"$MODES\": TCP_CHECK delay_loop $DL connect_timeout $CT retry $RETRY delay_before_retry $DBR"
echo "# $SHIM_NOTE"
c_daemons

nlines() { local n; n=$(grep -c "^$1 " "$NLOG" 2>/dev/null) || n=0; echo "$n"; }
last_ts() { awk -v w="$1" '$1 == w { t = $2 } END { print t }' "$NLOG"; }
ms_between() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f\n", (b - a) * 1000 }'; }
# shellcheck disable=SC2317 # called through wait_until
more_lines() { [[ $(nlines "$1") -gt $2 ]]; }

# trial KIND MODE R -> appends "kind mode r down_ms up_ms" to $B_DIR/res
trial() {
	local kind=$1 mode=$2 r=$3 c d0 u0 t0 t1 tu phase
	d0=$(nlines down)
	u0=$(nlines up)
	c=$(srv_count det tcp)
	wait_until 3 srv_moved det tcp "$c" || b_die "$(b_label "$kind"): no check reached the server in 3 s"
	phase=$(awk -v r="$r" -v n="$RUNS" -v dl="$DL" 'BEGIN { printf "%.3f", (r - 0.5) / n * dl }')
	sleep "$phase"
	if [[ $mode == rst ]]; then
		t0=$EPOCHREALTIME
		kill -KILL "${SRV_PID[det]}"
	else
		ip -n "$SRVNS" addr del "$DET_ADDR/32" dev lo
		t0=$EPOCHREALTIME
	fi
	wait_until 15 more_lines down "$d0" || b_die "$(b_label "$kind") did not report $mode down in 15 s"
	t1=$(last_ts down)
	# restore, then the time until it is reported up again
	if [[ $mode == rst ]]; then
		srv_stop det
		tu=$EPOCHREALTIME
		srv_start det -b "$DET_ADDR" -t "$DET_PORT" || b_die "check_srv for $DET_ADDR did not restart"
	else
		tu=$EPOCHREALTIME
		ip -n "$SRVNS" addr add "$DET_ADDR/32" dev lo
	fi
	wait_until 15 more_lines up "$u0" || b_die "$(b_label "$kind") did not report up in 15 s"
	echo "$kind $mode $r $(ms_between "$t0" "$t1") $(ms_between "$tu" "$(last_ts up)")" >>"$B_DIR/res"
}

: >"$B_DIR/res"
for kind in $C_DAEMONS; do
	c_start "$kind" "$B_DIR/detect.conf" || b_die "$(b_label "$kind") did not start its checker (log $C_LOG)"
	for mode in $MODES; do
		for ((r = 1; r <= RUNS; r++)); do trial "$kind" "$mode" "$r"; done
	done
	c_stop
done

echo
echo "== Detection latency: server stops -> notify_down (ms), $RUNS trials =="
printf '%-11s %-5s %4s %8s %8s %8s %8s %9s   %s\n' daemon mode n min median max bound in-bound "up again: min/median/max"
declare -A MED
for kind in $C_DAEMONS; do
	for mode in $MODES; do
		read -r n mn md mx < <(awk -v k="$kind" -v m="$mode" '$1 == k && $2 == m { print $4 }' "$B_DIR/res" | stats)
		read -r _ umn umd umx < <(awk -v k="$kind" -v m="$mode" '$1 == k && $2 == m { print $5 }' "$B_DIR/res" | stats)
		inb=$(awk -v k="$kind" -v m="$mode" -v b="${BOUND[$mode]}" '$1 == k && $2 == m && $4 <= b { c++ } END { print c + 0 }' "$B_DIR/res")
		MED[$kind-$mode]=$md
		printf '%-11s %-5s %4s %8s %8s %8s %8s %9s   %s\n' "$(b_label "$kind")" "$mode" "$n" "$mn" "$md" "$mx" \
			"${BOUND[$mode]}" "$inb/$n" "$umn / $umd / $umx"
	done
done
echo "(bound rst = delay_loop + retry x delay_before_retry + 20 ms; drop = delay_loop + (retry+1) x connect_timeout + retry x delay_before_retry + 20 ms)"
echo "(up again: from the restart of the listener / the address coming back to notify_up)"
for kind in $C_DAEMONS; do
	for mode in $MODES; do
		echo "$(b_label "$kind") $mode, every trial (ms):$(awk -v k="$kind" -v m="$mode" '$1 == k && $2 == m { printf " %s", $4 }' "$B_DIR/res")"
	done
done
if [[ $C_DAEMONS == *ours* && $C_DAEMONS == *ka* ]]; then
	echo
	for mode in $MODES; do
		echo "ratio of medians ours/keepalived ($mode): $(ratio "${MED[ours-$mode]}" "${MED[ka-$mode]}")"
	done
fi
exit 0
