#!/usr/bin/env bash
# Split brain (shared/reference/operations-and-reliability.md §3.4): two of
# our daemons, host 1 MASTER (150) and host 2 BACKUP (100), v3, 0.5 s
# (Master_Down_Interval of host 2 = 1.5 + 0.305 s).  An nftables rule on
# the switch drops protocol 112 between them, so both become MASTER; when
# it is removed, exactly one MASTER must remain within one
# Master_Down_Interval, and the survivor must resend gratuitous ARP so a
# client whose ARP cache followed the lower-priority node (it announced
# the VIP last) comes back (keepalived#166).
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/vrrp_lib.sh"
need_root
command -v nft >/dev/null || skip_all "no nft"
command -v tcpdump >/dev/null || skip_all "no tcpdump"
lan_setup 2 || skip_all "cannot build the namespaces"
VIP=192.0.2.100
MDI_MS=1805 # 3 x 500 + (256 - 100) x 500 / 256 ms

mac() { ip -n "${H[$1]}" -o link show eth0 | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p'; }
M1=$(mac 1)
M2=$(mac 2)
cl_mac() { ip -n "$CL" neigh show $VIP | sed -n 's/.*lladdr \([0-9a-f:]*\).*/\1/p'; }
cl_mac_is() { [[ $(cl_mac) == "$1" ]]; }
one_master() { has_addr 1 $VIP && no_addr 2 $VIP; }

# The cut: a bridge-family rule on the switch (or, where the kernel lacks
# nf_tables for bridges, an input rule on each node).
cut() {
	if ip netns exec "$SW" nft -f - 2>/dev/null <<'NFT'; then
table bridge splitbrain {
	chain fwd {
		type filter hook forward priority 0; policy accept;
		ether type ip ip protocol 112 drop
	}
}
NFT
		CUT=bridge
	else
		local i
		for i in 1 2; do
			ip netns exec "${H[$i]}" nft -f - <<'NFT' || return 1
table inet splitbrain {
	chain in {
		type filter hook input priority 0; policy accept;
		ip protocol 112 drop
	}
}
NFT
		done
		CUT=input
	fi
}
heal() {
	if [[ $CUT == bridge ]]; then
		ip netns exec "$SW" nft delete table bridge splitbrain
	else
		ip netns exec "${H[1]}" nft delete table inet splitbrain &&
			ip netns exec "${H[2]}" nft delete table inet splitbrain
	fi
}

# higher_prio_send_advert: a MASTER that hears a higher priority sends one
# last advert before it yields.  Without it the heal is a race: when host
# 1's advert reaches host 2 before host 2's next one reaches host 1, host
# 2 yields silently, host 1 never hears a lower priority, and nothing
# re-announces the VIP (upstream's semantics too; the option is theirs).
vrrp_conf "$T_DIR/h1.conf" A 150 "advert_int 0.5" "higher_prio_send_advert"
vrrp_conf "$T_DIR/h2.conf" B 100 "advert_int 0.5" "higher_prio_send_advert"
sed -i '/advert_int 0.1/d' "$T_DIR/h1.conf" "$T_DIR/h2.conf"
TMPDIR=$T_DIR ka_start 1 "$T_DIR/h1.conf"
check "host 1 becomes MASTER" wait_until 10 has_addr 1 $VIP
ka_start 2 "$T_DIR/h2.conf"
sleep 2.5 # more than host 2's Master_Down_Interval
check "host 2 stays BACKUP" no_addr 2 $VIP
# The client has an entry for the VIP (as after talking to it); gratuitous
# ARP updates an existing entry, and with arp_accept creates one.
ip netns exec "$CL" sysctl -qw net.ipv4.conf.eth0.arp_accept=1
ip -n "$CL" neigh replace $VIP lladdr "$M1" dev eth0 nud stale
check "the client's ARP entry for the VIP is host 1" cl_mac_is "$M1"

for round in 1 2; do
	check "round $round: VRRP cut between the nodes" cut
	echo "# round $round: cut with a $CUT rule"
	t0=$(now_ms)
	check "round $round: host 2 becomes MASTER too (split brain)" wait_until 5 has_addr 2 $VIP
	t1=$(now_ms)
	echo "# round $round: host 2 MASTER $((t1 - t0)) ms after the cut (Master_Down_Interval $MDI_MS ms)"
	check "round $round: host 1 keeps the VIP during the split" has_addr 1 $VIP
	# host 2's GARPs moved the client's cache to host 2 (the lower priority)
	check "round $round: the client now resolves the VIP to host 2" wait_until 3 cl_mac_is "$M2"

	ip netns exec "$CL" tcpdump -i eth0 -n -U --immediate-mode -w "$T_DIR/arp$round.pcap" arp \
		>/dev/null 2>&1 &
	TD=$!
	T_PIDS+=("$TD")
	wait_until 5 test -s "$T_DIR/arp$round.pcap"
	sleep 0.3
	t0=$(now_ms)
	check "round $round: link restored" heal
	wait_until 5 one_master
	t1=$(now_ms)
	echo "# round $round: one MASTER again $((t1 - t0)) ms after the restore"
	check "round $round: exactly one MASTER (host 1) within Master_Down_Interval ($((t1 - t0)) < $MDI_MS ms)" \
		test $((t1 - t0)) -lt $MDI_MS -a "$(one_master && echo y)" = y
	check "round $round: the client's ARP entry is back on host 1" wait_until 3 cl_mac_is "$M1"
	sleep 0.5
	kill -INT "$TD"
	wait "$TD" 2>/dev/null
	# gratuitous ARP: sender = target = VIP, from host 1's MAC, after the restore
	ngarp=$(tcpdump -n -tt -e -r "$T_DIR/arp$round.pcap" 2>/dev/null | awk -v t0="$t0" -v m="$M1" -v v="$VIP" '
		$1 * 1000 >= t0 && $2 == m && index($0, "who-has " v " tell " v) {n++} END {print n + 0}')
	echo "# round $round: $ngarp gratuitous ARPs from host 1 after the restore"
	check "round $round: the survivor resent gratuitous ARP ($ngarp)" test "$ngarp" -ge 1
	check "round $round: host 2 stays BACKUP" no_addr 2 $VIP
done
check "no sanitizer report" bash -c "! grep -qE 'AddressSanitizer|runtime error|LeakSanitizer' $T_DIR/h1.log $T_DIR/h2.log"
t_done
