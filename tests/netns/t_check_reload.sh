#!/usr/bin/env bash
# Checker reloads: an unchanged configuration changes nothing (no notify
# script, no FIFO line, no real server added or removed, check states carry
# over); a changed one applies only the difference.
. "$(dirname "$0")/../lib.sh"
need_root

PY=/usr/bin/python3
SRV="$KA_TEST_DATA/netns/rs_servers.py"
[[ -x $PY ]] || skip_all "no /usr/bin/python3"

t_netns DIR dir
t_netns RS rs
ip -n "$DIR" link add eth0 type veth peer name eth0 netns "$RS"
ip -n "$DIR" addr add 192.0.2.1/24 dev eth0
ip -n "$RS" addr add 192.0.2.10/24 dev eth0
ip -n "$DIR" link set eth0 up
ip -n "$RS" link set eth0 up

EV="$T_DIR/events"
: >"$EV"
cat >"$T_DIR/note.sh" <<EOF
#!/bin/sh
echo "\$1 \$2" >> "$EV"
EOF
chmod 755 "$T_DIR/note.sh"

for p in 22 23 25; do
	ip netns exec "$RS" "$PY" "$SRV" tcp 192.0.2.10 "$p" >"$T_DIR/srv-$p.out" 2>&1 &
	T_PIDS+=("$!")
done
for p in 22 23 25; do wait_until 10 grep -q ready "$T_DIR/srv-$p.out"; done

rs() { # rs PORT
	cat <<EOF
  real_server 192.0.2.10 $1 {
    notify_up "$T_DIR/note.sh $1 UP"
    notify_down "$T_DIR/note.sh $1 DOWN"
    TCP_CHECK { connect_timeout 1
      retry 1
      delay_before_retry 1
      warmup 0 }
  }
EOF
}
conf() { # conf PORTS...
	echo "global_defs { lvs_notify_fifo $T_DIR/fifo"
	echo "  state_dump_file $T_DIR/keepalived.data"
	echo "  stats_dump_file $T_DIR/keepalived.stats"
	echo "  json_dump_file $T_DIR/keepalived.json }"
	echo "virtual_server 203.0.113.1 80 {"
	echo "  delay_loop 1"
	echo "  lb_algo rr"
	echo "  protocol TCP"
	echo "  alpha"
	for p in "$@"; do rs "$p"; done
	echo "}"
}
conf 22 23 24 >"$T_DIR/ka.conf"

mkfifo "$T_DIR/fifo"
cat "$T_DIR/fifo" >"$T_DIR/fifo.out" &
T_PIDS+=("$!")

ip netns exec "$DIR" "$KA_BIN" -n -C -l -G -D -f "$T_DIR/ka.conf" -p "$T_DIR/k.pid" \
	-c "$T_DIR/c.pid" >"$T_DIR/ka.log" 2>&1 &
KA=$!
T_PIDS+=("$KA")

count() { grep -c "^$1 $2\$" "$EV"; }
applies() { grep -c "Checker: .* distinct check" "$T_DIR/ka.log"; }
n_applies_ge() { [[ $(applies) -ge $1 ]]; }
has() { [[ $(count "$1" "$2") -ge 1 ]]; }

check "22 up" wait_until 10 has 22 UP
check "23 up" wait_until 10 has 23 UP
# 24 has no server: with alpha it starts down and stays so.  Wait until its
# check has failed at least twice, so its state is settled.
wait_until 10 bash -c "[[ \$(grep -c 'TCP_CHECK on 192.0.2.10:24' '$T_DIR/ka.log') -ge 1 ]]"
ev0=$(wc -l <"$EV")
fifo0=$(wc -c <"$T_DIR/fifo.out")
log0=$(grep -c 'Adding service\|Removing service' "$T_DIR/ka.log")
a0=$(applies)

# 20 reloads with the same file, in bursts.
for i in $(seq 1 20); do kill -HUP "$KA"; ((i % 5 == 0)) && wait_until 10 n_applies_ge $((a0 + 1)); done
check "the reloads were applied" wait_until 15 n_applies_ge $((a0 + 1))
# Accepted connections on the real servers: the checks go on.
attempts_before=$(ip netns exec "$RS" cat /proc/net/snmp | awk '/^Tcp:/ && $7 ~ /^[0-9]+$/ {print $7}')
check "checks keep running after the reloads" wait_until 10 bash -c \
	"[[ \$(ip netns exec '$RS' cat /proc/net/snmp | awk '/^Tcp:/ && \$7 ~ /^[0-9]+\$/ {print \$7}') -gt $attempts_before ]]"
check "no notify script ran" test "$(wc -l <"$EV")" -eq "$ev0"
check "no FIFO line was written" test "$(wc -c <"$T_DIR/fifo.out")" -eq "$fifo0"
check "no real server added or removed" \
	test "$(grep -c 'Adding service\|Removing service' "$T_DIR/ka.log")" -eq "$log0"
check "the checker child was not restarted" \
	test "$(grep -c 'Starting Healthcheck child' "$T_DIR/ka.log")" -eq 1

# Dumps: the checker's data, stats and JSON files, beside the VRRP ones.
kill -USR1 "$KA"
D="$T_DIR/keepalived_check.data"
check "SIGUSR1 writes the checker data file" wait_until 5 test -s "$D"
check "it names the virtual server" grep -q "VS = \[203.0.113.1\]:tcp:80" "$D"
check "it shows 22 up and 24 down" bash -c "grep -A1 'RS = 192.0.2.10:22\$' '$D' | grep -q 'Status = UP' &&
	grep -A1 'RS = 192.0.2.10:24\$' '$D' | grep -q 'Status = DOWN'"
check "the data file is 0600" test "$(stat -c %a "$D")" = 600
kill -USR2 "$KA"
check "SIGUSR2 writes the checker stats file" wait_until 5 grep -q "Attempts = " "$T_DIR/keepalived_check.stats"
kill -s RTMIN+2 "$KA"
check "SIGRTMIN+2 writes valid checker JSON" wait_until 5 /usr/bin/python3 -c "
import json, sys
d = json.load(open('$T_DIR/keepalived_check.json'))
rs = {r['address']: r for r in d[0]['real_servers']}
sys.exit(0 if rs['192.0.2.10:22']['alive'] and not rs['192.0.2.10:24']['alive'] else 1)"

# Add 25, drop 23: only 25 reports (up); 22 and 24 keep their states.
conf 22 24 25 >"$T_DIR/ka.conf"
a1=$(applies)
kill -HUP "$KA"
check "the changed configuration was applied" wait_until 10 n_applies_ge $((a1 + 1))
check "the new real server comes up" wait_until 10 has 25 UP
check "22 did not change" test "$(count 22 UP)" -eq 1 -a "$(count 22 DOWN)" -eq 0
check "24 did not change" test "$(count 24 UP)" -eq 0 -a "$(count 24 DOWN)" -eq 0

# An invalid configuration is refused and nothing changes.
echo "virtual_server 203.0.113.1 80 { real_server 192.0.2.999 1 { } }" >"$T_DIR/ka.conf"
n=$(wc -l <"$EV")
kill -HUP "$KA"
check "a broken config is reported" wait_until 10 grep -q "192.0.2.999" "$T_DIR/ka.log"
check "and changes nothing" test "$(wc -l <"$EV")" -eq "$n"
check "the checker child still runs" pid_alive "$(cat "$T_DIR/c.pid")"

kill -TERM "$KA"
check "daemon stops" wait_until 10 pid_dead "$KA"
[[ $T_FAIL -eq 0 ]] || { echo "--- events"; cat "$EV"; echo "--- log"; tail -40 "$T_DIR/ka.log"; }
t_done
