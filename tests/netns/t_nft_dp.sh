#!/bin/bash
# The nftables LVS data plane with real traffic:
#   client ns (203.0.113.2) -> director ns (runs ka_nft, forwards, NAT)
#   -> real servers rs1 198.51.100.1 and rs2 198.51.100.2 (HTTP on 8080,
#   each answering with its own name), virtual service 192.0.2.1:80.
# One `ka_nft serve` process holds the backend for the whole test, as the
# daemon would, so counters and the mirror persist between steps.
source "$(dirname "$0")/../lib.sh"
need_root
KA_BUILD=${KA_BUILD:-$(cd "$(dirname "$0")/../.." && pwd)/build}
KA_NFT=$KA_BUILD/tests/tools/ka_nft
SRV="$KA_TEST_DATA/netns/rs_servers.py"
PY=/usr/bin/python3
[[ -x $KA_NFT ]] || skip_all "no $KA_NFT"
command -v nft >/dev/null || skip_all "no nft CLI"
unshare -n "$KA_NFT" probe >/dev/null 2>&1 || skip_all "nftables unavailable"

t_netns C client
t_netns D director
t_netns R1 rs1
t_netns R2 rs2

setup() {
	ip link add c0 netns "$C" type veth peer name d0 netns "$D" || return 1
	ip -n "$C" addr add 203.0.113.2/24 dev c0
	ip -n "$C" addr add 203.0.113.3/24 dev c0
	ip -n "$C" link set c0 up
	ip -n "$C" route add default via 203.0.113.1
	ip -n "$D" addr add 203.0.113.1/24 dev d0
	ip -n "$D" link set d0 up
	ip -n "$D" link add br0 type bridge
	ip -n "$D" addr add 198.51.100.254/24 dev br0
	ip -n "$D" link set br0 up
	local i ns
	for i in 1 2; do
		ns=$R1
		[[ $i == 2 ]] && ns=$R2
		ip link add r0 netns "$ns" type veth peer name dr$i netns "$D" || return 1
		ip -n "$D" link set dr$i master br0
		ip -n "$D" link set dr$i up
		ip -n "$ns" addr add 198.51.100.$i/24 dev r0
		ip -n "$ns" link set r0 up
		ip -n "$ns" route add default via 198.51.100.254
	done
	ip netns exec "$D" sysctl -qw net.ipv4.ip_forward=1
}
setup || {
	echo "setup failed"
	exit 1
}

start_rs() { # NS NAME
	local out=$T_DIR/$2.out
	ip netns exec "$1" "$PY" "$SRV" http 0.0.0.0 8080 "$2" >"$out" 2>&1 &
	T_PIDS+=($!)
	wait_until 5 grep -q ready "$out"
}
start_rs "$R1" rs1 || { echo "rs1 did not start"; exit 1; }
start_rs "$R2" rs2 || { echo "rs2 did not start"; exit 1; }

# N sequential HTTP requests from the client, one body (or FAIL) per line.
cat >"$T_DIR/client.py" <<'EOF'
import socket, sys
addr, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
src = (sys.argv[4], 0) if len(sys.argv) > 4 else None
for _ in range(n):
    try:
        s = socket.create_connection((addr, port), timeout=2, source_address=src)
        s.sendall(b"GET / HTTP/1.0\r\n\r\n")
        data = b""
        while True:
            d = s.recv(4096)
            if not d:
                break
            data += d
        s.close()
        print(data.split(b"\r\n\r\n", 1)[-1].decode().strip() or "EMPTY")
    except OSError:
        print("FAIL")
EOF
requests() { # N [SOURCE] -> $T_DIR/got
	ip netns exec "$C" "$PY" "$T_DIR/client.py" 192.0.2.1 80 "$@" >"$T_DIR/got"
}
count() { grep -cx "$1" "$T_DIR/got"; }

# The backend: commands in, answers out (coprocess).
. "$(dirname "$0")/nft_serve_lib.sh"
ka_serve_start "$D"

SVC_RR="service tcp 192.0.2.1 80 sched rr"
write_table() { # FILE SVCLINE W1 W2
	printf '%s\ndest 198.51.100.1 8080 weight %s\ndest 198.51.100.2 8080 weight %s\n' \
		"$2" "$3" "$4" >"$1"
}

# A foreign table with a rule: never touched by us.
ip netns exec "$D" nft add table inet foreign
ip netns exec "$D" nft add chain inet foreign c
ip netns exec "$D" nft add rule inet foreign c counter
foreign_ok() { ip netns exec "$D" nft list chain inet foreign c 2>/dev/null | grep -q counter; }

# ---- rr alternates ----
write_table "$T_DIR/rr.txt" "$SVC_RR" 1 1
a=$(ka "sync $T_DIR/rr.txt")
check "first sync: one batch ($a)" test "$a" = "sync failed=0 mutations=1"
check "foreign table survives the replace" wait_until 2 foreign_ok
requests 20
alt() { # every answer differs from the previous one, no failure
	local prev="" l
	while read -r l; do
		[[ $l == rs1 || $l == rs2 ]] || return 1
		[[ $l != "$prev" ]] || return 1
		prev=$l
	done <"$T_DIR/got"
}
check "rr alternates over 20 requests ($(count rs1)/$(count rs2))" alt

# ---- counters match the requests ----
r=$(ka read)
conns() { # DEST -> conns of that dest in the last read
	awk -v d="$1" '$1 == "dest" && $2 == d { for (i = 3; i < NF; i++) if ($i == "conns") print $(i + 1) }' <<<"$r"
}
field() { # DEST NAME
	awk -v d="$1" -v f="$2" '$1 == "dest" && $2 == d { for (i = 3; i < NF; i++) if ($i == f) print $(i + 1) }' <<<"$r"
}
check "read: conns of rs1 = 10 ($(conns 198.51.100.1))" test "$(conns 198.51.100.1)" = 10
check "read: conns of rs2 = 10 ($(conns 198.51.100.2))" test "$(conns 198.51.100.2)" = 10
# each request is at least SYN, ACK, request, FIN in; SYN-ACK, data, FIN out
check "read: in/out packets counted ($(field 198.51.100.1 inpkts)/$(field 198.51.100.1 outpkts))" \
	test "$(field 198.51.100.1 inpkts)" -ge 30 -a "$(field 198.51.100.1 outpkts)" -ge 20
check "read: in/out bytes counted" test "$(field 198.51.100.2 inbytes)" -gt 0 -a \
	"$(field 198.51.100.2 outbytes)" -gt "$(field 198.51.100.2 inbytes)"

# ---- an unchanged re-sync sends nothing ----
a=$(ka "sync $T_DIR/rr.txt")
check "unchanged re-sync: zero batches ($a)" test "$a" = "sync failed=0 mutations=1"

# ---- wrr 3:1 over 400 requests ----
write_table "$T_DIR/wrr.txt" "service tcp 192.0.2.1 80 sched wrr" 3 1
a=$(ka "sync $T_DIR/wrr.txt")
check "wrr sync: one batch ($a)" test "$(mutations "$a")" = 2
requests 400
n1=$(count rs1)
n2=$(count rs2)
check "wrr 3:1 within 5% over 400 ($n1/$n2)" test "$n1" -ge 285 -a "$n1" -le 315 -a $((n1 + n2)) -eq 400

# ---- sh: same client, same server ----
write_table "$T_DIR/sh.txt" "service tcp 192.0.2.1 80 sched sh" 1 1
ka "sync $T_DIR/sh.txt" >/dev/null
requests 50
sh_one() { [[ $(sort -u "$T_DIR/got" | wc -l) == 1 ]] && grep -qx 'rs[12]' "$T_DIR/got"; }
check "sh: 50 requests, one server ($(sort -u "$T_DIR/got" | tr '\n' ' '))" sh_one
first=$(head -1 "$T_DIR/got")
a=$(ka "sync $T_DIR/sh.txt")
requests 50
check "sh: same server after an unchanged sync ($a)" test "$(sort -u "$T_DIR/got")" = "$first"

# ---- persistence with rr: the client sticks ----
write_table "$T_DIR/p.txt" "service tcp 192.0.2.1 80 sched rr flags 1 timeout 60" 1 1
ka "sync $T_DIR/p.txt" >/dev/null
requests 50
check "persistence: 50 requests, one server ($(sort -u "$T_DIR/got" | tr '\n' ' '))" sh_one
stick=$(head -1 "$T_DIR/got")
other=rs1
[[ $stick == rs1 ]] && other=rs2
ip_of() { [[ $1 == rs1 ]] && echo 198.51.100.1 || echo 198.51.100.2; }
# removing the server the client sticks to breaks the affinity
a=$(ka "del service tcp 192.0.2.1 80 ; dest $(ip_of "$stick") 8080")
requests 20
check "persistence: --del $stick moves all to $other ($a)" test "$(count "$other")" = 20
a=$(ka "set service tcp 192.0.2.1 80 ; dest $(ip_of "$stick") 8080 weight 1")
requests 20
check "persistence: the client stays on $other after $stick returns" test "$(count "$other")" = 20

# ---- persistence: weight 0 forgets only that server's clients ----
ka "sync $T_DIR/rr.txt" >/dev/null # not persistent: the affinities go
ka "sync $T_DIR/p.txt" >/dev/null
requests 1 203.0.113.2
ca=$(cat "$T_DIR/got")
requests 1 203.0.113.3
cb=$(cat "$T_DIR/got")
check "persistence: two clients on two servers ($ca $cb)" test "$ca" != "$cb"
aff_count() {
	ip netns exec "$D" nft -j list map inet keepalived_lvs vs_tcp_192_0_2_1_80_aff |
		"$PY" -c 'import json,sys; d=json.load(sys.stdin)["nftables"]; print(sum(len(x["map"].get("elem", [])) for x in d if "map" in x))'
}
check "persistence: two affinities ($(aff_count))" test "$(aff_count)" = 2
a=$(ka "set service tcp 192.0.2.1 80 ; dest $(ip_of "$ca") 8080 weight 0")
check "persistence: weight 0 on $ca forgets one affinity, keeps the other ($(aff_count))" \
	test "$(aff_count)" = 1
requests 10 203.0.113.2
check "persistence: its client moves to $cb" test "$(count "$cb")" = 10
ka "set service tcp 192.0.2.1 80 ; dest $(ip_of "$ca") 8080 weight 1" >/dev/null
requests 10 203.0.113.3
check "persistence: the other client never moved" test "$(count "$cb")" = 10
check "nft list ruleset works (the CLI can read every rule)" \
	bash -c "ip netns exec $D nft list ruleset >/dev/null"

# ---- rr: --del and weight 0 ----
ka "sync $T_DIR/rr.txt" >/dev/null
a=$(ka "del service tcp 192.0.2.1 80 ; dest 198.51.100.1 8080")
requests 20
check "rr: deleting rs1 sends all to rs2 ($a)" test "$(count rs2)" = 20
m=$(mutations "$a")
a=$(ka "del service tcp 192.0.2.1 80 ; dest 198.51.100.1 8080")
check "rr: deleting it again sends nothing ($a)" test "$(mutations "$a")" = "$m"
ka "set service tcp 192.0.2.1 80 ; dest 198.51.100.1 8080 weight 1" >/dev/null
requests 20
check "rr: rs1 back, alternating again" alt
a=$(ka "set service tcp 192.0.2.1 80 ; dest 198.51.100.2 8080 weight 0")
requests 20
check "rr: weight 0 takes rs2 out ($a)" test "$(count rs1)" = 20
r=$(ka read)
check "read: weight 0 dest still listed with its counters" test "$(field 198.51.100.2 conns)" -gt 0

# ---- the table goes, the foreign one stays ----
check "foreign table survives the syncs" wait_until 2 foreign_ok
printf 'quit remove-own\n' >&"${KA[1]}"
check "ka_nft serve quits" test "$(ka_line)" = bye
check "--remove-own deletes our table" bash -c "! ip netns exec $D nft list table inet keepalived_lvs >/dev/null 2>&1"
check "foreign table survives --remove-own" wait_until 2 foreign_ok
# ---- the kernel accepts every incremental @idx change ----
# Random adds, removals and weight changes at 1,000 destinations through
# the real backend; after each, @idx read back must be exact.
t_netns S stress
for sc in rr wrr sh dh mh; do
	check "stress $sc: 200 random changes at 1000 destinations, @idx exact after each" \
		ip netns exec "$S" "$KA_NFT" stress "$sc" 1000 200
done

if [[ $T_FAIL -gt 0 ]]; then
	echo "--- ka_nft stderr"
	cat "$T_DIR/ka_nft.err"
fi
t_done
