#!/usr/bin/env bash
# Load and endurance: everything at once, for SECONDS (default 600).
#
#   director (h1, 192.0.2.11)  our daemon, both children: 255 VRRPv2
#                              instances as MASTER (VRIDs 1..255, advert_int
#                              1, priority 150, auth PASS) on eth0, and
#                              N_RS = 10,000 real servers under TCP_CHECK
#                              (delay_loop DELAY_LOOP = 10 s: 1,000 checks/s)
#                              on the nftables data plane (no IPVS here)
#   backup   (h2, 192.0.2.12)  our daemon, VRRP only, the same 255 instances
#                              at priority 100
#   flooder  (h3, 192.0.2.13)  tests/tools/vrrp_flood at FLOOD_RATE = 100,000
#                              adverts/s: random sources in 192.0.2.0/24 (not
#                              the routers'), VRID 0 (every other VRID is
#                              configured), 20 % with a configured VRID, a
#                              random priority and bad authentication, 5 %
#                              garbage
#   servers  (rs, 192.0.2.50-89) bench/tools/check_srv: 40 addresses x 250 ports
#   client   (cl, 192.0.2.200) tcpdump of the director's adverts as the LAN
#                              gets them (reported); the timing criteria use
#                              a capture at the director's egress (-Q out:
#                              when the daemon sent each advert)
#
# all on one bridge.  Meanwhile: 100 SIGHUPs in 10 s to the director at
# t = 5 s (and every HUP_EVERY s after it, default 150 when SECONDS >= 300),
# the director's checker child SIGKILLed every KILL_EVERY = 30 s, and the
# fd count and RSS of the director's three processes sampled every 10 s.
#
# Criteria (the script exits 1 if any fails):
#   - zero unexpected transitions: no "Entering ... STATE" line in either
#     daemon's log after the start-up, no real server DOWN on the director's
#     notify FIFO, the VRRP children never restarted;
#   - adverts on time: per VRID, the interval between two adverts of the
#     director (captured at its egress); p99 of |interval - 1 s| over the
#     whole run <= P99_MAX_MS (2 ms).  The intervals that end in a SIGHUP
#     storm (+ 2 s) and the others are also reported apart;
#   - no fd or memory growth: parent and VRRP child, from the sample at the
#     end of the warm-up (the first storm + 5 s) to the last: fds not above
#     the baseline, RSS within RSS_SLACK_KB (1024; not checked under ASan);
#     the checker child, whose incarnations are killed, compared at the same
#     age (its sample just before each kill);
#   - every respawn within its bound: the parent's rules (src/core/parent.c):
#     a restart more than 60 s after the previous one is immediate, else it
#     waits 2^(n-1) s for the n-th quick one in a row (n >= 7: 60 s).  The
#     model replays every death of the checker the log shows (ours and any
#     by the parent's own watchdog); bound = the modelled delay +
#     RESPAWN_SLACK_MS (1000), from the kill to the new pid in the checker
#     pid file; the log's "respawn delayed N s" must agree with the model;
#     and no child may be killed by the watchdog (a hello unanswered for
#     3 s: a child that blocked its loop that long).
#
# Usage: bench/endurance.sh [SECONDS]
# Env: KA_BIN, FLOOD (vrrp_flood binary; else compiled from tests/tools),
#      N_VRRP, N_RS, DELAY_LOOP, FLOOD_RATE, KILL_EVERY, HUP_EVERY,
#      SAMPLE_EVERY, P99_MAX_MS, RSS_SLACK_KB, RESPAWN_SLACK_MS,
#      ENDUR_OUT (result file; default bench/results/endurance-<date>.txt),
#      B_KEEP=1 (keep the logs, pcap and raw figures).
source "$(dirname "$0")/bench_lib.sh"
SECS=${1:-600}
N_VRRP=${N_VRRP:-255}
N_RS=${N_RS:-10000}
DELAY_LOOP=${DELAY_LOOP:-10}
FLOOD_RATE=${FLOOD_RATE:-100000}
KILL_EVERY=${KILL_EVERY:-30}
SAMPLE_EVERY=${SAMPLE_EVERY:-10}
P99_MAX_MS=${P99_MAX_MS:-2}
RSS_SLACK_KB=${RSS_SLACK_KB:-1024}
RESPAWN_SLACK_MS=${RESPAWN_SLACK_MS:-1000}
HUP_AT=5 HUP_LEN=10
((SECS >= 300)) && HUP_EVERY=${HUP_EVERY:-150} || HUP_EVERY=${HUP_EVERY:-0}

ENDUR_OUT=${ENDUR_OUT-$BENCH_DIR/results/endurance-$(date -u +%Y%m%d-%H%M%S).txt}
RS_PORT0=10000
# Fork-free clock and sleep for the paced loops (a loaded 2-core machine
# makes date/sleep forks cost more than the 100 ms pacing allows).
nowv() { local _nv=${EPOCHREALTIME/./}; printf -v "$1" "%s" "${_nv:0:${#_nv}-3}"; }
exec {SLEEP_FD}<> <(:)
msleep() { (($1 > 0)) || return 0; read -r -t "$(($1 / 1000)).$(printf %03d $(($1 % 1000)))" -u "$SLEEP_FD"; return 0; }

[[ $(id -u) -eq 0 ]] || b_skip "needs root"
[[ -x $KA_BIN ]] || b_die "our daemon $KA_BIN is not built"
((SECS >= 60)) || b_die "SECONDS must be at least 60"
for t in tcpdump nft gcc; do command -v "$t" >/dev/null || b_skip "needs $t"; done
ASAN=0
[[ $(ldd "$KA_BIN" 2>/dev/null) == *libasan* ]] && ASAN=1 # (not a pipe to grep -q: pipefail)
if [[ -z ${FLOOD:-} ]]; then
	FLOOD=$B_DIR/vrrp_flood
	gcc -O2 -Wall -o "$FLOOD" "$BENCH_DIR/../tests/tools/vrrp_flood.c" || b_die "cannot build vrrp_flood"
fi
mkdir -p "$B_DIR/bin"
cp "$KA_BIN" "$B_DIR/bin/keepalived" || b_die "cannot copy $KA_BIN"
KA=$B_DIR/bin/keepalived

lan_setup 3 || b_die "cannot build the namespaces"
b_netns rs RS || b_die "cannot build the namespaces"
ip -n "$SW" link add prs type veth peer name eth0 netns "$RS"
ip -n "$SW" link set prs master br0 up
# Only the director's port talks to the others: the flooder's multicast
# reaches the director alone instead of every namespace (the other ports
# are isolated from one another, and need nothing but the director).
for p in p2 p3 p4 prs; do
	ip -n "$SW" link set "$p" type bridge_slave isolated on || b_die "cannot isolate bridge port $p"
done
ip -n "$RS" addr add 192.0.2.50/24 dev eth0
ip -n "$RS" link set eth0 up
ip netns exec "$RS" sysctl -qw net.core.somaxconn=4096
ip netns exec "${H[1]}" sysctl -qw net.ipv4.ip_local_port_range="20000 65000"

# ---- the real servers: bench/tools/check_srv (one epoll process, not the
# bottleneck) on RS_ADDRS addresses x 250 ports: real server k is
# 192.0.2.(50 + k / 250) port (10000 + k % 250) ------------------------------
RS_ADDRS=$(((N_RS + 249) / 250))
((RS_ADDRS <= 100)) || b_die "N_RS above 25,000"
for ((i = 1; i < RS_ADDRS; i++)); do echo "addr add 192.0.2.$((50 + i))/24 dev eth0"; done |
	ip -n "$RS" -batch - || b_die "cannot add the real servers' addresses"
gcc -O2 -Wall -o "$B_DIR/check_srv" "$BENCH_DIR/tools/check_srv.c" || b_die "cannot build tools/check_srv.c"
ip netns exec "$RS" "$B_DIR/check_srv" -c "$B_DIR/rs.ctr" -t "$RS_PORT0-$((RS_PORT0 + 249))" >"$B_DIR/rs.out" 2>&1 &
B_PIDS+=("$!")
disown "$!"
wait_until 20 test -e "$B_DIR/rs.ctr" || b_die "the real servers did not start: $(tail -3 "$B_DIR/rs.out")"
rs_accepts() { od -An -t u8 -N 8 "$B_DIR/rs.ctr" 2>/dev/null | tr -d ' ' || echo 0; }

# ---- configurations ------------------------------------------------------------
vrrp_block() { # PRIO STATE
	local v
	for ((v = 1; v <= N_VRRP; v++)); do
		cat <<EOF
vrrp_instance VI_$v {
    state $2
    interface eth0
    virtual_router_id $v
    priority $1
    advert_int 1
    authentication {
        auth_type PASS
        auth_pass secret1
    }
    virtual_ipaddress {
        198.51.100.$v/32
    }
}
EOF
	done
}
{
	echo "global_defs {"
	echo "    lvs_data_plane nftables"
	echo "    notify_fifo $B_DIR/fifo"
	echo "}"
	vrrp_block 150 MASTER
	per_vs=500
	for ((j = 0; j * per_vs < N_RS; j++)); do
		echo "virtual_server 203.0.113.1 $((8000 + j)) {"
		echo "    delay_loop $DELAY_LOOP"
		echo "    lb_algo rr"
		echo "    lb_kind NAT"
		echo "    protocol TCP"
		for ((k = j * per_vs; k < (j + 1) * per_vs && k < N_RS; k++)); do
			echo "    real_server 192.0.2.$((50 + k / 250)) $((RS_PORT0 + k % 250)) {"
			echo "        TCP_CHECK {"
			echo "            connect_timeout 3"
			echo "        }"
			echo "    }"
		done
		echo "}"
	done
} >"$B_DIR/h1.conf"
vrrp_block 100 BACKUP >"$B_DIR/h2.conf"
mkfifo "$B_DIR/fifo"
cat "$B_DIR/fifo" >"$B_DIR/fifo.out" &
B_PIDS+=("$!")
disown "$!"

# ---- start: director first, all MASTER; then the backup -----------------------
entering() { grep -c "Entering .* STATE" "$B_DIR/h$1.log" 2>/dev/null; }
n_state() { grep -c "Entering $2 STATE" "$B_DIR/h$1.log" 2>/dev/null; }
start_ka() { # I [args]
	local i=$1
	shift
	ip netns exec "${H[$i]}" "$KA" -n -l -G -D -f "$B_DIR/h$i.conf" -p "$B_DIR/k$i.pid" \
		-r "$B_DIR/v$i.pid" -c "$B_DIR/c$i.pid" "$@" >>"$B_DIR/h$i.log" 2>&1 &
	D_PID[$i]=$!
	B_PIDS+=("$!")
	disown "$!"
}
t_start=$(now_ms)
start_ka 1
wait_until 60 bash -c "[[ \$(grep -c 'Entering MASTER STATE' '$B_DIR/h1.log') -ge $N_VRRP ]]" ||
	b_die "the director did not become MASTER of $N_VRRP instances ($(n_state 1 MASTER))"
start_ka 2 -P
wait_until 60 bash -c "[[ \$(grep -c 'Entering BACKUP STATE' '$B_DIR/h2.log') -ge $N_VRRP ]]" ||
	b_die "the backup did not enter BACKUP for $N_VRRP instances ($(n_state 2 BACKUP))"
a0=$(rs_accepts)
rs_done() { [[ $(rs_accepts) -ge $((a0 + N_RS)) ]]; }
wait_until $((DELAY_LOOP * 3 + 30)) rs_done ||
	b_die "the checker did not run $N_RS checks in $((DELAY_LOOP * 3 + 30)) s ($(($(rs_accepts) - a0)))"
t_ready=$(now_ms)
P=${D_PID[1]}
VPID1=$(cat "$B_DIR/v1.pid") VPID2=$(cat "$B_DIR/v2.pid")
ent1=$(entering 1) ent2=$(entering 2)
log_lines0=$(wc -l <"$B_DIR/h1.log")

# ---- the run ------------------------------------------------------------------
# Two captures of the director's adverts: at its own egress (the kernel's
# transmit tap: when the daemon sent each one; the timing criteria) and on
# the client (what reached the LAN through the bridge, which a loaded host
# delays further; reported).
ip netns exec "${H[1]}" tcpdump -i eth0 -Q out -n -B 32768 -U --immediate-mode \
	-w "$B_DIR/adv.pcap" "ip proto 112 and src host 192.0.2.11" >"$B_DIR/tcpdump.err" 2>&1 &
CAP=$!
B_PIDS+=("$CAP")
disown "$CAP"
ip netns exec "$CL" tcpdump -i eth0 -n -B 32768 -U --immediate-mode -w "$B_DIR/adv_cl.pcap" \
	"ip proto 112 and src host 192.0.2.11" >"$B_DIR/tcpdump_cl.err" 2>&1 &
CAP_CL=$!
B_PIDS+=("$CAP_CL")
disown "$CAP_CL"
wait_until 5 test -s "$B_DIR/adv.pcap" || b_die "tcpdump did not start"
wait_until 5 test -s "$B_DIR/adv_cl.pcap" || b_die "tcpdump did not start on the client"
ip netns exec "${H[3]}" "$FLOOD" -i eth0 -r "$FLOOD_RATE" -t "$SECS" -e 192.0.2.11 -e 192.0.2.12 \
	-x "1-$N_VRRP" -k "1-$N_VRRP:20" -g 5 >"$B_DIR/flood.out" 2>&1 &
FL=$!
B_PIDS+=("$FL")
disown "$FL"
T0=$(now_ms)
END=$((T0 + SECS * 1000))
a_run0=$(rs_accepts)

# sampler: "t_ms role pid fds rss_kb" every SAMPLE_EVERY s
sample() { # TAG
	local role pid f links ns
	for role in parent vrrp check; do
		case $role in
		parent) pid=$P ;;
		vrrp) pid=$(cat "$B_DIR/v1.pid" 2>/dev/null) ;;
		check) pid=$(cat "$B_DIR/c1.pid" 2>/dev/null) ;;
		esac
		[[ -n $pid && -d /proc/$pid ]] || continue
		# one listing for both counts (the checker opens and closes
		# sockets all the time)
		links=$(find "/proc/$pid/fd" -mindepth 1 -printf '%l\n' 2>/dev/null)
		f=$(grep -c . <<<"$links")
		ns=$(grep -c '^socket:' <<<"$links")
		echo "$(($(now_ms) - T0)) $1 $role $pid $f $(proc_rss_kb "$pid") $((f - ns))"
	done
}
(
	k=0
	while (($(now_ms) < END)) && ((k < 100000)); do
		sample s
		k=$((k + 1))
		left=$((T0 + k * SAMPLE_EVERY * 1000 - $(now_ms)))
		((left > 0)) && sleep "$((left / 1000)).$(printf %03d $((left % 1000)))"
	done
	sample s
) >"$B_DIR/samples" 2>/dev/null &
B_PIDS+=("$!")
SAMPLER=$!

# HUP storms: 100 SIGHUPs paced at 100 ms, then wait until the VRRP
# child's reloads settle (no new "configuration reloaded" for 3 s, at most
# 120 s): "start_ms signals_end_ms settled_ms" per storm (ms since T0).
vrrp_reloads() { grep -c "VRRP child: configuration reloaded" "$B_DIR/h1.log"; }
(
	at=$HUP_AT
	while ((T0 + (at + HUP_LEN) * 1000 < END)); do
		nowv t
		msleep $((T0 + at * 1000 - t))
		nowv s
		for ((i = 1; i <= 100; i++)); do
			kill -HUP "$P" 2>/dev/null
			nowv t
			msleep $((s + i * 100 - t))
		done
		nowv e
		r=$(vrrp_reloads) same=0 t=$e
		while ((same < 30 && t < END + 5000)); do
			msleep 100
			r2=$(vrrp_reloads)
			[[ $r2 == "$r" ]] && same=$((same + 1)) || same=0
			r=$r2
			nowv t
		done
		# -1: the reloads were still going on when the run ended
		echo "$((s - T0)) $((e - T0)) $((same >= 30 ? t - 3000 - T0 : -1))"
		((HUP_EVERY > 0)) || break
		at=$((at + HUP_EVERY))
	done
) >"$B_DIR/storms" &
B_PIDS+=("$!")
STORMER=$!

# checker killer: KILL_EVERY s after the start, then KILL_EVERY s after each
# respawn (so a long backoff does not eat the next kill, and a kill never
# falls near the 60 s limit of the backoff window);
# "kill t_kill_ms old_pid t_new_ms new_pid expected_s" per kill.
# The expected delay models src/core/parent.c: a restart within 60 s of the
# previous one is the n-th quick one in a row and waits min(2^(n-1), 60) s
# (60 from n = 7), else it is immediate.
(
	last=0 quick=0 next=$((T0 + KILL_EVERY * 1000)) k=0
	while ((next < END - 2000)) && ((k < 1000)); do
		k=$((k + 1))
		left=$((next - $(now_ms)))
		((left > 0)) && sleep "$((left / 1000)).$(printf %03d $((left % 1000)))"
		old=$(cat "$B_DIR/c1.pid" 2>/dev/null)
		if [[ -z $old || ! -d /proc/$old ]]; then
			echo "skip $(($(now_ms) - T0))"
			next=$(($(now_ms) + 1000))
			continue
		fi
		sample k >>"$B_DIR/ksamples"
		# what the checker's descriptors are, for a growth across incarnations
		echo "pid $old: $(for f in /proc/"$old"/fd/*; do readlink "$f"; done 2>/dev/null |
			sed 's/:.*//; s/^\/.*/file/' | sort | uniq -c | tr -s ' \n' ' ')" >>"$B_DIR/kfds"
		tk=$(now_ms)
		kill -KILL "$old"
		if ((last > 0 && tk - last < 60000)); then
			quick=$((quick + 1))
			exp=$((quick >= 7 ? 60 : 1 << (quick - 1)))
		else
			quick=0 exp=0
		fi
		last=$tk
		# wait for the new pid: bounded by the expected delay + 10 s
		new="" tn=0
		for ((w = 0; w < (exp + 10) * 100; w++)); do
			new=$(cat "$B_DIR/c1.pid" 2>/dev/null)
			if [[ -n $new && $new != "$old" && -d /proc/$new ]]; then
				tn=$(now_ms)
				break
			fi
			new=""
			# a slow death: where the killed child is stuck, once a second
			if ((w % 100 == 99)) && [[ -d /proc/$old ]]; then
				{
					echo "t=$(($(now_ms) - T0)) pid $old state $(cut -d' ' -f3 "/proc/$old/stat" 2>/dev/null) wchan $(cat "/proc/$old/wchan" 2>/dev/null)"
					cat "/proc/$old/stack" 2>/dev/null
				} >>"$B_DIR/kills.diag"
			fi
			sleep 0.01
		done
		echo "kill $((tk - T0)) $old $((tn ? tn - T0 : -1)) ${new:--} $exp"
		next=$(( (tn ? tn : $(now_ms)) + KILL_EVERY * 1000))
	done
) >"$B_DIR/kills" &
B_PIDS+=("$!")
KILLER=$!

echo "endurance: running for $SECS s (started $(date -u '+%H:%M:%S') UTC)" >&2
wait "$KILLER" "$STORMER" 2>/dev/null
wait "$SAMPLER" 2>/dev/null
wait_until 15 pid_dead "$FL"
a_run1=$(rs_accepts)
sleep 1
kill -INT "$CAP" "$CAP_CL" 2>/dev/null
wait_until 5 pid_dead "$CAP"
wait_until 5 pid_dead "$CAP_CL"

# ---- figures ------------------------------------------------------------------
FAIL=0
crit() { # crit OK|FAIL description
	if [[ $1 == OK ]]; then echo "PASS  $2"; else echo "FAIL  $2"; FAIL=1; fi
}
is() { "$@" && echo OK || echo FAIL; }

# storm windows (ms since T0) for the advert classification
storm_w=$(awk -v e=999999999 '{ printf "%s%d:%d", (NR > 1 ? "," : ""), $1, ($3 < 0 ? e : $3 + 2000) }' "$B_DIR/storms")
unsettled=$(awk '$3 < 0 { n++ } END { print n + 0 }' "$B_DIR/storms")
# intervals PCAP: "calm|storm vrid lateness_ms t_ms" per interval between
# two adverts of a VRID; the number of VRIDs heard on stderr
intervals() {
	tcpdump -tt -n -r "$1" 2>/dev/null | awk -v t0="$T0" -v w="$storm_w" -v ai=1000 '
	BEGIN { n = split(w, ws, ","); for (i = 1; i <= n; i++) { split(ws[i], a, ":"); lo[i] = a[1]; hi[i] = a[2] } }
	{ v = -1; for (i = 1; i < NF; i++) if ($i == "vrid") { v = $(i + 1) + 0; sub(",", "", v) }
	  if (v < 0) next
	  t = $1 * 1000 - t0
	  if (v in p) {
	    d = t - p[v] - ai; s = 0
	    for (i = 1; i <= n; i++) if (t >= lo[i] && t <= hi[i]) s = 1
	    printf "%s %d %.3f %.3f\n", (s ? "storm" : "calm"), v, d, t
	  }
	  p[v] = t; seen[v] = 1 }
	END { c = 0; for (v in seen) c++; print "vrids", c > "/dev/stderr" }'
}
intervals "$B_DIR/adv.pcap" >"$B_DIR/iv" 2>"$B_DIR/vrids"
intervals "$B_DIR/adv_cl.pcap" >"$B_DIR/iv_cl" 2>"$B_DIR/vrids_cl"
pct() { # FILE -> "n p50 p99 max" of column 1
	sort -g "$1" | awk '{ v[NR] = $1 } END {
		if (NR == 0) { print "0 - - -"; exit }
		i50 = int(NR * 0.50 + 0.999999); i99 = int(NR * 0.99 + 0.999999)
		printf "%d %.3f %.3f %.3f\n", NR, v[i50], v[i99], v[NR] }'
}
awk '$1 == "calm" { d = $3; print (d < 0 ? -d : d) }' "$B_DIR/iv" >"$B_DIR/dev.calm"
awk '$1 == "storm" { d = $3; print (d < 0 ? -d : d) }' "$B_DIR/iv" >"$B_DIR/late.storm"
awk '$1 == "storm" && $3 < -2 { n++ } END { print n + 0 }' "$B_DIR/iv" >"$B_DIR/early.storm"
read -r n_c p50_c p99_c max_c < <(pct "$B_DIR/dev.calm")
read -r n_s p50_s p99_s max_s < <(pct "$B_DIR/late.storm")
cat "$B_DIR/dev.calm" "$B_DIR/late.storm" >"$B_DIR/dev.all"
read -r n_a p50_a p99_a max_a < <(pct "$B_DIR/dev.all")
awk '{ d = $3; print (d < 0 ? -d : d) }' "$B_DIR/iv_cl" >"$B_DIR/dev.cl"
read -r n_cl p50_cl p99_cl max_cl < <(pct "$B_DIR/dev.cl")
vrids_cl=$(awk '{ print $2 }' "$B_DIR/vrids_cl")
early_s=$(cat "$B_DIR/early.storm")
vrids=$(awk '{ print $2 }' "$B_DIR/vrids")
cap_drop=$(grep -o '[0-9]* packets dropped by kernel' "$B_DIR/tcpdump.err" | cut -d' ' -f1)
worst=$(sort -k3 -g -r "$B_DIR/iv" | head -5 | awk '{ printf "  %s vrid %d: %+.3f ms at t=%.1f s\n", $1, $2, $3, $4 / 1000 }')

# transitions
d_ent1=$(($(entering 1) - ent1)) d_ent2=$(($(entering 2) - ent2))
rs_down=$(grep -c "DOWN" "$B_DIR/fifo.out")
vpid1_now=$(cat "$B_DIR/v1.pid" 2>/dev/null) vpid2_now=$(cat "$B_DIR/v2.pid" 2>/dev/null)
vrrp_restarts=$(grep -c "Restarting VRRP child" "$B_DIR/h1.log" "$B_DIR/h2.log" | awk -F: '{ s += $2 } END { print s + 0 }')

# respawns: replay every checker death in the log through the parent's rules
declare -A EXP
model_delays=""
last=0 quick=0
while read -r mon day hms yr pid; do
	t=$(date -d "$mon $day $hms $yr" +%s 2>/dev/null) || continue
	if ((last > 0 && t - last < 60)); then
		quick=$((quick + 1))
		e=$((quick >= 7 ? 60 : 1 << (quick - 1)))
	else
		quick=0 e=0
	fi
	last=$t
	EXP[$pid]=$e
	((e > 0)) && model_delays+="$e "
done < <(sed -n 's/^[A-Z][a-z]* \(.*\): Healthcheck child process (pid \([0-9]*\)) died.*/\1 \2/p' "$B_DIR/h1.log")
watchdog=$(grep -c "did not answer hello" "$B_DIR/h1.log" "$B_DIR/h2.log" | awk -F: '{ s += $2 } END { print s + 0 }')
resp_fail=0
resp_lines=""
while read -r kw tk old tn new exp; do
	[[ $kw == kill ]] || continue
	exp=${EXP[$old]:-$exp}
	if ((tn < 0)); then
		ms=-1 ok=FAIL
	else
		ms=$((tn - tk))
		ok=$(is test "$ms" -le $((exp * 1000 + RESPAWN_SLACK_MS)))
	fi
	[[ $ok == OK ]] || resp_fail=$((resp_fail + 1))
	resp_lines+="  t=$((tk / 1000)) s: pid $old -> $new after $ms ms (modelled delay ${exp} s, bound $((exp * 1000 + RESPAWN_SLACK_MS)) ms) $ok"$'\n'
done <"$B_DIR/kills"
n_kills=$(grep -c '^kill' "$B_DIR/kills")
n_skip=$(grep -c '^skip' "$B_DIR/kills")
log_delays=$(grep -o "Healthcheck child respawn delayed [0-9]* s" "$B_DIR/h1.log" | awk '{ printf "%s ", $5 }')

# growth: parent and VRRP child from the first sample 5 s after the first
# storm settled (the warm-up); checker: its samples just before each kill
WARM_END=$(awk 'NR == 1 && $3 >= 0 { printf "%d", ($3 + 5000) / 1000 }' "$B_DIR/storms")
WARM_END=${WARM_END:-20}
growth() { # ROLE -> "first last maxgrowth_fd ... " for fd (col 5) and rss (col 6)
	awk -v r="$1" -v w=$((WARM_END * 1000)) '$2 == "s" && $3 == r && $1 >= w {
		if (!n++) { f0 = $5; r0 = $6 } f1 = $5; r1 = $6
		if ($5 - f0 > mf) mf = $5 - f0; if ($6 - r0 > mr) mr = $6 - r0 }
		END { printf "%d %d %d %d %d %d %d\n", n, f0, f1, mf, r0, r1, mr }' "$B_DIR/samples"
}
kgrowth() {
	[[ -s $B_DIR/ksamples ]] || { echo "0 0 0 0 0 0 0"; return; }
	awk '$2 == "k" && $3 == "check" {
		if (!n++) { f0 = $7; r0 = $6 } f1 = $7; r1 = $6
		if ($7 - f0 > mf) mf = $7 - f0; if ($6 - r0 > mr) mr = $6 - r0 }
		END { printf "%d %d %d %d %d %d %d\n", n, f0, f1, mf, r0, r1, mr }' "$B_DIR/ksamples"
}
read -r gp_n gp_f0 gp_f1 gp_mf gp_r0 gp_r1 gp_mr < <(growth parent)
read -r gv_n gv_f0 gv_f1 gv_mf gv_r0 gv_r1 gv_mr < <(growth vrrp)
read -r gc_n gc_f0 gc_f1 gc_mf gc_r0 gc_r1 gc_mr < <(kgrowth)
flood=$(cat "$B_DIR/flood.out")
flood_rate=$(grep -o 'rate=[0-9]*' <<<"$flood" | cut -d= -f2)
reloads=$(grep -c "configuration reloaded" "$B_DIR/h1.log")
storms=$(wc -l <"$B_DIR/storms")
checks_s=$(awk -v a="$a_run0" -v b="$a_run1" -v s="$SECS" 'BEGIN { printf "%.0f", (b - a) / s }')
log_growth=$(($(wc -l <"$B_DIR/h1.log") - log_lines0))

{
	echo "# endurance  $(date -u '+%Y-%m-%d %H:%M:%S UTC')  kernel $(uname -r)  cpus $(nproc)  $SECS s"
	echo "# ours: $KA_BIN (sha256 $(sha256sum "$KA_BIN" | cut -c1-12))$( ((ASAN)) && echo '  [ASan build]')"
	echo "# load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "# $N_VRRP VRRPv2 instances (advert_int 1), $N_RS real servers TCP_CHECK delay_loop $DELAY_LOOP (nftables data plane)"
	echo "# start-up: director + backup converged and one check round in $(((t_ready - t_start) / 1000)) s"
	echo
	echo "load:"
	echo "  flood: $flood"
	echo "  SIGHUP storms: $storms x 100 (start, last signal, reloads settled, ms: $(tr '\n' ' ' <"$B_DIR/storms")); director log: $reloads 'configuration reloaded' ($(grep -c 'Healthcheck child: configuration reloaded' "$B_DIR/h1.log") by the checker)"
	echo "  checker kills: $n_kills, each $KILL_EVERY s after the previous respawn (skipped, no child: $n_skip)"
	echo "  checks performed (server accepts): $checks_s /s (expected $((N_RS / DELAY_LOOP)))"
	echo "  director log lines during the run: $log_growth"
	echo
	echo "transitions after start-up: director $d_ent1, backup $d_ent2; RS DOWN on the FIFO: $rs_down; VRRP child restarts: $vrrp_restarts"
	echo
	echo "adverts (captured at the director's egress: VRIDs sent $vrids/$N_VRRP, kernel drops ${cap_drop:-?}):"
	echo "  whole run: $n_a intervals, |interval - 1 s| p50 $p50_a  p99 $p99_a  max $max_a ms"
	echo "  outside storms: $n_c intervals, |interval - 1 s| p50 $p50_c  p99 $p99_c  max $max_c ms"
	echo "  in storms (+2 s): $n_s intervals, |interval - 1 s| p50 $p50_s  p99 $p99_s  max $max_s ms (of them more than 2 ms early: $early_s)"
	echo "  on the client (through the bridge; not a criterion): VRIDs heard $vrids_cl/$N_VRRP, $n_cl intervals, |interval - 1 s| p50 $p50_cl  p99 $p99_cl  max $max_cl ms"
	echo "  latest intervals:"
	echo "$worst"
	echo
	echo "checker respawns (backoffs logged: ${log_delays:-none}; modelled: ${model_delays:-none}; watchdog kills: $watchdog):"
	printf '%s' "$resp_lines"
	[[ -s $B_DIR/kfds ]] && sed 's/^/  fds of /' "$B_DIR/kfds"
	echo
	echo "fds / RSS kB (parent and VRRP child from t=$WARM_END s, $gp_n samples; checker before each kill):"
	echo "  parent:  fds $gp_f0 -> $gp_f1 (max growth $gp_mf), RSS $gp_r0 -> $gp_r1 (max growth $gp_mr)"
	echo "  vrrp:    fds $gv_f0 -> $gv_f1 (max growth $gv_mf), RSS $gv_r0 -> $gv_r1 (max growth $gv_mr)"
	echo "  checker: non-socket fds $gc_f0 -> $gc_f1 (max growth $gc_mf; its sockets are checks in flight), RSS $gc_r0 -> $gc_r1 (max growth $gc_mr) over $gc_n incarnations"
	echo
	crit "$(is test "$d_ent1" -eq 0 -a "$d_ent2" -eq 0)" "zero VRRP transitions after start-up (director $d_ent1, backup $d_ent2)"
	crit "$(is test "$rs_down" -eq 0)" "no real server DOWN ($rs_down)"
	crit "$(is test "$vrrp_restarts" -eq 0 -a "$vpid1_now" = "$VPID1" -a "$vpid2_now" = "$VPID2")" "the VRRP children never restarted"
	crit "$(is test "$vrids" -eq "$N_VRRP" -a "${vrids_cl:-0}" -eq "$N_VRRP")" "adverts sent and heard on the LAN for all $N_VRRP VRIDs"
	crit "$(is test "$unsettled" -eq 0)" "every SIGHUP storm absorbed before the end of the run (VRRP child reloads settled)"
	crit "$(is awk -v a="$p99_a" -v b="$P99_MAX_MS" 'BEGIN { exit !(a != "-" && a + 0 <= b + 0) }')" \
		"adverts on time: p99 |interval - 1 s| $p99_a <= $P99_MAX_MS ms over the run ($n_a intervals; storms alone: p99 $p99_s ms)"
	crit "$(is test "$n_kills" -ge 1 -a "$resp_fail" -eq 0)" "every checker respawn within its bound ($((n_kills - resp_fail))/$n_kills)"
	crit "$(is test "$(echo "$log_delays")" = "$(echo "$model_delays")")" "the logged backoffs are the modelled ones (${log_delays:-none}/ ${model_delays:-none})"
	crit "$(is test "$watchdog" -eq 0)" "no child killed by the parent's watchdog (hello unanswered for 3 s): $watchdog"
	crit "$(is test "$gp_n" -ge 2 -a "$gp_f1" -le "$gp_f0" -a "$gv_f1" -le "$gv_f0")" "no fd growth (parent, VRRP child)"
	crit "$(is test "$gc_n" -lt 2 -o "$gc_f1" -le "$gc_f0")" "no fd growth across checker incarnations"
	if ((ASAN)); then
		echo "SKIP  RSS growth: not bounded under ASan (its quarantine holds freed memory)"
	else
		crit "$(is test $((gp_r1 - gp_r0)) -le "$RSS_SLACK_KB" -a $((gv_r1 - gv_r0)) -le "$RSS_SLACK_KB")" \
			"no RSS growth beyond $RSS_SLACK_KB kB (parent, VRRP child)"
		crit "$(is test "$gc_n" -lt 2 -o $((gc_r1 - gc_r0)) -le "$RSS_SLACK_KB")" \
			"no RSS growth beyond $RSS_SLACK_KB kB across checker incarnations"
	fi
	crit "$(is test "$(grep -c 'Sanitizer' "$B_DIR/h1.log" "$B_DIR/h2.log" | awk -F: '{ s += $2 } END { print s + 0 }')" -eq 0)" "no sanitizer report"
	echo
	((FAIL)) && echo "RESULT: FAIL" || echo "RESULT: PASS"
} >"$B_DIR/summary.txt"
cat "$B_DIR/summary.txt"
# (the block above ran in the current shell, but keep the verdict tied to
# what was printed)
grep -q '^FAIL  ' "$B_DIR/summary.txt" && FAIL=1
if [[ -n $ENDUR_OUT ]]; then
	mkdir -p "$(dirname "$ENDUR_OUT")"
	cp "$B_DIR/summary.txt" "$ENDUR_OUT" && echo "(written to $ENDUR_OUT)"
fi
kill -TERM "${D_PID[2]}" "$P" 2>/dev/null
wait_until 15 pid_dead "$P"
exit $FAIL
