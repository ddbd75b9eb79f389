#!/usr/bin/env bash
# The nftables LVS data plane end to end: our daemon (`lvs_data_plane
# nftables`, checker child only) in a director namespace, real traffic from
# a client namespace through the VIP to three real-server namespaces.
#
#   client   eth0 192.0.2.100-109/24, default via 192.0.2.1
#   director eth0 192.0.2.1/24; br0 198.51.100.1/24 (rs1..rs3); ip_forward=1
#   rsN      eth0 198.51.100.1N/24, default via 198.51.100.1
#            ka_http answering its own name: "rsN" on 8080 (no checks) and
#            on 8081 (HTTP_GET); rs3 also "sorry" on 8090
#   VIP      203.0.113.10 (the client routes it to the director; it is
#            nowhere an address: DNAT in prerouting takes it)
#
# Virtual servers: :80 wrr 3:2:1; :81 rr + persistence_timeout 30; :82 sh;
# :83 rr with HTTP_GET (delay_loop 1, connect_timeout 1, retry 1,
# delay_before_retry 1) and sorry_server rs3:8090.
. "$(dirname "$0")/../lib.sh"
need_root
command -v nft >/dev/null || skip_all "no nft (the witness)"
command -v stdbuf >/dev/null || skip_all "no stdbuf"

KA_BUILD=${KA_BUILD:-$(dirname "$KA_BIN")}
KA_SRC=${KA_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
HTTP=${KA_TOOLS_DIR:-$KA_BUILD/tests/tools}/ka_http
if [[ ! -x $HTTP ]]; then
	gcc -O2 -o "$T_DIR/ka_http" "$KA_SRC/tests/tools/ka_http.c" || skip_all "cannot build ka_http"
	HTTP=$T_DIR/ka_http
fi

VIP=203.0.113.10
RS_ADDR=([1]=198.51.100.11 [2]=198.51.100.12 [3]=198.51.100.13)
T_START=$(now_ms)

# --- topology
t_netns CL cl
t_netns DIR dir
declare -A RSNS
for i in 1 2 3; do t_netns "RSNS[$i]" "rs$i"; done
ip -n "$DIR" link add eth0 type veth peer name eth0 netns "$CL"
ip -n "$DIR" addr add 192.0.2.1/24 dev eth0
ip -n "$CL" addr add 192.0.2.100/24 dev eth0
ip -n "$CL" addr add 192.0.2.101/24 dev eth0
# eight more client addresses: sh must spread clients, not only pin them
for a in $(seq 102 109); do ip -n "$CL" addr add "192.0.2.$a/24" dev eth0; done
ip -n "$DIR" link set eth0 up
ip -n "$CL" link set eth0 up
ip -n "$CL" route add default via 192.0.2.1
ip -n "$DIR" link add br0 type bridge
ip -n "$DIR" addr add 198.51.100.1/24 dev br0
ip -n "$DIR" link set br0 up
for i in 1 2 3; do
	ip -n "$DIR" link add "r$i" type veth peer name eth0 netns "${RSNS[$i]}"
	ip -n "$DIR" link set "r$i" master br0 up
	ip -n "${RSNS[$i]}" addr add "${RS_ADDR[$i]}/24" dev eth0
	ip -n "${RSNS[$i]}" link set eth0 up
	ip -n "${RSNS[$i]}" route add default via 198.51.100.1
done
ip netns exec "$DIR" sysctl -qw net.ipv4.ip_forward=1
# thousands of short connections from two addresses: a wide port range
ip netns exec "$CL" sysctl -qw net.ipv4.ip_local_port_range="10000 65000"

# --- real servers
declare -A SPID
srv_start() { # srv_start KEY NS NAME PORT
	ip netns exec "$2" "$HTTP" serve "$3" "$4" >"$T_DIR/srv-$1.out" 2>&1 &
	SPID[$1]=$!
	T_PIDS+=("$!")
	wait_until 5 grep -q ready "$T_DIR/srv-$1.out"
}
srv_stop() {
	kill -KILL "${SPID[$1]}" 2>/dev/null
	wait "${SPID[$1]}" 2>/dev/null
}
for i in 1 2 3; do
	srv_start "main$i" "${RSNS[$i]}" "rs$i" 8080 || not_ok "rs$i:8080 did not start"
	srv_start "chk$i" "${RSNS[$i]}" "rs$i" 8081 || not_ok "rs$i:8081 did not start"
done
srv_start sorry "${RSNS[3]}" sorry 8090 || not_ok "the sorry server did not start"

# get PORT N [SRC]: N new connections to the VIP; the summary line
get() {
	local src=()
	[[ -n ${3:-} ]] && src=(-s "$3")
	ip netns exec "$CL" "$HTTP" get "$VIP" "$1" "$2" "${src[@]}" -t 1000
}
# share NAME SUMMARY -> the count of NAME (0 if absent)
share() { local w; for w in $2; do [[ $w == "$1="* ]] && { echo "${w#*=}"; return; }; done; echo 0; }
# the only server a summary names, or "" if several / errors
only() {
	local w names=()
	for w in $1; do
		[[ $w == err=* ]] && { [[ $w == err=0 ]] || return; } && continue
		names+=("${w%%=*}")
	done
	((${#names[@]} == 1)) && echo "${names[0]}"
}

# --- configuration
rs_plain() { echo "  real_server ${RS_ADDR[$1]} 8080 { weight ${2:-1} }"; }
rs_http() {
	cat <<EOF
  real_server ${RS_ADDR[$1]} 8081 {
    weight 1
    HTTP_GET {
      url {
        path /
        status_code 200
      }
      connect_timeout 1
      retry 1
      delay_before_retry 1
    }
  }
EOF
}
W1=3 # rs1's weight in the wrr service (the reload test changes it)
conf() {
	cat <<EOF
global_defs {
  router_id nft_lvs
  lvs_data_plane nftables
  metrics_listen 127.0.0.1 19712
  state_dump_file $T_DIR/keepalived.data
  stats_dump_file $T_DIR/keepalived.stats
  json_dump_file $T_DIR/keepalived.json
}
virtual_server $VIP 80 {
  delay_loop 1
  lb_algo wrr
  lb_kind NAT
  protocol TCP
$(rs_plain 1 "$W1")
$(rs_plain 2 2)
$(rs_plain 3 1)
}
virtual_server $VIP 81 {
  delay_loop 1
  lb_algo rr
  lb_kind NAT
  protocol TCP
  persistence_timeout 30
$(rs_plain 1)
$(rs_plain 2)
$(rs_plain 3)
}
virtual_server $VIP 82 {
  delay_loop 1
  lb_algo sh
  lb_kind NAT
  protocol TCP
$(rs_plain 1)
$(rs_plain 2)
$(rs_plain 3)
}
virtual_server $VIP 83 {
  delay_loop 1
  lb_algo rr
  lb_kind NAT
  protocol TCP
  sorry_server ${RS_ADDR[3]} 8090
$(rs_http 1)
$(rs_http 2)
$(rs_http 3)
}
EOF
}
conf >"$T_DIR/ka.conf"
check "keepalived -t accepts lvs_data_plane nftables" "$KA_BIN" -t -f "$T_DIR/ka.conf"

nftd() { ip netns exec "$DIR" nft "$@"; }
# --- a foreign table, there before we start
nftd add table inet foreign
nftd add chain inet foreign c
nftd add rule inet foreign c counter
foreign_ok() {
	local out
	out=$(nftd list table inet foreign 2>&1)
	echo "$out" >"$T_DIR/foreign.txt"
	[[ $out == *"counter packets"* ]]
}
ours_there() { nftd list table inet keepalived_lvs >/dev/null 2>&1; }
ours_gone() { ! ours_there; }

ip netns exec "$DIR" "$KA_BIN" -n -C -l -D -f "$T_DIR/ka.conf" -p "$T_DIR/k.pid" \
	-c "$T_DIR/c.pid" >"$T_DIR/ka.log" 2>&1 &
KA=$!
T_PIDS+=("$KA")
if ! wait_until 10 ours_there; then
	not_ok "table inet keepalived_lvs appears in the director after start"
	echo "--- log"
	tail -30 "$T_DIR/ka.log"
	t_done
fi
ok "table inet keepalived_lvs appears in the director after start"
check "the foreign table survives the start" wait_until 2 foreign_ok
# every server answers through :83 (its checks start UP, no alpha)
all_three() { local s; s=$(get 83 9); [[ $s == *rs1=* && $s == *rs2=* && $s == *rs3=* ]]; }
check "all three real servers answer through the VIP" wait_until 10 all_three

# --- wrr 3:2:1
# numgen mod 6 over the ranges [0,2] [3,4] [5]: the shares are exact in
# steady state; the tolerance absorbs a scheduler that is only close.
TOL=3
wrr_shares() { # wrr_shares SUMMARY N W1 W2 W3 -> "ok" or the reason
	awk -v s="$1" -v n="$2" -v w1="$3" -v w2="$4" -v w3="$5" -v tol="$TOL" 'BEGIN {
		split(s, f, " "); for (i in f) { split(f[i], kv, "="); c[kv[1]] = kv[2] }
		tw = w1 + w2 + w3; w[1] = w1; w[2] = w2; w[3] = w3; bad = ""
		if (c["err"] + 0 != 0) bad = bad " errors=" c["err"]
		for (i = 1; i <= 3; i++) {
			got = 100 * c["rs" i] / n; want = 100 * w[i] / tw
			printf "rs%d %.1f%% (want %.1f%%) ", i, got, want
			if (got < want - tol || got > want + tol) bad = bad " rs" i
		}
		print (bad == "" ? "ok" : "OUT:" bad) }'
}
s=$(get 80 1000)
r=$(wrr_shares "$s" 1000 3 2 1)
check "wrr 3:2:1 over 1000 requests: ${r% ok*} within +-$TOL points of 50/33.3/16.7" test "${r##* }" = ok

# --- rr + persistence_timeout 30
p1=$(get 81 30 192.0.2.100)
p2=$(get 81 30 192.0.2.101)
check "persistence: 30 requests from 192.0.2.100 all reach one server ($p1)" test -n "$(only "$p1")"
check "persistence: 30 requests from 192.0.2.101 all reach one server ($p2)" test -n "$(only "$p2")"
echo "# sticky servers: 192.0.2.100 -> $(only "$p1"), 192.0.2.101 -> $(only "$p2")"
# without persistence rr would alternate: prove the same service spreads
# new clients (the next client address gets the next server)
check "persistence: the two clients are sticky to different servers (rr picks the next)" \
	test "$(only "$p1")" != "$(only "$p2")"

# --- sh
h1=$(get 82 50 192.0.2.100)
h2=$(get 82 50 192.0.2.101)
H1=$(only "$h1")
H2=$(only "$h2")
check "sh: 50 requests from 192.0.2.100 reach one server ($h1)" test -n "$H1"
check "sh: 50 requests from 192.0.2.101 reach one server ($h2)" test -n "$H2"
# hashing, not pinning: ten client addresses spread over more than one
# server, each address still to a single one
declare -A SH_MAP=([100]=$H1 [101]=$H2)
sh_pinned=0
for a in $(seq 102 109); do
	SH_MAP[$a]=$(only "$(get 82 10 "192.0.2.$a")")
	[[ -n ${SH_MAP[$a]} ]] && sh_pinned=$((sh_pinned + 1))
done
sh_spread=$(printf '%s\n' "${SH_MAP[@]}" | sort -u | grep -c .)
check "sh: 8 more client addresses, 10 requests each, each reaches one server ($sh_pinned of 8)" \
	test "$sh_pinned" -eq 8
check "sh: the 10 client addresses spread over $sh_spread servers (more than one)" test "$sh_spread" -ge 2

# --- reload: 10 SIGHUPs with an unchanged configuration = zero transactions
stats_dump() { # fresh stats file -> stdout
	local f=$T_DIR/keepalived_check.stats
	rm -f "$f"
	kill -USR2 "$KA"
	wait_until 5 test -s "$f" && cat "$f"
}
mutations() { stats_dump | awk -F' = ' '/Data-plane mutations/ { print $2 }'; }
applies() { grep -c "Checker: .* distinct check" "$T_DIR/ka.log"; }
n_applies_ge() { [[ $(applies) -ge $1 ]]; }
MON=$T_DIR/monitor.out
ip netns exec "$DIR" stdbuf -oL nft monitor >"$MON" 2>&1 &
MONPID=$!
T_PIDS+=("$MONPID")
# prove the monitor is live (it subscribes some time after it starts): a
# probe table of our own, created and deleted until the monitor shows it
mon_saw_probe() {
	nftd add table inet ka_probe && nftd delete table inet ka_probe
	grep -q "delete table inet ka_probe" "$MON"
}
check "nft monitor records events in the director" wait_until 5 mon_saw_probe
# The probe was a commit by someone else: the next reload rebuilds our
# tables once (drift: it cannot tell what changed) and says so; the
# unchanged reloads are counted after it.
a_p=$(applies)
gens() { grep -c '^# new generation' "$MON"; }
gens_gt() { [[ $(gens) -gt $1 ]]; }
g_p=$(gens)
kill -HUP "$KA"
check "after a foreign commit, a reload rebuilds our tables (logged)" \
	wait_until 10 grep -q "the ruleset changed since our last commit" "$T_DIR/ka.log"
wait_until 10 n_applies_ge $((a_p + 1))
check "the rebuild is one transaction in the monitor" wait_until 5 gens_gt "$g_p"
mon0=$(wc -l <"$MON")
# monitor lines after line $1, less the probe's own (its table and the
# "# new generation ... (nft)" line that may follow it a little later)
mon_events() {
	sed -n "$(($1 + 1)),\$p" "$MON" | grep -vc -e ka_probe -e '^# new generation .* (nft)$'
}
m0=$(mutations)
a0=$(applies)
for i in $(seq 1 10); do
	kill -HUP "$KA"
	wait_until 10 n_applies_ge $((a0 + i)) || break
done
check "10 reloads were applied (log: $(($(applies) - a0)))" test "$(applies)" -ge $((a0 + 10))
m1=$(mutations)
n_ev=$(mon_events "$mon0")
check "unchanged reloads: zero nftables events in nft monitor ($n_ev)" test "$n_ev" -eq 0
check "unchanged reloads: Data-plane mutations unchanged ($m0 -> $m1)" test -n "$m0" -a "$m0" = "$m1"
((n_ev == 0)) || sed -n "$((mon0 + 1)),\$p" "$MON" | head -5
check "the foreign table survives the reloads" wait_until 2 foreign_ok
h1b=$(get 82 50 192.0.2.100)
h2b=$(get 82 50 192.0.2.101)
check "sh: 192.0.2.100 still reaches $H1 after the reloads ($h1b)" test "$(only "$h1b")" = "$H1"
check "sh: 192.0.2.101 still reaches $H2 after the reloads ($h2b)" test "$(only "$h2b")" = "$H2"
p1b=$(get 81 10 192.0.2.100)
check "persistence: 192.0.2.100 still sticks to $(only "$p1") after the reloads ($p1b)" \
	test "$(only "$p1b")" = "$(only "$p1")"

# A changed configuration: rs1's weight in the wrr service 3 -> 4.  Only
# that service's objects may change; wrr must then share 4:2:1.
# listing -> "block<TAB>line" for every line, counters left out
blocks() {
	nftd -s list table inet keepalived_lvs | awk '
		/^\t[a-z]+ [^ ]+ \{$/ { b = $2 }
		/^\t\}$/ { b = "" }
		{ sub(/^[ \t]+/, ""); print b "\t" $0 }'
}
blocks >"$T_DIR/before.txt"
W1=4
conf >"$T_DIR/ka.conf"
a1=$(applies)
mon1=$(wc -l <"$MON")
kill -HUP "$KA"
check "the changed configuration was applied" wait_until 10 n_applies_ge $((a1 + 1))
m2=$(mutations)
blocks >"$T_DIR/after.txt"
diff "$T_DIR/before.txt" "$T_DIR/after.txt" | grep '^[<>]' >"$T_DIR/diff.txt"
echo "# the change in nft list table inet keepalived_lvs:"
sed 's/^/#   /' "$T_DIR/diff.txt" | head -20
WRR_CHAIN=vs_tcp_203_0_113_10_80
check "the weight change is one data-plane mutation ($m1 -> $m2)" test "$((m2 - m1))" -eq 1
n_ev=$(mon_events "$mon1")
check "nft monitor saw it (events: $n_ev)" test "$n_ev" -gt 0
check "the listing changed" test -s "$T_DIR/diff.txt"
check "only the wrr service's objects changed" \
	test "$(sed 's/^[<>] //' "$T_DIR/diff.txt" | awk -F'\t' -v c="$WRR_CHAIN" 'index($1, c) != 1' | wc -l)" -eq 0
check "the wrr chain now draws among 7 units (4+2+1)" \
	grep -qP "^$WRR_CHAIN\t.*numgen inc mod 7" "$T_DIR/after.txt"
# a larger weight takes numbers at the end, the other ranges stay where
# they were (nft_relayout.c): rs1 keeps 0-2 and gets 6
check "rs1 keeps units 0-2 and gets unit 6 of the wrr index map, the rest unmoved" \
	grep -qP "^${WRR_CHAIN}_idx\t.*\{ 0-2 : 198\.51\.100\.11 \. 8080, 3-4 : 198\.51\.100\.12 \. 8080, 5 : 198\.51\.100\.13 \. 8080, 6 : 198\.51\.100\.11 \. 8080 \}" "$T_DIR/after.txt"
s=$(get 80 700)
r=$(wrr_shares "$s" 700 4 2 1)
check "wrr 4:2:1 after the reload: ${r% ok*} within +-$TOL points" test "${r##* }" = ok

# --- per-RS counters in the stats dump
ST=$T_DIR/stats.txt
stats_dump >"$ST"
# the kernel's counters of a real server, from the stats dump:
#   "Data plane: connections N, in P packets B bytes, out P packets B bytes"
# in the lines of "RS = addr:port" under "VS = [vip]:tcp:port"
rs_counters() { # rs_counters VSPORT ADDR:PORT -> that line
	awk -v vs="[$VIP]:tcp:$1" -v rs="$2" '
		/^ VS = / { in_vs = ($3 == vs); in_rs = 0; next }
		/^   RS = / { in_rs = in_vs && ($3 == rs); next }
		in_rs && /Data plane: connections/' "$ST"
}
# connections, packets in and out all above zero
nonzero() { awk '{ gsub(/,/, ""); exit !($4 > 0 && $6 > 0 && $11 > 0) }' <<<"$1"; }
for i in 1 2 3; do
	c=$(rs_counters 80 "${RS_ADDR[$i]}:8080")
	check "stats dump: rs$i in the wrr service has non-zero counters (${c##*Data plane: })" nonzero "$c"
done

# --- the same counters on the metrics endpoint (gen2brain's names)
M=$T_DIR/metrics.txt
ip netns exec "$DIR" curl -sS -f -m 5 -o "$M" http://127.0.0.1:19712/metrics
check "metrics: the page parses" /usr/bin/python3 "$KA_TEST_DATA/netns/prom_check.py" "$M"
for i in 1 2 3; do
	dump=$(rs_counters 80 "${RS_ADDR[$i]}:8080" | awk '{ gsub(/,/, ""); print $4 }')
	conn=$(/usr/bin/python3 "$KA_TEST_DATA/netns/prom_check.py" "$M" get keepalived_lvs_rs_conn \
		vs="[$VIP]:tcp:80" addr="${RS_ADDR[$i]}:8080" 2>/dev/null)
	check "metrics: rs$i connections ${conn:-none} >= the dump's ${dump:-none}, above 0" \
		awk -v m="${conn:-0}" -v d="${dump:-0}" 'BEGIN { exit !(m >= d && m > 0) }'
done

# --- failure of rs1's HTTP server behind :83
DL=1 CT=1 RETRY=1 DBR=1
BOUND_MS=$(((DL + (RETRY + 1) * CT + DBR + 1) * 1000))
# a batch of 6 rr connections all answered, none by rs1: rs1 is out of the
# map (with rs1 in it, 2 of every 6 would reach it and fail)
rs1_out() { local s; s=$(get 83 6); [[ $s == *err=0 && $s != *rs1=* ]]; }
rs1_in() { local s; s=$(get 83 6); [[ $s == *rs1=* ]]; }
check "before the failure rs1 answers through :83" rs1_in
t0=$(now_ms)
srv_stop chk1
if wait_until 15 rs1_out; then
	dt=$(($(now_ms) - t0))
	check "rs1 out of the data plane ${dt} ms after its server died (bound delay_loop + (retry+1) x connect_timeout + delay_before_retry + 1 s = $BOUND_MS ms)" \
		test "$dt" -le "$BOUND_MS"
else
	not_ok "rs1 never left the data plane after its server died"
fi
s=$(get 83 100)
check "then 100 requests all succeed ($s)" test "$(share err "$s")" -eq 0 -a "$(share rs1 "$s")" -eq 0
t0=$(now_ms)
srv_start chk1 "${RSNS[1]}" rs1 8081
if wait_until 10 rs1_in; then
	ok "rs1 is back $(($(now_ms) - t0)) ms after its server restarted"
else
	not_ok "rs1 is back after its server restarted"
fi

# --- sorry server: every real server of :83 down, then one back
answered_by() { [[ $(only "$(get 83 3)") == "$1" ]]; }
srv_stop chk1
srv_stop chk2
srv_stop chk3
check "all real servers down: the sorry server answers" wait_until 15 answered_by sorry
srv_start chk2 "${RSNS[2]}" rs2 8081
check "one real server back: it answers, not the sorry server" wait_until 10 answered_by rs2

# --- stop: ours goes, the foreign table stays
kill -TERM "$KA"
check "daemon stops on SIGTERM" wait_until 10 pid_dead "$KA"
check "our table is gone after the stop" ours_gone
check "the foreign table survives the stop" wait_until 2 foreign_ok
echo "# $T_NAME took $((($(now_ms) - T_START) / 1000)) s"
[[ $T_FAIL -eq 0 ]] || {
	echo "--- last listing of the foreign table"
	cat "$T_DIR/foreign.txt"
	echo "--- log"
	tail -40 "$T_DIR/ka.log"
}
t_done
