#!/usr/bin/env bash
# virtual_routes / virtual_rules follow the MASTER (after its VIPs: one
# route uses the VIP as its source), static_ipaddress / static_routes /
# static_rules are on both nodes from the start and go at stop (as
# upstream does), an unchanged reload gives zero route/rule/address events
# and a reload adding one route adds exactly it; garp_group paces the
# GARPs of its interface.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/vrrp_lib.sh"
need_root
lan_setup 2 || skip_all "cannot build the namespaces"
VIP=192.0.2.100

# conf FILE HOST PRIO [extra virtual_routes line]
conf() {
	cat >"$1" <<CONF
static_ipaddress {
    203.0.113.1$2/32 dev eth0
    2001:db8:77::1$2/128 dev eth0
}
static_routes {
    203.0.113.128/25 dev eth0 table 77
}
static_rules {
    from 203.0.113.0/24 table 77 priority 500
}
vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id 61
    priority $3
    version 3
    advert_int 0.1
    virtual_ipaddress {
        $VIP/24
    }
    virtual_routes {
        198.51.100.0/24 via 192.0.2.1 dev eth0 table 100 src $VIP metric 5
        blackhole 198.51.100.128/25 table 101
        2001:db8:5::/48 via 2001:db8::1 dev eth0 table 100
        ${4:-}
    }
    virtual_rules {
        from $VIP table 100 priority 100
        to 198.51.100.0/24 table 101 priority 101
        fwmark 7/0xff table 100 priority 102
        from 2001:db8:5::/48 table 100 priority 103
    }
}
CONF
}
routes_of() { # host: routes of tables 100 and 101, and rules (no table: no error)
	{
		ip -n "${H[$1]}" route show table 100
		ip -n "${H[$1]}" route show table 101
		ip -n "${H[$1]}" -6 route show table 100
		ip -n "${H[$1]}" rule show
		ip -n "${H[$1]}" -6 rule show
	} 2>/dev/null
}
has_virtual() { # host: every virtual route and rule
	local out
	out=$(routes_of "$1")
	[[ $out == *"198.51.100.0/24 via 192.0.2.1 dev eth0"*"src $VIP metric 5"* &&
		$out == *"blackhole 198.51.100.128/25"* &&
		$out == *"2001:db8:5::/48 via 2001:db8::1 dev eth0"* &&
		$out == *"100:"*"from $VIP lookup 100"* &&
		$out == *"101:"*"to 198.51.100.0/24 lookup 101"* &&
		$out == *"102:"*"fwmark 0x7/0xff lookup 100"* &&
		$out == *"103:"*"from 2001:db8:5::/48 lookup 100"* ]]
}
no_virtual() { # host: none of them
	local out
	out=$(routes_of "$1")
	[[ $out != *"198.51.100"* && $out != *"2001:db8:5::"* && $out != *"lookup 100"* &&
		$out != *"lookup 101"* ]]
}
has_static() {
	local out
	out=$(ip -n "${H[$1]}" addr show dev eth0; ip -n "${H[$1]}" route show table 77 2>/dev/null; ip -n "${H[$1]}" rule show)
	[[ $out == *"inet 203.0.113.1$1/32"* && $out == *"inet6 2001:db8:77::1$1/128"* &&
		$out == *"203.0.113.128/25 dev eth0"* && $out == *"500:"*"from 203.0.113.0/24 lookup 77"* ]]
}
no_static() {
	local out
	out=$(ip -n "${H[$1]}" addr show dev eth0; ip -n "${H[$1]}" route show table 77 2>/dev/null; ip -n "${H[$1]}" rule show)
	[[ $out != *"203.0.113"* && $out != *"2001:db8:77::"* ]]
}

conf "$T_DIR/r1.conf" 1 150
conf "$T_DIR/r2.conf" 2 100
ka_start 2 "$T_DIR/r2.conf"
check "static entries on host 2 from the start" wait_until 5 has_static 2
ka_start 1 "$T_DIR/r1.conf"
check "static entries on host 1 from the start" wait_until 5 has_static 1
check "host 1 becomes master" wait_until 5 has_addr 1 $VIP
check "master: virtual routes and rules present" wait_until 5 has_virtual 1
check "backup: no virtual routes or rules" no_virtual 2
check "backup keeps its static entries" has_static 2
check "routes are proto keepalived" bash -c "ip -n ${H[1]} route show table 101 | grep -q 'proto keepalived'"

# Failover: host 1 stops; its entries go, host 2 takes the routes.
ka_stop 1
check "failover: host 2 becomes master" wait_until 5 has_addr 2 $VIP
check "failover: routes and rules move to host 2" wait_until 5 has_virtual 2
check "stop: host 1 has no virtual routes or rules" no_virtual 1
check "stop: host 1's static entries removed" no_static 1
check "host 2 keeps its static entries" has_static 2

# Host 1 returns (higher priority) and takes them back.
ka_start 1 "$T_DIR/r1.conf"
check "return: host 1 master again" wait_until 5 has_virtual 1
check "return: host 2 released them" wait_until 5 no_virtual 2
check "return: host 2 still has its static entries" has_static 2

# Unchanged reload: no route, rule or address event at all.
sleep 0.5
ip -n "${H[1]}" monitor address route rule >"$T_DIR/mon1.txt" 2>&1 &
mon=$!
T_PIDS+=("$mon")
sleep 0.3
kill -HUP "${KA_PID[1]}"
check "reload 1 logged" wait_until 5 grep -q "VRRP child: configuration reloaded" "$T_DIR/h1.log"
sleep 1
kill "$mon"
wait "$mon" 2>/dev/null
check "unchanged reload: zero route/rule/address events (got $(grep -c . "$T_DIR/mon1.txt"))" test ! -s "$T_DIR/mon1.txt"
check "unchanged reload: routes still there" has_virtual 1

# A reload adding one route adds exactly it.
conf "$T_DIR/r1.conf" 1 150 "198.51.100.64/26 dev eth0 table 102"
ip -n "${H[1]}" monitor address route rule >"$T_DIR/mon2.txt" 2>&1 &
mon=$!
T_PIDS+=("$mon")
sleep 0.3
kill -HUP "${KA_PID[1]}"
check "added route appears" wait_until 5 bash -c "ip -n ${H[1]} route show table 102 | grep -q 198.51.100.64/26"
sleep 1
kill "$mon"
wait "$mon" 2>/dev/null
n=$(grep -c . "$T_DIR/mon2.txt")
check "added route: exactly one event (got $n)" test "$n" -eq 1
check "added route: the event is for it" grep -q "198.51.100.64/26 dev eth0 table 102" "$T_DIR/mon2.txt"
check "added route: the others untouched" has_virtual 1

# ... and removing it again removes exactly it.
conf "$T_DIR/r1.conf" 1 150
ip -n "${H[1]}" monitor address route rule >"$T_DIR/mon3.txt" 2>&1 &
mon=$!
T_PIDS+=("$mon")
sleep 0.3
kill -HUP "${KA_PID[1]}"
check "removed route goes" wait_until 5 bash -c "! ip -n ${H[1]} route show table 102 | grep -q 198.51.100.64"
sleep 1
kill "$mon"
wait "$mon" 2>/dev/null
n=$(grep -c . "$T_DIR/mon3.txt")
check "removed route: exactly one event (got $n)" test "$n" -eq 1
check "removed route: a deletion" grep -q "^Deleted 198.51.100.64/26" "$T_DIR/mon3.txt"
ka_stop 1
ka_stop 2
check "both stopped: no static entries left on host 2" no_static 2
check "both stopped: no virtual entries left on host 1" no_virtual 1
check "both stopped: no virtual entries left on host 2" no_virtual 2

# Not implemented options: one warning at load naming the file and line.
cat >"$T_DIR/w.conf" <<CONF
vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id 62
    priority 100
    version 3
    advert_int 0.1
    virtual_ipaddress {
        $VIP/24
    }
    virtual_routes {
        198.51.100.0/24 dev eth0 table 100 encap mpls 200
    }
}
CONF
ka_start 1 "$T_DIR/w.conf"
check "unimplemented option warned with file:line" wait_until 5 grep -q "w.conf: Line 12) route '198.51.100.0/24 dev eth0 table 100 encap mpls 200': not implemented, ignored: encap" "$T_DIR/h1.log"
ka_stop 1

# garp_group: 4 VIPs of two instances on eth0 that become MASTER together:
# GARPs at least garp_interval apart on the interface, whichever instance
# sends (the global vrrp_garp_interval is 0: all would go at once).
ginst() { # NAME VRID VIP VIP
	cat <<CONF
vrrp_instance $1 {
    state BACKUP
    interface eth0
    virtual_router_id $2
    priority 150
    version 3
    advert_int 0.1
    garp_master_repeat 1
    garp_master_delay 0
    virtual_ipaddress {
        $3/24
        $4/24
    }
}
CONF
}
{
	printf 'garp_group {\n    garp_interval 0.15\n    interface eth0\n}\n'
	ginst VI_1 63 192.0.2.100 192.0.2.101
	ginst VI_2 64 192.0.2.102 192.0.2.103
} >"$T_DIR/g.conf"
cap_start garp "arp"
ka_start 1 "$T_DIR/g.conf"
check "garp_group: master" wait_until 5 bash -c "ip -n ${H[1]} -4 addr show dev eth0 | grep -q 192.0.2.103/ && ip -n ${H[1]} -4 addr show dev eth0 | grep -q 192.0.2.101/"
garps() { tcpdump -n -tt -r "$T_DIR/garp.pcap" 2>/dev/null | grep -cE "who-has (192.0.2.10[0-3]) tell \1"; }
wait_until 5 bash -c "[[ \$($(declare -f garps); garps) -ge 4 ]]"
cap_stop garp
tcpdump -n -tt -r "$T_DIR/garp.pcap" 2>/dev/null | grep -E "who-has (192.0.2.10[0-3]) tell \1" | awk '{print $1}' >"$T_DIR/garp.ts"
check "garp_group: 4 GARPs (got $(wc -l <"$T_DIR/garp.ts"))" test "$(wc -l <"$T_DIR/garp.ts")" -eq 4
check "garp_group: GARPs at least 140 ms apart across both instances ($(tr '\n' ' ' <"$T_DIR/garp.ts"))" awk 'NR > 1 && $1 - prev < 0.14 { bad = 1 } { prev = $1 } END { exit bad }' "$T_DIR/garp.ts"
ka_stop 1

t_done
