#!/usr/bin/env bash
# VRRP advert timing jitter, ours vs Debian's keepalived, same run.
#
# One master (VRRPv3, advert_int 0.1, priority 150, VIP 192.0.2.100/24) on a
# bridge with a client.  After it became MASTER (and 1 s of settling), the
# client captures its adverts with tcpdump (--immediate-mode, -w) for
# SECONDS; the intervals between consecutive adverts come from the pcap
# timestamps (kernel receive time on the client, microseconds).  Reported:
# adverts, mean interval, min/max interval, and p50 / p99 / max of the
# deviation |interval - 100 ms|.  Goal: p99 <= 1 ms.  The daemons run one
# after the other (ours first).
#
# Usage: bench/vrrp_jitter.sh [SECONDS]   (default 60; env DAEMONS="ours ka")
source "$(dirname "$0")/bench_lib.sh"
SECS=${1:-${JITTER_SECS:-60}}
DAEMONS=${DAEMONS:-ours ka}
VIP=192.0.2.100
b_need
command -v tcpdump >/dev/null || b_die "tcpdump is needed (apt-get install tcpdump)"
lan_setup 1 || b_die "cannot build the namespaces"

cat >"$B_DIR/m.conf" <<CONF
vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id 51
    priority 150
    version 3
    advert_int 0.1
    virtual_ipaddress {
        $VIP/24
    }
}
CONF

# measure KIND -> appends "KIND n mean min max p50 p99 pmax" to $B_DIR/res
measure() {
	local kind=$1 cap pcap="$B_DIR/$1.pcap" out
	ip -n "${H[1]}" addr del $VIP/24 dev eth0 2>/dev/null
	d_start "$kind" 1 "$B_DIR/m.conf"
	d_wait 1 || b_die "$(b_label "$kind") did not start"
	wait_until 5 has_addr 1 $VIP || b_die "$(b_label "$kind") did not become MASTER"
	sleep 1
	ip netns exec "$CL" tcpdump -i eth0 -n -U --immediate-mode -w "$pcap" "ip proto 112" >/dev/null 2>&1 &
	cap=$!
	B_PIDS+=("$cap")
	wait_until 5 test -s "$pcap" || b_die "tcpdump did not start"
	sleep "$SECS"
	kill -INT "$cap" 2>/dev/null
	wait "$cap" 2>/dev/null
	d_stop 1
	# intervals (ms) between adverts from the master, then deviation stats
	out=$(tcpdump -tt -n -r "$pcap" "src host 192.0.2.11 and ip proto 112" 2>/dev/null | awk '
		{ t = $1 + 0; if (NR == 1) t0 = t; else printf "%.6f %.3f\n", (t - prev) * 1000, t - t0; prev = t }' >"$B_DIR/$kind.ivt"
		cut -d' ' -f1 "$B_DIR/$kind.ivt" >"$B_DIR/$kind.iv"
		awk '{ d = $1 - 100; if (d < 0) d = -d; print d }' "$B_DIR/$kind.iv" | sort -g | awk '
		{ v[NR] = $1 } END {
			if (NR == 0) { print "0 - - -"; exit }
			i50 = int(NR * 0.50 + 0.999999); i99 = int(NR * 0.99 + 0.999999)
			printf "%.3f %.3f %.3f\n", v[i50], v[i99], v[NR] }')
	read -r n mean mn mx < <(awk '{ s += $1; if (NR == 1 || $1 < mn) mn = $1; if ($1 > mx) mx = $1 }
		END { if (NR) printf "%d %.3f %.3f %.3f\n", NR, s / NR, mn, mx; else print "0 - - -" }' "$B_DIR/$kind.iv")
	echo "$kind $n $mean $mn $mx $out" >>"$B_DIR/res"
}

b_header
echo "# SECONDS=$SECS  VRRPv3 advert_int 0.1 (100 ms)  capture on the client"
: >"$B_DIR/res"
for kind in $DAEMONS; do measure "$kind"; done

echo
echo "== VRRP advert jitter over ${SECS} s: intervals and |interval - 100 ms|, ms =="
printf '%-11s %9s %9s %9s %9s %8s %8s %8s\n' daemon intervals mean min max p50-dev p99-dev max-dev
declare -A P99 MAXD
while read -r kind n mean mn mx p50 p99 pmax; do
	P99[$kind]=$p99
	MAXD[$kind]=$pmax
	printf '%-11s %9s %9s %9s %9s %8s %8s %8s\n' "$(b_label "$kind")" "$n" "$mean" "$mn" "$mx" "$p50" "$p99" "$pmax"
done <"$B_DIR/res"
echo "(goal: p99 deviation <= 1 ms; expected intervals ~ $((SECS * 10)))"
for kind in $DAEMONS; do
	late=$(awk '$1 > 101 || $1 < 99 { printf " %.1f@%.1fs", $1 - 100, $2 }' "$B_DIR/$kind.ivt")
	echo "$(b_label "$kind"): intervals off by more than 1 ms (deviation ms @ s into the capture):${late:- none}"
done
if [[ $DAEMONS == *ours* && $DAEMONS == *ka* ]]; then
	echo
	echo "ratio ours/keepalived:  p99-dev $(ratio "${P99[ours]}" "${P99[ka]}")  max-dev $(ratio "${MAXD[ours]}" "${MAXD[ka]}")"
fi
exit 0
