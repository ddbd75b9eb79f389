# shellcheck shell=bash disable=SC2034
# Shared helpers for the health-check benchmarks.  Source it (it sources
# bench_lib.sh, which sets the cleanup trap).
#
# Topology (namespaces kab-NAME-$$, documentation ranges only):
#
#   director  eth0 192.0.2.1/25  --veth--  servers  eth0 192.0.2.2/25
#             routes 198.51.100.0/24 and 203.0.113.0/24 via 192.0.2.2
#             eth1 192.0.2.129/25 --veth-- client eth0 192.0.2.200/25
#                                          (VRRP adverts, c_client only)
#   servers   198.51.100.1-250/32 and 203.0.113.10/32 on lo;
#             bench/tools/check_srv on the wildcard address: TCP ports
#             8000-8019 (accept, close) and HTTP ports 8100-8119 (fixed 200,
#             close); its accept counters are the "checks actually performed"
#
# Real server i of N (i = 0..N-1) is 198.51.100.(1 + i % 250) port
# (BASE + i / 250): 250 addresses x N/250 ports, the same order as the floor
# loops' `-a 198.51.100.1-250 -p BASE-...` (address first).
#
# Daemons (run in the director namespace, one at a time):
#   ours  $KA_BIN -n -l -G -I ...   (-I: nothing touches IPVS; without IPVS
#                                    its checker must still run the checks)
#   ka    $UP_BIN -n -l -G ... with LD_PRELOAD=ka_ipvs_stub.so: keepalived's
#         checker child refuses to start without IPVS, so its IPVS calls are
#         stubbed (bench/ka_ipvs_stub.c)
# Both with their own pid files (-p/-r/-c) in $B_DIR; -C (checker only)
# unless c_start is given "full".
source "$(dirname "${BASH_SOURCE[0]}")/bench_lib.sh"
B_NAME=$(basename "${BASH_SOURCE[1]:-check}" .sh)
HZ=$(getconf CLK_TCK)
TCP_BASE=8000
HTTP_BASE=8100
ADDRS=250
DET_ADDR=203.0.113.10 # the real server the detection benchmark stops
DET_PORT=9000
SHIM_NOTE="keepalived's IPVS calls are stubbed with an LD_PRELOAD shim (bench/ka_ipvs_stub.c); ours runs with -I and no IPVS"

# c_need: like b_need, plus our tools and the shim.
c_need() {
	b_need
	local t
	for t in check_srv floor_http floor_tcp_bench; do
		gcc -O2 -Wall -o "$B_DIR/$t" "$BENCH_DIR/tools/$t.c" || b_die "cannot build tools/$t.c"
	done
	gcc -O2 -Wall -shared -fPIC -o "$B_DIR/ka_ipvs_stub.so" "$BENCH_DIR/ka_ipvs_stub.c" -ldl -lpthread ||
		b_die "cannot build ka_ipvs_stub.so"
	SRV=$B_DIR/check_srv
	FLOOR_HTTP=$B_DIR/floor_http
	SHIM=$B_DIR/ka_ipvs_stub.so
	# The TCP floor: tests/tools/floor_tcp.c when the tree has it (same
	# command line), else our own bench/tools/floor_tcp_bench.c.
	FLOOR_TCP=$B_DIR/floor_tcp_bench
	FLOOR_TCP_SRC=bench/tools/floor_tcp_bench.c
	if [[ -f $BENCH_DIR/../tests/tools/floor_tcp.c ]] &&
		gcc -O2 -Wall -o "$B_DIR/floor_tcp" "$BENCH_DIR/../tests/tools/floor_tcp.c" 2>"$B_DIR/floor_tcp.err"; then
		FLOOR_TCP=$B_DIR/floor_tcp
		FLOOR_TCP_SRC=tests/tools/floor_tcp.c
	fi
}

# c_setup [client]: the namespaces above (DIR, SRV, and CL with "client").
c_setup() {
	local i
	b_netns dir DIR || return 1
	b_netns srv SRVNS || return 1
	ip -n "$DIR" link add eth0 type veth peer name eth0 netns "$SRVNS" || return 1
	ip -n "$DIR" addr add 192.0.2.1/25 dev eth0
	ip -n "$SRVNS" addr add 192.0.2.2/25 dev eth0
	ip -n "$DIR" link set eth0 up
	ip -n "$SRVNS" link set eth0 up
	ip -n "$DIR" route add 198.51.100.0/24 via 192.0.2.2
	ip -n "$DIR" route add 203.0.113.0/24 via 192.0.2.2
	{
		for ((i = 1; i <= ADDRS; i++)); do echo "addr add 198.51.100.$i/32 dev lo"; done
		echo "addr add $DET_ADDR/32 dev lo"
	} | ip -n "$SRVNS" -batch - || return 1
	# room for the connection churn of 5,000 checks/s on both sides
	ip netns exec "$SRVNS" sysctl -qw net.core.somaxconn=8192 net.ipv4.tcp_max_syn_backlog=8192
	ip netns exec "$DIR" sysctl -qw net.ipv4.ip_local_port_range="10000 65000"
	if [[ ${1:-} == client ]]; then
		b_netns cl CL || return 1
		ip -n "$DIR" link add eth1 type veth peer name eth0 netns "$CL" || return 1
		ip -n "$DIR" addr add 192.0.2.129/25 dev eth1
		ip -n "$CL" addr add 192.0.2.200/25 dev eth0
		ip -n "$DIR" link set eth1 up
		ip -n "$CL" link set eth0 up
	fi
	return 0
}

# srv_start NAME ARGS...: a check_srv in the servers namespace; its counter
# file is $B_DIR/NAME.ctr and SRV_PID[NAME] its pid.  Returns when ready.
declare -A SRV_PID
srv_start() {
	local name=$1
	shift
	rm -f "$B_DIR/$name.ctr"
	ip netns exec "$SRVNS" "$SRV" -c "$B_DIR/$name.ctr" "$@" >>"$B_DIR/srv-$name.log" 2>&1 &
	SRV_PID[$name]=$!
	B_PIDS+=("$!")
	disown "$!"
	wait_until 5 test -e "$B_DIR/$name.ctr"
}
srv_stop() {
	local p=${SRV_PID[$1]:-}
	[[ -n $p ]] || return 0
	kill -KILL "$p" 2>/dev/null
	wait_until 2 pid_dead "$p" && b_forget "$p"
	SRV_PID[$1]=""
}
# srv_count NAME tcp|http|resp|err -> counter value
srv_count() {
	local v
	read -r -a v < <(od -An -t u8 -v "$B_DIR/$1.ctr" 2>/dev/null | tr '\n' ' ')
	case $2 in
	tcp) echo "${v[0]:-0}" ;;
	http) echo "${v[1]:-0}" ;;
	resp) echo "${v[2]:-0}" ;;
	err) echo "${v[3]:-0}" ;;
	esac
}
# srv_moved NAME KEY VALUE: the counter is above VALUE (for wait_until)
srv_moved() { [[ $(srv_count "$1" "$2") -gt $3 ]]; }
# forget a PID we started once it is gone (the cleanup must not kill a
# recycled PID)
b_forget() {
	local i
	for i in "${!B_PIDS[@]}"; do [[ ${B_PIDS[$i]} == "$1" ]] && unset "B_PIDS[$i]"; done
}
# The main servers: every address, TCP and HTTP port ranges.
srv_main() { srv_start main -t "$TCP_BASE-$((TCP_BASE + 19))" -h "$HTTP_BASE-$((HTTP_BASE + 19))"; }

# listen_drops: SYNs the servers namespace dropped (TcpExt ListenDrops),
# to show that the servers were not the bottleneck.
listen_drops() {
	ip netns exec "$SRVNS" cat /proc/net/netstat | awk '
		$1 == "TcpExt:" && !h { for (i = 2; i <= NF; i++) n[$i] = i; h = 1; next }
		$1 == "TcpExt:" && h { print $n["ListenDrops"] + 0; exit }'
}

# gen_conf FILE TYPE N [VS_COPIES] [EXTRA_RS_LINES]: N real servers with
# TYPE (tcp|http) checks, delay_loop 1, connect_timeout 2, retry 1,
# delay_before_retry 1.  One virtual server per port (203.0.113.(copy).PORT)
# holding the 250 addresses on that port; with VS_COPIES > 1 the same real
# servers sit behind that many copies of every virtual server (identical
# checks).  The same file serves both daemons.
gen_conf() {
	local file=$1 type=$2 n=$3 copies=${4:-1} extra=${5:-} base nports c p a i
	[[ $type == tcp ]] && base=$TCP_BASE || base=$HTTP_BASE
	nports=$(((n + ADDRS - 1) / ADDRS))
	{
		echo "global_defs {"
		echo "    router_id bench"
		echo "}"
		for ((c = 1; c <= copies; c++)); do
			for ((p = 0; p < nports; p++)); do
				echo "virtual_server 203.0.113.$c $((base + p)) {"
				echo "    delay_loop 1"
				echo "    lb_algo rr"
				echo "    lb_kind NAT"
				echo "    protocol TCP"
				for ((a = 1; a <= ADDRS; a++)); do
					i=$((p * ADDRS + a - 1))
					((i < n)) || break
					echo "    real_server 198.51.100.$a $((base + p)) {"
					echo "        weight 1"
					[[ -n $extra ]] && echo "        $extra"
					rs_check "$type"
					echo "    }"
				done
				echo "}"
			done
		done
	} >"$file"
}
rs_check() {
	if [[ $1 == tcp ]]; then
		echo "        TCP_CHECK {"
	else
		echo "        HTTP_GET {"
		echo "            url {"
		echo "                path /"
		echo "                status_code 200"
		echo "            }"
	fi
	echo "            connect_timeout 2"
	echo "            retry 1"
	echo "            delay_before_retry 1"
	echo "        }"
}
# floor_args TYPE N -> the floor's target arguments for the same servers
floor_args() {
	local base nports
	[[ $1 == tcp ]] && base=$TCP_BASE || base=$HTTP_BASE
	nports=$((($2 + ADDRS - 1) / ADDRS))
	if (($2 < ADDRS)); then
		echo "-a 198.51.100.1-$2 -p $base"
	else
		echo "-a 198.51.100.1-$ADDRS -p $base-$((base + nports - 1))"
	fi
}

# c_start KIND CONF [full|vrrp]: start daemon KIND in the director namespace
# (checker only, -C, unless "full": VRRP and checker, or "vrrp": both
# subsystems allowed but the configuration has no virtual server, so only the
# VRRP child starts).  C_PID is the parent.  Returns once the checker child's
# pid file is written (CPID; with "vrrp", the VRRP child's, and CPID="").
c_start() {
	local kind=$1 conf=$2 mode=${3:-} sub=(-C)
	[[ $mode == full || $mode == vrrp ]] && sub=()
	rm -f "$B_DIR/k.pid" "$B_DIR/v.pid" "$B_DIR/c.pid"
	C_LOG=$B_DIR/$kind-$(basename "$conf" .conf).log
	if [[ $kind == ours ]]; then
		# shellcheck disable=SC2086
		ip netns exec "$DIR" "$OURS_BIN" -n -l -G "${sub[@]}" -I ${OURS_ARGS:-} -f "$conf" \
			-p "$B_DIR/k.pid" -r "$B_DIR/v.pid" -c "$B_DIR/c.pid" >>"$C_LOG" 2>&1 &
	else
		ip netns exec "$DIR" env LD_PRELOAD="$SHIM" "$UP_BIN" -n -l -G "${sub[@]}" -f "$conf" \
			-p "$B_DIR/k.pid" -r "$B_DIR/v.pid" -c "$B_DIR/c.pid" >>"$C_LOG" 2>&1 &
	fi
	C_PID=$!
	C_KIND=$kind
	B_PIDS+=("$!")
	disown "$!"
	CPID=""
	if [[ $mode == vrrp ]]; then
		wait_until 10 test -s "$B_DIR/v.pid"
		return
	fi
	wait_until 10 test -s "$B_DIR/c.pid" || return 1
	CPID=$(cat "$B_DIR/c.pid")
	pid_alive "$CPID"
}
c_stop() {
	local p=${C_PID:-}
	[[ -n $p ]] || return 0
	kill -TERM "$p" 2>/dev/null
	if ! wait_until 15 pid_dead "$p"; then
		echo "$B_NAME: WARNING: $p did not stop within 15 s of SIGTERM" >&2
		kill -KILL "$p" 2>/dev/null
		wait_until 2 pid_dead "$p"
	fi
	pid_dead "$p" && b_forget "$p"
	# leftovers of ours in the director namespace (children) were started by us
	for p in $(ip netns pids "$DIR" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
	C_PID=""
}

# c_ours_works: does our checker run checks?  One virtual server with one
# TCP_CHECK real server (198.51.100.1:8000, delay_loop 1): the servers'
# accept counter must move within 5 s.  Needs c_setup and srv_main.
c_ours_works() {
	local c0 conf=$B_DIR/probe.conf
	gen_conf "$conf" tcp 1
	c0=$(srv_count main tcp)
	c_start ours "$conf" || {
		c_stop
		return 1
	}
	wait_until 5 srv_moved main tcp "$c0"
	local rc=$?
	c_stop
	return $rc
}

# c_daemons: the daemons to measure, in $DAEMONS order; "ours" only when its
# checker runs checks (else a note, and keepalived and the floor alone).
c_daemons() {
	local k out=()
	for k in ${DAEMONS:-ours ka}; do
		if [[ $k == ours ]] && ! c_ours_works; then
			echo "# ours: NOT MEASURED: its checker did not run a check within 5 s" \
				"(one TCP_CHECK real server, delay_loop 1; log: $(tail -n 3 "$B_DIR/ours-probe.log" 2>/dev/null | tr '\n' '|'))"
			continue
		fi
		out+=("$k")
	done
	C_DAEMONS=${out[*]}
}

pct() { awk -v t="$1" -v s="$2" -v hz="$HZ" 'BEGIN { printf "%.1f", t / hz / s * 100 }'; }
