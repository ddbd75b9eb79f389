# shellcheck shell=bash
# Helpers of the demo (scripts/demo.sh), shared by its two variants: on this
# host with the nftables data plane, and inside the qemu VM with IPVS
# (tests/vm/g_demo.sh).  Source it; it needs bash (timestamps come from
# $EPOCHREALTIME: no process per reading, which matters under qemu/TCG).
#
# Everything lives in namespaces named "$DL_P<name>" (DL_P: a per-run
# prefix); the switch namespace holds the two bridges.  Every wait is
# bounded; only processes started in our namespaces are ever killed.
# shellcheck disable=SC2034 # DL_* settings are read by the demo script
set -uo pipefail

DL_P=${DL_P-kademo$$-} # set but empty in the VM: short fixed names
DL_POLL=${DL_POLL:-0.02} # seconds between two looks at a polled condition
DL_VIP=203.0.113.100
DL_GW=198.51.100.1
DL_CLIENT_IP=203.0.113.10
DL_SW=${DL_P}sw DL_CL=${DL_P}client DL_D1=${DL_P}dir1 DL_D2=${DL_P}dir2
DL_R1=${DL_P}rs1 DL_R2=${DL_P}rs2
DL_RS1_IP=198.51.100.11 DL_RS2_IP=198.51.100.12
DL_FAILS=0 # failed assertions
DL_SUMMARY=()

dl_now_ms() {
	local t=${EPOCHREALTIME/[.,]/}
	echo $((t / 1000))
}
dl_say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
# dl_wait SECONDS command... : poll until the command succeeds, bounded
dl_wait() {
	local end=$(($(dl_now_ms) + $1 * 1000))
	shift
	while ! "$@"; do
		(($(dl_now_ms) < end)) || return 1
		sleep "$DL_POLL"
	done
}
# dl_assert DESCRIPTION command... : one line, PASS or FAIL, counted
dl_assert() {
	local d=$1
	shift
	if "$@"; then
		echo "   PASS  $d"
	else
		echo "   FAIL  $d"
		DL_FAILS=$((DL_FAILS + 1))
		return 1
	fi
}
# dl_note LABEL VALUE : a line of the closing summary
dl_note() { DL_SUMMARY+=("$(printf '%-46s %s' "$1" "$2")"); }

# --- the network -----------------------------------------------------------
#
#   client ─eth0─ br-front ─eth0─ dir1, dir2 ─eth1─ br-back ─eth0─ rs1, rs2
#
# dl_plug NS IF BR PORT ADDR/PFX : a veth pair, IF in NS, PORT on bridge BR
# of the switch namespace
dl_plug() {
	ip -n "$DL_SW" link add "$4" type veth peer name "$2" netns "$1" || return 1
	ip -n "$DL_SW" link set "$4" master "$3" up
	ip -n "$1" link set "$2" up
	ip -n "$1" addr add "$5" dev "$2"
}
dl_net() {
	local ns br
	ip netns add "$DL_SW" || return 1
	for br in br-front br-back; do
		ip -n "$DL_SW" link add "$br" type bridge forward_delay 0 || return 1
		ip -n "$DL_SW" link set "$br" up
	done
	for ns in "$DL_CL" "$DL_D1" "$DL_D2" "$DL_R1" "$DL_R2"; do
		ip netns add "$ns" || return 1
		ip -n "$ns" link set lo up
	done
	dl_plug "$DL_CL" eth0 br-front cl "$DL_CLIENT_IP/24" || return 1
	dl_plug "$DL_D1" eth0 br-front d1f 203.0.113.2/24 || return 1
	dl_plug "$DL_D1" eth1 br-back d1b 198.51.100.2/24 || return 1
	dl_plug "$DL_D2" eth0 br-front d2f 203.0.113.3/24 || return 1
	dl_plug "$DL_D2" eth1 br-back d2b 198.51.100.3/24 || return 1
	dl_plug "$DL_R1" eth0 br-back r1 "$DL_RS1_IP/24" || return 1
	dl_plug "$DL_R2" eth0 br-back r2 "$DL_RS2_IP/24" || return 1
	for ns in "$DL_D1" "$DL_D2"; do
		ip netns exec "$ns" sysctl -qw net.ipv4.ip_forward=1 >/dev/null || return 1
	done
	# nobody owns the gateway until VRRP gives it to the MASTER
	ip -n "$DL_R1" route add default via "$DL_GW" || return 1
	ip -n "$DL_R2" route add default via "$DL_GW"
}
# dl_unplug NS : pull the director's two cables out of the switch
dl_unplug() {
	local n=${1#"$DL_P"}
	n=d${n#dir}
	ip -n "$DL_SW" link set "${n}f" down
	ip -n "$DL_SW" link set "${n}b" down
}
# dl_cleanup : kill what runs in our namespaces (all ours), delete them
dl_cleanup() {
	local ns p
	exec 2>/dev/null # no "Killed" job notices
	for ns in "$DL_CL" "$DL_D1" "$DL_D2" "$DL_R1" "$DL_R2" "$DL_SW"; do
		for p in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
		ip netns del "$ns" 2>/dev/null
	done
	return 0
}
# dl_owns NS ADDR : an interface of NS has ADDR
dl_owns() {
	local out
	out=$(ip -n "$1" -4 addr show) || return 1
	[[ $out == *"inet $2/"* ]]
}
# dl_owns_vips NS : the VRRP addresses of both instances (sync group)
dl_owns_vips() { dl_owns "$1" "$DL_VIP" && dl_owns "$1" "$DL_GW"; }
dl_owner() {
	local a=0 b=0
	dl_owns_vips "$DL_D1" && a=1
	dl_owns_vips "$DL_D2" && b=1
	case $a$b in
	11) echo "BOTH (split brain!)" ;;
	10) echo "dir1" ;;
	01) echo "dir2" ;;
	*) echo "nobody" ;;
	esac
}

# --- real servers ----------------------------------------------------------
# busybox httpd, foreground, serving index.html = the server's name
declare -A DL_HTTPD=()
dl_httpd_start() { # NS NAME
	local www=$DL_DIR/www-$2
	mkdir -p "$www"
	echo "$2" >"$www/index.html"
	ip netns exec "$1" busybox httpd -f -p 80 -h "$www" &
	DL_HTTPD[$2]=$!
	dl_wait 5 dl_answers "$1"
}
dl_httpd_kill() { # NAME
	# (the redirection also silences bash's "Killed" job notice)
	{
		kill -KILL "${DL_HTTPD[$1]}"
		wait "${DL_HTTPD[$1]}"
	} 2>/dev/null
	unset "DL_HTTPD[$1]"
	return 0
}
dl_answers() { ip netns exec "$1" bash -c ". '$DL_LIB'; dl_fetch http://127.0.0.1/" >/dev/null; }

# --- the client --------------------------------------------------------------
# dl_fetch URL : the body, one new TCP connection, at most 1 s: curl, or
# busybox wget under timeout where there is no curl (the VM; DL_CURL= forces it)
DL_CURL=${DL_CURL-$(command -v curl)}
dl_fetch() {
	if [[ -n $DL_CURL ]]; then
		"$DL_CURL" -s --max-time 1 "$1"
	else
		timeout 1 busybox wget -q -O - "$1" 2>/dev/null
	fi
}
# dl_requests N : N requests from the client to the VIP, one answer per
# line ("FAILED" for a failed one); from one shell in the client namespace
dl_requests() {
	ip netns exec "$DL_CL" bash -c ". '$DL_LIB'
		for ((i = 0; i < $1; i++)); do dl_fetch http://$DL_VIP/ || echo FAILED; done"
}
# dl_tally ANSWERS... : sets T_RS1 T_RS2 T_BAD
dl_tally() {
	local a
	T_RS1=0 T_RS2=0 T_BAD=0
	for a in "$@"; do
		case $a in
		rs1) T_RS1=$((T_RS1 + 1)) ;;
		rs2) T_RS2=$((T_RS2 + 1)) ;;
		*) T_BAD=$((T_BAD + 1)) ;;
		esac
	done
}
# dl_show_requests N : N requests, each answer printed; sets T_* (dl_tally)
dl_show_requests() {
	local -a ans
	local i
	mapfile -t ans < <(dl_requests "$1")
	while ((${#ans[@]} < $1)); do ans+=(FAILED); done
	for ((i = 0; i < $1; i++)); do printf '   request %2d -> %s\n' $((i + 1)) "${ans[i]}"; done
	dl_tally "${ans[@]}"
	echo "   rs1: $T_RS1, rs2: $T_RS2, failed: $T_BAD"
}
# dl_client_loop LOG STOPFILE MAX : (inside the client namespace) requests
# one after the other, 10 per second at most, until STOPFILE exists or MAX
# were sent; one line each: START_MS DURATION_MS ANSWER
dl_client_loop() {
	local i t0 t1 a next
	for ((i = 0; i < $3; i++)); do
		[[ -e $2 ]] && break
		t0=$(dl_now_ms)
		a=$(dl_fetch "http://$DL_VIP/") || a=FAILED
		t1=$(dl_now_ms)
		echo "$t0 $((t1 - t0)) ${a:-FAILED}" >>"$1"
		next=$((t0 + 100 - t1))
		((next > 0)) && sleep "0.$(printf '%03d' "$next")"
	done
}
dl_client_loop_start() { # LOG STOPFILE MAX
	: >"$1"
	ip netns exec "$DL_CL" bash -c ". '$DL_LIB'; dl_client_loop '$1' '$2' $3" &
	DL_LOOP_PID=$!
}
# dl_started_after LOG MS N : the log has N requests started at or after MS
dl_started_after() {
	local s d a n=0
	while read -r s d a; do ((s >= $2)) && n=$((n + 1)); done <"$1"
	((n >= $3))
}

# --- keepalived ----------------------------------------------------------------
# dl_ka_start NS CONFIG-ID CONF : our daemon in the foreground of a
# background job, console log in $DL_DIR/ka-ID.log, pid files beside it
dl_ka_start() {
	local f=$DL_DIR/ka-$2
	rm -f "$f.pid" "$f-vrrp.pid" "$f-check.pid"
	ip netns exec "$1" "$DL_BIN" -n -l -G -D -i "$2" -f "$3" -p "$f.pid" \
		-r "$f-vrrp.pid" -c "$f-check.pid" >>"$f.log" 2>&1 &
	disown # killed by the demo on purpose: no "Killed" job notice
	dl_wait 10 test -s "$f-vrrp.pid" -a -s "$f-check.pid"
}
# dl_ka_crash NAME : kill -9 every process of the daemon.  Frozen first: a
# child whose parent dies gets SIGTERM (PDEATHSIG) and would stop cleanly,
# priority-0 advert included, if it ran between the kills.
dl_ka_crash() {
	local pids
	pids=$(dl_ka_pids "$1")
	# shellcheck disable=SC2086 # one pid per word
	kill -STOP $pids && kill -KILL $pids
}
dl_ka_pids() { cat "$DL_DIR/ka-$1.pid" "$DL_DIR/ka-$1-vrrp.pid" "$DL_DIR/ka-$1-check.pid" 2>/dev/null; }

# --- the data plane, as its own tool shows it ---------------------------------------
# DL_PLANE=nft: nftables (nft list ... inet keepalived_lvs); ipvs: ipvsadm
dl_nft() { ip netns exec "$1" nft "${@:2}" 2>/dev/null; }
# dl_nft_chain NS : the service's chain, from the VIP's element in map svc4
dl_nft_chain() {
	local t
	t=$(dl_nft "$1" list map inet keepalived_lvs svc4) || return 1
	[[ $t =~ $DL_VIP\ \.\ tcp\ \.\ 80\ :\ jump\ ([A-Za-z0-9_]+) ]] || return 1
	echo "${BASH_REMATCH[1]}"
}
# dl_nft_idx NS : the scheduler's slots (slot : real server), the map the
# service chain picks the destination from
dl_nft_idx() {
	local c
	c=$(dl_nft_chain "$1") || return 1
	dl_nft "$1" list map inet keepalived_lvs "${c}_idx"
}
# dl_nft_short NS : the VIP's entry, the service chain, its slots: one
# table, without the outer braces of each listing
dl_nft_short() {
	local c out obj
	c=$(dl_nft_chain "$1") || return 1
	echo "table inet keepalived_lvs {   (short: the VIP's entry, its chain, its slots)"
	for obj in "map svc4" "chain $c" "map ${c}_idx"; do
		if out=$(dl_nft "$1" list "${obj% *}" inet keepalived_lvs "${obj#* }" 2>&1); then
			printf '%s\n' "$out" | sed '1d;$d'
		else
			echo "	${obj% *} ${obj#* } { ... }   (this nft cannot print it)"
		fi
	done
	echo "}"
}
dl_table() { # NS
	if [[ $DL_PLANE == ipvs ]]; then
		ip netns exec "$1" ipvsadm -Ln
	else
		dl_nft_short "$1"
	fi
}
# dl_has_rs NS ADDR : the director's data plane sends traffic to ADDR
dl_has_rs() {
	local t
	if [[ $DL_PLANE == ipvs ]]; then
		t=$(ip netns exec "$1" ipvsadm -Ln -t "$DL_VIP:80" 2>/dev/null) || return 1
		[[ $t == *"-> $2:80 "* ]]
	else
		t=$(dl_nft_idx "$1") || return 1
		[[ $t == *" $2 . 80"* ]]
	fi
}
dl_lacks_rs() { ! dl_has_rs "$@"; }
dl_has_both() { dl_has_rs "$1" "$DL_RS1_IP" && dl_has_rs "$1" "$DL_RS2_IP"; }
dl_has_both_dirs() { dl_has_both "$DL_D1" && dl_has_both "$DL_D2"; }
# dl_log NAME ERE : the daemon's last 3 log lines matching ERE, time only
dl_log() {
	grep -hE "$2" "$DL_DIR/ka-$1.log" | tail -n 3 | cut -c1-150 |
		sed -E 's/^[A-Z][a-z]{2} [A-Z][a-z]{2} +[0-9]+ ([0-9:]+) [0-9]{4}: /\1 /; s/^/   log: /'
}
