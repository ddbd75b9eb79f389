#!/usr/bin/env bash
# Fault catalogue case 27: hostile SMTP servers (hostile_servers.py smtp),
# for SMTP_CHECK and for SMTP alerts.  (t_smtp_alert.sh already covers a
# stalled server, header injection and an 8-instance burst against a
# well-behaved sink; aiosmtpd's multi-line EHLO reply there too.)
#
# SMTP_CHECK: 421 greeting, silence, multi-line 220-/250-, bare LF, a
# 10 MB banner and a good control each get a defined verdict; the silent
# one times out at connect_timeout; the flood is refused on its bytes.
# Alerts: a 421 greeting, a 10 MB banner and bare-LF replies end the
# session with a log line and never delay VRRP; 100+ transitions within a
# second (50 instances FAULT and back) are coalesced into few mails that
# carry every event.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/vrrp_lib.sh"
need_root
PY=/usr/bin/python3
HOS="$KA_TEST_DATA/netns/hostile_servers.py"
[[ -x $PY ]] || skip_all "no /usr/bin/python3"
lan_setup 1 || skip_all "cannot build the namespaces"
H1=${H[1]}
BASE=2600
CT=2
read -r -a NAMES <<<"$($PY "$HOS" names smtp)"
declare -A PORT
for i in "${!NAMES[@]}"; do PORT[${NAMES[$i]}]=$((BASE + i)); done
MAILS=$T_DIR/mail
mkdir -p "$MAILS"
ip netns exec "$CL" env SMTP_SAVE_DIR="$MAILS" "$PY" -u "$HOS" smtp 192.0.2.200 $BASE \
	>"$T_DIR/smtp.out" 2>&1 &
T_PIDS+=("$!")
wait_until 15 grep -q ready "$T_DIR/smtp.out" || skip_all "the hostile SMTP server does not start"

wait_for() { # SECS command...: bounded by the clock (the host is loaded)
	local end=$(($(now_ms) + $1 * 1000))
	shift
	until "$@"; do
		[[ $(now_ms) -lt $end ]] || return 1
		sleep 0.2
	done
}
no_sanitizer() { ! grep -qE 'ERROR: AddressSanitizer|runtime error:|LeakSanitizer' "$@"; }

# --- 1. SMTP_CHECK against each behaviour (non-alpha: UP until proven
# otherwise; retry 0: the first failure is the verdict).
mkfifo "$T_DIR/fifo"
EV=$T_DIR/events
"$PY" -u -c '
import sys, time
for raw in sys.stdin.buffer:
    f = raw.strip(b"\0\n").decode(errors="replace").split()
    if len(f) == 4 and f[0] == "RS":
        print(f[1].rsplit(":", 1)[1], f[3], int(time.time() * 1000), flush=True)
' <"$T_DIR/fifo" >"$EV" &
T_PIDS+=("$!")
{
	echo "global_defs {"
	echo "  lvs_notify_fifo $T_DIR/fifo"
	echo "}"
	echo "virtual_server 203.0.113.1 25 {"
	echo "  delay_loop 1"
	echo "  lb_algo rr"
	echo "  protocol TCP"
	for n in "${NAMES[@]}"; do
		cat <<EOF
  real_server 192.0.2.200 ${PORT[$n]} {
    SMTP_CHECK {
      helo_name check.example
      connect_timeout $CT
      retry 0
      delay_before_retry 1
      warmup 0
    }
  }
EOF
	done
	echo "}"
} >"$T_DIR/chk.conf"
ip netns exec "$H1" "$KA_BIN" -n -C -l -G -D -f "$T_DIR/chk.conf" -p "$T_DIR/ck.pid" \
	-c "$T_DIR/cc.pid" >"$T_DIR/chk.log" 2>&1 &
KC=$!
T_PIDS+=("$KC")
declare -A WANT=([s421]=DOWN [silence]=DOWN [multi]=UP [barelf]=UP [huge]=DOWN [good]=UP)
declare -A WHY=([s421]='banner 421' [silence]='timeout' [huge]='bad banner')
n_down() { awk '$2 == "DOWN"' "$EV" | wc -l; }
want_down=0
for n in "${!WANT[@]}"; do [[ ${WANT[$n]} == DOWN ]] && want_down=$((want_down + 1)); done
test_n_down() { [[ $(n_down) -ge $want_down ]]; }
check "check: $want_down servers reported DOWN" wait_for 15 test_n_down
# Two more rounds for the good ones to prove themselves.
until_ms=$(($(now_ms) + 2 * (1000 + CT * 1000)))
past() { [[ $(now_ms) -ge $until_ms ]]; }
wait_for 15 past
for n in "${NAMES[@]}"; do
	got=$(awk -v p="${PORT[$n]}" '$1 == p && $2 == "DOWN" { print "DOWN"; exit }' "$EV")
	check "check $n: ${WANT[$n]}" test "${got:-UP}" == "${WANT[$n]}"
done
for n in "${!WHY[@]}"; do
	r=$(grep -m1 "on 192.0.2.200:${PORT[$n]} failed" "$T_DIR/chk.log" | sed -E 's/.* failed: //')
	check "check $n: the log names the cause ($r)" grep -q -- "${WHY[$n]}" <<<"$r"
done
check "check huge: refused without waiting for the timeout" \
	bash -c "! grep -q ':${PORT[huge]} failed: timeout' '$T_DIR/chk.log'"
a=$(awk -v p="${PORT[silence]}" '$1 == "accept" && $2 == p { print $3; exit }' "$T_DIR/smtp.out")
d=$(awk -v p="${PORT[silence]}" '$1 == p && $2 == "DOWN" { print $3; exit }' "$EV")
if [[ -n $a && -n $d ]]; then
	dt=$((d - a))
	check "check silence: DOWN ${dt} ms after the accept (connect_timeout ${CT}000 ms, -200/+1500)" \
		test "$dt" -ge $((CT * 1000 - 200)) -a "$dt" -le $((CT * 1000 + 1500))
else
	not_ok "check silence: no accept ($a) or no DOWN ($d)"
fi
check "check: the checker child still runs" pid_alive "$(cat "$T_DIR/cc.pid")"
kill -TERM "$KC"
check "check: the daemon stops" wait_for 10 pid_dead "$KC"
check "check: no sanitizer report" no_sanitizer "$T_DIR/chk.log"

# --- 2. Alerts.  trk0 is a veth tracked by every instance: FAULT on demand.
ip -n "$H1" link add trk0 type veth peer name trk1
ip -n "$H1" link set trk1 up
ip -n "$H1" link set trk0 up
globals() { # PORT
	cat <<EOF
global_defs {
    router_id lb-fault
    notification_email {
        ops@example.com
    }
    notification_email_from ka@example.com
    smtp_server 192.0.2.200 $1
    smtp_connect_timeout $CT
}
EOF
}
inst() { # NAME VRID
	cat <<EOF
vrrp_instance $1 {
    state BACKUP
    interface eth0
    virtual_router_id $2
    priority 150
    version 3
    advert_int 0.1
    smtp_alert
    track_interface {
        trk0
    }
    virtual_ipaddress {
        198.51.100.$2/32
    }
}
EOF
}
run=0
alert_against() { # BEHAVIOUR EXPECT(sent|failed) LOGTEXT
	local n=$1 t0 dt log
	run=$((run + 1))
	log=$T_DIR/h1.log
	{
		globals "${PORT[$n]}"
		inst VI_1 1
	} >"$T_DIR/a$run.conf"
	: >"$log"
	t0=$(now_ms)
	ka_start 1 "$T_DIR/a$run.conf"
	check "alert $n: master" wait_for 5 grep -q 'Entering MASTER STATE' "$log"
	dt=$(($(now_ms) - t0))
	check "alert $n: master in ${dt} ms (bound 3000)" test "$dt" -le 3000
	if [[ $2 == sent ]]; then
		check "alert $n: the mail is delivered" wait_for $((CT + 5)) grep -q 'SMTP alert: mail sent' "$log"
	else
		check "alert $n: the session fails with a log line" \
			wait_for $((CT + 5)) grep -q "SMTP alert: cannot send the mail about [0-9]* event(s): .*$3" "$log"
		grep -m1 'SMTP alert: cannot send' "$log"
	fi
	# The VRRP instance kept running through it: FAULT and back at once.
	ip -n "$H1" link set trk1 down
	check "alert $n: FAULT while the session runs" wait_for 3 grep -q 'Entering FAULT STATE' "$log"
	ip -n "$H1" link set trk1 up
	masters_in() { [[ $(grep -c 'Entering MASTER STATE' "$1") -ge $2 ]]; }
	check "alert $n: master again" wait_for 5 masters_in "$log" 2
	ka_stop 1
	check "alert $n: no sanitizer report" no_sanitizer "$log"
	cat "$log" >>"$T_DIR/all.log"
}
alert_against s421 failed 421
alert_against huge failed ''
alert_against barelf sent
alert_against multi sent

# --- 3. The storm: 50 instances FAULT and back within a second: 150
# transitions (MASTER -> FAULT -> BACKUP -> MASTER), mailed through the
# multi-line server.  The queue holds 64 events: beyond that the oldest
# are dropped, with a log line; the rest are coalesced into few mails.
{
	globals "${PORT[multi]}"
	for i in $(seq 1 50); do inst "VS_$i" "$i"; done
} >"$T_DIR/storm.conf"
: >"$T_DIR/h1.log"
ka_start 1 "$T_DIR/storm.conf"
masters() { [[ $(grep -c 'Entering MASTER STATE' "$T_DIR/h1.log") -ge $1 ]]; }
check "storm: 50 masters" wait_for 10 masters 50
# The start-up events go out first, so the storm is measured alone.
# (100 events: over the queue's 64, so some are dropped already.)
sent_idle() {
	local a
	a=$(grep -c 'SMTP alert: mail sent' "$T_DIR/h1.log")
	sleep 1.5
	[[ $a -ge 1 && $a -eq $(grep -c 'SMTP alert: mail sent' "$T_DIR/h1.log") ]]
}
check "storm: the start-up events are mailed" wait_for 20 sent_idle
rm -f "$MAILS"/*
ndrop0=$(grep -c 'dropping the oldest' "$T_DIR/h1.log")
t0=$(now_ms)
ip -n "$H1" link set trk1 down
faults() { [[ $(grep -c 'Entering FAULT STATE' "$T_DIR/h1.log") -ge 50 ]]; }
check "storm: 50 FAULTs" wait_for 5 faults
ip -n "$H1" link set trk1 up
check "storm: 50 masters again" wait_for 10 masters 100
dt=$(($(now_ms) - t0))
check "storm: 150 transitions took ${dt} ms (bound 3000)" test "$dt" -le 3000
# Wait for the storm's mails: sessions stop coming.
mailed() { cat "$MAILS"/*.eml 2>/dev/null | grep -c 'VRRP Instance VS_[0-9]* - Entering'; }
stable() {
	local a b
	a=$(mailed)
	sleep 1.5
	b=$(mailed)
	[[ $a -eq $b && $b -ge 64 ]]
}
check "storm: the events are mailed" wait_for 20 stable
nm=$(ls "$MAILS"/*.eml 2>/dev/null | wc -l)
nev=$(mailed)
ndrop=$(($(grep -c 'dropping the oldest' "$T_DIR/h1.log") - ndrop0))
echo "# storm: 150 transitions in ${dt} ms; $nev events in $nm mails; drop warnings: $ndrop"
check "storm: coalesced ($nm mails <= 10)" test "$nm" -ge 1 -a "$nm" -le 10
check "storm: every event mailed, or the drop logged" test "$nev" -ge 150 -o "$ndrop" -ge 1
check "storm: the newest events are mailed (the oldest dropped)" \
	bash -c "cat '$MAILS'/*.eml | grep -q 'VRRP Instance VS_50 - Entering MASTER state'"
check "storm: the VRRP child still runs" pid_alive "$(ka_vrrp_pid 1)"
t_stop=$(now_ms)
ka_stop 1
dt=$(($(now_ms) - t_stop))
check "storm: stop in ${dt} ms (bound 3000)" test "$dt" -le 3000
check "storm: no sanitizer report" no_sanitizer "$T_DIR/h1.log"
if [[ $T_FAIL -ne 0 ]]; then
	echo "--- check log"
	grep -v succeeded "$T_DIR/chk.log" | tail -20
	echo "--- alert logs"
	grep -i 'smtp\|error' "$T_DIR/all.log" "$T_DIR/h1.log" | tail -30
fi
t_done
