#!/usr/bin/env bash
# Fault catalogue case 13 (shared/reference/operations-and-reliability.md
# §4): a flood on the LAN of two of our daemons (host 1 MASTER 150, host 2
# BACKUP 100, v3, 0.5 s, VRID 51).  The client floods for FLOOD_S seconds
# as fast as it can (tests/tools/ka_vrrpgen -F: sendmmsg on AF_PACKET):
# well-formed v2/v3 adverts from random on-link sources for random other
# VRIDs, and random garbage on protocol 112 with any VRID byte (51
# included).  Expected: zero state changes on both nodes, the MASTER's
# adverts stay on time (gaps measured on the wire by tcpdump on the
# client), bounded CPU and memory, and rate-limited logging.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/vrrp_lib.sh"
need_root
GEN=${KA_TOOLS_DIR:-$(dirname "$KA_BIN")/tests/tools}/ka_vrrpgen
[[ -x $GEN ]] || skip_all "no ka_vrrpgen ($GEN)"
command -v tcpdump >/dev/null || skip_all "no tcpdump"
lan_setup 2 || skip_all "cannot build the namespaces"
FLOOD_S=${FLOOD_S:-10}
VIP=192.0.2.100

conf() { # file prio
	cat >"$1" <<CONF
vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id 51
    priority $2
    version 3
    advert_int 0.5
    virtual_ipaddress {
        $VIP/24
    }
}
CONF
}
conf "$T_DIR/h1.conf" 150
conf "$T_DIR/h2.conf" 100
TMPDIR=$T_DIR ka_start 1 "$T_DIR/h1.conf"
check "host 1 becomes MASTER" wait_until 10 has_addr 1 $VIP
TMPDIR=$T_DIR ka_start 2 "$T_DIR/h2.conf"
sleep 2 # host 2 settles in BACKUP (a full Master_Down_Interval is 1.8 s)
check "host 2 is BACKUP" no_addr 2 $VIP

# transitions I: "Became master + Released master" from the stats file
transitions() {
	local f="$T_DIR/keepalived.stats"
	rm -f "$f"
	kill -USR2 "${KA_PID[$1]}"
	wait_until 5 test -s "$f" || { echo -1; return; }
	awk '/^  (Became|Released) master:/ {n += $NF} END {print n + 0}' "$f"
}
ticks() { awk '{print $14 + $15}' "/proc/$(ka_vrrp_pid "$1")/stat"; }
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$(ka_vrrp_pid "$1")/status"; }

tr1=$(transitions 1)
tr2=$(transitions 2)
l1=$(wc -l <"$T_DIR/h1.log")
l2=$(wc -l <"$T_DIR/h2.log")
rss0=$(rss_kb 1)
c1=$(ticks 1)
c2=$(ticks 2)
ip netns exec "$CL" tcpdump -i eth0 -n -U --immediate-mode -w "$T_DIR/adv.pcap" \
	"ip proto 112 and src host 192.0.2.11" >/dev/null 2>&1 &
TD=$!
T_PIDS+=("$TD")
wait_until 5 test -s "$T_DIR/adv.pcap"
sleep 1.2 # a few adverts before the flood, as a baseline
t0=$(now_ms)
ip netns exec "$CL" "$GEN" -i eth0 -s 192.0.2.200 -F "$FLOOD_S" -X 51 >"$T_DIR/flood.out" 2>&1
t1=$(now_ms)
c1e=$(ticks 1)
c2e=$(ticks 2)
rss1=$(rss_kb 1)
sleep 1.2
kill -INT "$TD"
wait "$TD" 2>/dev/null
cat "$T_DIR/flood.out"
pps=$(sed -n 's/.*pps=\([0-9]*\).*/\1/p' "$T_DIR/flood.out")
check "the flood ran (${pps:-0} frames/s)" test "${pps:-0}" -gt 1000

# Advert gaps during the flood, from the capture's timestamps.
tcpdump -n -tt -r "$T_DIR/adv.pcap" 2>/dev/null | awk '{print $1}' >"$T_DIR/adv.ts"
read -r n maxgap meangap < <(awk -v a="$t0" -v b="$t1" '
	{t = $1 * 1000; if (t >= a && t <= b) {if (p) {g = t - p; s += g; k++; if (g > m) m = g} p = t}}
	END {printf "%d %d %d\n", k, m, k ? s / k : 0}' "$T_DIR/adv.ts")
echo "# adverts during the flood: $((n + 1)), gaps max ${maxgap} ms, mean ${meangap} ms (interval 500 ms)"
check "adverts kept coming during the flood ($((n + 1)) in $((t1 - t0)) ms)" \
	test "$n" -ge $(((t1 - t0) / 500 * 8 / 10))
check "advert gaps under flood stay below 2 intervals (max ${maxgap} ms)" test "$maxgap" -lt 1000
check "mean advert gap on time (${meangap} ms in [450, 600])" test "$meangap" -ge 450 -a "$meangap" -le 600

hz=$(getconf CLK_TCK)
sent=$(sed -n 's/.*sent=\([0-9]*\).*/\1/p' "$T_DIR/flood.out")
cpu1=$(((c1e - c1) * 100000 / hz / (t1 - t0)))
cpu2=$(((c2e - c2) * 100000 / hz / (t1 - t0)))
# CPU per flood frame: every frame reaches both daemons' sockets, so their
# CPU grows with the rate; what must stay bounded is the cost per frame
# (a log line, an allocation or a scan per frame would show here).
us1=$(((c1e - c1) * 1000000 / hz / ${sent:-1}))
us2=$(((c2e - c2) * 1000000 / hz / ${sent:-1}))
echo "# VRRP child CPU during the flood: MASTER ${cpu1}% (${us1} us/frame), BACKUP ${cpu2}% (${us2} us/frame); MASTER RSS ${rss0} -> ${rss1} kB"
check "MASTER CPU per frame bounded (${us1} us < 150)" test "$us1" -lt 150
check "BACKUP CPU per frame bounded (${us2} us < 150)" test "$us2" -lt 150
check "MASTER memory bounded (RSS +$((rss1 - rss0)) kB < 4096)" test $((rss1 - rss0)) -lt 4096

check "no state change on host 1" test "$(transitions 1)" = "$tr1"
check "no state change on host 2" test "$(transitions 2)" = "$tr2"
check "host 1 still MASTER" has_addr 1 $VIP
check "host 2 still BACKUP" no_addr 2 $VIP
n1=$(($(wc -l <"$T_DIR/h1.log") - l1))
n2=$(($(wc -l <"$T_DIR/h2.log") - l2))
echo "# log lines during the flood: host 1 $n1, host 2 $n2"
# one line per reason and 10 s at most (plus the dump lines of this test)
check "logging rate-limited (host 1: $n1 lines)" test "$n1" -le 30
check "logging rate-limited (host 2: $n2 lines)" test "$n2" -le 30
check "no sanitizer report" bash -c "! grep -qE 'AddressSanitizer|runtime error|LeakSanitizer' $T_DIR/h1.log $T_DIR/h2.log"
t_done
