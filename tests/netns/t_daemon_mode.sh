#!/usr/bin/env bash
# Daemon mode (fork to background), children stopping when the parent is
# killed (PDEATHSIG), and -R (no respawn: a dead child stops the daemon).
source "$(dirname "$0")/../lib.sh"
need_root
t_netns ns dm || skip_all "cannot create a network namespace"
ip -n "$ns" link add eth0 type veth peer name eth1
ip -n "$ns" link set eth0 up
conf=$T_DIR/keepalived.conf
cat >"$conf" <<'CONF'
vrrp_instance VI_1 {
    interface eth0
    virtual_router_id 60
    virtual_ipaddress {
        192.0.2.60
    }
}
virtual_server 192.0.2.60 80 {
    protocol TCP
    real_server 192.0.2.61 80 {
        TCP_CHECK {
            connect_timeout 1
        }
    }
}
CONF
pf=$T_DIR/k.pid vf=$T_DIR/v.pid cf=$T_DIR/c.pid
pid_of() { local p; p=$(cat "$1" 2>/dev/null) && [[ -n $p ]] && echo "$p"; }

# 1. Without -n the launcher returns at once and the daemon lives on.
timeout 10 ip netns exec "$ns" "$KA_BIN" -G -f "$conf" -p "$pf" -r "$vf" -c "$cf"
check "launcher exits 0" test $? -eq 0
check "pid files appear" wait_until 5 bash -c "[[ -s $pf && -s $vf && -s $cf ]]"
parent=$(pid_of "$pf") vrrp=$(pid_of "$vf") chk=$(pid_of "$cf")
T_PIDS+=("$parent" "$vrrp" "$chk")
check "daemon is running in the background" pid_alive "$parent"
check "daemon is a session leader" test "$(ps -o sid= -p "$parent" | tr -d ' ')" = "$parent"

# 2. kill -9 the parent: both children stop by themselves.
kill -KILL "$parent"
check "VRRP child stops when the parent dies" wait_until 3 pid_dead "$vrrp"
check "checker child stops when the parent dies" wait_until 3 pid_dead "$chk"
check "nothing left in the namespace" wait_until 3 bash -c "[[ -z \$(ip netns pids $ns) ]]"
rm -f "$pf" "$vf" "$cf"

# 3. -R: a dead child stops the whole daemon.
ip netns exec "$ns" "$KA_BIN" -n -R -G -f "$conf" -p "$pf" -r "$vf" -c "$cf" &
daemon=$!
T_PIDS+=("$daemon")
check "-R: pid files appear" wait_until 5 bash -c "[[ -s $pf && -s $vf && -s $cf ]]"
chk=$(pid_of "$cf")
kill -KILL "$(pid_of "$vf")"
check "-R: daemon stops after a child dies" wait_until 10 pid_dead "$daemon"
wait "$daemon"
rc=$?
check "-R: non-zero exit status (got $rc)" test "$rc" -ne 0
check "-R: the other child is gone too" pid_dead "$chk"
rm -f "$pf" "$vf" "$cf"

# 4. -P and -C restrict the children to one subsystem.
for opt in P C; do
	ip netns exec "$ns" "$KA_BIN" -n -$opt -G -f "$conf" -p "$pf" -r "$vf" -c "$cf" &
	daemon=$!
	T_PIDS+=("$daemon")
	check "-$opt: parent pid file appears" wait_until 5 test -s "$pf"
	if [[ $opt == P ]]; then mine=$vf other=$cf; else mine=$cf other=$vf; fi
	check "-$opt: its child runs" wait_until 5 test -s "$mine"
	check "-$opt: exactly one child" test "$(pgrep -c -P "$daemon")" -eq 1
	check "-$opt: the other child never started" test ! -e "$other"
	kill -TERM "$daemon"
	wait "$daemon"
	check "-$opt: clean exit" test $? -eq 0
	rm -f "$pf" "$vf" "$cf"
done
t_done
