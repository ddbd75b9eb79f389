#!/usr/bin/env bash
# VRRP features between two of our daemons: nopreempt, v2 with PASS auth
# (and a wrong password), IPv6 VIPs with unsolicited NA, unicast peers,
# track_script, link down -> FAULT -> recovery, sync groups, notify
# scripts with upstream's arguments and FIFO lines.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/vrrp_lib.sh"
need_root
lan_setup 2 || skip_all "cannot build the namespaces"
VIP=192.0.2.100
reset_addrs() {
	local i
	for i in 1 2; do
		ip -n "${H[$i]}" addr del $VIP/24 dev eth0 2>/dev/null
		ip -n "${H[$i]}" addr del 192.0.2.101/24 dev eth0 2>/dev/null
		ip -n "${H[$i]}" addr del 2001:db8::100/64 dev eth0 2>/dev/null
	done
}
# Each scenario starts with empty logs (kept in all1.log / all2.log).
stop_all() {
	local i
	ka_stop 1
	ka_stop 2
	reset_addrs
	for i in 1 2; do
		cat "$T_DIR/h$i.log" >>"$T_DIR/all$i.log" 2>/dev/null
		: >"$T_DIR/h$i.log"
	done
}

# --- nopreempt: the higher priority returns but does not take over.
vrrp_conf "$T_DIR/np1.conf" A 150 nopreempt
vrrp_conf "$T_DIR/np2.conf" B 100 nopreempt
ka_start 2 "$T_DIR/np2.conf"
check "nopreempt: host 2 alone becomes master" wait_until 5 has_addr 2 $VIP
ka_start 1 "$T_DIR/np1.conf"
sleep 1
check "nopreempt: host 1 (150) does not take over" no_addr 1 $VIP
check "nopreempt: host 2 keeps the VIP" has_addr 2 $VIP
stop_all

# --- v2 with PASS authentication; a wrong password is rejected and counted.
v2conf() { # file prio pass
	cat >"$1" <<CONF
vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id 52
    priority $2
    advert_int 1
    authentication {
        auth_type PASS
        auth_pass $3
    }
    virtual_ipaddress {
        $VIP/24
    }
}
CONF
}
v2conf "$T_DIR/v2a.conf" 150 secret12
v2conf "$T_DIR/v2b.conf" 100 secret12
ka_start 1 "$T_DIR/v2a.conf"
ka_start 2 "$T_DIR/v2b.conf"
check "v2 PASS: host 1 becomes master" wait_until 6 has_addr 1 $VIP
sleep 1
check "v2 PASS: host 2 stays backup" no_addr 2 $VIP
ka_stop 2
v2conf "$T_DIR/v2b.conf" 100 wrongpwd
rm -f "$T_DIR/keepalived.stats"
TMPDIR=$T_DIR ka_start 2 "$T_DIR/v2b.conf"
check "v2 wrong PASS: host 2 ignores host 1 and becomes master" wait_until 6 has_addr 2 $VIP
kill -USR2 "${KA_PID[2]}"
check "v2 wrong PASS: stats file written" wait_until 3 test -s "$T_DIR/keepalived.stats"
check "v2 wrong PASS: authentication failures counted" \
	bash -c "awk '/Authentication Errors/{a=1} a && /Failure:/{print \$2; exit}' $T_DIR/keepalived.stats | grep -qv '^0$'"
stop_all

# --- IPv6 VIP with v3: the owner announces it with an unsolicited NA.
v6conf() {
	cat >"$1" <<CONF
vrrp_instance VI_6 {
    state BACKUP
    interface eth0
    virtual_router_id 53
    priority $2
    advert_int 0.1
    virtual_ipaddress {
        2001:db8::100/64
    }
}
CONF
}
v6conf "$T_DIR/v6a.conf" 150
v6conf "$T_DIR/v6b.conf" 100
cap_start na "icmp6 and ip6[40] == 136"
ka_start 1 "$T_DIR/v6a.conf"
ka_start 2 "$T_DIR/v6b.conf"
check "IPv6: host 1 owns 2001:db8::100" wait_until 5 has_addr 1 2001:db8::100
sleep 0.5
check "IPv6: host 2 does not" no_addr 2 2001:db8::100
cap_stop na
check "IPv6: unsolicited NA for the VIP on the wire" grep -q "tgt is 2001:db8::100" "$T_DIR/na.txt"
ka_kill9 1
check "IPv6: host 2 takes over after kill -9" wait_until 3 has_addr 2 2001:db8::100
stop_all

# --- unicast peers (multicast not used).
vrrp_conf "$T_DIR/u1.conf" A 150 "unicast_src_ip 192.0.2.11" "unicast_peer {" "    192.0.2.12" "}"
vrrp_conf "$T_DIR/u2.conf" B 100 "unicast_src_ip 192.0.2.12" "unicast_peer {" "    192.0.2.11" "}"
cap_start mc "ip proto 112 and dst 224.0.0.18"
ka_start 1 "$T_DIR/u1.conf"
ka_start 2 "$T_DIR/u2.conf"
check "unicast: host 1 owns the VIP" wait_until 5 has_addr 1 $VIP
sleep 0.5
check "unicast: host 2 stays backup" no_addr 2 $VIP
cap_stop mc
check "unicast: no multicast adverts" test ! -s "$T_DIR/mc.txt"
ka_kill9 1
check "unicast: host 2 takes over after kill -9" wait_until 3 has_addr 2 $VIP
stop_all

# --- track_script: the master's check fails, its priority drops below the backup's.
touch "$T_DIR/healthy"
cat >"$T_DIR/check.sh" <<CHK
#!/bin/sh
test -e $T_DIR/healthy
CHK
chmod 0755 "$T_DIR/check.sh"
vrrp_conf "$T_DIR/ts1.part" A 150 "track_script {" "    chk" "}"
{
	printf 'vrrp_script chk {\n    script "%s"\n    interval 0.2\n    weight -60\n}\n' "$T_DIR/check.sh"
	cat "$T_DIR/ts1.part"
} >"$T_DIR/ts1.conf"
vrrp_conf "$T_DIR/ts2.conf" B 100
ka_start 1 "$T_DIR/ts1.conf"
ka_start 2 "$T_DIR/ts2.conf"
check "track_script: host 1 master while the script succeeds" wait_until 5 has_addr 1 $VIP
rm -f "$T_DIR/healthy"
check "track_script: failing script hands the VIP to host 2" wait_until 5 has_addr 2 $VIP
check "track_script: host 1 released it" wait_until 2 no_addr 1 $VIP
check "track_script: priority change logged" grep -q "effective priority from 150 to 90" "$T_DIR/h1.log"
touch "$T_DIR/healthy"
check "track_script: recovery takes the VIP back" wait_until 5 has_addr 1 $VIP
stop_all

# --- track_file: the number in the file times the weight moves the priority.
echo 0 >"$T_DIR/tf.val"
vrrp_conf "$T_DIR/tf.part" A 150 "track_file {" "    tf weight -60" "}"
{
	printf 'track_file tf {\n    file %s\n    weight 1\n}\n' "$T_DIR/tf.val"
	cat "$T_DIR/tf.part"
} >"$T_DIR/tf1.conf"
vrrp_conf "$T_DIR/tf2.conf" B 100
ka_start 1 "$T_DIR/tf1.conf"
ka_start 2 "$T_DIR/tf2.conf"
check "track_file: host 1 master while the file holds 0" wait_until 5 has_addr 1 $VIP
echo 1 >"$T_DIR/tf.val"
check "track_file: 1 x -60 hands the VIP to host 2" wait_until 5 has_addr 2 $VIP
check "track_file: priority 150 -> 90 logged" grep -q "effective priority from 150 to 90" "$T_DIR/h1.log"
echo 0 >"$T_DIR/tf.val"
check "track_file: back to 0, host 1 preempts" wait_until 5 has_addr 1 $VIP
stop_all

# --- link down -> FAULT -> recovery.
vrrp_conf "$T_DIR/l1.conf" A 150
vrrp_conf "$T_DIR/l2.conf" B 100
ka_start 1 "$T_DIR/l1.conf"
ka_start 2 "$T_DIR/l2.conf"
check "link: host 1 master" wait_until 5 has_addr 1 $VIP
ip -n "${H[1]}" link set eth0 down
check "link down: host 1 enters FAULT" wait_until 3 grep -q "Entering FAULT STATE" "$T_DIR/h1.log"
check "link down: host 2 takes the VIP" wait_until 3 has_addr 2 $VIP
ip -n "${H[1]}" link set eth0 up
check "link up: host 1 leaves FAULT and preempts" wait_until 5 has_addr 1 $VIP
check "link up: host 2 releases" wait_until 3 no_addr 2 $VIP
stop_all

# --- sync group: a fault in one member moves both instances.
sgconf() { # file prio
	cat >"$1" <<CONF
vrrp_sync_group G1 {
    group {
        VI_A
        VI_B
    }
}
vrrp_script chk {
    script "$T_DIR/check.sh"
    interval 0.2
}
vrrp_instance VI_A {
    state BACKUP
    interface eth0
    virtual_router_id 61
    priority $2
    version 3
    advert_int 0.1
    virtual_ipaddress {
        $VIP/24
    }
}
vrrp_instance VI_B {
    state BACKUP
    interface eth0
    virtual_router_id 62
    priority $2
    version 3
    advert_int 0.1
    $3
    virtual_ipaddress {
        192.0.2.101/24
    }
}
CONF
}
touch "$T_DIR/healthy"
sgconf "$T_DIR/sg1.conf" 150 "track_script {
        chk
    }"
sgconf "$T_DIR/sg2.conf" 100 ""
ka_start 1 "$T_DIR/sg1.conf"
ka_start 2 "$T_DIR/sg2.conf"
check "sync: host 1 owns both VIPs" wait_until 5 bash -c "ip -n ${H[1]} addr show eth0 | grep -q 192.0.2.100/ && ip -n ${H[1]} addr show eth0 | grep -q 192.0.2.101/"
rm -f "$T_DIR/healthy"
check "sync: a fault in VI_B moves both VIPs to host 2" wait_until 5 bash -c "ip -n ${H[2]} addr show eth0 | grep -q 192.0.2.100/ && ip -n ${H[2]} addr show eth0 | grep -q 192.0.2.101/"
check "sync: host 1 holds neither" bash -c "! ip -n ${H[1]} addr show eth0 | grep -q -E '192.0.2.10[01]/'"
check "sync: group state logged" grep -q "VRRP_Group(G1)" "$T_DIR/h1.log"
stop_all

# --- GARP pacing: garp_master_repeat 3 spaced by vrrp_garp_interval 0.1 s.
vrrp_conf "$T_DIR/gp.part" A 150 "garp_master_repeat 3" "garp_master_delay 0"
{
	printf 'global_defs {\n    vrrp_garp_interval 0.1\n}\n'
	cat "$T_DIR/gp.part"
} >"$T_DIR/gp.conf"
cap_start gpace "arp"
ka_start 1 "$T_DIR/gp.conf"
check "pacing: master" wait_until 5 has_addr 1 $VIP
sleep 0.6
cap_stop gpace
tcpdump -n -tt -r "$T_DIR/gpace.pcap" 2>/dev/null | grep "who-has $VIP tell $VIP" | awk '{print $1}' >"$T_DIR/gpace.ts"
check "pacing: exactly 3 GARPs (got $(wc -l <"$T_DIR/gpace.ts"))" test "$(wc -l <"$T_DIR/gpace.ts")" -eq 3
check "pacing: GARPs at least 90 ms apart" awk 'NR > 1 && $1 - prev < 0.09 { bad = 1 } { prev = $1 } END { exit bad }' "$T_DIR/gpace.ts"
stop_all

# --- notify scripts and FIFO.
cat >"$T_DIR/notify.sh" <<NOT
#!/bin/sh
echo "\$*" >> $T_DIR/notify.out
NOT
chmod 0755 "$T_DIR/notify.sh"
mkfifo "$T_DIR/fifo"
cat "$T_DIR/fifo" >"$T_DIR/fifo.out" &
T_PIDS+=("$!")
vrrp_conf "$T_DIR/n1.part" A 150 "notify \"$T_DIR/notify.sh\"" "notify_master \"$T_DIR/notify.sh master-arg\""
{
	printf 'global_defs {\n    vrrp_notify_fifo %s\n}\n' "$T_DIR/fifo"
	cat "$T_DIR/n1.part"
} >"$T_DIR/n1.conf"
ka_start 1 "$T_DIR/n1.conf"
check "notify: generic script called with TYPE NAME STATE PRIORITY" wait_until 5 grep -qx "INSTANCE VI_1 MASTER 150" "$T_DIR/notify.out"
check "notify: notify_master called with its own argument" grep -qx "master-arg" "$T_DIR/notify.out"
check "notify: BACKUP came before MASTER" bash -c "grep -n 'INSTANCE VI_1' $T_DIR/notify.out | head -1 | grep -q BACKUP"
check "FIFO: upstream line format" wait_until 3 grep -qx 'INSTANCE "VI_1" MASTER 150' "$T_DIR/fifo.out"
ka_stop 1
check "notify: STOP notified on shutdown" wait_until 3 grep -q "INSTANCE VI_1 STOP" "$T_DIR/notify.out"
check "no sanitizer report" bash -c "! grep -E 'AddressSanitizer|runtime error:' $T_DIR/h*.log $T_DIR/all*.log"
t_done
