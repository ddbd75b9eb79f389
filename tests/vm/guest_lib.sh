# Helpers for guest scripts run inside the test VM by tests/vm/vm.sh.
# Source it first:   . "$KA_GUEST_DIR/guest_lib.sh"
# The VM is private and disposable: namespaces have short fixed names and
# the root namespace is the "switch" holding the bridges.  Every loop is
# bounded; background processes started through g_bg are killed on exit.
# See tests/vm/README.md for the whole API and the standard topology.
# shellcheck disable=SC2034 # the G_* settings are for the guest scripts
set -uo pipefail

G_NAME=$(basename "${BASH_SOURCE[1]:-guest}" .sh)
G_DIR=/tmp/g-$G_NAME
mkdir -p "$G_DIR"
G_PASS=0
G_FAIL=0
G_PIDS=()
KA_BIN=${KA_BIN:-/usr/sbin/keepalived}

g_cleanup() {
	local p
	for p in "${G_PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; done
	return 0
}
trap g_cleanup EXIT

# --- results ---------------------------------------------------------------
ok() {
	G_PASS=$((G_PASS + 1))
	echo "ok - $*"
}
not_ok() {
	G_FAIL=$((G_FAIL + 1))
	echo "not ok - $*"
}
# check "description" command... : one result from the command's status
check() {
	local d=$1
	shift
	if "$@"; then ok "$d"; else not_ok "$d"; fi
}
# check_eq "description" EXPECTED ACTUAL
check_eq() {
	if [[ $2 == "$3" ]]; then ok "$1"; else not_ok "$1 (expected '$2', got '$3')"; fi
}
# check_match "description" REGEX TEXT : TEXT matches the extended REGEX
check_match() {
	if [[ $3 =~ $2 ]]; then ok "$1"; else
		not_ok "$1 (no match for /$2/ in:)"
		printf '%s\n' "$3" | sed 's/^/    /'
	fi
}
# g_done: the closing count line, exit status 0 only if nothing failed
g_done() {
	echo "$G_NAME: $G_PASS passed, $G_FAIL failed"
	[[ $G_FAIL -eq 0 && $G_PASS -gt 0 ]]
	exit $?
}

# wait_until SECONDS command... : poll every 0.1 s; bounded by count and time
wait_until() {
	local limit=$1 i end
	shift
	end=$((SECONDS + limit + 1))
	for ((i = 0; i < limit * 10; i++)); do
		"$@" && return 0
		((SECONDS > end)) && break
		sleep 0.1
	done
	"$@"
}

# --- processes -----------------------------------------------------------
# g_bg NS command... : run command in namespace NS in the background; its
# pid is in G_LAST_PID and is killed at exit.  Output goes to the caller's
# redirections (use them: g_bg ns cmd >"$G_DIR/x.log" 2>&1).
g_bg() {
	local ns=$1
	shift
	ip netns exec "$ns" "$@" &
	G_LAST_PID=$!
	G_PIDS+=("$G_LAST_PID")
}
g_alive() { kill -0 "$1" 2>/dev/null; }
g_dead() { ! kill -0 "$1" 2>/dev/null; }
# g_stop PID [SECONDS]: SIGTERM, wait for it to end, SIGKILL if it does not
g_stop() {
	kill -TERM "$1" 2>/dev/null
	wait_until "${2:-10}" g_dead "$1" || kill -KILL "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	return 0
}

# --- network -------------------------------------------------------------
# g_ns NAME...: create network namespaces (lo up, no IPv6 DAD)
g_ns() {
	local ns
	for ns in "$@"; do
		ip netns add "$ns" || return 1
		ip -n "$ns" link set lo up
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 \
			net.ipv6.conf.default.accept_dad=0 >/dev/null
	done
}
# g_switch BR: a bridge in the root namespace of the VM
g_switch() {
	ip link add "$1" type bridge || return 1
	ip link set "$1" type bridge forward_delay 0 2>/dev/null
	ip link set "$1" up
}
# g_addr NS IF ADDR/PFX... : add addresses (IPv6 without DAD)
g_addr() {
	local ns=$1 dev=$2 a
	shift 2
	for a in "$@"; do
		if [[ $a == *:* ]]; then
			ip -n "$ns" addr add "$a" dev "$dev" nodad || return 1
		else
			ip -n "$ns" addr add "$a" dev "$dev" || return 1
		fi
	done
}
# g_attach NS IF BR [ADDR/PFX...]: a veth pair, IF inside NS (up, with the
# addresses), its peer NS-IF in the root namespace enslaved to bridge BR
g_attach() {
	local ns=$1 dev=$2 br=$3 peer="$1-$2"
	shift 3
	ip link add "$peer" type veth peer name "$dev" netns "$ns" || return 1
	ip link set "$peer" master "$br" up
	ip -n "$ns" link set "$dev" up
	g_addr "$ns" "$dev" "$@"
}
# g_forwarding NS: route between interfaces (a director)
g_forwarding() {
	ip netns exec "$1" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 >/dev/null
}
# g_has_addr NS ADDR: some interface of NS has ADDR
g_has_addr() {
	local out
	out=$(ip -n "$1" addr show)
	[[ $out == *"inet $2/"* || $out == *"inet6 $2/"* ]]
}

# The standard LVS topology: g_lvs_net NDIRECTORS NREALSERVERS
#
#   client ──eth0── br-front ──eth0── dir1..dirN ──eth1── br-back ──eth0── rs1..rsM
#
#   front 203.0.113.0/24, 2001:db8:f::/64: client .10, dirI .(1+I)
#   back  198.51.100.0/24, 2001:db8:b::/64: dirI .(1+I), rsJ .(10+J)
#   VIP   G_VIP=203.0.113.100 / G_VIP6=2001:db8:f::100 (nobody has it yet)
#   real servers route via G_GW=198.51.100.1 / G_GW6=2001:db8:b::1 (nobody
#   has it yet: a NAT director must own it, statically or as a VRRP VIP)
#
# Sets G_DIRS=(dir1..), G_RSS=(rs1..), G_CLIENT=client, and helpers
# g_dir_ip I, g_rs_ip J (IPv4), g_dir_ip6 I, g_rs_ip6 J.
G_VIP=203.0.113.100
G_VIP6=2001:db8:f::100
G_GW=198.51.100.1
G_GW6=2001:db8:b::1
G_CLIENT=client
G_CLIENT_IP=203.0.113.10
G_CLIENT_IP6=2001:db8:f::10
G_DIRS=()
G_RSS=()
g_dir_ip() { echo "203.0.113.$((1 + $1))"; }
g_dir_back_ip() { echo "198.51.100.$((1 + $1))"; }
g_rs_ip() { echo "198.51.100.$((10 + $1))"; }
g_dir_ip6() { echo "2001:db8:f::$((1 + $1))"; }
g_dir_back_ip6() { echo "2001:db8:b::$((1 + $1))"; }
g_rs_ip6() { echo "2001:db8:b::$((10 + $1))"; }
g_lvs_net() {
	local nd=$1 nr=$2 i ns
	g_switch br-front || return 1
	g_switch br-back || return 1
	g_ns "$G_CLIENT" || return 1
	g_attach "$G_CLIENT" eth0 br-front "$G_CLIENT_IP/24" "$G_CLIENT_IP6/64" || return 1
	for ((i = 1; i <= nd; i++)); do
		ns=dir$i
		g_ns "$ns" || return 1
		g_attach "$ns" eth0 br-front "$(g_dir_ip "$i")/24" "$(g_dir_ip6 "$i")/64" || return 1
		g_attach "$ns" eth1 br-back "$(g_dir_back_ip "$i")/24" "$(g_dir_back_ip6 "$i")/64" || return 1
		g_forwarding "$ns"
		G_DIRS+=("$ns")
	done
	for ((i = 1; i <= nr; i++)); do
		ns=rs$i
		g_ns "$ns" || return 1
		g_attach "$ns" eth0 br-back "$(g_rs_ip "$i")/24" "$(g_rs_ip6 "$i")/64" || return 1
		ip -n "$ns" route add default via "$G_GW" || return 1
		ip -n "$ns" -6 route add default via "$G_GW6" || return 1
		G_RSS+=("$ns")
	done
}
# g_rs_dr NS VIP...: prepare real server NS for direct routing / tunnelling:
# the VIPs on lo, no ARP answers for them
g_rs_dr() {
	local ns=$1 v
	shift
	ip netns exec "$ns" sysctl -qw net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.all.arp_announce=2 >/dev/null
	for v in "$@"; do
		if [[ $v == *:* ]]; then
			ip -n "$ns" addr add "$v/128" dev lo nodad
		else
			ip -n "$ns" addr add "$v/32" dev lo
		fi
	done
}

# --- HTTP ----------------------------------------------------------------
# g_httpd NS [PORT [TEXT]]: busybox httpd in NS serving $(g_www NS PORT)
# whose index.html is TEXT (default: the namespace name) plus a newline;
# returns once it answers.  Put more files into $(g_www NS PORT) freely.
declare -A G_HTTPD=()
g_www() { echo "/tmp/www-$1-${2:-80}"; }
g_httpd() {
	local ns=$1 port=${2:-80} text=${3:-$1} dir
	dir=$(g_www "$ns" "$port")
	mkdir -p "$dir"
	printf '%s\n' "$text" >"$dir/index.html"
	g_bg "$ns" httpd -f -p "$port" -h "$dir"
	G_HTTPD[$ns:$port]=$G_LAST_PID
	wait_until 10 g_fetch "$ns" "http://127.0.0.1:$port/" >/dev/null
}
g_httpd_stop() {
	local key=$1:${2:-80}
	[[ -n ${G_HTTPD[$key]:-} ]] || return 0
	g_stop "${G_HTTPD[$key]}"
	unset "G_HTTPD[$key]"
}
# g_fetch NS URL [SECONDS]: print the body (busybox wget), fail on error.
# (Not wget -T: busybox 1.35's wget crashes with it.)
g_fetch() {
	ip netns exec "$1" timeout "${3:-3}" wget -q -O - "$2"
}

# g_fetch_n NS URL COUNT [SECS]: COUNT sequential fetches (new connection
# each) from one shell inside NS, one body line per fetch ("ERR" for a
# failed one), everything within SECS (default 2*COUNT+5).  Fewer process
# starts than COUNT g_fetch calls: those are the slow part under TCG.
g_fetch_n() {
	ip netns exec "$1" timeout "${4:-$((2 * $3 + 5))}" sh -c \
		'i=0; while [ $i -lt "$2" ]; do wget -q -O - "$1" 2>/dev/null || echo ERR; i=$((i + 1)); done' \
		sh "$2" "$3"
}

# --- IPVS and our daemon --------------------------------------------------
# g_ipvs NS [ipvsadm args]: Debian's ipvsadm in NS (default: -Ln)
g_ipvs() {
	local ns=$1
	shift
	if (($# == 0)); then set -- -Ln; fi
	ip netns exec "$ns" ipvsadm "$@"
}
# g_ka_start NS CONF [args...]: our keepalived in NS, foreground (-n),
# console log (-l -D) in $G_DIR/ka-NS.log, pid files $G_DIR/ka-NS{,-vrrp,
# -check}.pid; returns once the parent pid file exists.  Pid in G_KA[NS].
declare -A G_KA=()
g_ka_start() {
	local ns=$1 conf=$2
	shift 2
	rm -f "$G_DIR/ka-$ns.pid" "$G_DIR/ka-$ns-vrrp.pid" "$G_DIR/ka-$ns-check.pid"
	g_bg "$ns" "$KA_BIN" -n -l -G -D -f "$conf" -p "$G_DIR/ka-$ns.pid" \
		-r "$G_DIR/ka-$ns-vrrp.pid" -c "$G_DIR/ka-$ns-check.pid" "$@" >>"$G_DIR/ka-$ns.log" 2>&1
	G_KA[$ns]=$G_LAST_PID
	wait_until 10 test -s "$G_DIR/ka-$ns.pid"
}
g_ka_stop() {
	[[ -n ${G_KA[$1]:-} ]] || return 0
	g_stop "${G_KA[$1]}" "${2:-10}"
	unset "G_KA[$1]"
}
g_ka_log() { cat "$G_DIR/ka-$1.log" 2>/dev/null; }

# g_dump NS...: state for a failure report (addresses, routes, IPVS, logs)
g_dump() {
	local ns
	for ns in "$@"; do
		echo "--- $ns"
		ip -n "$ns" -br addr
		ip -n "$ns" route
		ip netns exec "$ns" ipvsadm -Ln 2>/dev/null
		[[ -f $G_DIR/ka-$ns.log ]] && tail -n 40 "$G_DIR/ka-$ns.log"
	done
}

# ---- scenario helpers ----
# ka_term NS: SIGTERM to the daemon in NS; it must end by itself (bounded),
# not by g_ka_stop's SIGKILL fallback
ka_term() {
	local pid=${G_KA[$1]}
	kill -TERM "$pid"
	wait_until 15 g_dead "$pid"
	local r=$?
	g_ka_stop "$1"
	return "$r"
}
# must DESC cmd...: a check the rest depends on (the guest script defines
# stop_here: what to print before it finishes with the counts)
must() {
	local d=$1
	shift
	if "$@"; then ok "$d"; else
		not_ok "$d"
		stop_here
	fi
}
