#!/usr/bin/env bash
# The netlink layer on a veth pair between two namespaces, driven by
# tests/tools/ka_nltool: the interface table (MAC, flags, addresses), link
# and address callbacks, VIP add/delete (IPv4 /32 with a label, IPv6 /128
# nodad + deprecated), a hand-deleted address reported, a gratuitous ARP
# and an unsolicited NA checked on the wire from the peer, and an ENOBUFS
# overrun (tiny receive buffer + a burst) repaired by a re-dump.
source "$(dirname "$0")/../lib.sh"
need_root
TOOL=${KA_TOOLS_DIR:-$(cd "$(dirname "$0")/../.." && pwd)/build/tests/tools}/ka_nltool
[[ -x $TOOL ]] || skip_all "ka_nltool not built ($TOOL)"
command -v tcpdump >/dev/null || skip_all "tcpdump not installed"

t_netns a ifa || skip_all "cannot create a network namespace"
t_netns b ifb || skip_all "cannot create a network namespace"
for ns in "$a" "$b"; do
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 \
		net.ipv6.conf.default.accept_dad=0
done
MAC_A=02:00:5e:10:00:01 MAC_B=02:00:5e:10:00:02
ip -n "$a" link add eth0 address $MAC_A type veth peer name eth1 address $MAC_B netns "$b"
ip -n "$a" link set eth0 up
ip -n "$b" link set eth1 up
ip -n "$a" addr add 192.0.2.1/24 dev eth0
ip -n "$a" addr add 2001:db8::1/64 dev eth0
ip -n "$b" addr add 192.0.2.2/24 dev eth1
ip -n "$b" addr add 2001:db8::2/64 dev eth1

inA() { ip netns exec "$a" "$@"; }
tool() { inA "$TOOL" "$@" >>"$T_DIR/tool.log" 2>&1; }

# ---- the monitor ----------------------------------------------------------
MON=$T_DIR/mon.log
# started directly (not through a shell function) so that $! is the tool itself
ip netns exec "$a" "$TOOL" monitor --duration 120 >"$MON" 2>"$T_DIR/mon.err" &
mon=$!
T_PIDS+=("$mon")
mon_has() { grep -q -- "$1" "$MON"; }
mon_count() { grep -c -- "$1" "$MON"; }
# The last table printed (initial one, or the latest SIGUSR1 snapshot).
last_table() {
	awk '/^(READY|TABLE_END)$/ { last = buf; buf = ""; next }
	     /^(IF|IFADDR|PRIMARY4|LL6) / { buf = buf $0 "\n" }
	     END { printf "%s", last }' "$1"
}
snapshot() { # snapshot PID LOG: ask for the table, wait until printed
	local n
	n=$(grep -c '^TABLE_END$' "$2")
	kill -USR1 "$1"
	wait_until 5 bash -c "(( \$(grep -c '^TABLE_END\$' '$2') > $n ))"
}

check "monitor starts and takes the first dump" wait_until 10 mon_has '^READY$'
T0=$(last_table "$MON")
has() { grep -qE -- "$1" <<<"$T0"; }
check "table: eth0 with its MAC, Ethernet, up" has "^IF eth0 idx=[0-9]+ type=1 mac=$MAC_A up=1 "
check "table: eth0 is a veth" has "^IF eth0 .* kind=veth$"
check "table: lo is there too" has '^IF lo idx=1 type=772 '
check "table: IPv4 address of eth0" has '^IFADDR eth0 192\.0\.2\.1/24 '
check "table: IPv6 global address of eth0" has '^IFADDR eth0 2001:db8::1/64 '
check "table: IPv6 link-local of eth0" has '^IFADDR eth0 fe80::[0-9a-f:]+/64 .*scope=253'
check "primary IPv4 of eth0" has '^PRIMARY4 eth0 192\.0\.2\.1$'
check "usable IPv6 link-local of eth0" has '^LL6 eth0 fe80::'
check "no callbacks for the first dump" test "$(mon_count '^\(LINK\|ADDR\) ')" -eq 0

# ---- link events ----------------------------------------------------------
ip -n "$a" link set eth0 down
check "link down reported" wait_until 5 mon_has '^LINK down eth0$'
ip -n "$a" link set eth0 up
check "link up reported" wait_until 5 mon_has '^LINK up eth0$'
# the peer going down takes eth0's carrier (IFF_RUNNING) away
ip -n "$b" link set eth1 down
check "carrier loss (peer down) reported as down" \
	wait_until 5 bash -c "(( \$(grep -c '^LINK down eth0\$' '$MON') == 2 ))"
ip -n "$b" link set eth1 up
check "carrier back reported as up" \
	wait_until 5 bash -c "(( \$(grep -c '^LINK up eth0\$' '$MON') == 2 ))"
ip -n "$a" link add vt0 type veth peer name vt1
check "new links reported" wait_until 5 bash -c "grep -q '^LINK new vt0\$' '$MON' && grep -q '^LINK new vt1\$' '$MON'"
ip -n "$a" link set vt0 name vt2
check "rename reported as a change" wait_until 5 mon_has '^LINK change vt2$'
ip -n "$a" link del vt2
check "deleted links reported (both ends of the pair)" \
	wait_until 5 bash -c "grep -q '^LINK del vt2\$' '$MON' && grep -q '^LINK del vt1\$' '$MON'"
# IPv6 addresses go away on link down and come back: wait for the global one
ip -n "$a" addr replace 2001:db8::1/64 dev eth0 2>/dev/null

# ---- VIPs -------------------------------------------------------------------
tool vip add eth0 192.0.2.100/32 label eth0:vip
check "IPv4 VIP add returns 0" test $? -eq 0
check "IPv4 VIP is on eth0 with its label" \
	bash -c "ip -n '$a' -4 addr show dev eth0 | grep -q 'inet 192.0.2.100/32 .*eth0:vip'"
check "IPv4 VIP add reported with its label" \
	wait_until 5 mon_has '^ADDR add eth0 192\.0\.2\.100/32 .*label=eth0:vip$'
tool vip add eth0 192.0.2.100/32 label eth0:vip
check "adding it again is not an error (EEXIST)" test $? -eq 0
tool vip add eth0 2001:db8::100/128
check "IPv6 VIP add returns 0" test $? -eq 0
v6line=$(ip -n "$a" -6 addr show dev eth0 | grep -A1 'inet6 2001:db8::100/128')
check "IPv6 VIP is on eth0, nodad" grep -q 'nodad' <<<"$v6line"
check "IPv6 /128 VIP is deprecated (preferred_lft 0)" grep -q 'preferred_lft 0sec' <<<"$v6line"
check "IPv6 VIP add reported" wait_until 5 mon_has '^ADDR add eth0 2001:db8::100/128 '

# ---- gratuitous ARP -------------------------------------------------------
PC=$T_DIR/arp.pcap
ip netns exec "$b" timeout 20 tcpdump -n -U -i eth1 -c 3 -w "$PC" arp 2>"$T_DIR/td1.err" &
td=$!
T_PIDS+=("$td")
wait_until 5 grep -qs 'listening on' "$T_DIR/td1.err"
tool garp eth0 192.0.2.100 3
check "GARP send returns 0" test $? -eq 0
wait "$td" 2>/dev/null
txt=$(tcpdump -n -e -r "$PC" 2>/dev/null | head -1)
hex=$(tcpdump -n -xx -r "$PC" 2>/dev/null | awk '/^\t0x/ { $1 = ""; printf "%s", $0 } /^[0-9]/ && n++ { exit }' | tr -d ' ')
check "GARP seen on the peer: 3 frames" test "$(tcpdump -n -r "$PC" 2>/dev/null | grep -c 'who-has 192.0.2.100 tell 192.0.2.100')" -eq 3
check "GARP: Ethernet source is eth0's MAC, destination broadcast" \
	grep -q "^[0-9:.]* $MAC_A > ff:ff:ff:ff:ff:ff, ethertype ARP" <<<"$txt"
check "GARP: ARP request" test "${hex:40:4}" = 0001
check "GARP: sender hardware address is eth0's MAC" test "${hex:44:12}" = "${MAC_A//:/}"
check "GARP: sender IP = VIP" test "${hex:56:8}" = c0000264
check "GARP: target IP = VIP" test "${hex:76:8}" = c0000264

# ---- unsolicited NA -------------------------------------------------------
NA=$T_DIR/na.txt
ip netns exec "$b" timeout 20 tcpdump -l -n -e -vv -i eth1 -c 2 'icmp6 and ip6[40] == 136' \
	>"$NA" 2>"$T_DIR/td2.err" &
td=$!
T_PIDS+=("$td")
wait_until 5 grep -qs 'listening on' "$T_DIR/td2.err"
tool na eth0 2001:db8::100
check "NA send returns 0" test $? -eq 0
tool na eth0 2001:db8::100 router
wait "$td" 2>/dev/null
na1=$(grep -A1 'neighbor advertisement' "$NA" | head -2)
na2=$(grep -A1 'neighbor advertisement' "$NA" | sed -n 3,4p)
check "NA seen on the peer with target = VIP" grep -q 'tgt is 2001:db8::100,' <<<"$na1"
check "NA: override set, solicited and router clear" grep -q 'Flags \[override\]$' <<<"$na1"
check "NA: to ff02::1 from a link-local, hop limit 255" \
	grep -qE 'hlim 255.* fe80::[0-9a-f:]+ > ff02::1:' <<<"$na1"
check "NA: Ethernet source is eth0's MAC" grep -q "^[0-9:.]* $MAC_A > 33:33:00:00:00:01" <<<"$na1"
check "NA: target link-layer address option = eth0's MAC" \
	grep -q "link-address option (2), length 8 (1): $MAC_A" <<<"$na1"
check "NA: checksum correct" grep -q 'icmp6 sum ok' <<<"$na1"
check "NA with the router flag" grep -q 'Flags \[router, override\]$' <<<"$na2"

# ---- VIP delete, and addresses removed by hand ------------------------------
tool vip del eth0 192.0.2.100/32
check "IPv4 VIP delete returns 0" test $? -eq 0
check "IPv4 VIP gone from eth0" \
	bash -c "! ip -n '$a' -4 addr show dev eth0 | grep -q '192.0.2.100'"
check "IPv4 VIP delete reported" wait_until 5 mon_has '^ADDR del eth0 192\.0\.2\.100/32 '
tool vip del eth0 2001:db8::100/128
check "IPv6 VIP delete returns 0" test $? -eq 0
check "IPv6 VIP gone from eth0" \
	bash -c "! ip -n '$a' -6 addr show dev eth0 | grep -q '2001:db8::100'"
check "IPv6 VIP delete reported" wait_until 5 mon_has '^ADDR del eth0 2001:db8::100/128 '
tool vip del eth0 192.0.2.100/32
check "deleting an absent VIP is not an error (EADDRNOTAVAIL)" test $? -eq 0
ip -n "$a" addr add 192.0.2.50/24 dev eth0
check "address added by hand reported (secondary)" \
	wait_until 5 mon_has '^ADDR add eth0 192\.0\.2\.50/24 flags=0x81 '
ip -n "$a" addr del 192.0.2.50/24 dev eth0
check "address deleted by hand reported" wait_until 5 mon_has '^ADDR del eth0 192\.0\.2\.50/24 '

# ---- a burst: all seen without loss by the big-buffer monitor ----------------
BURST=$T_DIR/burst.batch
DEL=$T_DIR/del.batch
for i in $(seq 1 200); do
	echo "addr add 198.51.100.$i/32 dev eth0"
	echo "addr del 198.51.100.$i/32 dev eth0" >>"$DEL"
done >"$BURST"

# a second monitor with a tiny receive buffer that stops reading for 1.5 s
MON2=$T_DIR/mon2.log
ip netns exec "$a" "$TOOL" monitor --rcvbuf 4096 --stall 1500 --duration 60 >"$MON2" 2>"$T_DIR/mon2.err" &
mon2=$!
T_PIDS+=("$mon2")
check "small-buffer monitor starts" wait_until 10 grep -q '^READY$' "$MON2"
ip -n "$a" -batch "$BURST"
check "big-buffer monitor sees all 200 adds" \
	wait_until 10 bash -c "(( \$(grep -c '^ADDR add eth0 198\.51\.100\.' '$MON') == 200 ))"
check "big-buffer monitor had no overrun" test "$(mon_count '^RESYNC')" -eq 0
check "small-buffer monitor overruns (ENOBUFS) and re-dumps" \
	wait_until 10 grep -qE '^RESYNC enobufs=[1-9]' "$MON2"
snapshot "$mon2" "$MON2"
check "after the re-dump its table holds all 200 addresses" \
	test "$(last_table "$MON2" | grep -c '^IFADDR eth0 198\.51\.100\.')" -eq 200
ip -n "$a" -batch "$DEL"
check "big-buffer monitor sees all 200 deletes" \
	wait_until 10 bash -c "(( \$(grep -c '^ADDR del eth0 198\.51\.100\.' '$MON') == 200 ))"
ok_gone() {
	snapshot "$mon2" "$MON2" && (($(last_table "$MON2" | grep -c '^IFADDR eth0 198\.51\.100\.') == 0))
}
check "small-buffer monitor ends with none of them" wait_until 10 ok_gone
check "its table still has eth0's own address" \
	grep -q '^IFADDR eth0 192\.0\.2\.1/24 ' <<<"$(last_table "$MON2")"

# ---- the final table, and a clean exit (ASan leak check) ---------------------
snapshot "$mon" "$MON"
T1=$(last_table "$MON")
check "final table: eth0 keeps 192.0.2.1/24 as primary" grep -q '^PRIMARY4 eth0 192\.0\.2\.1$' <<<"$T1"
check "final table: no VIP left" bash -c "! grep -qE '192\.0\.2\.100|2001:db8::100' <<<'$T1'"
check "final table: no vt link left" bash -c "! grep -q '^IF vt' <<<'$T1'"
for p in "$mon" "$mon2"; do kill -TERM "$p" 2>/dev/null; done
wait "$mon"
check "monitor exits cleanly" test $? -eq 0
wait "$mon2"
check "small-buffer monitor exits cleanly" test $? -eq 0
if [[ -s $T_DIR/mon.err ]]; then sed 's/^/# mon: /' "$T_DIR/mon.err" | head -20; fi
t_done
