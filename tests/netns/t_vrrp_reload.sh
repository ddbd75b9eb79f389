#!/usr/bin/env bash
# Reload without flapping: with two instances running, SIGHUP with an
# unchanged configuration gives zero address events and zero FIFO lines;
# adding one VIP to one instance gives exactly one address event.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/vrrp_lib.sh"
need_root
lan_setup 1 || skip_all "cannot build the namespaces"
mkfifo "$T_DIR/fifo"
cat "$T_DIR/fifo" >"$T_DIR/fifo.out" &
T_PIDS+=("$!")
write_conf() { # extra VIP line for VI_2 (may be empty)
	cat >"$T_DIR/k.conf" <<CONF
global_defs {
    vrrp_notify_fifo $T_DIR/fifo
}
vrrp_instance VI_1 {
    state MASTER
    interface eth0
    virtual_router_id 71
    priority 150
    version 3
    advert_int 0.1
    virtual_ipaddress {
        192.0.2.100/24
    }
}
vrrp_instance VI_2 {
    state MASTER
    interface eth0
    virtual_router_id 72
    priority 150
    version 3
    advert_int 0.1
    virtual_ipaddress {
        192.0.2.110/24
        $1
    }
}
CONF
}
write_conf ""
ka_start 1 "$T_DIR/k.conf"
check "both instances master" wait_until 5 bash -c "grep -c 'MASTER 150' $T_DIR/fifo.out | grep -qx 2"
sleep 0.5
fifo_before=$(wc -l <"$T_DIR/fifo.out")

# Watch address events while reloading an unchanged configuration.
ip -n "${H[1]}" monitor address >"$T_DIR/mon1.txt" 2>&1 &
mon=$!
T_PIDS+=("$mon")
sleep 0.3
kill -HUP "${KA_PID[1]}"
check "reload logged by the VRRP child" wait_until 5 grep -q "VRRP child: configuration reloaded" "$T_DIR/h1.log"
sleep 1
kill "$mon"
wait "$mon" 2>/dev/null
check "unchanged reload: zero address events (got $(grep -c . "$T_DIR/mon1.txt"))" test ! -s "$T_DIR/mon1.txt"
check "unchanged reload: zero FIFO lines" test "$(wc -l <"$T_DIR/fifo.out")" -eq "$fifo_before"
check "unchanged reload: VIPs still present" bash -c "ip -n ${H[1]} addr show eth0 | grep -q 192.0.2.100/ && ip -n ${H[1]} addr show eth0 | grep -q 192.0.2.110/"

# Add one VIP to VI_2: exactly one address event.
write_conf "192.0.2.111/24"
ip -n "${H[1]}" monitor address >"$T_DIR/mon2.txt" 2>&1 &
mon=$!
T_PIDS+=("$mon")
sleep 0.3
kill -HUP "${KA_PID[1]}"
check "added VIP appears" wait_until 5 bash -c "ip -n ${H[1]} addr show eth0 | grep -q 192.0.2.111/"
sleep 1
kill "$mon"
wait "$mon" 2>/dev/null
n=$(grep -c -E "^(Deleted )?[0-9]+:" "$T_DIR/mon2.txt")
check "added VIP: exactly one address event (got $n)" test "$n" -eq 1
check "added VIP: the event is for 192.0.2.111" grep -q "192.0.2.111/24" "$T_DIR/mon2.txt"
check "added VIP: zero FIFO lines" test "$(wc -l <"$T_DIR/fifo.out")" -eq "$fifo_before"

# A broken configuration on reload changes nothing.
echo "vrrp_instance VI_1 { virtual_router_id 999" >"$T_DIR/k.conf"
ip -n "${H[1]}" monitor address >"$T_DIR/mon3.txt" 2>&1 &
mon=$!
T_PIDS+=("$mon")
sleep 0.3
kill -HUP "${KA_PID[1]}"
check "broken reload refused" wait_until 5 grep -q "has errors, keeping the running configuration" "$T_DIR/h1.log"
sleep 0.5
kill "$mon"
wait "$mon" 2>/dev/null
check "broken reload: zero address events" test ! -s "$T_DIR/mon3.txt"
ka_stop 1
t_done
