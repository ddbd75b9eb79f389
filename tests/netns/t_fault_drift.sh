#!/usr/bin/env bash
# Fault catalogue case 28: data-plane drift (nftables plane; this host has
# no IPVS) and an absent IPVS family.
#
# What the code does (src/lvs/nft_dp.c): it keeps a mirror of the table as
# committed by its last batch, and the ruleset generation (NFT_MSG_GETGEN)
# that commit made.  A reload sends only what differs between the mirror
# and the new configuration (nothing, for the same one) unless the
# generation has moved since: then something was committed by someone
# else (`nft flush table`, an element edited by hand, another program's
# tables), the mirror cannot be trusted, and the reload rebuilds our table
# whole ("the ruleset changed since our last commit", logged).  A batch of
# ours that a hand edit makes the kernel refuse is logged, and the next
# reload rebuilds the table too.  Nothing is compared periodically: the
# repair is the reload (SIGHUP), as the catalogue's "reconcile to config"
# asks.
#
# Asserted here: no crash, no crash loop, checks go on, a refused batch is
# logged; a flush, a deleted element and an edited weight are each
# repaired by a reload with the same configuration.  KA_DRIFT_STRICT=0
# reports those repairs without asserting them.
# Then: lvs_data_plane ipvs without IPVS gives one clear error while the
# checks and a VRRP instance run.
source "$(dirname "$0")/../lib.sh"
need_root
PY=/usr/bin/python3
SRV="$KA_TEST_DATA/netns/rs_servers.py"
[[ -x $PY ]] || skip_all "no /usr/bin/python3"
command -v nft >/dev/null || skip_all "no nft (the witness)"
STRICT=${KA_DRIFT_STRICT:-1}

t_netns D dir
t_netns R rs
ip -n "$D" link add eth0 type veth peer name eth0 netns "$R"
ip -n "$D" addr add 198.51.100.1/24 dev eth0
ip -n "$R" addr add 198.51.100.11/24 dev eth0
ip -n "$R" addr add 198.51.100.12/24 dev eth0
ip -n "$D" link set eth0 up
ip -n "$R" link set eth0 up

declare -A SPID
srv_start() { # N (198.51.100.N:8080)
	ip netns exec "$R" "$PY" "$SRV" tcp "198.51.100.$1" 8080 >"$T_DIR/srv$1.out" 2>&1 &
	SPID[$1]=$!
	T_PIDS+=("$!")
	wait_until 10 grep -q ready "$T_DIR/srv$1.out"
}
srv_stop() {
	kill -KILL "${SPID[$1]}" 2>/dev/null
	wait "${SPID[$1]}" 2>/dev/null
}
srv_start 11
srv_start 12

wait_for() { # SECS command...: bounded by the clock (the host is loaded)
	local end=$(($(now_ms) + $1 * 1000))
	shift
	until "$@"; do
		[[ $(now_ms) -lt $end ]] || return 1
		sleep 0.2
	done
}
conf() { # PLANE [extra]
	cat <<EOF
global_defs {
  router_id drift
  lvs_data_plane $1
}
${2:-}
virtual_server 203.0.113.10 80 {
  delay_loop 1
  lb_algo wrr
  lb_kind NAT
  protocol TCP
  real_server 198.51.100.11 8080 {
    weight 3
    TCP_CHECK {
      connect_timeout 1
      retry 0
    }
  }
  real_server 198.51.100.12 8080 {
    weight 1
    TCP_CHECK {
      connect_timeout 1
      retry 0
    }
  }
}
EOF
}
conf nftables >"$T_DIR/ka.conf"
LOG=$T_DIR/ka.log
ip netns exec "$D" "$KA_BIN" -n -C -l -D -f "$T_DIR/ka.conf" -p "$T_DIR/k.pid" \
	-c "$T_DIR/c.pid" >"$LOG" 2>&1 &
KA=$!
T_PIDS+=("$KA")

nftd() { ip netns exec "$D" nft "$@"; }
# The table without handles and counters: what the daemon programmed.
table() { nftd -s list table inet keepalived_lvs 2>/dev/null | sed 's/ # handle [0-9]*//'; }
# The state the data plane must be in with both servers up: the service
# is reachable (svc4 element and the prerouting rule) and @idx holds the
# wrr slots of both.
idx() { nftd -s list map inet keepalived_lvs vs_tcp_203_0_113_10_80_idx 2>/dev/null; }
both_in_idx() { local s; s=$(idx); [[ $s == *198.51.100.11* && $s == *198.51.100.12* ]]; }
only11_in_idx() { local s; s=$(idx); [[ $s == *198.51.100.11* && $s != *198.51.100.12* ]]; }
healthy() {
	local t
	t=$(table)
	[[ $t == *"203.0.113.10 . tcp . 80 : jump"* && $t == *"vmap @svc4"* ]] && both_in_idx
}
same_as_b0() { [[ $(table) == "$B0" ]]; }
reloaded() { [[ $(grep -c 'Healthcheck child: configuration reloaded' "$LOG") -ge $1 ]]; }
n_reload=0
reload() {
	n_reload=$((n_reload + 1))
	kill -HUP "$KA"
	wait_for 10 reloaded "$n_reload"
}
removed() { [[ $(grep -c "Removing service \[198.51.100.12\]:tcp:8080" "$LOG") -ge $1 ]]; }
added() { [[ $(grep -c "Adding service \[198.51.100.12\]:tcp:8080" "$LOG") -ge $1 ]]; }

check "start: the table is programmed, both servers in @idx" wait_for 10 healthy
B0=$(table)

# --- 1. `nft flush table`: every rule goes, the sets stay.
nftd flush table inet keepalived_lvs
rules_gone() { [[ $(nftd -s list chain inet keepalived_lvs prerouting 2>/dev/null) != *vmap* ]]; }
check "flush: the rules are gone (witness)" rules_gone
drifted() { ! same_as_b0; }
check "flush: the table differs from the programmed one" drifted
# Two check rounds: is there a periodic comparison?  (No: none exists.)
t_end=$(($(now_ms) + 2500))
past() { [[ $(now_ms) -ge $t_end ]]; }
wait_for 5 past
if same_as_b0; then echo "# flush: repaired within 2.5 s without any trigger"; else echo "# flush: not repaired by itself (no periodic check)"; fi
reload
if same_as_b0; then
	ok "flush: a reload with the same configuration repairs the table"
	grep -m1 'the ruleset changed since our last commit' "$LOG" | sed 's/^/# /'
else
	echo "# flush: NOT repaired by a reload with the same configuration (the mirror is unchanged: no batch)"
	[[ $STRICT == 1 ]] && not_ok "flush: a reload with the same configuration repairs the table"
fi
# A real-server change: the batch for @idx succeeds (the sets survived
# the flush), so nothing is refused and the rules stay missing.
srv_stop 12
check "flush: the checks go on (rs .12 removed)" wait_for 10 removed 1
check "flush: @idx follows the change" wait_for 5 only11_in_idx
srv_start 12
check "flush: rs .12 added back" wait_for 10 added 1
check "flush: @idx follows the change back" wait_for 5 both_in_idx
if same_as_b0; then
	ok "flush: repaired after the real-server changes"
else
	echo "# flush: NOT repaired by the real-server changes either (their batches were accepted)"
	[[ $STRICT == 1 ]] && not_ok "flush: repaired after the real-server changes"
fi

# --- 2. Restart the daemon to start clean (the first sync replaces the
# table whole: leftovers go).
kill -TERM "$KA"
wait_for 10 pid_dead "$KA"
ip netns exec "$D" "$KA_BIN" -n -C -l -D -f "$T_DIR/ka.conf" -p "$T_DIR/k.pid" \
	-c "$T_DIR/c.pid" >>"$LOG" 2>&1 &
KA=$!
T_PIDS+=("$KA")
n_reload=$(grep -c 'Healthcheck child: configuration reloaded' "$LOG")
check "restart: the start replaces the drifted table" wait_for 10 same_as_b0
CPID=$(cat "$T_DIR/c.pid" 2>/dev/null)

# --- 3. A hand-deleted element that our next batch needs: the batch is
# refused (logged), and the next reload rebuilds the table.
n_rm=$(grep -c "Removing service \[198.51.100.12\]:tcp:8080" "$LOG")
n_add=$(grep -c "Adding service \[198.51.100.12\]:tcp:8080" "$LOG")
elems=$(idx | grep -o '[0-9]* : 198.51.100.12 . 8080' | head -1)
if [[ -n $elems ]]; then
	slot=${elems%% *}
	nftd delete element inet keepalived_lvs vs_tcp_203_0_113_10_80_idx "{ $slot }"
else
	# the layout keeps ranges: delete the whole interval of .12
	elems=$(idx | grep -o '[0-9]*-[0-9]* : 198.51.100.12 . 8080' | head -1)
	slot=${elems%% *}
	nftd delete element inet keepalived_lvs vs_tcp_203_0_113_10_80_idx "{ $slot }"
fi
echo "# edit: deleted @idx element '$slot' (rs .12)"
check "edit: the element is gone (witness)" drifted
srv_stop 12
check "edit: rs .12 removed (the check reports it)" wait_for 10 removed $((n_rm + 1))
refused() { grep -q 'nftables: .*update service\|nftables: .*No such file\|operation(s) failed' "$LOG"; }
if wait_for 5 refused; then
	ok "edit: the refused batch is logged"
	grep -m1 'nftables: .*update service' "$LOG" | sed 's/^/# /'
else
	echo "# edit: no batch was refused"
fi
check "edit: the daemon still runs" pid_alive "$KA"
srv_start 12
check "edit: rs .12 added back (checks go on)" wait_for 10 added $((n_add + 1))
reload
check "edit: the reload after the refused batch rebuilds the table" wait_for 5 same_as_b0

# --- 4. A changed weight: the wrr slots of rs .11 re-pointed to .12 by
# hand (the equivalent of editing a weight).  Our next diff batch deletes
# elements that are not what it expects.
s11=$(idx | grep -o '[0-9-]* : 198.51.100.11 . 8080' | head -1)
if [[ -n $s11 ]]; then
	k=${s11%% *}
	nftd delete element inet keepalived_lvs vs_tcp_203_0_113_10_80_idx "{ $k }"
	nftd add element inet keepalived_lvs vs_tcp_203_0_113_10_80_idx "{ $k : 198.51.100.12 . 8080 }"
	check "weight: edited by hand (witness)" drifted
	reload
	if same_as_b0; then ok "weight: repaired by a reload"; else
		echo "# weight: NOT repaired by a reload with the same configuration"
		[[ $STRICT == 1 ]] && not_ok "weight: repaired by a reload"
	fi
	n_rm=$(grep -c "Removing service \[198.51.100.12\]:tcp:8080" "$LOG")
	srv_stop 12
	check "weight: rs .12 removed" wait_for 10 removed $((n_rm + 1))
	sleep 0.5 # the batch follows the log line
	echo "# weight: @idx with rs .12 down: $(idx | grep -o 'elements = {[^}]*}' | tr -s '\t\n ' ' ')"
	if only11_in_idx; then
		ok "weight: the down server has left @idx"
	else
		echo "# weight: the DOWN server .12 still has @idx slots: new connections still go to it"
		[[ $STRICT == 1 ]] && not_ok "weight: the down server has left @idx"
	fi
	srv_start 12
	wait_for 10 both_in_idx
	reload
	if same_as_b0; then ok "weight: repaired after a change and a reload"; else
		echo "# weight: NOT repaired after a real-server change and a reload"
		[[ $STRICT == 1 ]] && not_ok "weight: repaired after a change and a reload"
	fi
else
	not_ok "weight: no @idx element of rs .11 found"
fi
check "no crash loop: the same checker child after every edit" pid_alive "${CPID:-0}"
check "no crash loop: one checker child all along" \
	bash -c "! grep -q 'Restarting Healthcheck\|did not answer hello' '$LOG'"
kill -TERM "$KA"
check "stop: the daemon stops" wait_for 10 pid_dead "$KA"
check "stop: our table is removed" bash -c "! ip netns exec '$D' nft list table inet keepalived_lvs >/dev/null 2>&1"
check "no sanitizer report" bash -c "! grep -qE 'ERROR: AddressSanitizer|runtime error:|LeakSanitizer' '$LOG'"

# --- 5. IPVS absent: one clear error, the checks run, VRRP unaffected.
if ip netns exec "$D" "$PY" -c 'import socket,sys; s=socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 16)' 2>/dev/null &&
	[[ ! -d /sys/module/ip_vs ]]; then
	conf ipvs "vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id 7
    priority 100
    advert_int 0.2
    virtual_ipaddress {
        198.51.100.100/24
    }
}" >"$T_DIR/ipvs.conf"
	L2=$T_DIR/ipvs.log
	ip netns exec "$D" "$KA_BIN" -n -l -D -f "$T_DIR/ipvs.conf" -p "$T_DIR/k2.pid" \
		-r "$T_DIR/v2.pid" -c "$T_DIR/c2.pid" >"$L2" 2>&1 &
	K2=$!
	T_PIDS+=("$K2")
	vip() { [[ $(ip -n "$D" addr show dev eth0) == *198.51.100.100/24* ]]; }
	check "ipvs absent: VRRP becomes master" wait_for 10 vip
	n_rm=$(grep -c "Removing service \[198.51.100.12\]:tcp:8080" "$L2")
	srv_stop 12
	rm2() { [[ $(grep -c "Removing service \[198.51.100.12\]:tcp:8080" "$L2") -gt $n_rm ]]; }
	check "ipvs absent: the checks run (rs .12 removed)" wait_for 10 rm2
	srv_start 12
	check "ipvs absent: exactly one IPVS error" test "$(grep -c 'IPVS is not available' "$L2")" -eq 1
	grep -m1 'IPVS is not available' "$L2" | sed 's/^/# /'
	check "ipvs absent: VRRP still master" vip
	kill -TERM "$K2"
	check "ipvs absent: the daemon stops" wait_for 10 pid_dead "$K2"
else
	echo "# IPVS is loaded here: the absent-IPVS part is skipped"
fi
if [[ $T_FAIL -ne 0 ]]; then
	echo "--- log"
	grep -v 'succeeded' "$LOG" | tail -40
fi
t_done
