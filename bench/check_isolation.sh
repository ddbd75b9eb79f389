#!/usr/bin/env bash
# Isolation: the VRRP child's advert timing while the checker child of the
# same daemon runs 5,000 checks per second; ours vs Debian's keepalived, same
# run (one after the other).
#
# One daemon in the director namespace with both subsystems (no -C/-P): a
# VRRPv3 master (advert_int 0.1, priority 150, VIP 192.0.2.150/25 on eth1,
# the link to the client namespace) and N (default 5,000) TCP_CHECK real
# servers with delay_loop 1 (bench/check_lib.sh).  After it became MASTER
# and WARM seconds, the client captures the adverts with tcpdump
# (--immediate-mode, -w) for SECONDS: the method of bench/vrrp_jitter.sh
# (intervals from the kernel receive timestamps in the pcap).  The checks
# performed meanwhile (servers' accept counter) and the CPU of both children
# are reported alongside.  Goal (issue 4): max deviation <= 1 ms.
#
# Usage: bench/check_isolation.sh [SECONDS]   (default 60; env N=5000, WARM=5,
#        ISO_BASELINE=1 to also measure each daemon without checks,
#        DAEMONS="ours ka")
source "$(dirname "$0")/check_lib.sh"
SECS=${1:-${ISO_SECS:-60}}
N=${N:-5000}
WARM=${WARM:-5}
CAPTURE=${ISO_CAPTURE:-client} # client | director
VIP=192.0.2.150
c_need
command -v tcpdump >/dev/null || b_die "tcpdump is needed (apt-get install tcpdump)"
c_setup client || b_die "cannot build the namespaces"
srv_main || b_die "check_srv did not start"

vrrp_block() {
	cat <<CONF
vrrp_instance VI_1 {
    state BACKUP
    interface eth1
    virtual_router_id 51
    priority 150
    version 3
    advert_int 0.1
    virtual_ipaddress {
        $VIP/25
    }
}
CONF
}
gen_conf "$B_DIR/iso.conf" tcp "$N"
vrrp_block >>"$B_DIR/iso.conf"
{
	echo "global_defs {"
	echo "    router_id bench"
	echo "}"
	vrrp_block
} >"$B_DIR/base.conf"

# shellcheck disable=SC2317 # called through wait_until
has_vip() {
	local out
	out=$(ip -n "$DIR" -4 addr show dev eth1)
	[[ $out == *"inet $VIP/"* ]]
}

# measure KIND CONF TAG -> appends one line to $B_DIR/res
measure() {
	local kind=$1 conf=$2 tag=$3 mode=full cap pcap="$B_DIR/$1-$3.pcap" c0 c1 k0 k1 v0 v1 vpid t0 t1 out n mean mn mx
	ip -n "$DIR" addr del "$VIP/25" dev eth1 2>/dev/null
	[[ $tag == nochecks ]] && mode=vrrp
	c_start "$kind" "$conf" "$mode" || b_die "$(b_label "$kind") did not start (log $C_LOG)"
	wait_until 5 test -s "$B_DIR/v.pid" || b_die "$(b_label "$kind") has no VRRP child"
	vpid=$(cat "$B_DIR/v.pid")
	wait_until 5 has_vip || b_die "$(b_label "$kind") did not become MASTER"
	sleep "$WARM"
	if [[ $CAPTURE == director ]]; then
		# where the advert leaves the daemon's host: its send time, before
		# the receiving side's softirq work can add delay
		ip netns exec "$DIR" tcpdump -i eth1 -Q out -n -U --immediate-mode -w "$pcap" "ip proto 112" >/dev/null 2>&1 &
	else
		ip netns exec "$CL" tcpdump -i eth0 -n -U --immediate-mode -w "$pcap" "ip proto 112" >/dev/null 2>&1 &
	fi
	cap=$!
	B_PIDS+=("$cap")
	wait_until 5 test -s "$pcap" || b_die "tcpdump did not start"
	c0=$(srv_count main tcp)
	k0=0 k1=0
	[[ -n $CPID ]] && k0=$(proc_ticks "$CPID")
	v0=$(proc_ticks "$vpid")
	t0=$EPOCHREALTIME
	sleep "$SECS"
	c1=$(srv_count main tcp)
	[[ -n $CPID ]] && k1=$(proc_ticks "$CPID")
	v1=$(proc_ticks "$vpid")
	t1=$EPOCHREALTIME
	kill -INT "$cap" 2>/dev/null
	wait "$cap" 2>/dev/null
	b_forget "$cap"
	[[ -z $CPID ]] || pid_alive "$CPID" || b_die "$(b_label "$kind")'s checker died (log $C_LOG)"
	pid_alive "$vpid" || b_die "$(b_label "$kind")'s VRRP child died (log $C_LOG)"
	c_stop
	tcpdump -tt -n -r "$pcap" "src host 192.0.2.129 and ip proto 112" 2>/dev/null | awk '
		{ t = $1 + 0; if (NR == 1) t0 = t; else printf "%.6f %.3f\n", (t - prev) * 1000, t - t0; prev = t }' \
		>"$B_DIR/$kind-$tag.ivt"
	cut -d' ' -f1 "$B_DIR/$kind-$tag.ivt" >"$B_DIR/$kind-$tag.iv"
	out=$(awk '{ d = $1 - 100; if (d < 0) d = -d; print d }' "$B_DIR/$kind-$tag.iv" | sort -g | awk '
		{ v[NR] = $1 } END {
			if (NR == 0) { print "- - -"; exit }
			i50 = int(NR * 0.50 + 0.999999); i99 = int(NR * 0.99 + 0.999999)
			printf "%.3f %.3f %.3f\n", v[i50], v[i99], v[NR] }')
	read -r n mean mn mx < <(awk '{ s += $1; if (NR == 1 || $1 < mn) mn = $1; if ($1 > mx) mx = $1 }
		END { if (NR) printf "%d %.3f %.3f %.3f\n", NR, s / NR, mn, mx; else print "0 - - -" }' "$B_DIR/$kind-$tag.iv")
	awk -v kind="$kind" -v tag="$tag" -v c=$((c1 - c0)) -v k=$((k1 - k0)) -v v=$((v1 - v0)) -v t0="$t0" \
		-v t1="$t1" -v hz="$HZ" -v rest="$n $mean $mn $mx $out" 'BEGIN { dt = t1 - t0
		printf "%s %s %.1f %.1f %.2f %s\n", kind, tag, c / dt, k / hz / dt * 100, v / hz / dt * 100, rest }' \
		>>"$B_DIR/res"
}

b_header
echo "# SECONDS=$SECS WARM=$WARM N=$N: VRRPv3 advert_int 0.1 on eth1 + $N TCP_CHECKs (delay_loop 1) in the same daemon"
echo "# $SHIM_NOTE"
if [[ $CAPTURE == director ]]; then
	echo "# capture on the director's eth1, outgoing (tcpdump -Q out: the send time), method of bench/vrrp_jitter.sh"
else
	echo "# capture on the client (tcpdump, kernel receive timestamps), method of bench/vrrp_jitter.sh"
fi
c_daemons
: >"$B_DIR/res"
for kind in $C_DAEMONS; do
	[[ -n ${ISO_BASELINE:-} ]] && measure "$kind" "$B_DIR/base.conf" nochecks
	measure "$kind" "$B_DIR/iso.conf" checks
done

echo
echo "== VRRP advert jitter while the checker runs: intervals and |interval - 100 ms|, ms =="
printf '%-11s %-8s %8s %7s %7s %9s %9s %9s %9s %8s %8s %8s\n' daemon load checks/s chk-cpu% vrrp-cpu% \
	intervals mean min max p50-dev p99-dev max-dev
declare -A MAXD
while read -r kind tag cps ccpu vcpu n mean mn mx p50 p99 pmax; do
	MAXD[$kind-$tag]=$pmax
	printf '%-11s %-8s %8s %7s %7s %9s %9s %9s %9s %8s %8s %8s\n' "$(b_label "$kind")" "$tag" "$cps" "$ccpu" \
		"$vcpu" "$n" "$mean" "$mn" "$mx" "$p50" "$p99" "$pmax"
done <"$B_DIR/res"
echo "(goal: max deviation <= 1 ms with the checker at $N checks/s; expected intervals ~ $((SECS * 10)))"
for kind in $C_DAEMONS; do
	late=$(awk '$1 > 101 || $1 < 99 { printf " %.1f@%.1fs", $1 - 100, $2 }' "$B_DIR/$kind-checks.ivt")
	echo "$(b_label "$kind"): intervals off by more than 1 ms (deviation ms @ s into the capture):${late:- none}"
done
# a VRRP child that stopped advertising is a failure whatever its jitter
while read -r kind tag _ _ _ n _; do
	if ((n < SECS * 10 * 9 / 10)); then
		echo "$(b_label "$kind") ($tag): FAILED: $n adverts in $SECS s (expected ~ $((SECS * 10))); log: $(grep -iE 'kill|hello|died|exited' "$B_DIR/$kind-$([[ $tag == checks ]] && echo iso || echo base).log" | head -n 3 | tr '\n' '|')"
	fi
done <"$B_DIR/res"
if [[ $C_DAEMONS == *ours* && $C_DAEMONS == *ka* ]]; then
	echo
	echo "ratio ours/keepalived max-dev: $(ratio "${MAXD[ours-checks]}" "${MAXD[ka-checks]}")"
fi
exit 0
