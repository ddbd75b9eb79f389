#!/usr/bin/env bash
# The demo: seed 002's story (two directors LB01/LB02 with VRRP in front of
# two web servers checked by HTTP_GET, round robin) in network namespaces.
#
#   scripts/demo.sh [KEEPALIVED]        nftables data plane, NAT (this host
#                                       has no IPVS); `make demo`
#   DEMO_PLANE=ipvs scripts/demo.sh ... IPVS, DR as in seed 002: only where
#                                       the kernel has IPVS (`make demo-ipvs`
#                                       runs it in a qemu VM, tests/vm/g_demo.sh)
#
# It shows who is MASTER, the data plane, requests spread over both real
# servers, a dead real server removed by the checker (detection time
# measured), its return, and a crash of the MASTER director while a client
# keeps sending requests (takeover time measured).  Exit status 0 only if
# every PASS line held.  Everything is removed on exit.
set -uo pipefail
DL_BIN=$(readlink -f "${1:-build/keepalived}")
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
DL_LIB=$here/demo_lib.sh
DL_PLANE=${DEMO_PLANE:-nft}
conf_dir=${DEMO_CONF_DIR:-$here/../demo}
# shellcheck source-path=SCRIPTDIR source=demo_lib.sh
. "$DL_LIB"
[[ $(id -u) -eq 0 ]] || { echo "demo: needs root (network namespaces)"; exit 1; }
[[ -x $DL_BIN ]] || { echo "demo: no keepalived at $DL_BIN (make build)"; exit 1; }
if [[ $DL_PLANE == ipvs ]]; then
	conf=$conf_dir/seed002-dr.conf kind=DR tool="ipvsadm -Ln"
else
	conf=$conf_dir/seed002-nat.conf kind=NAT tool="nft list ... inet keepalived_lvs"
	command -v nft >/dev/null || { echo "demo: needs nft (make deps)"; exit 1; }
fi
DL_DIR=$(mktemp -d /tmp/ka-demo.XXXXXX)
# DEMO_KEEP=1 keeps the logs (the namespaces always go)
trap 'dl_cleanup; [[ -n ${DEMO_KEEP:-} ]] && echo "logs kept in $DL_DIR" || rm -rf "$DL_DIR"' EXIT
trap 'exit 130' INT TERM
T_START=$(dl_now_ms)
ADVERT_MS=1000
SKEW_MS=$(((256 - 100) * ADVERT_MS / 256)) # dir2's priority is 100
BOUND_MS=$((3 * ADVERT_MS + SKEW_MS))      # its Master_Down_Interval
TOLERANCE_MS=${DEMO_TOLERANCE_MS:-200}      # polling and scheduling

# --- the network -------------------------------------------------------------------
dl_say "The network (namespaces; a switch namespace holds both bridges)"
cat <<EOF
              client $DL_CLIENT_IP
                  |
   ------------ front 203.0.113.0/24 -------------   VIP $DL_VIP (VRRP VI_1)
          |                           |
   dir1 .2 (eth0)               dir2 .3 (eth0)        priority 150 | 100
   dir1 .2 (eth1)               dir2 .3 (eth1)        VI_1 + VI_2: one sync group
          |                           |
   ------------ back 198.51.100.0/24 -------------   gateway $DL_GW (VRRP VI_2)
          |                           |
   rs1 .11                      rs2 .12               web servers answering "rs1" | "rs2"

   virtual_server $DL_VIP 80: lb_algo rr, lb_kind $kind, HTTP_GET on / every second
EOF
[[ $kind == DR ]] && echo "   (DR: the real servers hold the VIP on lo and answer the client directly)"
dl_net || { echo "demo: cannot build the namespaces"; exit 1; }
if [[ $kind == DR ]]; then
	# direct routing: the real servers accept the VIP (on lo, never
	# answering ARP for it) and reply to the client themselves; the
	# replies still cross a director as a plain router, with a source
	# address the director owns: accept_local, no reverse-path filter
	for ns in "$DL_R1" "$DL_R2"; do
		ip netns exec "$ns" sysctl -qw net.ipv4.conf.all.arp_ignore=1 \
			net.ipv4.conf.all.arp_announce=2 >/dev/null
		ip -n "$ns" addr add "$DL_VIP/32" dev lo
	done
	for ns in "$DL_D1" "$DL_D2"; do
		ip netns exec "$ns" sysctl -qw net.ipv4.conf.all.accept_local=1 \
			net.ipv4.conf.eth1.accept_local=1 net.ipv4.conf.all.rp_filter=0 \
			net.ipv4.conf.eth1.rp_filter=0 >/dev/null
	done
fi
if ! { dl_httpd_start "$DL_R1" rs1 && dl_httpd_start "$DL_R2" rs2; }; then
	echo "demo: the web servers do not answer"
	exit 1
fi
echo "   web servers: rs1 and rs2 answer on port 80"

dl_say "One configuration for both directors: $(basename "$conf")"
for id in dir1 dir2; do
	ns=${DL_P}$id
	if out=$(ip netns exec "$ns" "$DL_BIN" -t -i "$id" -f "$conf" 2>&1); then
		echo "   keepalived -t -i $id: OK"
	else
		echo "   keepalived -t -i $id: refused:"
		printf '%s\n' "$out" | sed 's/^/      /'
		exit 1
	fi
done
echo "   (lines starting with @dir1 / @dir2 are kept only by the daemon started with -i dir1 / -i dir2)"
grep -E '^\s*(@dir[12]\s+)?(state|priority|lvs_data_plane|lb_algo|lb_kind) ' "$conf" |
	sed 's/[#!].*//' | awk '{ $1 = $1; print "   " $0 }' | sort -u

# --- election ------------------------------------------------------------------------
dl_say "Starting keepalived on dir1, then dir2"
t0=$(dl_now_ms)
if ! { dl_ka_start "$DL_D1" dir1 "$conf" && dl_ka_start "$DL_D2" dir2 "$conf"; }; then
	echo "demo: keepalived did not start"
	cat "$DL_DIR"/ka-*.log
	exit 1
fi
if dl_wait 10 dl_owns_vips "$DL_D1"; then
	t_elect=$(($(dl_now_ms) - t0))
	echo "   dir1 became MASTER after $t_elect ms (a starting router waits for adverts first: Master_Down_Interval)"
else
	t_elect=-
fi
echo "   $DL_VIP and $DL_GW are owned by: $(dl_owner)"
dl_assert "dir1 is MASTER, dir2 is BACKUP" test "$(dl_owner)" = dir1
dl_note "election (start -> dir1 owns both VIPs)" "$t_elect ms"
dl_assert "both directors' checkers put rs1 and rs2 into their data planes" \
	dl_wait 10 dl_has_both_dirs || {
	echo "   what dir1's daemon said about its data plane:"
	dl_log dir1 'nftables|IPVS|[Dd]ata plane|Adding|rror'
	exit 1
}

dl_say "The data plane in the MASTER (dir1): $tool"
dl_table "$DL_D1" | sed 's/^/   /'

# --- traffic ---------------------------------------------------------------------------
dl_say "10 requests from the client to http://$DL_VIP/"
dl_show_requests 10
dl_assert "10 answered, 5 by each real server (round robin)" test "$T_RS1 $T_RS2 $T_BAD" = "5 5 0"

dl_say "rs1's web server dies"
dl_httpd_kill rs1
t0=$(dl_now_ms)
if dl_wait 15 dl_lacks_rs "$DL_D1" "$DL_RS1_IP"; then
	t_detect=$(($(dl_now_ms) - t0))
	echo "   dir1's checker removed rs1 from the data plane after $t_detect ms"
	echo "   (connect refused, one retry after delay_before_retry 1 s, delay_loop 1 s)"
else
	t_detect=-
fi
dl_assert "rs1 removed within 15 s" test "$t_detect" != -
dl_note "dead real server removed (kill -> data plane)" "$t_detect ms"
dl_log dir1 'Removing|failed'
echo
dl_show_requests 10
dl_assert "rs1 down: 10 of 10 answered, all by rs2" test "$T_RS1 $T_RS2 $T_BAD" = "0 10 0"

dl_say "rs1 comes back"
dl_httpd_start "$DL_R1" rs1
t0=$(dl_now_ms)
if dl_wait 15 dl_has_rs "$DL_D1" "$DL_RS1_IP"; then
	t_back=$(($(dl_now_ms) - t0))
	echo "   dir1's checker put rs1 back after $t_back ms"
else
	t_back=-
fi
dl_assert "rs1 back within 15 s" test "$t_back" != -
dl_note "returning real server added back" "$t_back ms"
dl_show_requests 4
dl_assert "4 answered, by both real servers" test "$T_BAD" = 0 -a "$T_RS1" -gt 0 -a "$T_RS2" -gt 0

# --- the MASTER crashes --------------------------------------------------------------------
dl_say "dir1 crashes: kill -9 of its keepalived, and its cables pulled out"
cat <<EOF
   A crash, not a stop: SIGTERM would send a priority-0 advert and dir2 would
   take over at once; kill -9 alone would leave dir1 holding the VIPs and a
   working data plane (a dead daemon cleans nothing up).  Killing every
   process of the daemon and unplugging both of dir1's links is a director
   that dies: dir2 hears nothing more and takes over after its
   Master_Down_Interval = 3 x advert_int + skew = $BOUND_MS ms.
   Meanwhile the client sends a request every 100 ms (at most 1 s each).
EOF
loop_log=$DL_DIR/client.log stop=$DL_DIR/client.stop
dl_client_loop_start "$loop_log" "$stop" 400
dl_wait 5 test -s "$loop_log" # the client is running
t_kill=$(dl_now_ms)
dl_ka_crash dir1
dl_unplug "$DL_D1"
if dl_wait 10 dl_owns_vips "$DL_D2"; then
	t_take=$(dl_now_ms)
	t_over=$((t_take - t_kill))
	echo "   dir2 owns $DL_VIP and $DL_GW after $t_over ms"
else
	t_take=$(dl_now_ms) t_over=-
	echo "   dir2 did NOT take over"
fi
dl_assert "VIPs moved to dir2 within $BOUND_MS ms (+ $TOLERANCE_MS ms measuring tolerance)" \
	test "$t_over" != - -a "${t_over/-/99999}" -le $((BOUND_MS + TOLERANCE_MS))
dl_note "dir1's failure" "kill -9 of its daemon, links down"
dl_note "takeover (crash -> dir2 owns both VIPs)" "$t_over ms (bound $BOUND_MS ms)"
# enough requests sent through dir2 to judge it, then the client stops
dl_wait 10 dl_started_after "$loop_log" "$t_take" 20
touch "$stop"
wait "$DL_LOOP_PID" 2>/dev/null
dl_log dir2 'Entering MASTER'

echo
echo "   the client's requests (ms since the crash, duration, answer):"
w_ok=0 w_bad=0 a_ok=0 a_bad=0 a_rs1=0 a_rs2=0 before=0
while read -r s d a; do
	if ((s < t_kill)); then
		before=$((before + 1))
		continue
	fi
	printf '   %+7d ms %5d ms  %s\n' $((s - t_kill)) "$d" "$a"
	if ((s < t_take)); then
		[[ $a == rs[12] ]] && w_ok=$((w_ok + 1)) || w_bad=$((w_bad + 1))
	else
		case $a in
		rs1) a_ok=$((a_ok + 1)) a_rs1=$((a_rs1 + 1)) ;;
		rs2) a_ok=$((a_ok + 1)) a_rs2=$((a_rs2 + 1)) ;;
		*) a_bad=$((a_bad + 1)) ;;
		esac
	fi
done <"$loop_log"
echo "   before the crash: $before requests; during the takeover: $w_ok answered, $w_bad failed;"
echo "   after it: $a_ok answered (rs1 $a_rs1, rs2 $a_rs2), $a_bad failed"
dl_assert "after the takeover every request answered, by both real servers" \
	test "$a_bad" = 0 -a "$a_rs1" -gt 0 -a "$a_rs2" -gt 0
dl_note "requests during the takeover window" "$w_ok answered, $w_bad failed"
dl_note "requests after the takeover" "$a_ok answered, $a_bad failed"

dl_say "The data plane in the new MASTER (dir2)"
dl_table "$DL_D2" | sed 's/^/   /'

dl_say "Stopping dir2 (SIGTERM)"
p2=$(cat "$DL_DIR/ka-dir2.pid")
kill -TERM "$p2"
if dl_wait 10 bash -c "! kill -0 $p2 2>/dev/null"; then
	echo "   stopped; VIPs released: $(dl_owns_vips "$DL_D2" && echo no || echo yes)"
	if [[ $DL_PLANE == nft ]]; then
		echo "   its table removed: $(dl_table "$DL_D2" >/dev/null && echo no || echo yes)"
	fi
fi

dl_say "Summary ($DL_PLANE data plane, lb_kind $kind)"
printf '   %s\n' "${DL_SUMMARY[@]}"
echo "   whole run: $((($(dl_now_ms) - T_START) / 1000)) s; failed checks: $DL_FAILS"
if ((DL_FAILS > 0)); then
	echo "   logs of dir1 and dir2 (last lines):"
	tail -n 25 "$DL_DIR/ka-dir1.log" "$DL_DIR/ka-dir2.log" | sed 's/^/   /'
	exit 1
fi
exit 0
