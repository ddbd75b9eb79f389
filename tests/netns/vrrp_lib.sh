# A LAN of network namespaces for VRRP tests: a switch (bridge), hosts
# h1..hN with eth0 = 192.0.2.(10+i)/24 and 2001:db8::(10+i)/64, and a
# client "cl" at 192.0.2.200.  Source after tests/lib.sh.

# lan_setup N  -> sets SW, CL and H[1..N] (namespace names)
lan_setup() {
	local n=$1 i ns
	t_netns SW sw || return 1
	ip -n "$SW" link add br0 type bridge
	ip -n "$SW" link set br0 up
	H=()
	for ((i = 1; i <= n + 1; i++)); do
		t_netns ns "h$i" || return 1
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.all.accept_dad=0
		ip -n "$ns" link add eth0 type veth peer name "p$i" netns "$SW"
		ip -n "$SW" link set "p$i" master br0 up
		if ((i <= n)); then
			ip -n "$ns" addr add "192.0.2.$((10 + i))/24" dev eth0
			ip -n "$ns" addr add "2001:db8::$((10 + i))/64" dev eth0 nodad
			H[$i]=$ns
		else
			ip -n "$ns" addr add 192.0.2.200/24 dev eth0
			ip -n "$ns" addr add 2001:db8::200/64 dev eth0 nodad
			CL=$ns
		fi
		ip -n "$ns" link set eth0 up
	done
}

# ka_start I CONF [extra args]: start our daemon on host I in the foreground
# (-n) with its pid files and log in T_DIR; KA_PID[I] is the parent.
declare -A KA_PID
ka_start() {
	local i=$1 conf=$2; shift 2
	ip netns exec "${H[$i]}" "$KA_BIN" -n -l -G -D -f "$conf" -p "$T_DIR/k$i.pid" \
		-r "$T_DIR/v$i.pid" -c "$T_DIR/c$i.pid" "$@" >>"$T_DIR/h$i.log" 2>&1 &
	KA_PID[$i]=$!
	T_PIDS+=("$!")
	wait_until 5 test -s "$T_DIR/v$i.pid"
}
ka_vrrp_pid() { cat "$T_DIR/v$1.pid" 2>/dev/null; }
# kill -9 the whole daemon of host I (parent and VRRP child).
ka_kill9() {
	local v
	v=$(ka_vrrp_pid "$1")
	kill -KILL "${KA_PID[$1]}" ${v:+"$v"} 2>/dev/null
	wait "${KA_PID[$1]}" 2>/dev/null
	rm -f "$T_DIR/k$1.pid" "$T_DIR/v$1.pid" "$T_DIR/c$1.pid"
}
ka_stop() {
	kill -TERM "${KA_PID[$1]}" 2>/dev/null
	wait_until 10 pid_dead "${KA_PID[$1]}"
	wait "${KA_PID[$1]}" 2>/dev/null
}
# has_addr I ADDR: host I has ADDR on eth0.
# (No `ip | grep -q`: with pipefail, grep closing early fails the pipe.)
has_addr() {
	local out
	out=$(ip -n "${H[$1]}" addr show dev eth0)
	[[ $out == *"inet $2/"* || $out == *"inet6 $2/"* ]]
}
no_addr() { ! has_addr "$@"; }

# Capture on the client: cap_start NAME FILTER; cap_stop NAME -> text in T_DIR/NAME.txt
declare -A CAP_PID
cap_start() {
	ip netns exec "$CL" tcpdump -i eth0 -n -U --immediate-mode -w "$T_DIR/$1.pcap" "$2" >/dev/null 2>&1 &
	CAP_PID[$1]=$!
	T_PIDS+=("$!")
	wait_until 5 test -s "$T_DIR/$1.pcap"
}
cap_stop() {
	sleep 0.2 # let the last packets be written (-U flushes per packet)
	kill -INT "${CAP_PID[$1]}" 2>/dev/null
	wait "${CAP_PID[$1]}" 2>/dev/null
	tcpdump -n -v -e -r "$T_DIR/$1.pcap" >"$T_DIR/$1.txt" 2>/dev/null
}

# vrrp_conf FILE NAME PRIO [extra lines...]: a v3 0.1 s instance, VRID 51,
# VIP 192.0.2.100/24.
vrrp_conf() {
	local f=$1 prio=$3 extra=""
	shift 3
	for l in "$@"; do extra+="    $l"$'\n'; done
	cat >"$f" <<CONF
vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id 51
    priority $prio
    version 3
    advert_int 0.1
${extra}    virtual_ipaddress {
        192.0.2.100/24
    }
}
CONF
}

# Debian's keepalived on host I (its own pid files; UP is its binary), for
# the interop tests.  up_kill9 also removes $VIP, as a crash leaves it.
declare -A UP_PID
up_start() {
	local i=$1 conf=$2
	ip netns exec "${H[$i]}" "$UP" -n -l -G -D -f "$conf" -p "$T_DIR/uk$i.pid" \
		-r "$T_DIR/uv$i.pid" -c "$T_DIR/uc$i.pid" >>"$T_DIR/up$i.log" 2>&1 &
	UP_PID[$i]=$!
	T_PIDS+=("$!")
	wait_until 5 test -s "$T_DIR/uv$i.pid"
}
up_kill9() {
	local v
	v=$(cat "$T_DIR/uv$1.pid" 2>/dev/null)
	kill -KILL "${UP_PID[$1]}" ${v:+"$v"} 2>/dev/null
	wait "${UP_PID[$1]}" 2>/dev/null
	rm -f "$T_DIR/uk$1.pid" "$T_DIR/uv$1.pid" "$T_DIR/uc$1.pid"
	ip -n "${H[$1]}" addr del $VIP/24 dev eth0 2>/dev/null
}
up_stop() {
	kill -TERM "${UP_PID[$1]}" 2>/dev/null
	wait_until 10 pid_dead "${UP_PID[$1]}"
	wait "${UP_PID[$1]}" 2>/dev/null
}
