#!/usr/bin/env bash
# Fault catalogue cases 14, 15 and 16 (tests/fault-catalogue.md):
#  14 the interface is deleted and re-created (same name, new ifindex):
#     FAULT, the peer takes over, recovery on the new ifindex with GARP,
#     no crash (keepalived#1232 class);
#  15 our VIP added by hand on the BACKUP is logged (the deletion on the
#     MASTER is in t_vrrp_failover.sh);
#  16 netlink adversity: messages from a userspace socket (nl_pid != 0)
#     with a fake link-down, address delete, truncated and oversized
#     attributes change nothing; an overrun of the monitor socket (ENOBUFS)
#     triggers a re-dump that notices a VIP deleted while events were lost.
# Link down/up -> FAULT -> recovery is in t_vrrp_features.sh; the netlink
# parser's bounds are unit-tested in test_nl_parse.c.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/vrrp_lib.sh"
need_root
lan_setup 2 || skip_all "cannot build the namespaces"
VIP=192.0.2.100
vrrp_conf "$T_DIR/a.conf" A 150
# a small monitor buffer (256 KB asked, the kernel doubles it) so that 16b
# overruns it with a few thousand events: the keyword is honoured
sed -i '1i global_defs {\n    vrrp_netlink_monitor_rcv_bufs 262144\n}' "$T_DIR/a.conf"
vrrp_conf "$T_DIR/b.conf" B 100
ka_start 1 "$T_DIR/a.conf"
ka_start 2 "$T_DIR/b.conf"
check "host 1 (150) owns the VIP" wait_until 5 has_addr 1 $VIP
check "host 2 stays BACKUP" no_addr 2 $VIP
ifindex() { ip -n "${H[$1]}" -o link show dev eth0 | cut -d: -f1; }

# ---- 14. delete and re-create eth0 on the master -------------------------
old_if=$(ifindex 1)
vrrp1=$(ka_vrrp_pid 1)
ip -n "${H[1]}" link del eth0
check "14: deleted interface: host 1 enters FAULT" \
	wait_until 5 grep -q "(VI_1) Entering FAULT STATE" "$T_DIR/h1.log"
check "14: host 2 takes the VIP" wait_until 5 has_addr 2 $VIP
# re-create it with a new ifindex, same name, same address
ip -n "${H[1]}" link add x9a type veth peer name x9b # take the next ifindexes first
ip -n "${H[1]}" link add eth0 type veth peer name p1 netns "$SW"
ip -n "$SW" link set p1 master br0 up
ip -n "${H[1]}" addr add 192.0.2.11/24 dev eth0
ip -n "${H[1]}" addr add 2001:db8::11/64 dev eth0 nodad
cap_start garp14 "arp"
ip -n "${H[1]}" link set eth0 up
new_if=$(ifindex 1)
check "14: the new eth0 has another ifindex ($old_if -> $new_if)" test "$old_if" != "$new_if"
check "14: host 1 recovers and preempts on the new interface" wait_until 10 has_addr 1 $VIP
check "14: host 2 releases the VIP" wait_until 5 no_addr 2 $VIP
cap_stop garp14
check "14: GARP for the VIP from host 1 after recovery" \
	grep -q "Request who-has $VIP tell $VIP" "$T_DIR/garp14.txt"
check "14: the VRRP child survived (no stale-ifindex crash)" test "$(ka_vrrp_pid 1)" = "$vrrp1"
check "14: host 1 left FAULT" grep -q "(VI_1) event FAULT_OFF\|(VI_1) Entering BACKUP STATE" "$T_DIR/h1.log"
# and a second flap of the same kind, now without the VIP present
ip -n "${H[1]}" link set eth0 down
check "14: link down on the new interface: FAULT again" \
	wait_until 5 bash -c "[[ \$(grep -c '(VI_1) Entering FAULT STATE' $T_DIR/h1.log) -ge 2 ]]"
check "14: VIP removed from host 1 on FAULT" wait_until 3 no_addr 1 $VIP
ip -n "${H[1]}" link set eth0 up
check "14: back up: host 1 owns the VIP again" wait_until 10 has_addr 1 $VIP
ip -n "${H[1]}" link del x9a

# ---- 15. our VIP added by hand on the BACKUP -----------------------------
check "15: one owner before" wait_until 5 no_addr 2 $VIP
h2_lines=$(grep -c . "$T_DIR/h2.log")
ip -n "${H[2]}" addr add $VIP/24 dev eth0
check "15: the hand-made VIP on the BACKUP is logged" \
	wait_until 3 grep -q "(VI_1) VIP $VIP/24 was added to eth0 by someone else while BACKUP" "$T_DIR/h2.log"
check "15: host 2 stays BACKUP" bash -c "! tail -n +$((h2_lines + 1)) $T_DIR/h2.log | grep -q '(VI_1) Entering MASTER STATE'"
ip -n "${H[2]}" addr del $VIP/24 dev eth0
check "15: the host 1 master still owns it" has_addr 1 $VIP

# ---- 16. netlink adversity ------------------------------------------------
# 16a. Spoofed messages from a userspace socket, sent straight to every
# NETLINK_ROUTE socket of host 1's namespace (the daemon's).
lines_before=$(grep -c . "$T_DIR/h1.log")
ip netns exec "${H[1]}" /usr/bin/python3 - "$(ifindex 1)" "$VIP" >"$T_DIR/spoof.out" 2>&1 <<'PY'
import socket, struct, sys, os
ifindex, vip = int(sys.argv[1]), sys.argv[2]
RTM_NEWLINK, RTM_DELLINK, RTM_NEWADDR, RTM_DELADDR = 16, 17, 20, 21
def nlmsg(t, payload, flags=0, length=None):
    l = 16 + len(payload) if length is None else length
    return struct.pack('=IHHII', l, t, flags, 1, os.getpid()) + payload
def rta(t, data, length=None):
    l = 4 + len(data) if length is None else length
    b = struct.pack('=HH', l, t) + data
    return b + b'\0' * ((4 - len(b) % 4) % 4)
ifinfo_down = struct.pack('=BxHiII', socket.AF_UNSPEC, 1, ifindex, 0, 0xffffffff)
ifa = struct.pack('=BBBBI', socket.AF_INET, 24, 0, 0, ifindex)
addr = socket.inet_aton(vip)
msgs = [
    nlmsg(RTM_NEWLINK, ifinfo_down + rta(3, b'eth0\0')),           # link down
    nlmsg(RTM_DELLINK, ifinfo_down + rta(3, b'eth0\0')),           # link gone
    nlmsg(RTM_DELADDR, ifa + rta(1, addr) + rta(2, addr)),          # VIP gone
    nlmsg(RTM_NEWADDR, ifa + rta(1, addr, length=200)),             # attr past the end
    nlmsg(RTM_NEWADDR, ifa + rta(1, addr, length=2)),               # attr shorter than its header
    nlmsg(RTM_NEWADDR, ifa + rta(1, b'\xff' * 64)),                 # oversized address
    nlmsg(RTM_NEWLINK, ifinfo_down[:8]),                             # truncated ifinfomsg
    nlmsg(RTM_NEWADDR, ifa, length=0xffff),                          # nlmsg_len lies
    b'\x01\x02\x03',                                                 # not even a header
]
me = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE)
me.bind((0, 0))
mine = me.getsockname()[0]
targets = []
for line in open('/proc/net/netlink').read().splitlines()[1:]:
    f = line.split()
    if int(f[1]) == 0 and int(f[2]) not in (0, mine):
        targets.append(int(f[2]))
sent = 0
for _ in range(50):
    for p in targets:
        for m in msgs:
            try:
                me.sendto(m, (p, 0)); sent += 1
            except OSError:
                pass
print('targets', len(targets), 'sent', sent)
PY
cat "$T_DIR/spoof.out"
check "16a: spoofed messages reached the daemon's sockets" grep -q -E "sent [1-9][0-9]*" "$T_DIR/spoof.out"
sleep 1 # nothing to wait for: we check that nothing happened
check "16a: host 1 still owns the VIP" has_addr 1 $VIP
check "16a: no state change and no VIP action logged" \
	test -z "$(tail -n +$((lines_before + 1)) "$T_DIR/h1.log" | grep -E 'Entering|by someone else|FAULT')"
check "16a: the VRRP child is alive" test "$(ka_vrrp_pid 1)" = "$vrrp1"
check "16a: host 2 stays BACKUP" no_addr 2 $VIP

# 16b. Overrun: host 1's VRRP child is stopped (host 2's daemon first, so
# nothing takes over meanwhile), the monitor socket is flooded with link
# events until the kernel drops some, and the VIP is deleted while events
# are being dropped.  The child must notice the loss, re-dump and restore
# the VIP.
ka_stop 2
ip -n "${H[1]}" link add fl0 type veth peer name fl1
# each MTU change is one RTM_NEWLINK of ~2.3 KB of receive buffer: 2000
# of them exceed the 512 KB of vrrp_netlink_monitor_rcv_bufs 262144 (not
# the 16 MB of the default)
for ((i = 0; i < 2000; i++)); do echo "link set fl0 mtu $((1400 + i % 2))"; done >"$T_DIR/flood.batch"
kill -STOP "$vrrp1"
t0=$(now_ms)
ip -n "${H[1]}" -batch "$T_DIR/flood.batch"
ip -n "${H[1]}" addr del $VIP/24 dev eth0
t_flood=$(($(now_ms) - t0))
kill -CONT "$vrrp1"
echo "    VRRP child stopped for $t_flood ms while 2000 link events were generated"
check "16b: overrun noticed and a resync started" \
	wait_until 5 grep -q -E "netlink: monitor (overrun \(ENOBUFS\)|dropped [0-9]+ message)" "$T_DIR/h1.log"
check "16b: the interface table re-dumped" wait_until 5 grep -q "Interface table resynchronised from the kernel" "$T_DIR/h1.log"
check "16b: the VIP deleted during the overrun is restored" wait_until 5 has_addr 1 $VIP
check "16b: the VRRP child survived" test "$(ka_vrrp_pid 1)" = "$vrrp1"
ka_stop 1
check "no sanitizer report" bash -c "! grep -E 'AddressSanitizer|LeakSanitizer|runtime error:' $T_DIR/h*.log"
t_done
