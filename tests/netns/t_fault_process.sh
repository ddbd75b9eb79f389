#!/usr/bin/env bash
# Fault catalogue cases 17, 18, 20 and 21 (tests/fault-catalogue.md):
#  17 the VRRP child killed while MASTER, then a crash loop: first respawn
#     within 1 s, backoff after; the duplicate-owner window stays within
#     Master_Down_Interval + respawn latency;
#  18 the parent killed: the children see PDEATHSIG and stop gracefully
#     (priority 0 on the wire, VIPs released, no script left running);
#  20 SIGTERM: the priority-0 advert is on the wire before the VIP leaves
#     the interface (capture timestamps vs `ip -ts monitor` timestamps);
#  21 script faults: a timeout (sleep 3600) with a TERM-ignoring grandchild,
#     exit 2, exit 255 and death by signal are failures that lower the
#     priority; the process group is killed; no zombies are left.
# t_process_model.sh already covers a single respawn after kill -9 and
# t_vrrp_failover.sh that a priority-0 advert is sent on SIGTERM.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/vrrp_lib.sh"
need_root
lan_setup 2 || skip_all "cannot build the namespaces"
VIP=192.0.2.100
MDI_MS=361 # Master_Down_Interval at 0.1 s adverts, priority 100 backup

# Runs a long script in a second instance, to see it die with the daemon.
cat >"$T_DIR/long.sh" <<EOF
#!/bin/sh
echo \$\$ >>$T_DIR/long.pids
exec sleep 30
EOF
chmod 0755 "$T_DIR/long.sh"
vrrp_conf "$T_DIR/a.part" A 150
{
	cat "$T_DIR/a.part"
	printf 'vrrp_script long {\n    script "%s"\n    interval 1\n    timeout 25\n}\n' "$T_DIR/long.sh"
	printf 'vrrp_instance VI_2 {\n    interface eth0\n    virtual_router_id 52\n    priority 100\n    advert_int 1\n'
	printf '    track_script {\n        long\n    }\n    virtual_ipaddress {\n        192.0.2.101/24\n    }\n}\n'
} >"$T_DIR/a.conf"
vrrp_conf "$T_DIR/b.conf" B 100

# ip -ts monitor in both hosts (address events with timestamps)
declare -A MON
mon_start() {
	ip -n "${H[$1]}" -ts monitor address dev eth0 >"$T_DIR/mon$1.txt" 2>&1 &
	MON[$1]=$!
	T_PIDS+=("$!")
}
mon_start 1
mon_start 2
ka_start 1 "$T_DIR/a.conf"
ka_start 2 "$T_DIR/b.conf"
check "host 1 (150) owns the VIP" wait_until 5 has_addr 1 $VIP
check "host 2 is BACKUP" no_addr 2 $VIP
check "the long script runs" wait_until 5 test -s "$T_DIR/long.pids"
sleep 0.3

# overlap_ms FROM_MS: milliseconds (after FROM_MS) during which both hosts
# held $VIP, from the monitor timestamps.  An owner at FROM_MS is taken
# from has_addr at the time of the call via START1/START2.
overlap_ms() {
	/usr/bin/python3 - "$T_DIR/mon1.txt" "$T_DIR/mon2.txt" "$1" "$START1" "$START2" "$VIP" <<'PY'
import sys, datetime
f1, f2, t0, s1, s2, vip = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5], sys.argv[6]
def events(path):
    ev = []
    for line in open(path):
        if not line.startswith('[') or (' inet ' + vip + '/') not in line:
            continue
        ts = line[1:line.index(']')]
        ms = datetime.datetime.fromisoformat(ts).replace(tzinfo=datetime.timezone.utc).timestamp() * 1000
        ev.append((ms, 'Deleted' not in line))
    return ev
ev = [(t, 1, up) for t, up in events(f1)] + [(t, 2, up) for t, up in events(f2)]
ev.sort()
have = {1: s1 == '1', 2: s2 == '1'}
total, since = 0.0, None
for t, h, up in ev:
    if t < t0:
        continue
    both = have[1] and have[2]
    have[h] = up
    if not both and have[1] and have[2]:
        since = t
    elif both and not (have[1] and have[2]):
        total += t - since
        since = None
if since is not None:
    total += 1e99
print(int(total))
PY
}

# ---- 17. VRRP child killed while MASTER, then a crash loop -------------
vpid() { cat "$T_DIR/v1.pid" 2>/dev/null; }
new_child() { local p; p=$(vpid) && [[ -n $p && $p != "$1" ]] && pid_alive "$p"; }
lat=()
one_owner() { has_addr 1 $VIP && no_addr 2 $VIP; }
for ((k = 1; k <= 5; k++)); do
	old=$(vpid)
	START1=1 START2=0
	has_addr 1 $VIP || START1=0
	has_addr 2 $VIP && START2=1
	t0=$(now_ms)
	kill -KILL "$old"
	if ! wait_until 30 new_child "$old"; then
		not_ok "crash $k: the VRRP child came back within 30 s"
		break
	fi
	lat+=($(($(now_ms) - t0)))
	# back to one owner (host 1 preempts) before the next kill
	wait_until 10 one_owner
	sleep 0.3
	ov[$k]=$(overlap_ms "$t0")
	echo "    crash $k: respawn after ${lat[k - 1]} ms, both hosts held the VIP for ${ov[$k]} ms"
done
check "17: five respawns" test "${#lat[@]}" -eq 5
check "17: first respawn within 1 s (${lat[0]:-?} ms)" test "${lat[0]:-99999}" -le 1000
check "17: second respawn backs off (>= 900 ms: ${lat[1]:-?})" test "${lat[1]:-0}" -ge 900
check "17: the backoff grows (${lat[*]} ms)" test "${lat[4]:-0}" -gt "${lat[2]:-99999}"
check "17: backoff logged" grep -q "crash loop backoff" "$T_DIR/h1.log"
for ((k = 1; k <= ${#lat[@]}; k++)); do
	bound=$((MDI_MS + lat[k - 1] + 500))
	check "17: crash $k: duplicate-owner window ${ov[$k]} ms <= MDI + respawn + 500 ms ($bound)" \
		test "${ov[$k]:-99999999}" -le "$bound"
done
check "17: the parent survived the crash loop" pid_alive "${KA_PID[1]}"
check "17: host 1 owns the VIP again, host 2 does not" wait_until 5 one_owner
# A script of a SIGKILLed child must not live on (PDEATHSIG on scripts whose
# result is awaited): at most the current child's one is running.
alive_scripts() { local p; for p in $(cat "$T_DIR/long.pids"); do pid_alive "$p" && echo "$p"; done; }
n_alive_le() { [[ $(alive_scripts | wc -l) -le $1 ]]; }
check "17: the killed children's scripts are gone ($(wc -l <"$T_DIR/long.pids") started)" wait_until 3 n_alive_le 1

# ---- 18. parent SIGKILL -------------------------------------------------
check "18: the current child's script runs" wait_until 5 test -n "$(alive_scripts)"
vrrp=$(vpid)
cap_start p18 "ip proto 112"
t0=$(now_ms)
kill -KILL "${KA_PID[1]}"
wait "${KA_PID[1]}" 2>/dev/null
check "18: the VRRP child stops after the parent's death" wait_until 5 pid_dead "$vrrp"
echo "    VRRP child gone $(($(now_ms) - t0)) ms after the parent"
check "18: host 2 takes the VIP" wait_until 3 has_addr 2 $VIP
check "18: host 1 released the VIP" no_addr 1 $VIP
check "18: host 1 released VI_2's VIP" no_addr 1 192.0.2.101
cap_stop p18
check "18: a priority-0 advert from host 1 on the wire" grep -q "192.0.2.11 > 224.0.0.18: VRRPv3, Advertisement, vrid 51, prio 0," <(tcpdump -n -r "$T_DIR/p18.pcap" 2>/dev/null)
check "18: no orphaned script left running" wait_until 5 n_alive_le 0
h1_empty() { [[ -z $(ip netns pids "${H[1]}" | grep -v -x "${MON[1]}") ]]; }
check "18: nothing of host 1 left in its namespace (but ip monitor)" wait_until 5 h1_empty
rm -f "$T_DIR/k1.pid" "$T_DIR/v1.pid" "$T_DIR/c1.pid"

# ---- 20. SIGTERM: priority 0 on the wire before the VIP is removed -------
ka_start 1 "$T_DIR/a.conf"
check "20: host 1 master again" wait_until 5 has_addr 1 $VIP
wait_until 3 no_addr 2 $VIP
sleep 0.3
cap_start p20 "ip proto 112"
t_mark=$(now_ms)
ka_stop 1
check "20: host 1 removed the VIP" no_addr 1 $VIP
cap_stop p20
adv_us=$(tcpdump -n -tt -r "$T_DIR/p20.pcap" 2>/dev/null | awk '/192.0.2.11 > 224.0.0.18: VRRPv3, Advertisement, vrid 51, prio 0,/ { sub(/\./, "", $1); print $1; exit }')
del_us=$(/usr/bin/python3 - "$T_DIR/mon1.txt" "$t_mark" "$VIP" <<'PY'
import sys, datetime
for line in open(sys.argv[1]):
    if line.startswith('[') and 'Deleted' in line and (' inet ' + sys.argv[3] + '/') in line:
        ts = datetime.datetime.fromisoformat(line[1:line.index(']')]).replace(tzinfo=datetime.timezone.utc)
        us = int(ts.timestamp() * 1e6)
        if us >= int(sys.argv[2]) * 1000:
            print(us); break
PY
)
echo "    priority-0 advert at ${adv_us:-?} us, RTM_DELADDR seen at ${del_us:-?} us"
check "20: a priority-0 advert was captured" test -n "$adv_us"
check "20: the VIP deletion was seen by ip monitor" test -n "$del_us"
check "20: the advert precedes the deletion ($((${del_us:-0} - ${adv_us:-0})) us)" \
	test "${adv_us:-9999999999999999}" -lt "${del_us:-0}"

# ---- 21. script faults -------------------------------------------------
# Four instances on host 1 alone, each tracking one faulty script with
# weight -50 (priority 150 -> 100 on failure).
cat >"$T_DIR/hang.sh" <<EOF
#!/bin/sh
# a grandchild that ignores TERM, then hang: needs KILL to the group
sh -c 'trap "" TERM; echo \$\$ >>$T_DIR/grand.pids; exec sleep 3600' &
trap "" TERM
echo \$\$ >>$T_DIR/hang.pids
sleep 3600
EOF
printf '#!/bin/sh\nexit 2\n' >"$T_DIR/exit2.sh"
printf '#!/bin/sh\nexit 255\n' >"$T_DIR/exit255.sh"
printf '#!/bin/sh\nkill -SEGV $$\nsleep 5\n' >"$T_DIR/signal.sh"
chmod 0755 "$T_DIR"/{hang,exit2,exit255,signal}.sh
{
	i=0
	for s in hang exit2 exit255 signal; do
		i=$((i + 1))
		printf 'vrrp_script %s {\n    script "%s"\n    interval 1\n    timeout 1\n    weight -50\n}\n' "$s" "$T_DIR/$s.sh"
		printf 'vrrp_instance V_%s {\n    state BACKUP\n    interface eth0\n    virtual_router_id %d\n' "$s" $((60 + i))
		printf '    priority 150\n    advert_int 1\n    track_script {\n        %s\n    }\n' "$s"
		printf '    virtual_ipaddress {\n        198.51.100.%d/32\n    }\n}\n' "$i"
	done
} >"$T_DIR/s.conf"
: >"$T_DIR/h1.log"
ka_start 1 "$T_DIR/s.conf"
for s in hang exit2 exit255 signal; do
	check "21: $s: failure lowers the priority 150 -> 100" \
		wait_until 15 grep -q "(V_$s) .*effective priority from 150 to 100" "$T_DIR/h1.log"
done
lines_ge() { [[ $(cat "$1" 2>/dev/null | wc -l) -ge $2 ]]; }
check "21: hang: the script was started at least twice (timeouts end it)" wait_until 10 lines_ge "$T_DIR/hang.pids" 2
check "21: hang: every timed-out script is dead" \
	wait_until 5 bash -c "for p in \$(head -n -1 $T_DIR/hang.pids); do kill -0 \$p 2>/dev/null && exit 1; done; exit 0"
check "21: hang: its TERM-ignoring grandchildren are dead (KILL to the group)" \
	wait_until 5 bash -c "for p in \$(head -n -1 $T_DIR/grand.pids); do kill -0 \$p 2>/dev/null && exit 1; done; exit 0"
vrrp=$(vpid)
zombies() { ps -o stat= --ppid "$vrrp" 2>/dev/null | grep -c '^Z'; }
check "21: no zombie children of the VRRP child" test "$(zombies)" -eq 0
check "21: the daemon is still running (failure is not FATAL)" pid_alive "$vrrp"
n=$(wc -l <"$T_DIR/hang.pids")
check "21: the hanging script is still rescheduled" wait_until 5 lines_ge "$T_DIR/hang.pids" $((n + 1))
ka_stop 1
check "21: after stop, no script or grandchild is left" \
	wait_until 5 bash -c "for p in \$(cat $T_DIR/hang.pids $T_DIR/grand.pids); do kill -0 \$p 2>/dev/null && exit 1; done; exit 0"
ka_stop 2
check "no sanitizer report" bash -c "! grep -E 'AddressSanitizer|LeakSanitizer|runtime error:' $T_DIR/h*.log"
t_done
