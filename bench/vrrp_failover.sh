#!/usr/bin/env bash
# VRRPv3 failover time, ours vs Debian's keepalived, same run.
#
# Two hosts and a client on a bridge; advert_int 0.1, master priority 150,
# backup priority 100, VIP 192.0.2.100/24; both hosts run the same daemon.
# For each daemon, RUNS times (runs of the two daemons interleaved):
#   kill -9   SIGKILL the master's VRRP child then its parent; time from the
#             kill until the VIP is on the backup AND the backup answers ARP
#             for it to the client (bound: Master_Down_Interval + 10 ms =
#             370.9 ms);
#   SIGTERM   graceful stop of the master (priority 0 advert); time until
#             the VIP is on the backup and answers ARP (bound: Skew_Time +
#             10 ms = 70.9 ms).
# Timing is done by bench/tools/vrrp_probe.c: it sends the signal itself,
# sees the VIP appear through rtnetlink notifications in the backup's
# namespace and probes ARP from the client every 2 ms (and at once when the
# VIP appears), accepting only replies from the backup's MAC (after kill -9
# the dead master keeps the VIP and still answers). It also timestamps the
# master's adverts on the client (kernel receive time), which gives two
# figures independent of the random phase of the signal:
#   kill -9: ms from the master's last advert to the takeover (the
#            protocol's figure: Master_Down_Interval = 360.9 ms);
#   SIGTERM: ms from the signal to the priority-0 advert on the wire, and
#            from that advert to the takeover (Skew_Time = 60.9 ms).
# Run r sends the signal (r - 0.5) * 100 / RUNS ms after an advert from the
# master was received, the same phases for both daemons.
#
# Usage: bench/vrrp_failover.sh [RUNS]   (default 10; env DAEMONS="ours ka")
source "$(dirname "$0")/bench_lib.sh"
RUNS=${1:-${RUNS:-10}}
DAEMONS=${DAEMONS:-ours ka}
VIP=192.0.2.100
KILL_BOUND=370.9
TERM_BOUND=70.9
b_need
lan_setup 2 || b_die "cannot build the namespaces"

mk_conf() { # file prio
	cat >"$1" <<CONF
vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id 51
    priority $2
    version 3
    advert_int 0.1
    virtual_ipaddress {
        $VIP/24
    }
}
CONF
}
mk_conf "$B_DIR/hi.conf" 150
mk_conf "$B_DIR/lo.conf" 100

RAW=$B_DIR/raw.txt
: >"$RAW"
one_owner() { has_addr 1 $VIP && no_addr 2 $VIP; }

# one_run KIND MODE(kill|term) N
one_run() {
	local kind=$1 mode=$2 n=$3 vp pp out rc phase
	ip -n "${H[1]}" addr del $VIP/24 dev eth0 2>/dev/null
	ip -n "${H[2]}" addr del $VIP/24 dev eth0 2>/dev/null
	d_start "$kind" 1 "$B_DIR/hi.conf"
	d_start "$kind" 2 "$B_DIR/lo.conf"
	if ! d_wait 1 || ! d_wait 2; then
		echo "$kind $mode $n START-FAILED" >>"$RAW"
		d_stop 1
		d_stop 2
		return 1
	fi
	if ! wait_until 5 one_owner; then
		echo "$kind $mode $n NO-CONVERGENCE" >>"$RAW"
		d_stop 1; d_stop 2
		return 1
	fi
	# settle (the probe then picks the phase of the signal itself)
	sleep 1
	if ! one_owner; then
		echo "$kind $mode $n UNSTABLE-BEFORE-SIGNAL" >>"$RAW"
		d_stop 1; d_stop 2
		return 1
	fi
	vp=$(d_vpid 1)
	pp=${D_PID[1]}
	# stratified phase of the signal after an advert: the same set for both
	# daemons, so the signal->takeover medians compare like with like
	phase=$(awk -v r="$n" -v R="$RUNS" 'BEGIN { printf "%.1f", (r - 0.5) * 100 / R }')
	if [[ $mode == kill ]]; then
		# the VRRP child first, so that it cannot see its parent die
		out=$("$PROBE" failover -B "${H[2]}" -C "$CL" -S 192.0.2.11 -P "$phase" -v $VIP -s 9 -k "$vp" -k "$pp" -t 3000)
	else
		out=$("$PROBE" failover -B "${H[2]}" -C "$CL" -M "${H[1]}" -S 192.0.2.11 -P "$phase" -v $VIP -s 15 -k "$pp" -t 3000)
	fi
	rc=$?
	# derived: since_last = arp - last (kill), p0_to_vip = arp - p0 (term)
	out+=$(awk '{ for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		if (v["arp_ms"] >= 0 && v["last_ms"] != "") printf " since_last=%.3f", v["arp_ms"] - v["last_ms"]
		if (v["arp_ms"] >= 0 && v["p0_ms"] >= 0) printf " p0_to_vip=%.3f", v["arp_ms"] - v["p0_ms"] }' <<<"$out")
	echo "$kind $mode $n rc=$rc $out" >>"$RAW"
	printf '  %-10s %-5s run %2d: %s\n' "$(b_label "$kind")" "$mode" "$n" "$out"
	if [[ $mode == kill ]]; then
		wait_until 2 pid_dead "$pp"
		d_reap 1
	else
		wait_until 5 pid_dead "$pp"
		d_reap 1
	fi
	d_stop 2
	return 0
}

b_header
echo "# RUNS=$RUNS  VIP $VIP  advert_int 0.1  prio 150/100  VRRPv3"
for ((r = 1; r <= RUNS; r++)); do
	for mode in kill term; do
		for kind in $DAEMONS; do one_run "$kind" "$mode" "$r"; done
	done
done

# field VALUE of "key=VALUE" in the raw lines of KIND MODE with rc=0
field() { # kind mode key
	awk -v k="$1" -v m="$2" -v f="$3" '$1 == k && $2 == m && $4 == "rc=0" {
		for (i = 5; i <= NF; i++) { split($i, kv, "="); if (kv[1] == f) print kv[2] } }' "$RAW"
}
over() { # kind mode key bound -> number of runs above bound
	field "$1" "$2" "$3" | awk -v b="$4" '$1 > b { n++ } END { print n + 0 }'
}
failed() { awk -v k="$1" -v m="$2" '$1 == k && $2 == m && $4 != "rc=0" { n++ } END { print n + 0 }' "$RAW"; }

# row LABEL KIND MODE KEY [BOUND]
row() {
	local n mn md mx o="-"
	read -r n mn md mx < <(field "$2" "$3" "$4" | stats)
	[[ -n ${5:-} ]] && o=$(over "$2" "$3" "$4" "$5")
	MED[$2-$3-$4]=$md
	printf '%-26s %-11s %4s %8s %8s %8s %5s %5s\n' "$1" "$(b_label "$2")" "$n" "$mn" "$md" "$mx" "$o" "$(failed "$2" "$3")"
}
declare -A MED
echo
echo "== VRRP failover, VRRPv3 advert_int 0.1, ms (min / median / max over the runs) =="
printf '%-26s %-11s %4s %8s %8s %8s %5s %5s\n' measure daemon runs min median max over fails
for kind in $DAEMONS; do row "kill -9: signal->VIP+ARP" "$kind" kill arp_ms $KILL_BOUND; done
for kind in $DAEMONS; do row "kill -9: signal->VIP addr" "$kind" kill addr_ms; done
for kind in $DAEMONS; do row "kill -9: last advert->VIP" "$kind" kill since_last; done
for kind in $DAEMONS; do row "SIGTERM: signal->VIP+ARP" "$kind" term arp_ms $TERM_BOUND; done
for kind in $DAEMONS; do row "SIGTERM: signal->prio 0" "$kind" term p0_ms; done
for kind in $DAEMONS; do row "SIGTERM: prio 0->VIP+ARP" "$kind" term p0_to_vip; done
for kind in $DAEMONS; do row "SIGTERM: signal->VIP gone" "$kind" term rel_ms; done
echo "(over = runs above the bound: kill -9 $KILL_BOUND ms = Master_Down_Interval + 10 ms,"
echo " SIGTERM $TERM_BOUND ms = Skew_Time + 10 ms. VIP+ARP = the VIP is on the backup and"
echo " the backup answers ARP for it; last advert = kernel receive time of the dead"
echo " master's last advert on the client; fails = runs that did not converge or timed out)"
if [[ $DAEMONS == *ours* && $DAEMONS == *ka* ]]; then
	echo
	echo "ratio of medians ours/keepalived:" \
		" kill -9 $(ratio "${MED[ours-kill-arp_ms]}" "${MED[ka-kill-arp_ms]}")" \
		" kill -9 from last advert $(ratio "${MED[ours-kill-since_last]}" "${MED[ka-kill-since_last]}")" \
		" SIGTERM $(ratio "${MED[ours-term-arp_ms]}" "${MED[ka-term-arp_ms]}")"
fi
adv=$(awk '$2 == "kill" && $4 == "rc=0" { for (i = 5; i <= NF; i++) if ($i ~ /^adv_after=/) { split($i, kv, "="); if (kv[2] > 0) print $1 " run " $3 ": " kv[2] } }' "$RAW")
[[ -z $adv ]] || { echo "NOTE: adverts from the master after its kill -9 (in flight at the signal):"; echo "$adv"; }
for kind in $DAEMONS; do
	n=$(grep -cE 'AddressSanitizer|runtime error:|[Ss]egmentation|core dumped' "$B_DIR/$kind"-h*.log 2>/dev/null | awk -F: '{ s += $NF } END { print s + 0 }')
	((n == 0)) || echo "WARNING: $(b_label "$kind"): $n crash/sanitizer lines in its logs"
done
bad=$(awk '$4 != "rc=0"' "$RAW" | wc -l)
((bad == 0)) || { echo "WARNING: $bad runs failed:"; awk '$4 != "rc=0"' "$RAW"; }
exit 0
