#!/bin/bash
# Direct routing (lb_kind DR) in the nftables LVS data plane, with traffic.
# One L2 segment (a bridge in its own namespace) joins:
#   client   192.0.2.2 (and .3), 2001:db8::2
#   director 192.0.2.1 + the VIP 192.0.2.100 on eth0 (runs ka_nft),
#            2001:db8::1 + the VIP 2001:db8::100
#   rs1      192.0.2.21, rs2 192.0.2.22 (2001:db8::21, ::22), the VIPs on
#            lo (arp_ignore=1, arp_announce=2; IPv6 answers neighbour
#            solicitations only for the receiving interface's addresses),
#            answering the client directly
# The director forwards at the netdev ingress of eth0 (one-armed DR: the
# clients' packets arrive on the interface facing the real servers).
# One `ka_nft serve` holds the backend for the whole test.
source "$(dirname "$0")/../lib.sh"
need_root
KA_BUILD=${KA_BUILD:-$(cd "$(dirname "$0")/../.." && pwd)/build}
KA_NFT=$KA_BUILD/tests/tools/ka_nft
PY=/usr/bin/python3
VIP=192.0.2.100
VIP6=2001:db8::100
[[ -x $KA_NFT ]] || skip_all "no $KA_NFT"
command -v nft >/dev/null || skip_all "no nft CLI"
command -v curl >/dev/null || skip_all "no curl"
unshare -n "$KA_NFT" probe >/dev/null 2>&1 || skip_all "nftables unavailable"

t_netns S switch
t_netns C client
t_netns D director
t_netns R1 rs1
t_netns R2 rs2

port() { # NS IFNAME ADDR...: a veth from NS into the switch's bridge
	local ns=$1 ifn=$2 p=p$RANDOM a
	shift 2
	ip link add "$ifn" netns "$ns" type veth peer name "$p" netns "$S" || return 1
	ip -n "$S" link set "$p" master br0
	ip -n "$S" link set "$p" up
	for a in "$@"; do ip -n "$ns" addr add "$a" dev "$ifn"; done
	ip -n "$ns" link set "$ifn" up
	ip -n "$ns" link set lo up
}
setup() {
	ip -n "$S" link add br0 type bridge || return 1
	ip -n "$S" link set br0 up
	port "$C" eth0 192.0.2.2/24 192.0.2.3/24 || return 1
	ip -n "$C" addr add 2001:db8::2/64 dev eth0 nodad
	port "$D" eth0 192.0.2.1/24 $VIP/32 || return 1
	ip -n "$D" addr add 2001:db8::1/64 dev eth0 nodad
	ip -n "$D" addr add $VIP6/128 dev eth0 nodad
	local ns
	for ns in "$R1" "$R2"; do
		ip netns exec "$ns" sysctl -qw net.ipv4.conf.all.arp_ignore=1 \
			net.ipv4.conf.all.arp_announce=2
		port "$ns" eth0 || return 1
		ip -n "$ns" addr add $VIP/32 dev lo
		ip -n "$ns" addr add $VIP6/128 dev lo nodad
	done
	ip -n "$R1" addr add 192.0.2.21/24 dev eth0
	ip -n "$R2" addr add 192.0.2.22/24 dev eth0
	ip -n "$R1" addr add 2001:db8::21/64 dev eth0 nodad
	ip -n "$R2" addr add 2001:db8::22/64 dev eth0 nodad
}
setup || {
	echo "setup failed"
	exit 1
}

# Each real server: HTTP/1.1 with keep-alive on port 80 answering its own
# name, and a line server on port 9000 answering its name to each line.
cat >"$T_DIR/rs.py" <<'EOF'
import socket, socketserver, sys, threading
from http.server import BaseHTTPRequestHandler, HTTPServer
name = sys.argv[1].encode()
class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Length", str(len(name) + 1))
        self.end_headers()
        self.wfile.write(name + b"\n")
    def log_message(self, *a):
        pass
class Http(socketserver.ThreadingMixIn, HTTPServer):
    address_family = socket.AF_INET6  # and IPv4, dual-stack
    daemon_threads = True
    allow_reuse_address = True
class Lines(socketserver.StreamRequestHandler):
    def handle(self):
        for _ in self.rfile:
            self.wfile.write(name + b"\n")
class Tcp(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
h, t = Http(("::", 80), H), Tcp(("0.0.0.0", 9000), Lines)
threading.Thread(target=t.serve_forever, daemon=True).start()
print("ready", flush=True)
h.serve_forever()
EOF
start_rs() { # NS NAME
	ip netns exec "$1" "$PY" "$T_DIR/rs.py" "$2" >"$T_DIR/$2.out" 2>&1 &
	T_PIDS+=($!)
	wait_until 5 grep -q ready "$T_DIR/$2.out"
}
start_rs "$R1" rs1 || { echo "rs1 did not start"; exit 1; }
start_rs "$R2" rs2 || { echo "rs2 did not start"; exit 1; }
RS2_PID=${T_PIDS[-1]}

requests() { # N [URL]: N connections, one answer (or FAIL) per line in $T_DIR/got
	local i
	for ((i = 0; i < $1; i++)); do
		ip netns exec "$C" curl -s -g -m 2 "${2:-http://$VIP/}" || echo FAIL
	done >"$T_DIR/got"
}
count() { grep -cx "$1" "$T_DIR/got"; }
alt() { # every answer differs from the previous one, no failure
	local prev="" l
	while read -r l; do
		[[ $l == rs1 || $l == rs2 ]] || return 1
		[[ $l != "$prev" ]] || return 1
		prev=$l
	done <"$T_DIR/got"
}
one_server() { [[ $(sort -u "$T_DIR/got" | wc -l) == 1 ]] && grep -qx 'rs[12]' "$T_DIR/got"; }

# The backend: commands in, answers out (coprocess).
. "$(dirname "$0")/nft_serve_lib.sh"
ka_serve_start "$D"

write_table() { # FILE SCHED W1 W2 [EXTRA]: services on ports 80 and 9000
	local p
	for p in 80 9000; do
		printf 'service tcp %s %s sched %s %s\n' $VIP $p "$2" "${5:-}"
		printf 'dest 192.0.2.21 %s dr weight %s\ndest 192.0.2.22 %s dr weight %s\n' \
			$p "$3" $p "$4"
	done >"$1"
}

ip netns exec "$D" nft add table inet foreign
ip netns exec "$D" nft add chain inet foreign c
ip netns exec "$D" nft add rule inet foreign c counter
foreign_ok() { # (no grep -q in a pipe: with pipefail, nft could die of SIGPIPE)
	local out
	out=$(ip netns exec "$D" nft list chain inet foreign c 2>/dev/null)
	[[ $out == *counter* ]]
}
list_ok() { ip netns exec "$D" nft list ruleset >"$T_DIR/ruleset" 2>&1; }

# ---- rr alternates ----
write_table "$T_DIR/rr.txt" rr 1 1
a=$(ka "sync $T_DIR/rr.txt")
check "first sync: one batch ($a)" test "$a" = "sync failed=0 mutations=1"
check "netdev table hooks eth0" bash -c "ip netns exec $D nft list chain netdev keepalived_lvs in_eth0 | grep -q 'device \"eth0\"'"
requests 20
check "rr alternates over 20 connections ($(count rs1)/$(count rs2))" alt
check "nft list ruleset works (the CLI reads every rule)" list_ok

# ---- counters ----
r=$(ka read)
field() { # ADDR PORT NAME -> that counter in the last read
	awk -v d="$1" -v p="$2" -v f="$3" '$1 == "dest" && $2 == d && $3 == p {
		for (i = 4; i < NF; i++) if ($i == f) print $(i + 1) }' <<<"$r"
}
check "read: conns of rs1 = 10 ($(field 192.0.2.21 80 conns))" test "$(field 192.0.2.21 80 conns)" = 10
check "read: conns of rs2 = 10 ($(field 192.0.2.22 80 conns))" test "$(field 192.0.2.22 80 conns)" = 10
check "read: in packets/bytes counted ($(field 192.0.2.21 80 inpkts)/$(field 192.0.2.21 80 inbytes))" \
	test "$(field 192.0.2.21 80 inpkts)" -ge 30 -a "$(field 192.0.2.21 80 inbytes)" -gt 0
check "read: out = 0 (replies bypass the director)" test "$(field 192.0.2.21 80 outpkts)" = 0

# ---- an unchanged re-sync sends nothing ----
a=$(ka "sync $T_DIR/rr.txt")
check "unchanged re-sync: zero batches ($a)" test "$a" = "sync failed=0 mutations=1"

# ---- long connections stay on one server ----
ip netns exec "$C" curl -s -m 5 $(for i in $(seq 50); do echo "http://$VIP/"; done) >"$T_DIR/got"
check "50 requests on one keep-alive connection: one server ($(sort "$T_DIR/got" | uniq -c | tr '\n' ' '))" \
	bash -c "[[ \$(wc -l <$T_DIR/got) == 50 ]] && [[ \$(sort -u $T_DIR/got | wc -l) == 1 ]]"
cat >"$T_DIR/lines.py" <<'EOF'
import socket, sys
s = socket.create_connection((sys.argv[1], 9000), timeout=3)
f = s.makefile("rb")
for i in range(int(sys.argv[2])):
    s.sendall(b"x\n")
    print(f.readline().decode().strip() or "EOF", flush=True)
EOF
ip netns exec "$C" "$PY" "$T_DIR/lines.py" $VIP 200 >"$T_DIR/got" 2>&1
check "200 round trips on one TCP connection: one server ($(sort "$T_DIR/got" | uniq -c | tr '\n' ' '))" \
	bash -c "[[ \$(grep -cx 'rs[12]' $T_DIR/got) == 200 ]] && [[ \$(sort -u $T_DIR/got | wc -l) == 1 ]]"

# ---- wrr 3:1, exact ----
write_table "$T_DIR/wrr.txt" wrr 3 1
a=$(ka "sync $T_DIR/wrr.txt")
check "wrr sync: one batch ($a)" test "$(mutations "$a")" = 2
requests 400
check "wrr 3:1 exact over 400 connections ($(count rs1)/$(count rs2))" \
	test "$(count rs1)" = 300 -a "$(count rs2)" = 100

# ---- sh: one client, one server ----
write_table "$T_DIR/sh.txt" sh 1 1
ka "sync $T_DIR/sh.txt" >/dev/null
requests 30
check "sh: 30 connections, one server ($(sort -u "$T_DIR/got" | tr '\n' ' '))" one_server

# ---- persistence with rr ----
write_table "$T_DIR/p.txt" rr 1 1 "flags 1 timeout 60"
ka "sync $T_DIR/p.txt" >/dev/null
requests 20
check "persistence: 20 connections, one server" one_server
check "nft list ruleset works with persistence" list_ok

# ---- rr: --del moves new connections, weight 0 ----
ka "sync $T_DIR/rr.txt" >/dev/null
flows_to_rs1() {
	ip netns exec "$D" nft list map netdev keepalived_lvs vs_tcp_192_0_2_100_80_flows |
		grep -o 0xc0000215 | wc -l
}
requests 10
check "rs1 has flows before its removal ($(flows_to_rs1))" test "$(flows_to_rs1)" -ge 5
a=$(ka "del service tcp $VIP 80 ; dest 192.0.2.21 80")
requests 20
check "--del rs1: all 20 to rs2 ($a; $(count rs2))" test "$(count rs2)" = 20
check "--del rs1: its flows were purged ($(flows_to_rs1))" test "$(flows_to_rs1)" = 0
a=$(ka "set service tcp $VIP 80 ; dest 192.0.2.21 80 dr weight 1")
requests 20
check "rs1 back: alternating again" alt
a=$(ka "set service tcp $VIP 80 ; dest 192.0.2.22 80 dr weight 0")
requests 20
check "weight 0 takes rs2 out of new connections ($a)" test "$(count rs1)" = 20
check "nft list ruleset works after the changes" list_ok

# ---- IPv6: fwd ip6, the neighbour found by NDP ----
{
	cat "$T_DIR/rr.txt"
	printf 'service tcp %s 80 sched rr\n' $VIP6
	printf 'dest 2001:db8::21 80 dr weight 1\ndest 2001:db8::22 80 dr weight 1\n'
} >"$T_DIR/v6.txt"
a=$(ka "sync $T_DIR/v6.txt")
check "IPv6 service added in one batch ($a)" test "$(mutations "$a")" -gt 0
requests 20 "http://[$VIP6]/"
check "IPv6 rr alternates over 20 connections ($(count rs1)/$(count rs2))" alt
check "nft list ruleset works with IPv6" list_ok

# ---- a DR server on no connected subnet: that service only is left out ----
{
	cat "$T_DIR/rr.txt"
	printf 'service tcp %s 8080 sched rr\ndest 203.0.113.9 8080 dr weight 1\n' $VIP
} >"$T_DIR/bad.txt"
a=$(ka "sync $T_DIR/bad.txt")
check "unplaceable DR service: sync reports one failure ($a)" test "${a%% mutations*}" = "sync failed=1"
check "the log names the service and the server" \
	grep -q "TCP.*192.0.2.100.*8080.*203.0.113.9.*no connected subnet" "$T_DIR/ka_nft.err"
requests 10
check "the other services still forward ($(count rs1)/$(count rs2))" alt

# ---- both tables go, the foreign one stays ----
check "foreign table survives the syncs" foreign_ok
printf 'quit remove-own\n' >&"${KA[1]}"
check "ka_nft serve quits" test "$(ka_line)" = bye
check "--remove-own deletes the inet table" bash -c "! ip netns exec $D nft list table inet keepalived_lvs >/dev/null 2>&1"
check "--remove-own deletes the netdev table" bash -c "! ip netns exec $D nft list table netdev keepalived_lvs >/dev/null 2>&1"
check "foreign table survives --remove-own" foreign_ok
# ---- through the daemon: HTTP_GET checks, a failed server removed ----
if [[ -x ${KA_BIN:-} ]]; then
	hc() {
		printf '  real_server %s 80 {\n    weight 1\n    HTTP_GET {\n' "$1"
		printf '      url {\n        path /\n        status_code 200\n      }\n'
		printf '      connect_timeout 1\n      retry 1\n      delay_before_retry 1\n    }\n  }\n'
	}
	{
		printf 'global_defs {\n  router_id nft_dr\n  lvs_data_plane nftables\n}\n'
		printf 'virtual_server %s 80 {\n  delay_loop 1\n  lb_algo rr\n  lb_kind DR\n' $VIP
		printf '  protocol TCP\n'
		hc 192.0.2.21
		hc 192.0.2.22
		printf '}\n'
	} >"$T_DIR/ka.conf"
	check "keepalived -t accepts lb_kind DR with lvs_data_plane nftables" \
		"$KA_BIN" -t -f "$T_DIR/ka.conf"
	ip netns exec "$D" "$KA_BIN" -n -C -l -D -f "$T_DIR/ka.conf" -p "$T_DIR/k.pid" \
		-c "$T_DIR/c.pid" >"$T_DIR/ka.log" 2>&1 &
	KA_D=$!
	T_PIDS+=("$KA_D")
	netdev_there() {
		local out
		out=$(ip netns exec "$D" nft list table netdev keepalived_lvs 2>/dev/null)
		[[ $out == *"fwd ip to"* ]]
	}
	check "daemon: the netdev table forwards after start" wait_until 10 netdev_there
	both() { requests 4 && [[ $(count rs1) == 2 && $(count rs2) == 2 ]]; }
	check "daemon: traffic balanced over rs1 and rs2" wait_until 10 both
	requests 20
	check "daemon: rr alternates over 20 connections ($(count rs1)/$(count rs2))" alt
	kill -TERM "$RS2_PID"
	only_rs1() { requests 4 && [[ $(count rs1) == 4 ]]; }
	check "daemon: rs2 fails its HTTP_GET, all traffic to rs1" wait_until 15 only_rs1
	requests 20
	check "daemon: 20 more connections, all to rs1 ($(count rs1))" test "$(count rs1)" = 20
	check "daemon: nft list ruleset works" list_ok
	kill -TERM "$KA_D"
	check "daemon stops on SIGTERM" wait_until 10 pid_dead "$KA_D"
	check "daemon: the netdev table is gone after the stop" \
		bash -c "! ip netns exec $D nft list table netdev keepalived_lvs >/dev/null 2>&1"
	check "daemon: the foreign table survives" foreign_ok
else
	echo "# no KA_BIN: the daemon part is skipped"
fi

if [[ $T_FAIL -gt 0 ]]; then
	[[ -f $T_DIR/ka.log ]] && { echo "--- keepalived log"; tail -30 "$T_DIR/ka.log"; }
	echo "--- ka_nft stderr"
	cat "$T_DIR/ka_nft.err"
	echo "--- ruleset"
	cat "$T_DIR/ruleset"
fi
t_done
