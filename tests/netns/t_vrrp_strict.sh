#!/usr/bin/env bash
# vrrp_strict: each configuration rule is an error at its line (-t exits
# 5, as upstream does); no-accept mode drops traffic to the VIPs of a
# non-owner master with nftables (table inet keepalived), not those of an
# owner or an instance with `accept`; the table goes at stop; `nft list
# ruleset` keeps working.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/vrrp_lib.sh"
need_root
command -v nft >/dev/null || skip_all "no nft"
lan_setup 1 || skip_all "cannot build the namespaces"
VIP=192.0.2.100

# sconf FILE LINES...: vrrp_strict and one instance; line 8 is the first
# of LINES.
sconf() {
	local f=$1 l body=""
	shift
	for l in "$@"; do body+="    $l"$'\n'; done
	cat >"$f" <<CONF
global_defs {
    vrrp_strict
}
vrrp_instance V {
    interface eth0
    virtual_router_id 71
    version 3
${body}}
CONF
}
VIPS="virtual_ipaddress { 192.0.2.100/24 }"
# ctest NAME EXPECTED_RC "MESSAGE" LINES...: -t exit code and message at line 8.
ctest_rule() {
	local name=$1 rc=$2 msg=$3 got
	shift 3
	sconf "$T_DIR/$name.conf" "$@"
	ip netns exec "${H[1]}" "$KA_BIN" -t -f "$T_DIR/$name.conf" >"$T_DIR/$name.out" 2>&1
	got=$?
	check "strict $name: -t exits $rc (got $got)" test "$got" -eq "$rc"
	if [[ -n $msg ]]; then
		check "strict $name: message at $name.conf line 8" grep -qF "$name.conf: Line 8) (V) $msg" "$T_DIR/$name.out"
	fi
}
ctest_rule ok 0 "" "$VIPS"
ctest_rule novip 5 "" "priority 100"
# (no VIP: reported at the instance's own line)
check "strict novip: reported at the vrrp_instance line" grep -qF "novip.conf: Line 4) (V) strict mode requires" "$T_DIR/novip.out"
ctest_rule unicast 5 "strict mode does not allow unicast peers" "unicast_peer {" "192.0.2.12" "}" "$VIPS"
ctest_rule master 5 "strict mode requires priority 255 for state MASTER" "state MASTER" "priority 100" "$VIPS"
ctest_rule owner 0 "" "state MASTER" "priority 255" "$VIPS"
ctest_rule auth 5 "" "authentication {" "auth_type PASS" "auth_pass secret" "}" "$VIPS"
# (the auth_type line is line 9)
check "strict auth: reported at the auth_type line" grep -qF "auth.conf: Line 9) (V) strict mode does not allow authentication" "$T_DIR/auth.out"
ctest_rule preempt 5 "strict mode does not allow preempt_delay" "preempt_delay 5" "$VIPS"
ctest_rule garp 5 "strict mode does not allow GARP repeats" "garp_master_repeat 3" "$VIPS"
ctest_rule lpna 5 "strict mode requires lower_prio_no_advert" "lower_prio_no_advert false" "$VIPS"
ctest_rule hpsa 5 "strict mode does not allow higher_prio_send_advert" "higher_prio_send_advert" "$VIPS"
ctest_rule xmit 5 "strict mode does not allow vmac_xmit_base" "vmac_xmit_base" "$VIPS"
# accept with VRRPv2; IPv6 with VRRPv2; a first IPv6 VIP that is not link-local.
cat >"$T_DIR/acc2.conf" <<CONF
global_defs {
    vrrp_strict
}
vrrp_instance V {
    interface eth0
    virtual_router_id 71
    version 2
    accept
    virtual_ipaddress { 192.0.2.100/24 }
}
CONF
ip netns exec "${H[1]}" "$KA_BIN" -t -f "$T_DIR/acc2.conf" >"$T_DIR/acc2.out" 2>&1
rc=$?
check "strict accept v2: -t exits 5 (got $rc)" test "$rc" -eq 5
check "strict accept v2: message at the accept line" grep -qF "acc2.conf: Line 8) (V) strict mode does not allow accept mode with VRRPv2" "$T_DIR/acc2.out"
ctest_rule v6v2 5 "strict mode: IPv6 cannot use VRRP version 2" "version 2" "virtual_ipaddress { fe80::1 }"
ctest_rule v6ll 5 "" "virtual_ipaddress {" "2001:db8::100/64" "fe80::1/64" "}"
check "strict v6ll: first IPv6 VIP must be link-local, at the block's line" grep -qF "v6ll.conf: Line 8) (V) strict mode requires the first IPv6 VIP to be link-local" "$T_DIR/v6ll.out"
ctest_rule v6ok 0 "" "virtual_ipaddress {" "fe80::1/64" "2001:db8::100/64" "}"

# --- no-accept data path.  (No ping binary here: a TCP connect to a
# listener on host 1 tells whether an address answers.)
ip netns exec "${H[1]}" /usr/bin/python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 8099)); s.listen(64)
while True:
    c, _ = s.accept(); c.close()
' >/dev/null 2>&1 &
disown # t_cleanup kills what runs in our namespaces
ping_vip() { ip netns exec "$CL" timeout 1.5 bash -c "exec 3<>/dev/tcp/$1/8099" 2>/dev/null; }
no_answer() { ! ping_vip "$1"; }
table_present() { ip netns exec "${H[1]}" nft list table inet keepalived >/dev/null 2>&1; }
run_conf() { # file prio state [extra]
	cat >"$1" <<CONF
global_defs {
    vrrp_strict
}
vrrp_instance V {
    state $3
    interface eth0
    virtual_router_id 72
    priority $2
    version 3
    advert_int 0.1
    ${4:-}
    virtual_ipaddress {
        $VIP/24
        192.0.2.101/24
    }
}
CONF
}

# A non-owner master: the VIPs are there but do not answer.
run_conf "$T_DIR/na.conf" 150 BACKUP
ka_start 1 "$T_DIR/na.conf"
check "no-accept: host 1 becomes master" wait_until 5 has_addr 1 $VIP
check "no-accept: the table holds the VIPs" wait_until 5 bash -c "ip netns exec ${H[1]} nft list set inet keepalived vips | grep -q '192.0.2.100, 192.0.2.101'"
check "no-accept: chains in/out at priority -1" bash -c "ip netns exec ${H[1]} nft list table inet keepalived | grep -q 'hook input priority filter - 1' && ip netns exec ${H[1]} nft list table inet keepalived | grep -q 'hook output priority filter - 1'"
check "no-accept: the host's own address answers" wait_until 5 ping_vip 192.0.2.11
check "no-accept: the VIP does not answer" no_answer $VIP
check "no-accept: neither does the second VIP" no_answer 192.0.2.101
check "no-accept: nft list ruleset works" ip netns exec "${H[1]}" nft list ruleset
ip netns exec "${H[1]}" nft list ruleset >"$T_DIR/ruleset.txt" 2>&1
check "no-accept: ruleset shows the drop rules" bash -c "grep -q 'ip daddr @vips drop' $T_DIR/ruleset.txt && grep -q 'ip saddr @vips drop' $T_DIR/ruleset.txt"
ka_stop 1
check "no-accept: the table is removed at stop" bash -c "! ip netns exec ${H[1]} nft list table inet keepalived >/dev/null 2>&1"
check "no-accept: nft list ruleset works after stop" ip netns exec "${H[1]}" nft list ruleset

# The address owner answers (accept is on for it); no table is made.
run_conf "$T_DIR/own.conf" 255 MASTER
ka_start 1 "$T_DIR/own.conf"
check "owner: master" wait_until 5 has_addr 1 $VIP
check "owner: the VIP answers" wait_until 5 ping_vip $VIP
check "owner: no nftables table" bash -c "! ip netns exec ${H[1]} nft list table inet keepalived >/dev/null 2>&1"
ka_stop 1

# A non-owner with `accept` (VRRPv3) answers too.
run_conf "$T_DIR/acc.conf" 150 BACKUP accept
ka_start 1 "$T_DIR/acc.conf"
check "accept: master" wait_until 5 has_addr 1 $VIP
check "accept: the VIP answers" wait_until 5 ping_vip $VIP
check "accept: no nftables table" bash -c "! ip netns exec ${H[1]} nft list table inet keepalived >/dev/null 2>&1"
ka_stop 1

# A reload turning accept off for the running master installs the drop.
run_conf "$T_DIR/rl.conf" 150 BACKUP accept
ka_start 1 "$T_DIR/rl.conf"
check "reload: master with accept" wait_until 5 ping_vip $VIP
run_conf "$T_DIR/rl.conf" 150 BACKUP
kill -HUP "${KA_PID[1]}"
check "reload: accept off - the table appears" wait_until 5 table_present
check "reload: the VIP stops answering" no_answer $VIP
check "reload: the VIP is still held" has_addr 1 $VIP
ka_stop 1
check "reload: table removed at stop" bash -c "! ip netns exec ${H[1]} nft list table inet keepalived >/dev/null 2>&1"

t_done
