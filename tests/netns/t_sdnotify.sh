#!/usr/bin/env bash
# The service manager's notify protocol ($NOTIFY_SOCKET, sd_notify(3)):
# READY=1 once the children run, RELOADING=1 (with MONOTONIC_USEC) then
# READY=1 around a reload, READY=1 with a failure status after a broken
# reload, STOPPING=1 on SIGTERM.  A python listener stands in for systemd.
. "$(dirname "$0")/../lib.sh"
need_root
PY=/usr/bin/python3
[[ -x $PY ]] || skip_all "no /usr/bin/python3"

t_netns NS sdn
SOCK=$T_DIR/notify.sock MSGS=$T_DIR/msgs
$PY "$(dirname "$0")/sd_listen.py" "$SOCK" "$MSGS" >"$T_DIR/listen.out" 2>&1 &
T_PIDS+=("$!")
wait_until 5 grep -q ready "$T_DIR/listen.out" || { echo "listener did not start"; exit 1; }
: >"$MSGS"
cat >"$T_DIR/ka.conf" <<'EOF'
vrrp_instance VI_1 {
    state BACKUP
    interface lo
    virtual_router_id 51
    priority 100
    advert_int 1
    virtual_ipaddress {
        192.0.2.100/32
    }
}
EOF
NOTIFY_SOCKET=$SOCK ip netns exec "$NS" "$KA_BIN" -n -l -D -f "$T_DIR/ka.conf" \
	-p "$T_DIR/k.pid" -r "$T_DIR/v.pid" -c "$T_DIR/c.pid" >"$T_DIR/ka.log" 2>&1 &
KA=$!
T_PIDS+=("$KA")
line() { grep -q -- "$1" "$MSGS"; }
nlines() { [[ $(grep -c -- "$1" "$MSGS") -ge $2 ]]; }
check "READY=1 after start" wait_until 10 line "^READY=1|MAINPID=$KA|"
kill -HUP "$KA"
check "RELOADING=1 with MONOTONIC_USEC on SIGHUP" wait_until 10 line "^RELOADING=1|MONOTONIC_USEC=[0-9]\+|"
check "READY=1 again after the reload" wait_until 10 nlines "^READY=1" 2
check "the reload's READY follows its RELOADING" \
	bash -c "grep -n -e '^RELOADING=1' -e '^READY=1' '$MSGS' | tail -2 | head -1 | grep -q RELOADING"
echo "broken {" >>"$T_DIR/ka.conf"
kill -HUP "$KA"
check "a broken reload ends with READY=1 and a failure status" \
	wait_until 10 line "^READY=1|STATUS=Reload failed: .* has errors"
kill -TERM "$KA"
check "STOPPING=1 on SIGTERM" wait_until 10 line "^STOPPING=1"
wait_until 10 pid_dead "$KA"
t_done
