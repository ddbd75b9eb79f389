#!/usr/bin/env bash
# VRRP at scale, ours vs Debian's keepalived, same run (one after the other).
#
# N instances (default 255: VRIDs 1..N, VRRPv3, advert_int 0.1, one VIP each,
# 198.51.100.V/32) on eth0 of a master host (priority 150) and a backup host
# (priority 100), both `state BACKUP`, started at the same moment.
#   convergence  ms from the start of both daemons until the master holds all
#                N VIPs and the backup none (bench/tools/vrrp_probe.c, from
#                rtnetlink notifications); "first" is the first VIP on the
#                master, "bmax" the most VIPs the backup held meanwhile, and
#                "breaks" counts losses of that state in the next 3 s;
#   CPU          % of one core used by the VRRP child of each host over
#                CPU_SECS (default 20) seconds, from utime+stime in
#                /proc/PID/stat, after SETTLE (default 7) seconds so that the
#                delayed second GARP burst (garp_master_delay 5 s) is over;
#   RSS          VmRSS of each VRRP child at the end of the CPU window;
#   wire         from a client capture of WIRE_SECS (default 5) seconds after
#                the CPU window: adverts per second (expected N * 10 from the
#                master, none from the backup), VRIDs heard, and the mean,
#                p99 and max of the per-VRID interval between the master's
#                adverts (expected 100 ms);
#   election     from a client capture during the start: the master's first
#                advert, the first advert of its last VRID (spread = how long
#                it takes to announce all N), and the VRIDs for which the
#                backup sent adverts as MASTER meanwhile.
# tcpdump runs only outside the CPU window.
#
# Usage: bench/vrrp_scale.sh [N] [CPU_SECS]   (env SETTLE, DAEMONS="ours ka")
source "$(dirname "$0")/bench_lib.sh"
N=${1:-${SCALE_N:-255}}
CPU_SECS=${2:-${CPU_SECS:-20}}
SETTLE=${SETTLE:-7}
WIRE_SECS=${WIRE_SECS:-5}
DAEMONS=${DAEMONS:-ours ka}
((N >= 1 && N <= 255)) || b_die "N must be 1..255"
b_need
command -v tcpdump >/dev/null || b_die "tcpdump is needed (apt-get install tcpdump)"
lan_setup 2 || b_die "cannot build the namespaces"
HZ=$(getconf CLK_TCK)

mk_conf() { # file prio
	local v
	for ((v = 1; v <= N; v++)); do
		cat <<CONF
vrrp_instance VI_$v {
    state BACKUP
    interface eth0
    virtual_router_id $v
    priority $2
    version 3
    advert_int 0.1
    virtual_ipaddress {
        198.51.100.$v/32
    }
}
CONF
	done >"$1"
}
mk_conf "$B_DIR/hi.conf" 150
mk_conf "$B_DIR/lo.conf" 100

# measure KIND -> appends one result line to $B_DIR/res
measure() {
	local kind=$1 ready="$B_DIR/ready" t0 pv conv first bmax breaks
	local v1 v2 a1 a2 b1 b2 r1 r2 cpu1 cpu2 cap pcap="$B_DIR/$kind.pcap" mrate brate vrids
	local mfirst mlast bvrids blast drops ivmean ivp99 ivmax
	rm -f "$ready"
	ip -n "${H[1]}" addr flush dev eth0 to 198.51.100.0/24 2>/dev/null
	ip -n "${H[2]}" addr flush dev eth0 to 198.51.100.0/24 2>/dev/null
	"$PROBE" converge -A "${H[1]}" -B "${H[2]}" -p 198.51.100.0/24 -n "$N" -H 3000 -t 30000 \
		-R "$ready" >"$B_DIR/$kind.conv" 2>&1 &
	pv=$!
	B_PIDS+=("$pv")
	wait_until 5 test -e "$ready" || b_die "vrrp_probe converge did not start"
	# capture the election on the client (stopped before the CPU window)
	ip netns exec "$CL" tcpdump -i eth0 -n -U --immediate-mode -w "$B_DIR/$kind-start.pcap" "ip proto 112" >/dev/null 2>&1 &
	cap=$!
	B_PIDS+=("$cap")
	wait_until 5 test -s "$B_DIR/$kind-start.pcap"
	t0=$(date +%s%3N)
	d_start "$kind" 1 "$B_DIR/hi.conf"
	d_start "$kind" 2 "$B_DIR/lo.conf"
	wait "$pv"
	read -r conv first bmax breaks _ < <(tr ' ' '\n' <"$B_DIR/$kind.conv" | awk -F= -v t0="$t0" '
		{ v[$1] = $2 } END {
			c = v["conv_at"] < 0 ? -1 : v["conv_at"] - t0; f = v["first_at"] < 0 ? -1 : v["first_at"] - t0
			printf "%.1f %.1f %s %s\n", c, f, v["bmax"], v["breaks"] }')
	[[ -n $conv ]] || conv=-1
	kill -INT "$cap" 2>/dev/null
	wait "$cap" 2>/dev/null
	# first advert per VRID from the master (.11) and the backup (.12), ms from t0
	read -r mfirst mlast bvrids blast < <(tcpdump -tt -n -r "$B_DIR/$kind-start.pcap" 2>/dev/null | awk -v t0="$t0" '
		{ t = ($1 + 0) * 1000 - t0; v = -1; p = -1
		  for (i = 1; i <= NF; i++) { if ($i == "vrid") v = $(i + 1) + 0; if ($i == "prio") p = $(i + 1) + 0 }
		  if (v < 0) next
		  if ($3 == "192.0.2.11" && !(v in fm)) fm[v] = t
		  if ($3 == "192.0.2.12" && p > 0) { if (!(v in fb)) nb++; fb[v] = 1; if (t > bl) bl = t } }
		END { lo = -1; hi = -1; for (v in fm) { if (lo < 0 || fm[v] < lo) lo = fm[v]; if (fm[v] > hi) hi = fm[v] }
			printf "%.1f %.1f %d %.1f\n", lo, hi, nb + 0, nb ? bl : -1 }')
	if ! d_wait 1 || ! d_wait 2; then b_die "$(b_label "$kind") did not start"; fi
	v1=$(d_vpid 1)
	v2=$(d_vpid 2)
	sleep "$SETTLE"
	a1=$(proc_ticks "$v1")
	a2=$(proc_ticks "$v2")
	sleep "$CPU_SECS"
	b1=$(proc_ticks "$v1")
	b2=$(proc_ticks "$v2")
	r1=$(proc_rss_kb "$v1")
	r2=$(proc_rss_kb "$v2")
	cpu1=$(awk -v a="$a1" -v b="$b1" -v h="$HZ" -v s="$CPU_SECS" 'BEGIN { printf "%.2f", (b - a) / h / s * 100 }')
	cpu2=$(awk -v a="$a2" -v b="$b2" -v h="$HZ" -v s="$CPU_SECS" 'BEGIN { printf "%.2f", (b - a) / h / s * 100 }')
	# what is on the wire now (a large buffer and no immediate mode: bursts of
	# N adverts must not be dropped by the capture)
	ip netns exec "$CL" tcpdump -i eth0 -n -B 65536 -w "$pcap" "ip proto 112" 2>"$B_DIR/$kind-cap.err" >/dev/null &
	cap=$!
	B_PIDS+=("$cap")
	wait_until 5 test -s "$pcap"
	sleep "$WIRE_SECS"
	kill -INT "$cap" 2>/dev/null
	wait "$cap" 2>/dev/null
	drops=$(awk '/dropped by kernel/ { print $1 }' "$B_DIR/$kind-cap.err")
	# rates, VRIDs heard, and per-VRID intervals between the master's adverts
	tcpdump -tt -n -r "$pcap" 2>/dev/null >"$B_DIR/$kind-wire.txt"
	read -r mrate brate vrids ivmean < <(awk -v ivf="$B_DIR/$kind.iv" '
		{ t = ($1 + 0) * 1000; v = -1
		  for (i = 1; i <= NF; i++) if ($i == "vrid") v = $(i + 1) + 0
		  if (v < 0) next
		  if (!t0) t0 = t; t1 = t
		  if ($3 == "192.0.2.12") { b++; next }
		  if ($3 != "192.0.2.11") next
		  m++; seen[v] = 1
		  if (v in last) { iv = t - last[v]; n++; s += iv; print iv > ivf }
		  last[v] = t }
		END { d = (t1 - t0) / 1000; if (d <= 0) d = 1; k = 0; for (x in seen) k++
			printf "%.0f %.0f %d %.2f\n", m / d, b / d, k, n ? s / n : -1 }' "$B_DIR/$kind-wire.txt")
	read -r ivp99 ivmax < <(sort -g "$B_DIR/$kind.iv" 2>/dev/null | awk '{ v[NR] = $1 } END {
		if (!NR) { print "- -"; exit } printf "%.2f %.2f\n", v[int(NR * 0.99 + 0.999999)], v[NR] }')
	local own1 own2
	own1=$(count_addr 1 198.51.100.)
	own2=$(count_addr 2 198.51.100.)
	d_stop 1
	d_stop 2
	echo "$kind $conv $first $bmax $breaks $cpu1 $cpu2 $r1 $r2 $mrate $brate $vrids $own1 $own2" >>"$B_DIR/res"
	echo "$kind $mfirst $mlast $bvrids $blast" >>"$B_DIR/res-start"
	echo "$kind $mrate $brate $vrids $ivmean $ivp99 $ivmax ${drops:--}" >>"$B_DIR/res-wire"
}

b_header
echo "# N=$N instances  VRRPv3 advert_int 0.1  prio 150/100  SETTLE=${SETTLE}s  CPU window ${CPU_SECS}s  CLK_TCK=$HZ"
: >"$B_DIR/res"
: >"$B_DIR/res-start"
: >"$B_DIR/res-wire"
for kind in $DAEMONS; do measure "$kind"; done

echo
echo "== VRRP scale: $N instances at advert_int 0.1 =="
printf '%-11s %8s %8s %5s %6s %8s %8s %9s %9s %9s\n' daemon conv-ms first-ms bmax breaks \
	"cpu-m%" "cpu-b%" "rss-m-kB" "rss-b-kB" "vips-m/b"
declare -A R
while read -r kind conv first bmax breaks c1 c2 r1 r2 mr br vr o1 o2; do
	R[$kind]="$conv $c1 $c2 $r1 $r2"
	printf '%-11s %8.1f %8.1f %5s %6s %8s %8s %9s %9s %9s\n' "$(b_label "$kind")" "$conv" "$first" \
		"$bmax" "$breaks" "$c1" "$c2" "$r1" "$r2" "$o1/$o2"
done <"$B_DIR/res"
echo "(conv = all $N VIPs on the master and none on the backup, from the start of both"
echo " daemons; cpu = % of one core of the VRRP child, m = master, b = backup; rss ="
echo " VmRSS of the VRRP child; first = first VIP on the master; bmax = most VIPs the"
echo " backup held during the election; breaks = losses of the converged state in the"
echo " 3 s after it; vips-m/b = VIPs held after the CPU window)"
echo
echo "== on the wire after the CPU window (client capture, ${WIRE_SECS} s) =="
printf '%-11s %9s %9s %6s %13s %12s %12s %6s\n' daemon "adv/s-m" "adv/s-b" vrids "iv-mean-ms" "iv-p99-ms" "iv-max-ms" drops
while read -r kind mr br vr ivm ivp ivx dr; do
	printf '%-11s %9s %9s %6s %13s %12s %12s %6s\n' "$(b_label "$kind")" "$mr" "$br" "$vr" "$ivm" "$ivp" "$ivx" "$dr"
done <"$B_DIR/res-wire"
echo "(adv/s = adverts per second from the master (m, expected $((N * 10))) and the backup"
echo " (b, expected 0); iv = per-VRID interval between the master's adverts, expected"
echo " 100 ms; drops = packets the capture lost, must be 0 for these figures to hold)"
echo
echo "== the election on the wire (client capture), ms from the start of both daemons =="
printf '%-11s %17s %16s %9s %22s %18s\n' daemon "master 1st advert" "master all VRIDs" "spread" "backup VRIDs as MASTER" "backup last advert"
while read -r kind mf ml bv bl; do
	printf '%-11s %17s %16s %9s %22s %18s\n' "$(b_label "$kind")" "$mf" "$ml" \
		"$(awk -v a="$mf" -v b="$ml" 'BEGIN { printf "%.1f", b - a }')" "$bv" "$bl"
done <"$B_DIR/res-start"
echo "(master all VRIDs = when the master's first advert of its last VRID was seen, spread"
echo " = how long the master took to announce all $N instances; backup VRIDs as MASTER ="
echo " VRIDs for which the backup sent adverts with priority > 0, a transient dual master:"
echo " both daemons start at once in state BACKUP, so the master's instances have only"
echo " the 19.5 ms difference of the two Master_Down_Intervals, minus any start-up skew"
echo " between the two processes, to announce themselves)"
echo
if [[ $DAEMONS == *ours* && $DAEMONS == *ka* ]]; then
	read -r oc oc1 oc2 or1 or2 <<<"${R[ours]}"
	read -r kc kc1 kc2 kr1 kr2 <<<"${R[ka]}"
	echo
	echo "ratio ours/keepalived:  convergence $(ratio "$oc" "$kc")  cpu master $(ratio "$oc1" "$kc1")" \
		" cpu backup $(ratio "$oc2" "$kc2")  rss master $(ratio "$or1" "$kr1")  rss backup $(ratio "$or2" "$kr2")"
fi
exit 0
