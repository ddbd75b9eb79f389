#!/usr/bin/env bash
# The process model: parent + VRRP child + checker child with pid files;
# respawn after kill -9 and after a hang (SIGSTOP); a broken config on
# SIGHUP leaves the children running; dumps are written safely; SIGTERM
# leaves nothing behind.
source "$(dirname "$0")/../lib.sh"
need_root
t_netns ns pm || skip_all "cannot create a network namespace"
ip -n "$ns" link add eth0 type veth peer name eth1
ip -n "$ns" link set eth0 up
ip -n "$ns" link set eth1 up
ip -n "$ns" addr add 192.0.2.10/24 dev eth0

conf=$T_DIR/keepalived.conf
cat >"$conf" <<'CONF'
global_defs {
    router_id pm-test
}
vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id 51
    priority 100
    advert_int 1
    virtual_ipaddress {
        192.0.2.100/24
    }
}
virtual_server 192.0.2.100 80 {
    delay_loop 5
    lb_algo rr
    lb_kind NAT
    protocol TCP
    real_server 192.0.2.20 80 {
        TCP_CHECK {
            connect_timeout 1
        }
    }
}
CONF
cp "$conf" "$T_DIR/good.conf"
pf=$T_DIR/keepalived.pid vf=$T_DIR/vrrp.pid cf=$T_DIR/checkers.pid
log=$T_DIR/daemon.log
export TMPDIR=$T_DIR

TMPDIR=$T_DIR ip netns exec "$ns" "$KA_BIN" -n -l -G -D -f "$conf" -p "$pf" -r "$vf" -c "$cf" >"$log" 2>&1 &
daemon=$!
T_PIDS+=("$daemon")

pid_of() { local p; p=$(cat "$1" 2>/dev/null) && [[ -n $p ]] && echo "$p"; }
live_pidfile() { local p; p=$(pid_of "$1") && pid_alive "$p"; }
ppid_of() { awk '{print $4}' "/proc/$1/stat" 2>/dev/null; }

check "three pid files appear" wait_until 5 bash -c "[[ -s $pf && -s $vf && -s $cf ]]"
parent=$(pid_of "$pf"); vrrp=$(pid_of "$vf"); chk=$(pid_of "$cf")
check "parent pid file holds the daemon we started" test "$parent" = "$daemon"
check "VRRP child is alive and a child of the parent" test "$(ppid_of "$vrrp")" = "$parent"
check "checker child is alive and a child of the parent" test "$(ppid_of "$chk")" = "$parent"
check "exactly three daemon processes" test "$(pgrep -c -P "$parent")" -eq 2
# This host has no IPVS: one clear error from the checker, and VRRP runs on.
check "no IPVS: one clear error" wait_until 5 bash -c "[[ \$(grep -c 'IPVS is not available in this kernel' '$log') -eq 1 ]]"
check "no IPVS: the VRRP instance still runs" wait_until 5 grep -q "(VI_1) Entering" "$log"
check "no IPVS: both children still alive" bash -c "kill -0 $vrrp && kill -0 $chk"

# kill -9 the VRRP child: respawned within 2 s.
new_vrrp() { local p; p=$(pid_of "$vf") && [[ $p != "$vrrp" ]] && pid_alive "$p"; }
t0=$(now_ms)
kill -KILL "$vrrp"
check "VRRP child respawned within 2 s" wait_until 2 new_vrrp
echo "    respawn took $(($(now_ms) - t0)) ms"
vrrp2=$(pid_of "$vf")
check "respawned VRRP child is a child of the parent" test "$(ppid_of "$vrrp2")" = "$parent"

# SIGSTOP the checker: detected and restarted within 2 hello periods (10 s).
new_chk() { local p; p=$(pid_of "$cf") && [[ $p != "$chk" ]] && pid_alive "$p"; }
t0=$(now_ms)
kill -STOP "$chk"
check "hung checker child restarted within 2 hello periods" wait_until 10 new_chk
echo "    hang detection + restart took $(($(now_ms) - t0)) ms"
check "the hung checker process is gone" wait_until 2 pid_dead "$chk"
check "hang was logged" grep -q "did not answer hello" "$log"
chk2=$(pid_of "$cf")

# SIGHUP with a broken config: logged, children untouched.
printf 'vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 999\n' >"$conf"
kill -HUP "$parent"
check "broken reload is logged" wait_until 5 grep -q "has errors, keeping the running configuration" "$log"
check "VRRP child kept running after broken reload" test "$(pid_of "$vf")" = "$vrrp2" -a -d "/proc/$vrrp2"
check "checker child kept running after broken reload" test "$(pid_of "$cf")" = "$chk2" -a -d "/proc/$chk2"
check "parent kept running after broken reload" pid_alive "$parent"

# A valid reload is taken by both children, which keep their pids.
cp "$T_DIR/good.conf" "$conf"
kill -HUP "$parent"
check "VRRP child reloaded" wait_until 5 grep -q "VRRP child: configuration reloaded" "$log"
check "checker child reloaded" wait_until 5 grep -q "Healthcheck child: configuration reloaded" "$log"
check "children keep their pids across a reload" test "$(pid_of "$vf")" = "$vrrp2" -a "$(pid_of "$cf")" = "$chk2"

# Dumps: SIGUSR1 gives data files, 0600; a planted symlink is not followed.
echo "sentinel" >"$T_DIR/sentinel"
ln -s "$T_DIR/sentinel" "$T_DIR/keepalived.data"
kill -USR1 "$parent"
check "parent data dump written" wait_until 5 test -f "$T_DIR/keepalived_parent.data"
check "checker data dump written" wait_until 5 test -f "$T_DIR/keepalived_check.data"
check "VRRP data dump replaced the symlink" wait_until 5 bash -c "[[ -f $T_DIR/keepalived.data && ! -L $T_DIR/keepalived.data ]]"
check "symlink target unchanged" test "$(cat "$T_DIR/sentinel")" = "sentinel"
check "VRRP dump names the instance" grep -q "VRRP Instance = VI_1" "$T_DIR/keepalived.data"
check "dump mode is 0600" test "$(stat -c %a "$T_DIR/keepalived.data")" = 600
kill -s "$("$KA_BIN" --signum=JSON)" "$parent"
check "JSON dump written on SIGRTMIN+2" wait_until 5 grep -q '"iname":"VI_1"' "$T_DIR/keepalived.json"
check "no temporary files left behind" test -z "$(ls -A "$T_DIR" | grep -E '^\.keepalived')"

# SIGTERM: everything stops, nothing is left.
kill -TERM "$parent"
check "parent exits on SIGTERM" wait_until 10 pid_dead "$parent"
check "VRRP child gone" pid_dead "$vrrp2"
check "checker child gone" pid_dead "$chk2"
check "no process left in the namespace" test -z "$(ip netns pids "$ns")"
check "pid files removed" test ! -e "$pf" -a ! -e "$vf" -a ! -e "$cf"
wait "$daemon"
check "daemon exit status 0" test $? -eq 0
check "no sanitizer report in the log" bash -c "! grep -E 'AddressSanitizer|LeakSanitizer|runtime error:' $log"
t_done
