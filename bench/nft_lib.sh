# shellcheck shell=bash disable=SC2034
# Shared helpers for the nftables data-plane benchmark (run-nft.sh).  Source
# it (it sources bench_lib.sh, which sets the cleanup trap).
#
# Topology (namespaces kab-NAME-$$, documentation ranges only):
#
#   client    eth0 192.0.2.100/24, default via 192.0.2.1
#   director  eth0 192.0.2.1/24; br0 198.51.100.1/24 with the real servers;
#             ip_forward=1; our daemon, checker child only (-C), with
#             `lvs_data_plane nftables`
#   rsN       eth0 198.51.100.(10+N)/24, default via 198.51.100.1;
#             tests/tools/ka_http answering "rsN" on port 8080 (one
#             process); rs1 also on 8088 (two processes: the direct path)
#   VIP       203.0.113.10 (routed to the director by the client; DNAT in
#             the director's prerouting takes it, it is nobody's address)
source "$(dirname "${BASH_SOURCE[0]}")/bench_lib.sh"
B_NAME=$(basename "${BASH_SOURCE[1]:-nft}" .sh)
VIP=203.0.113.10

# n_need: root, our daemon (copied: a rebuild during the run cannot mix
# binaries), wrk, nft (the witness), gcc for the two tools of tests/tools.
n_need() {
	local t
	[[ $(id -u) -eq 0 ]] || b_skip "needs root"
	[[ -x $KA_BIN ]] || b_die "our daemon $KA_BIN is not built (make build)"
	for t in wrk nft gcc stdbuf; do
		command -v "$t" >/dev/null || b_skip "$t is not installed"
	done
	mkdir -p "$B_DIR/ours"
	cp "$KA_BIN" "$B_DIR/ours/keepalived" || b_die "cannot copy $KA_BIN"
	OURS_BIN=$B_DIR/ours/keepalived
	for t in ka_http ka_nftwatch; do
		gcc -O2 -Wall -o "$B_DIR/$t" "$BENCH_DIR/../tests/tools/$t.c" || b_die "cannot build tests/tools/$t.c"
	done
	HTTP=$B_DIR/ka_http
	WATCH=$B_DIR/ka_nftwatch
}

# n_setup NRS: client, director and NRS real servers as above.
declare -A RSNS
n_setup() {
	local i
	b_netns cl CL || return 1
	b_netns dir DIR || return 1
	ip -n "$DIR" link add eth0 type veth peer name eth0 netns "$CL" || return 1
	ip -n "$DIR" addr add 192.0.2.1/24 dev eth0
	ip -n "$CL" addr add 192.0.2.100/24 dev eth0
	ip -n "$DIR" link set eth0 up
	ip -n "$CL" link set eth0 up
	ip -n "$CL" route add default via 192.0.2.1
	ip -n "$DIR" link add br0 type bridge
	ip -n "$DIR" addr add 198.51.100.1/24 dev br0
	ip -n "$DIR" link set br0 up
	for ((i = 1; i <= $1; i++)); do
		b_netns "rs$i" "RSNS[$i]" || return 1
		ip -n "$DIR" link add "r$i" type veth peer name eth0 netns "${RSNS[$i]}" || return 1
		ip -n "$DIR" link set "r$i" master br0 up
		ip -n "${RSNS[$i]}" addr add "198.51.100.$((10 + i))/24" dev eth0
		ip -n "${RSNS[$i]}" link set eth0 up
		ip -n "${RSNS[$i]}" route add default via 198.51.100.1
	done
	ip netns exec "$DIR" sysctl -qw net.ipv4.ip_forward=1
	# connection-per-request runs open tens of thousands of connections:
	# conntrack's TIME_WAIT entries must not fill the table (a reused
	# client port would also reopen the old entry and its old DNAT target)
	ip netns exec "$DIR" sysctl -qw net.netfilter.nf_conntrack_tcp_timeout_time_wait=1 2>/dev/null
	ip netns exec "$CL" sysctl -qw net.ipv4.ip_local_port_range="10000 65000"
	for ((i = 1; i <= $1; i++)); do
		ip netns exec "${RSNS[$i]}" sysctl -qw net.core.somaxconn=8192 net.ipv4.tcp_max_syn_backlog=8192
	done
	return 0
}

# n_servers NRS: ka_http "rsN" on 8080 (one process) in every real server,
# and in rs1 also on 8088 with as many processes as there are real servers:
# the direct path then has the same server capacity as the VIP.  Returns
# when all listen.
n_servers() {
	local i
	for ((i = 1; i <= $1; i++)); do
		ip netns exec "${RSNS[$i]}" "$HTTP" serve "rs$i" 8080 >"$B_DIR/srv$i.out" 2>&1 &
		B_PIDS+=("$!")
		disown "$!"
	done
	ip netns exec "${RSNS[1]}" "$HTTP" serve -w "$1" rs1 8088 >"$B_DIR/srv-direct.out" 2>&1 &
	B_PIDS+=("$!")
	disown "$!"
	for ((i = 1; i <= $1; i++)); do
		wait_until 5 grep -q ready "$B_DIR/srv$i.out" || return 1
	done
	wait_until 5 grep -q ready "$B_DIR/srv-direct.out"
}

nftd() { ip netns exec "$DIR" nft "$@"; }

# n_start CONF: our daemon in the director (checker child only).  N_PID is
# the parent; returns once the checker child's pid file is written.
n_start() {
	rm -f "$B_DIR/k.pid" "$B_DIR/c.pid"
	N_LOG=$B_DIR/ours-$(basename "$1" .conf).log
	ip netns exec "$DIR" "$OURS_BIN" -n -l -C -f "$1" -p "$B_DIR/k.pid" -c "$B_DIR/c.pid" \
		>>"$N_LOG" 2>&1 &
	N_PID=$!
	B_PIDS+=("$!")
	disown "$!"
	wait_until 10 test -s "$B_DIR/c.pid" || return 1
	CPID=$(cat "$B_DIR/c.pid")
}
n_stop() {
	local p=${N_PID:-}
	[[ -n $p ]] || return 0
	kill -TERM "$p" 2>/dev/null
	if ! wait_until 15 pid_dead "$p"; then
		echo "$B_NAME: WARNING: $p did not stop within 15 s of SIGTERM" >&2
		kill -KILL "$p" 2>/dev/null
		wait_until 2 pid_dead "$p"
	fi
	for p in $(ip netns pids "$DIR" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
	N_PID=""
}

# n_map_count MAP PATTERN: how many times PATTERN occurs in the listing of
# our map MAP (0 when it does not exist)
n_map_count() {
	local out
	out=$(nftd list map inet keepalived_lvs "$1" 2>/dev/null) || { echo 0; return; }
	grep -o -- "$2" <<<"$out" | wc -l
}

# wrk_run URL [HEADER]: wrk -t2 -c50 for $WRK_SECS s with the latency
# distribution; prints "rps p50_ms p99_ms errors reads" (errors: connect,
# write and timeout errors and non-2xx answers; reads: wrk's read errors,
# which with "Connection: close" are the servers' closes, one per request)
wrk_run() {
	local out hdr=()
	[[ -n ${2:-} ]] && hdr=(-H "$2")
	out=$(ip netns exec "$CL" wrk -t2 -c50 -d"${WRK_SECS}s" --latency "${hdr[@]}" "$1" 2>&1)
	echo "$out" >>"$B_DIR/wrk.log"
	awk '
		function ms(v) {
			if (v ~ /us$/) return v / 1000
			if (v ~ /ms$/) return v + 0
			if (v ~ /s$/) return v * 1000
			return v
		}
		$1 == "50%" { p50 = ms($2) }
		$1 == "99%" { p99 = ms($2) }
		/^Requests\/sec:/ { rps = $2 }
		/Socket errors:/ {
			for (i = 3; i < NF; i += 2) { v = $(i + 1); sub(/,/, "", v); if ($i == "read") rd += v; else err += v }
		}
		/Non-2xx/ { err += $NF }
		END { printf "%.0f %.3f %.3f %d %d\n", rps, p50, p99, err, rd }' <<<"$out"
}
