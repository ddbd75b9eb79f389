#!/usr/bin/env bash
# use_vmac: the macvlan (mode private, 00:00:5e:00:01:VRID) on both nodes,
# the VIP on the master's VMAC, the client's ARP entry pointing at the
# virtual MAC before and after failover, sysctls set and restored, the
# VMAC removed at stop, kept across a reload, and vmac_xmit_base sending
# adverts from the parent.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/vrrp_lib.sh"
need_root
lan_setup 2 || skip_all "cannot build the namespaces"
ip -n "${H[1]}" link add probe link eth0 type macvlan mode private 2>/dev/null || skip_all "no macvlan"
ip -n "${H[1]}" link del probe
VIP=192.0.2.100
VMAC=vrrp.51
MAC=00:00:5e:00:01:33

sc() { ip netns exec "${H[$1]}" cat "/proc/sys/net/ipv4/conf/$2/$3" 2>/dev/null; }
sc_is() { [[ $(sc "$1" "$2" "$3") == "$4" ]]; }
vmac_ok() { # host: exists, macvlan private, our MAC
	local out
	out=$(ip -d -n "${H[$1]}" link show $VMAC 2>/dev/null) || return 1
	[[ $out == *"link/ether $MAC"* && $out == *"macvlan mode private"* ]]
}
no_vmac() { ! ip -n "${H[$1]}" link show $VMAC >/dev/null 2>&1; }
vip_on_vmac() {
	local out
	out=$(ip -n "${H[$1]}" -4 addr show dev $VMAC 2>/dev/null)
	[[ $out == *"inet $VIP/"* ]]
}
no_vip() { ! vip_on_vmac "$1" && no_addr "$1" $VIP; }
ifindex() { ip -n "${H[$1]}" -o link show $VMAC 2>/dev/null | cut -d: -f1; }
# one ICMP echo from the client, 1 s timeout (no ping binary needed)
cat >"$T_DIR/ping.py" <<'PY'
import os, select, socket, struct, sys, time
def csum(b):
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xffff)
    return ~(s + (s >> 16)) & 0xffff
dst, ident = sys.argv[1], os.getpid() & 0xffff
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
p = struct.pack('!BBHHH', 8, 0, 0, ident, 1) + b'ka-vmac!'
s.sendto(p[:2] + struct.pack('!H', csum(p)) + p[4:], (dst, 0))
end = time.time() + 1.0
while select.select([s], [], [], max(0, end - time.time()))[0]:
    d, a = s.recvfrom(2048)
    h = (d[0] & 15) * 4
    if d[h] == 0 and struct.unpack('!H', d[h + 4:h + 6])[0] == ident and a[0] == dst:
        sys.exit(0)
sys.exit(1)
PY
cl_ping() { ip netns exec "$CL" /usr/bin/python3 "$T_DIR/ping.py" $VIP; }
cl_mac_is() { # the client's neighbour entry for the VIP
	local out
	out=$(ip -n "$CL" neigh show $VIP)
	[[ $out == *"lladdr $1"* ]]
}
stats_show() { echo "    $1: $(ip -n "$CL" neigh show $VIP)"; }

# Values the daemon must change and restore (not its defaults).
for i in 1 2; do
	ip netns exec "${H[$i]}" sysctl -qw net.ipv4.conf.all.rp_filter=1 \
		net.ipv4.conf.eth0.rp_filter=0 net.ipv4.conf.eth0.arp_ignore=0 \
		net.ipv4.conf.eth0.arp_filter=0 net.ipv4.conf.default.rp_filter=0
	# The administrator's part of the "ARP problem" (keepalived's VMAC
	# documentation): replies from a VIP routed out of the parent must not
	# ARP with the VIP as sender, or clients learn the parent's MAC.
	ip netns exec "${H[$i]}" sysctl -qw net.ipv4.conf.all.arp_announce=2
done

vrrp_conf "$T_DIR/h1.conf" VI_1 150 use_vmac
vrrp_conf "$T_DIR/h2.conf" VI_1 100 use_vmac
ka_start 1 "$T_DIR/h1.conf"
ka_start 2 "$T_DIR/h2.conf"
check "h1: VMAC $VMAC is a private macvlan with $MAC" wait_until 5 vmac_ok 1
check "h2: VMAC $VMAC is a private macvlan with $MAC" wait_until 5 vmac_ok 2
check "h1 (MASTER) has the VIP on its VMAC" wait_until 5 vip_on_vmac 1
check "h2 (BACKUP) has no VIP, but keeps its VMAC up" bash -c "! ip -n ${H[2]} addr show dev $VMAC | grep -q 'inet $VIP/' && ip -n ${H[2]} link show $VMAC | grep -q 'UP'"
check "h1: no kernel link-local on the VMAC (addr_gen_mode none)" bash -c "! ip -n ${H[1]} -6 addr show dev $VMAC | grep -q fe80"
check "h1: VMAC arp_ignore=1" sc_is 1 $VMAC arp_ignore 1
check "h1: VMAC accept_local=1" sc_is 1 $VMAC accept_local 1
check "h1: VMAC rp_filter=0" sc_is 1 $VMAC rp_filter 0
check "h1: VMAC promote_secondaries=1" sc_is 1 $VMAC promote_secondaries 1
check "h1: parent arp_ignore=1" sc_is 1 eth0 arp_ignore 1
check "h1: parent arp_filter=1" sc_is 1 eth0 arp_filter 1
check "h1: all.rp_filter lowered to 0" sc_is 1 all rp_filter 0
check "h1: parent rp_filter raised to the old all value" sc_is 1 eth0 rp_filter 1
check "h1: default.rp_filter raised to the old all value" sc_is 1 default rp_filter 1

# adverts leave from the VMAC: source MAC is the virtual MAC
cap_start vm 'ip proto 112'
check "client reaches the VIP" wait_until 5 cl_ping
# A VIP removed from the VMAC by hand is put back (as on a plain interface).
pfx=$(ip -n "${H[1]}" -4 -o addr show dev $VMAC | awk -v v="$VIP/" 'index($4, v) == 1 {print $4}')
check "the VIP is deleted from the VMAC by hand" ip -n "${H[1]}" addr del "$pfx" dev $VMAC
check "the daemon notices and restores it" wait_until 5 grep -q "VIP .* was removed from $VMAC by someone else" "$T_DIR/h1.log"
check "the VIP is back on the VMAC" wait_until 5 vip_on_vmac 1
cap_stop vm
check "adverts are sent from the VMAC ($MAC)" grep -q "^.*$MAC > 01:00:5e:00:00:12" "$T_DIR/vm.txt"
check "client's ARP entry for the VIP is $MAC" cl_mac_is $MAC
stats_show "before failover"

# failover: graceful stop of h1
ka_stop 1
check "h2 takes over: VIP on its VMAC" wait_until 5 vip_on_vmac 2
check "client keeps reaching the VIP" wait_until 5 cl_ping
check "client's ARP entry still $MAC" cl_mac_is $MAC
stats_show "after failover"
check "h1: VMAC removed at stop" no_vmac 1
check "h1: parent arp_ignore restored (0)" sc_is 1 eth0 arp_ignore 0
check "h1: parent arp_filter restored (0)" sc_is 1 eth0 arp_filter 0
check "h1: all.rp_filter restored (1)" sc_is 1 all rp_filter 1
check "h1: parent rp_filter restored (0)" sc_is 1 eth0 rp_filter 0
check "h1: default.rp_filter restored (0)" sc_is 1 default rp_filter 0

# reload keeps the VMAC (same ifindex) and the VIP
idx=$(ifindex 2)
vrrp_conf "$T_DIR/h2.conf" VI_1 110 use_vmac
kill -HUP "${KA_PID[2]}"
check "h2 reloads" wait_until 5 grep -q "configuration changed" "$T_DIR/h2.log"
check "reload keeps the VMAC (ifindex $idx)" test "$(ifindex 2)" = "$idx"
check "reload keeps the VIP on the VMAC" vip_on_vmac 2
check "client still reaches the VIP after the reload" wait_until 5 cl_ping
ka_stop 2
check "h2: VMAC removed at stop" no_vmac 2
check "h2: all.rp_filter restored (1)" sc_is 2 all rp_filter 1

# a leftover VMAC with our MAC (as kill -9 leaves it) is adopted, then
# removed at stop
vrrp_conf "$T_DIR/h1.conf" VI_1 150 use_vmac
ip -n "${H[1]}" link add $VMAC link eth0 address $MAC type macvlan mode private
idx=$(ifindex 1)
ka_start 1 "$T_DIR/h1.conf"
check "restart adopts the leftover VMAC (same ifindex)" wait_until 5 grep -q "exists (ifindex $idx) - reusing it" "$T_DIR/h1.log"
check "h1 MASTER on the adopted VMAC" wait_until 5 vip_on_vmac 1
ka_stop 1
check "adopted VMAC removed at stop" no_vmac 1

# an unrelated interface of that name is not touched
ip -n "${H[1]}" link add $VMAC type veth peer name vx51
ka_start 1 "$T_DIR/h1.conf"
check "a foreign $VMAC is refused" wait_until 5 grep -q "cannot set up VMAC $VMAC" "$T_DIR/h1.log"
ka_stop 1
check "the foreign $VMAC is left in place" ip -n "${H[1]}" link show $VMAC
ip -n "${H[1]}" link del $VMAC

# vmac_xmit_base: adverts from the parent (its own MAC), VIP on the VMAC
PMAC=$(ip -n "${H[1]}" -o link show eth0 | grep -o 'link/ether [0-9a-f:]*' | cut -d' ' -f2)
vrrp_conf "$T_DIR/h1.conf" VI_1 150 use_vmac vmac_xmit_base
vrrp_conf "$T_DIR/h2.conf" VI_1 100 use_vmac vmac_xmit_base
ka_start 1 "$T_DIR/h1.conf"
ka_start 2 "$T_DIR/h2.conf"
check "xmit_base: h1 MASTER with the VIP on its VMAC" wait_until 5 vip_on_vmac 1
cap_start xb 'ip proto 112'
check "xmit_base: client reaches the VIP" wait_until 5 cl_ping
check "xmit_base: h2 stays BACKUP" no_vip 2
cap_stop xb
check "xmit_base: adverts are sent from the parent ($PMAC)" grep -q "^.*$PMAC > 01:00:5e:00:00:12" "$T_DIR/xb.txt"
check "xmit_base: no advert from the VMAC MAC" bash -c "! grep -q '$MAC > 01:00:5e:00:00:12' $T_DIR/xb.txt"
check "xmit_base: client's ARP entry is $MAC" cl_mac_is $MAC
ka_stop 1
check "xmit_base: h2 takes over" wait_until 5 vip_on_vmac 2
check "xmit_base: client keeps reaching the VIP" wait_until 5 cl_ping
ka_stop 2

check "no sanitizer report" bash -c "! grep -E 'AddressSanitizer|runtime error:' $T_DIR/h*.log"
t_done
