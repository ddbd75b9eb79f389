#!/usr/bin/env bash
# The shipped unit file (systemd/keepalived.service.in): systemd accepts it
# (systemd-analyze verify), its hardening scores better than Debian's unit,
# and its commands do what they promise when run the way systemd runs them:
# ExecStartPre then ExecStart with $NOTIFY_SOCKET (READY=1 from MAINPID),
# ExecReload lines in order, stopping at the first failure (a broken file
# never reaches the daemon: no RELOADING=1, the daemon keeps running), and
# KillMode=mixed's TERM to the main process (STOPPING=1, everything exits).
# No systemd can run as PID 1 here, so a small player stands in for it; the
# notify messages are read by a python listener as in t_sdnotify.sh.
. "$(dirname "$0")/../lib.sh"
need_root
PY=/usr/bin/python3
[[ -x $PY ]] || skip_all "no /usr/bin/python3"
SRC=${KA_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
TEMPLATE=$SRC/systemd/keepalived.service.in
UNIT=$T_DIR/keepalived.service
BINDIR=$(cd "$(dirname "$KA_BIN")" && pwd)
sed "s|@KA_SBINDIR@|$BINDIR|g" "$TEMPLATE" >"$UNIT"

# ---- what systemd itself says about the file ----------------------------------
if command -v systemd-analyze >/dev/null; then
	check "systemd-analyze verify accepts the unit" \
		systemd-analyze verify --man=no "$UNIT"
	score=$(systemd-analyze security --offline=true "$UNIT" 2>/dev/null |
		sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
	echo "# exposure score: ${score:-?} (Debian's keepalived unit: 9.6)"
	check "hardening: exposure score below 6.0 (got ${score:-none})" \
		awk -v s="${score:-99}" 'BEGIN { exit !(s < 6.0) }'
else
	not_ok "systemd-analyze is missing (package systemd)"
fi

# ---- the unit's commands --------------------------------------------------------
# unit_values KEY: the values of KEY= in [Service], continuation lines joined.
unit_values() {
	awk -v k="$1" '
		/^\[/ { sec = $0 }
		sec == "[Service]" {
			line = cont ? line " " $0 : $0
			if (sub(/\\$/, "", line)) { cont = 1; next }
			cont = 0
			if (index(line, k "=") == 1) print substr(line, length(k) + 2)
		}' "$UNIT"
}
check "Type=notify" grep -qx 'Type=notify' "$UNIT"
check "KillMode=mixed" grep -qx 'KillMode=mixed' "$UNIT"
mapfile -t RELOAD < <(unit_values ExecReload)
check "two ExecReload lines, --config-test first, then the SIGHUP" \
	bash -c '[[ $# -eq 2 && "$1" == *"--config-test"* && "$2" == *"kill -HUP"* ]]' _ "${RELOAD[@]}"

t_netns NS unit
ip -n "$NS" link add dummy0 type veth peer name dummy1
ip -n "$NS" link set dummy1 up
ip -n "$NS" addr add 192.0.2.1/24 dev dummy0
ip -n "$NS" link set dummy0 up
mkdir -p "$T_DIR/run"
CONF=$T_DIR/keepalived.conf
DAEMON_ARGS="-f $CONF -l -D"
MAINPID=
# expand CMDLINE: systemd's word splitting of $DAEMON_ARGS and $MAINPID.
expand() {
	local s=$1
	s=${s//\$DAEMON_ARGS/$DAEMON_ARGS}
	s=${s//\$MAINPID/$MAINPID}
	read -ra WORDS <<<"$s"
}
# Every command runs in the namespace with a private /run, so the unit's
# /run/keepalived pid files land in T_DIR/run.
in_unit() {
	ip netns exec "$NS" unshare -m sh -c 'mount --bind "$1" /run && shift && exec "$@"' _ \
		"$T_DIR/run" "$@"
}
# run_lines KEY: run each KEY= line in order, stop at the first failure (a
# leading '-' would ignore it); returns that failure.
run_lines() {
	local l
	while IFS= read -r l; do
		expand "$l"
		in_unit "${WORDS[@]}" >>"$T_DIR/exec.log" 2>&1 || return 1
	done < <(unit_values "$1")
}

cat >"$CONF" <<'EOF2'
vrrp_instance VI_1 {
    state MASTER
    interface dummy0
    virtual_router_id 51
    priority 150
    advert_int 1
    virtual_ipaddress {
        192.0.2.100/32
    }
}
EOF2
SOCK=$T_DIR/notify.sock MSGS=$T_DIR/msgs
$PY "$(dirname "$0")/sd_listen.py" "$SOCK" "$MSGS" >"$T_DIR/listen.out" 2>&1 &
T_PIDS+=("$!")
wait_until 5 grep -q ready "$T_DIR/listen.out" || { echo "listener did not start"; exit 1; }
: >"$MSGS"
line() { grep -q -- "$1" "$MSGS"; }
count() { grep -c -- "$1" "$MSGS"; }

check "ExecStartPre (--config-test) passes on a good file" run_lines ExecStartPre
mkdir -p "$T_DIR/run/keepalived" # RuntimeDirectory=keepalived
expand "$(unit_values ExecStart)"
NOTIFY_SOCKET=$SOCK in_unit "${WORDS[@]}" >"$T_DIR/ka.log" 2>&1 &
T_PIDS+=("$!")
check "READY=1 with MAINPID" wait_until 10 line '^READY=1|MAINPID=[0-9]'
MAINPID=$(sed -n 's/^READY=1|MAINPID=\([0-9]*\).*/\1/p' "$MSGS" | head -1)
T_PIDS+=("$MAINPID")
check "the pid files are in the RuntimeDirectory" \
	wait_until 5 test -s "$T_DIR/run/keepalived/keepalived.pid" -a -s "$T_DIR/run/keepalived/vrrp.pid"
check "MAINPID is the pid file's" test "$(cat "$T_DIR/run/keepalived/keepalived.pid" 2>/dev/null)" = "$MAINPID"
check "the VIP is up" wait_until 10 bash -c "ip -n $NS addr show dev dummy0 | grep -q 192.0.2.100/32"

# A good change: both ExecReload lines run, the daemon reloads.
sed -i 's|192.0.2.100/32|192.0.2.100/32\n        192.0.2.101/32|' "$CONF"
check "ExecReload on a good file succeeds" run_lines ExecReload
check "RELOADING=1 then READY=1" wait_until 10 bash -c "[[ \$(grep -c '^READY=1' '$MSGS') -ge 2 ]] && grep -q '^RELOADING=1' '$MSGS'"
check "the added VIP is up" wait_until 10 bash -c "ip -n $NS addr show dev dummy0 | grep -q 192.0.2.101/32"

# A broken file: `systemctl reload` fails at the test and the daemon never
# hears of it.
reloading_before=$(count '^RELOADING=1')
echo "vrrp_instance {" >>"$CONF"
: >"$T_DIR/exec.log"
if run_lines ExecReload; then not_ok "ExecReload on a broken file fails"; else ok "ExecReload on a broken file fails"; fi
check "the failure names the file and the line" grep -q "$CONF.*[Ll]ine" "$T_DIR/exec.log"
check "no RELOADING=1 reached the listener" test "$(count '^RELOADING=1')" -eq "$reloading_before"
check "the daemon still runs with both VIPs" bash -c "kill -0 $MAINPID && ip -n $NS addr show dev dummy0 | grep -q 192.0.2.101/32"

# KillMode=mixed: TERM to the main process only; it stops its children.
kill -TERM "$MAINPID"
check "STOPPING=1 on TERM" wait_until 10 line '^STOPPING=1'
check "the daemon and its children exit within TimeoutStopSec" \
	wait_until 30 bash -c "[[ -z \$(ip netns pids $NS) ]]"
check "the VIPs are released" bash -c "ip -n $NS link show dummy0 >/dev/null && ! ip -n $NS addr show dev dummy0 | grep -q 192.0.2.10[01]"
t_done
