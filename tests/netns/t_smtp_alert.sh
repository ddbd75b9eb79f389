#!/usr/bin/env bash
# SMTP alerts against a local SMTP sink (aiosmtpd) on the client host:
# VRRP transitions and real-server changes are mailed with upstream-like
# subjects, From and To; a burst is coalesced into fewer mails that still
# carry every event; CR/LF in configuration values never makes a header of
# its own; a stalled SMTP server delays neither transitions nor adverts,
# times out per smtp_connect_timeout, and does not hold up the stop.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/vrrp_lib.sh"
need_root
PY=/usr/bin/python3
SINK="$KA_TEST_DATA/netns/smtp_sink.py"
SRV="$KA_TEST_DATA/netns/rs_servers.py"
[[ -x $PY ]] || skip_all "no /usr/bin/python3"
$PY -c 'import aiosmtpd' 2>/dev/null || skip_all "no python3-aiosmtpd"
lan_setup 1 || skip_all "cannot build the namespaces"
H1=${H[1]}
# The tracked interface: FAULT without touching eth0 (the way to the sink).
# A veth pair, not a dummy: its operstate is UP, not UNKNOWN.
ip -n "$H1" link add trk0 type veth peer name trk1
ip -n "$H1" link set trk1 up
ip -n "$H1" link set trk0 up

MAILS="$T_DIR/mail"
mkdir -p "$MAILS"
ip netns exec "$CL" "$PY" "$SINK" sink 192.0.2.200 2525 "$MAILS" >"$T_DIR/sink.out" 2>&1 &
T_PIDS+=("$!")
wait_until 15 grep -q ready "$T_DIR/sink.out" || skip_all "the SMTP sink does not start"

globals() { # PORT TIMEOUT [extra lines]
	local port=$1 tmo=$2
	shift 2
	cat <<EOF
global_defs {
    router_id lb-test
    notification_email {
        ops@example.com
        pager@example.net
    }
    notification_email_from ka@example.com
    smtp_server ${SMTP_HOST:-192.0.2.200} $port
    smtp_connect_timeout $tmo
    smtp_helo_name lb1.example.com
$(for l in "$@"; do echo "    $l"; done)
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
        192.0.2.$((50 + $2))/24
    }
}
EOF
}

nmails() { local f=("$MAILS"/*.eml); [[ -e ${f[0]} ]] && echo ${#f[@]} || echo 0; }
# mail_has TEXT: some mail contains TEXT (fixed string)
mail_has() { grep -qsF -- "$1" "$MAILS"/*.eml; }
mail_file() { grep -lsF -- "$1" "$MAILS"/*.eml | head -1; }
# Header names of a mail, one per line (continuation lines folded away);
# "BAD" for a line end that is not CRLF in the header block.
hdr_names() {
	"$PY" - "$1" <<'EOF'
import sys
d = open(sys.argv[1], "rb").read()
h = d.split(b"\r\n\r\n", 1)[0]
if b"\n" in h.replace(b"\r\n", b"") or b"\r" in h.replace(b"\r\n", b""):
    print("BAD")
for l in h.split(b"\r\n"):
    if l and l[:1] not in (b" ", b"\t"):
        print(l.split(b":", 1)[0].decode())
EOF
}
WANT_HDRS=$'Content-Transfer-Encoding\nContent-Type\nDate\nFrom\nMIME-Version\nMessage-ID\nSubject\nTo'
# The To header is "ops@example.com," folded onto " pager@example.net".
to_both() {
	local hdr
	hdr=$(sed -n '/^To: /{N;p;q}' "$1")
	[[ $hdr == $'To: ops@example.com,\r\n pager@example.net\r' ]]
}
hdrs_ok() { [[ $(hdr_names "$1" | sort) == "$WANT_HDRS" ]]; }
# grep_ge N PATTERN FILE...: at least N lines match (re-evaluated on each poll)
grep_ge() {
	local n=$1
	shift
	[[ $(cat "${@:2}" 2>/dev/null | grep -c -- "$1") -ge $n ]]
}
# files_ge N TEXT: at least N mails contain TEXT
files_ge() { [[ $(grep -lsF -- "$2" "$MAILS"/*.eml | wc -l) -ge $1 ]]; }
env_of() { echo "${1%.eml}.env"; }
clear_mails() { rm -f "$MAILS"/*; }
stop1() {
	ka_stop 1
	cat "$T_DIR/h1.log" >>"$T_DIR/all1.log"
	: >"$T_DIR/h1.log"
}

# --- 1. One instance: MASTER, FAULT and back, each mailed.
{
	globals 2525 3
	inst VI_1 51
} >"$T_DIR/s1.conf"
ka_start 1 "$T_DIR/s1.conf"
check "vrrp: VI_1 becomes master" wait_until 5 has_addr 1 192.0.2.101
check "vrrp: the MASTER transition is mailed" \
	wait_until 10 mail_has "VRRP Instance VI_1 - Entering MASTER state"
f=$(mail_file "VRRP Instance VI_1 - Entering MASTER state")
if [[ -n $f ]]; then
	check "vrrp: From header" grep -q $'^From: ka@example.com\r$' "$f"
	check "vrrp: To header names both recipients" to_both "$f"
	check "vrrp: subject starts with [router_id]" grep -q '^Subject: \[lb-test\] ' "$f"
	check "vrrp: exactly the expected headers" hdrs_ok "$f"
	check "vrrp: envelope from" grep -qx "from ka@example.com" "$(env_of "$f")"
	check "vrrp: envelope to ops" grep -qx "rcpt ops@example.com" "$(env_of "$f")"
	check "vrrp: envelope to pager" grep -qx "rcpt pager@example.net" "$(env_of "$f")"
	check "vrrp: HELO name" grep -qx "helo lb1.example.com" "$(env_of "$f")"
else
	not_ok "vrrp: no mail to inspect"
fi
ip -n "$H1" link set trk0 down
check "vrrp: trk0 down -> FAULT" wait_until 3 no_addr 1 192.0.2.101
check "vrrp: the FAULT transition has its own mail and subject" \
	wait_until 10 mail_has $'Subject: [lb-test] VRRP Instance VI_1 - Entering FAULT state\r'
ip -n "$H1" link set trk0 up
check "vrrp: trk0 up -> master again" wait_until 5 has_addr 1 192.0.2.101
check "vrrp: the recovery is mailed" \
	wait_until 10 files_ge 2 "VRRP Instance VI_1 - Entering MASTER state"
# A reload takes new mail settings: the next mail has the new sender.
sed -i 's/notification_email_from ka@example.com/notification_email_from ka2@example.com/' "$T_DIR/s1.conf"
kill -HUP "${KA_PID[1]}"
check "reload: the VRRP child reloads" wait_until 5 grep -q "VRRP child: configuration reloaded" "$T_DIR/h1.log"
ip -n "$H1" link set trk0 down
check "reload: the next mail comes from the new sender" \
	wait_until 10 mail_has $'From: ka2@example.com\r'
ip -n "$H1" link set trk0 up
wait_until 5 has_addr 1 192.0.2.101
stop1
clear_mails

# --- 2. A burst: 8 instances start, fail and recover together.
{
	globals 2525 3
	for i in 1 2 3 4 5 6 7 8; do inst "VB_$i" $((50 + i)); done
} >"$T_DIR/s2.conf"
ka_start 1 "$T_DIR/s2.conf"
check "burst: all 8 become master" wait_until 8 has_addr 1 192.0.2.108
wait_until 5 has_addr 1 192.0.2.101
# Three bursts (start, fault, recovery), each let out before the next.
wait_until 8 files_ge 1 "VRRP Instance VB_8 - Entering MASTER state"
ip -n "$H1" link set trk0 down
check "burst: all 8 in FAULT" wait_until 3 grep_ge 8 'Entering FAULT STATE' "$T_DIR/h1.log"
wait_until 8 files_ge 1 "VRRP Instance VB_8 - Entering FAULT state"
ip -n "$H1" link set trk0 up
check "burst: all 8 master again" wait_until 8 grep_ge 16 'Entering MASTER STATE' "$T_DIR/h1.log"
# The daemon's own account of the transitions, and the mails' (body lines).
log_events() { sed -n 's/.*(\(VB_[0-9]\)) Entering \(MASTER\|BACKUP\|FAULT\) STATE.*/\1 \2/p' "$T_DIR/h1.log" | sort; }
mail_events() {
	cat "$MAILS"/*.eml 2>/dev/null | tr -d '\r' |
		sed -n 's/^[0-9].*  VRRP Instance \(VB_[0-9]\) - Entering \([A-Z]*\) state.*/\1 \2/p' | sort
}
events_mailed() { [[ -n $(log_events) && $(log_events) == "$(mail_events)" ]]; }
check "burst: every transition appears in a mail body" wait_until 12 events_mailed
n_ev=$(log_events | wc -l)
n_m=$(nmails)
check "burst: $n_ev events in $n_m mails (fewer mails than events)" test "$n_m" -lt "$n_ev" -a "$n_m" -ge 3
check "burst: a coalesced subject names the count" grep -qsE '^Subject: \[lb-test\] [0-9]+ events, first: VRRP Instance VB_' "$MAILS"/*.eml
if ! events_mailed; then
	echo "--- log events"; log_events; echo "--- mail events"; mail_events
fi
stop1
clear_mails

# --- 3. CR/LF in configuration values: no header of their own.
cat >"$T_DIR/s3.conf" <<'EOF'
global_defs {
    router_id "lb-inj\r\nBcc: evil@example.com"
    notification_email {
        ops@example.com
        "evil@example.com>\r\nRCPT TO:<evil2@example.com"
    }
    notification_email_from "ka@example.com\r\nBcc: evil@example.com"
    smtp_server 192.0.2.200 2525
    smtp_connect_timeout 3
    smtp_helo_name "lb1\r\nMAIL FROM:<evil@example.com>"
}
EOF
inst VI_1 51 >>"$T_DIR/s3.conf"
ka_start 1 "$T_DIR/s3.conf"
check "inject: VI_1 becomes master" wait_until 5 has_addr 1 192.0.2.101
check "inject: mailed" wait_until 10 mail_has "VRRP Instance VI_1 - Entering MASTER state"
f=$(mail_file "VRRP Instance VI_1 - Entering MASTER state")
if [[ -n $f ]]; then
	check "inject: exactly the expected headers (no Bcc)" hdrs_ok "$f"
	check "inject: the router id stays inside the subject" \
		grep -q $'^Subject: \\[lb-inj  Bcc: evil@example.com\\] ' "$f"
	check "inject: only the valid recipient in To" grep -q $'^To: ops@example.com\r$' "$f"
	check "inject: only the valid recipient in the envelope" \
		test "$(grep -c '^rcpt ' "$(env_of "$f")")" -eq 1 -a "$(grep -c evil "$(env_of "$f")")" -eq 0
	check "inject: the bad sender is replaced by the default" \
		grep -q '^from keepalived@' "$(env_of "$f")"
	check "inject: the bad HELO name is not used" bash -c "! grep -q 'MAIL\|evil' '$(env_of "$f")'"
else
	not_ok "inject: no mail to inspect"
fi
check "inject: the bad sender is logged" grep -q "notification_email_from: .* - ignored" "$T_DIR/h1.log"
check "inject: the bad recipient is logged" grep -q "notification_email: .* - recipient ignored" "$T_DIR/h1.log"
check "inject: the bad HELO name is logged" grep -q "smtp_helo_name .* ignored" "$T_DIR/h1.log"
stop1
clear_mails

# --- 4. Real server DOWN / UP (TCP_CHECK against a listener we stop and
# restart).  The server is a host name this time (localhost, from
# /etc/hosts through the asynchronous resolver): a sink on the daemon's
# own loopback.
ip netns exec "$H1" "$PY" "$SINK" sink 127.0.0.1 2527 "$MAILS" >"$T_DIR/sink2.out" 2>&1 &
T_PIDS+=("$!")
wait_until 15 grep -q ready "$T_DIR/sink2.out"
cat >"$T_DIR/s4.conf" <<EOF
$(SMTP_HOST=localhost globals 2527 3 smtp_alert_checker rs_init_notifies)
virtual_server 203.0.113.1 80 {
    delay_loop 1
    lb_algo rr
    protocol TCP
    real_server 192.0.2.200 8080 {
        TCP_CHECK {
            connect_timeout 1
            retry 0
            delay_before_retry 1
        }
    }
}
EOF
rs_start() {
	ip netns exec "$CL" "$PY" "$SRV" tcp 192.0.2.200 8080 >"$T_DIR/rs.out" 2>&1 &
	RS_PID=$!
	T_PIDS+=("$RS_PID")
	wait_until 10 grep -q ready "$T_DIR/rs.out"
}
rs_start
KA_NO_DATAPLANE=1 ip netns exec "$H1" "$KA_BIN" -n -C -l -G -D -f "$T_DIR/s4.conf" \
	-p "$T_DIR/k4.pid" -c "$T_DIR/c4.pid" >"$T_DIR/h4.log" 2>&1 &
KA4=$!
T_PIDS+=("$KA4")
wait_until 5 test -s "$T_DIR/c4.pid"
RSD="Realserver [192.0.2.200]:tcp:8080 of virtual server [203.0.113.1]:tcp:80 - DOWN"
RSU="Realserver [192.0.2.200]:tcp:8080 of virtual server [203.0.113.1]:tcp:80 - UP"
# Give the initial (rs_init_notifies) reports a chance to be wrongly mailed.
wait_until 3 grep -q "TCP_CHECK\|192.0.2.200" "$T_DIR/h4.log"
kill -KILL "$RS_PID"
wait "$RS_PID" 2>/dev/null
check "rs: DOWN is mailed" wait_until 10 mail_has "$RSD"
check "rs: the server was a host name" grep -q "SMTP alerts to 2 recipient(s) through localhost port 2527" "$T_DIR/h4.log"
check "rs: the quorum loss is in a mail" wait_until 5 mail_has "Virtualserver [203.0.113.1]:tcp:80 - quorum DOWN"
first=$(ls "$MAILS"/*.eml 2>/dev/null | sort | head -1)
check "rs: the first mail is the DOWN one (initial reports are not mailed)" \
	grep -qsF "$RSD" "$first"
check "rs: no UP mailed before the outage" bash -c "! grep -qsF '$RSU' '$first'"
rs_start
check "rs: UP is mailed" wait_until 10 mail_has "$RSU"
f=$(mail_file "$RSU")
[[ -n $f ]] && check "rs: exactly the expected headers" hdrs_ok "$f"
kill -TERM "$KA4"
check "rs: daemon stops" wait_until 10 pid_dead "$KA4"
clear_mails

# --- 5. A stalled SMTP server: accepts and never answers.
ip netns exec "$CL" "$PY" "$SINK" stall 192.0.2.200 2526 >"$T_DIR/stall.out" 2>&1 &
T_PIDS+=("$!")
wait_until 10 grep -q ready "$T_DIR/stall.out"
{
	globals 2526 2
	inst VI_1 51
} >"$T_DIR/s5.conf"
cap_start adv "ip proto 112 and src 192.0.2.11"
t0=$(now_ms)
TMPDIR=$T_DIR ka_start 1 "$T_DIR/s5.conf"
if wait_until 5 has_addr 1 192.0.2.101; then
	dt=$(($(now_ms) - t0))
	check "stall: master in ${dt} ms (bound 3000)" test "$dt" -le 3000
else
	not_ok "stall: never became master"
fi
check "stall: the SMTP session is connected and stalled" wait_until 5 grep -q accepted "$T_DIR/stall.out"
acc=$(awk '/accepted/{print $2; exit}' "$T_DIR/stall.out")
# The loop answers signals while the session hangs.
rm -f "$T_DIR/keepalived.stats"
kill -USR2 "${KA_PID[1]}"
check "stall: SIGUSR2 answered during the stall" wait_until 1 test -s "$T_DIR/keepalived.stats"
# The session gives up after smtp_connect_timeout (2 s) without a banner.
if wait_until 8 grep -q "SMTP alert: cannot send.*timed out" "$T_DIR/h1.log"; then
	dt=$(($(now_ms) - acc))
	check "stall: the session timed out ${dt} ms after the connect (2 s, +-)" \
		test "$dt" -ge 1500 -a "$dt" -le 4000
	check "stall: the failure names the server" \
		grep -q "SMTP alert: cannot send.*192.0.2.200:2526: timed out (banner)" "$T_DIR/h1.log"
else
	not_ok "stall: the session never timed out"
fi
# Adverts kept flowing during the stall: 0.1 s interval, the 1.5 s after
# the connect (the instance is master) must hold at least 10.
cap_stop adv
n_adv=$(tcpdump -n -tt -r "$T_DIR/adv.pcap" 2>/dev/null |
	awk -v a="$acc" '{ t = $1 * 1000 } t >= a && t < a + 1500 { n++ } END { print n + 0 }')
check "stall: $n_adv adverts in the 1.5 s after the stalled connect (>= 10)" test "$n_adv" -ge 10
# Transitions while a session hangs happen on time: FAULT starts a new
# (stalling) session; the recovery happens during it.
t1=$(now_ms)
ip -n "$H1" link set trk0 down
if wait_until 3 no_addr 1 192.0.2.101; then
	dt=$(($(now_ms) - t1))
	check "stall: FAULT in ${dt} ms (bound 1000)" test "$dt" -le 1000
else
	not_ok "stall: no FAULT"
fi
check "stall: the next session is stalled too" \
	wait_until 5 grep_ge 2 accepted "$T_DIR/stall.out"
t1=$(now_ms)
ip -n "$H1" link set trk0 up
if wait_until 3 has_addr 1 192.0.2.101; then
	dt=$(($(now_ms) - t1))
	check "stall: master again in ${dt} ms during the stalled session (bound 1500)" \
		test "$dt" -le 1500
else
	not_ok "stall: not master again"
fi
check "stall: the daemon still runs" pid_alive "${KA_PID[1]}"
# Stopping with a session hanging: the flush is bounded (about 1 s).
t1=$(now_ms)
ka_stop 1
dt=$(($(now_ms) - t1))
check "stall: stop took ${dt} ms with a hanging session (bound 3000)" test "$dt" -le 3000
cat "$T_DIR/h1.log" >>"$T_DIR/all1.log"

[[ $T_FAIL -eq 0 ]] || {
	echo "--- daemon log (tail)"
	tail -40 "$T_DIR/all1.log"
	tail -20 "$T_DIR/h4.log" 2>/dev/null
	ls -l "$MAILS"
}
t_done
