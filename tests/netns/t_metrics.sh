#!/usr/bin/env bash
# The metrics endpoint (metrics_listen) and textfile (metrics_textfile):
# two VRRP nodes scraped with curl inside their namespaces; states and
# counters through a failover, a checker's real server going down, reload
# counters, a child that does not answer, a slow client, the textfile's
# atomic replacement, and a listen address moved by reloads.  Every page
# is checked by a strict parser (prom_check.py).
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/vrrp_lib.sh"
need_root
PY=/usr/bin/python3
CHK="$KA_TEST_DATA/netns/prom_check.py"
SRV="$KA_TEST_DATA/netns/rs_servers.py"
[[ -x $PY ]] || skip_all "no /usr/bin/python3"
command -v curl >/dev/null || skip_all "no curl"
lan_setup 2 || skip_all "cannot build the namespaces"
PORT=9712 # the default
TF="$T_DIR/n2.prom"

# node_conf FILE PRIO GLOBAL_LINES: an instance as vrrp_conf's, with a
# vrrp_script, and on node 2 a virtual server whose real server is a TCP
# listener in its own namespace.
node_conf() {
	cat >"$1" <<CONF
global_defs {
$3
}
vrrp_script chk_true {
    script "/bin/true"
    interval 1
}
vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id 51
    priority $2
    version 3
    advert_int 0.5
    track_script {
        chk_true
    }
    virtual_ipaddress {
        192.0.2.100/24
    }
}
virtual_server 198.51.100.1 80 {
    delay_loop 1
    lb_kind NAT
    protocol TCP
    real_server 127.0.0.1 8081 {
        TCP_CHECK {
            connect_timeout 1
            retry 1
            delay_before_retry 1
        }
    }
}
CONF
}
node_conf "$T_DIR/n1.conf" 150 "    metrics_listen" # 127.0.0.1 9712 by default
node_conf "$T_DIR/n2.conf" 100 "    metrics_listen 127.0.0.1 $PORT
    metrics_textfile $TF
    metrics_textfile_interval 1"

# scrape I FILE [URL_HOST [NS]]: one GET, 2 s at most; fails on non-200.
scrape() {
	local host=${3:-127.0.0.1} ns=${4:-${H[$1]}}
	ip netns exec "$ns" curl -sS -f -m 2 -o "$2" "http://$host:$PORT/metrics" 2>>"$T_DIR/curl.err"
}
valid() { "$PY" "$CHK" "$1"; }
# val FILE NAME [L=V...]: the value of one series
val() { "$PY" "$CHK" "$@" >/dev/null && "$PY" "$CHK" "$1" get "${@:2}"; }
# metric I NAME [L=V...]: scrape host I and print one value
metric() {
	local f="$T_DIR/m$1.txt"
	scrape "$1" "$f" && val "$f" "${@:2}"
}
is() { # is I VALUE NAME [L=V...]
	local v
	v=$(metric "$1" "${@:3}") && [[ $v == "$2" ]]
}
ka_child_pid() { cat "$T_DIR/$1$2.pid" 2>/dev/null; } # ka_child_pid v|c I

# The keywords' validation (--config-test), with file and line.
printf '%s\n' 'global_defs {' '  metrics_listen 192.0.2.300' '  metrics_listen ::1 70000' \
	'  metrics_listen 127.0.0.1 9712 x' '  metrics_textfile relative.prom' '  metrics_textfile /tmp/x.txt' \
	'  metrics_textfile_interval 0' '}' >"$T_DIR/bad.conf"
"$KA_BIN" -t -f "$T_DIR/bad.conf" >"$T_DIR/bad.out" 2>&1
check "config test: the bad metrics keywords fail it (exit 5)" test $? = 5
for want in "Line 2) metrics_listen: invalid address '192.0.2.300'" "Line 3) metrics_listen: invalid port '70000'" \
	"Line 4) 'metrics_listen' takes at most 2 arguments" "Line 5) metrics_textfile: path 'relative.prom' is not absolute" \
	"Line 6) metrics_textfile: '/tmp/x.txt' does not end in .prom" "Line 7) metrics_textfile_interval: number '0' outside range"; do
	check "config test: ... $want" grep -qF "$want" "$T_DIR/bad.out"
done
printf '%s\n' 'global_defs {' '  metrics_listen ::1 9000' '  metrics_textfile /tmp/x.prom' \
	'  metrics_textfile_interval 30' '}' >"$T_DIR/ok.conf"
check "config test: good metrics keywords pass" "$KA_BIN" -t -f "$T_DIR/ok.conf"

ip netns exec "${H[2]}" "$PY" "$SRV" tcp 127.0.0.1 8081 >"$T_DIR/rs.out" 2>&1 &
RS_PID=$!
T_PIDS+=("$RS_PID")
wait_until 5 grep -q ready "$T_DIR/rs.out"

ka_start 1 "$T_DIR/n1.conf"
ka_start 2 "$T_DIR/n2.conf"
VI=(iname=VI_1 intf=eth0 vrid=51)
check "node 1 reports MASTER (state 2)" wait_until 5 is 1 2 keepalived_vrrp_state "${VI[@]}" ip_address=192.0.2.100
check "node 2 reports BACKUP (state 1)" wait_until 5 is 2 1 keepalived_vrrp_state "${VI[@]}" ip_address=192.0.2.100
scrape 1 "$T_DIR/p1.txt"
scrape 2 "$T_DIR/p2.txt"
check "node 1's page parses strictly" valid "$T_DIR/p1.txt"
check "node 2's page parses strictly" valid "$T_DIR/p2.txt"
check "node 1: effective priority 150" test "$(val "$T_DIR/p1.txt" keepalived_vrrp_effective_priority "${VI[@]}")" = 150
check "node 1: script status GOOD" test "$(val "$T_DIR/p1.txt" keepalived_script_status name=chk_true)" = 1
check "node 1: last transition is a recent Unix time" \
	"$PY" -c "import sys,time; sys.exit(abs(time.time() - float('$(val "$T_DIR/p1.txt" keepalived_vrrp_last_transition_timestamp_seconds "${VI[@]}")')) > 60)"
check "both children answered" test "$(val "$T_DIR/p2.txt" keepalived_child_scrape_ok child=vrrp)$(val "$T_DIR/p2.txt" keepalived_child_scrape_ok child=checker)" = 11
check "parent families: keepalived_up 1, one build_info" test "$(val "$T_DIR/p2.txt" keepalived_up)$("$PY" "$CHK" "$T_DIR/p2.txt" count keepalived_build_info)" = 11
code() { ip netns exec "${H[2]}" curl -s -o /dev/null -m 2 -w '%{http_code}' "$@"; }
check "404 outside /metrics, 405/501 for POST" test "$(code http://127.0.0.1:$PORT/nope) $(code -X POST http://127.0.0.1:$PORT/metrics)" = "404 501"
B0=$(val "$T_DIR/p2.txt" keepalived_become_master_total "${VI[@]}")
check "node 2: keepalived_become_master_total is 0" test "$B0" = 0
S1=$(val "$T_DIR/p1.txt" keepalived_advertisements_sent_total "${VI[@]}")
sent_grew() { local v; v=$(metric 1 keepalived_advertisements_sent_total "${VI[@]}") && ((v > S1)); }
check "node 1: adverts sent grow between scrapes" wait_until 3 sent_grew
R1=$(val "$T_DIR/p2.txt" keepalived_advertisements_received_total "${VI[@]}")
check "node 2: adverts received counted" test "$R1" -gt 0

# The checker: up while the listener runs, down once it stops.
RS=(vs="[198.51.100.1]:tcp:80" rs=127.0.0.1:8081)
check "checker: real server up" wait_until 5 is 2 1 keepalived_real_server_up "${RS[@]}"
check "checker: virtual server up (quorum)" is 2 1 keepalived_virtual_server_up vs="[198.51.100.1]:tcp:80"
kill "$RS_PID"
wait "$RS_PID" 2>/dev/null
check "checker: real server down after its listener stopped" wait_until 8 is 2 0 keepalived_real_server_up "${RS[@]}"
scrape 2 "$T_DIR/p2c.txt"
check "checker: page parses" valid "$T_DIR/p2c.txt"
check "checker: virtual server down" test "$(val "$T_DIR/p2c.txt" keepalived_virtual_server_up vs="[198.51.100.1]:tcp:80")" = 0
check "checker: a transition counted" test "$(val "$T_DIR/p2c.txt" keepalived_real_server_transitions_total "${RS[@]}")" -ge 1
CK=("${RS[@]}" checker=TCP_CHECK target=127.0.0.1:8081)
check "checker: the check is down, last result a failure" test "$(val "$T_DIR/p2c.txt" keepalived_check_up "${CK[@]}")$(val "$T_DIR/p2c.txt" keepalived_check_last_result "${CK[@]}")" = 00
check "checker: failures counted" test "$(val "$T_DIR/p2c.txt" keepalived_check_failures_total "${CK[@]}")" -ge 1
check "checker: a latency is reported" "$PY" -c "import sys; sys.exit(not 0 < float('$(val "$T_DIR/p2c.txt" keepalived_check_latency_seconds "${CK[@]}")') < 2)"

# A slow client: connected, half a request, then nothing.  Other scrapes
# are not delayed, and the server drops it after its 5 s timeout.
ip netns exec "${H[2]}" bash -c "exec 3<>/dev/tcp/127.0.0.1/$PORT || exit 1
	printf 'GET /metrics HTTP/1.1\r\n' >&3
	t0=\$(date +%s%3N); timeout 12 cat <&3 >/dev/null; echo \$((\$(date +%s%3N) - t0)) >'$T_DIR/slow.ms'" &
SLOW=$!
T_PIDS+=("$SLOW")
ip netns exec "${H[2]}" bash -c "exec 3<>/dev/tcp/127.0.0.1/$PORT; sleep 3" &
T_PIDS+=("$!")
sleep 0.2 # both connections are open (no event to wait for on our side)
t0=$(now_ms)
for i in 1 2 3; do scrape 2 "$T_DIR/slow$i.txt" || break; done
dt=$(($(now_ms) - t0))
echo "    3 scrapes beside 2 idle clients: ${dt} ms"
check "slow clients: 3 scrapes succeed within 1.5 s" test "$i" = 3 -a "$dt" -le 1500

# A child that does not answer (stopped): the page comes within ~500 ms
# without its families, and says so.
CPID=$(ka_child_pid c 2)
kill -STOP "$CPID"
# A client that gives up while its scrape waits for the stopped child:
# the answer later goes to a closed connection (ASan would catch misuse).
ip netns exec "${H[2]}" curl -s -m 0.1 -o /dev/null "http://127.0.0.1:$PORT/metrics"
t0=$(now_ms)
scrape 2 "$T_DIR/stopped.txt"
dt=$(($(now_ms) - t0))
kill -CONT "$CPID"
echo "    scrape with the checker stopped: ${dt} ms"
check "stopped child: the page is not held (< 1.5 s)" test "$dt" -lt 1500
check "stopped child: the page parses" valid "$T_DIR/stopped.txt"
check "stopped child: keepalived_child_scrape_ok{child=checker} 0, vrrp 1" \
	test "$(val "$T_DIR/stopped.txt" keepalived_child_scrape_ok child=checker)$(val "$T_DIR/stopped.txt" keepalived_child_scrape_ok child=vrrp)" = 01
check "stopped child: its families are missing, the VRRP ones are there" \
	test "$("$PY" "$CHK" "$T_DIR/stopped.txt" count keepalived_real_server_up)$("$PY" "$CHK" "$T_DIR/stopped.txt" count keepalived_vrrp_state)" = 01
check "resumed child answers again" wait_until 3 is 2 1 keepalived_child_scrape_ok child=checker

# The textfile: 0644, replaced (new inode) every second, always whole.
check "textfile written" wait_until 5 test -s "$TF"
check "textfile mode 0644" test "$(stat -c %a "$TF")" = 644
ino0=$(stat -c %i "$TF")
new_inode() { [[ $(stat -c %i "$TF" 2>/dev/null) != "$ino0" ]]; }
check "textfile replaced by rename (new inode)" wait_until 4 new_inode
bad=0
for i in $(seq 1 15); do
	cp "$TF" "$T_DIR/tf$i.txt"
	valid "$T_DIR/tf$i.txt" || bad=$((bad + 1))
	"$PY" "$CHK" "$T_DIR/tf$i.txt" count keepalived_up | grep -qx 1 || bad=$((bad + 1))
	sleep 0.1
done
check "15 reads of the textfile over its rewrites: all whole and valid" test "$bad" = 0

# Failover: node 1's VRRP child is frozen (SIGSTOP: silent, no
# priority-0 advert), so node 2 waits a whole Master_Down_Interval (1.8 s
# at advert_int 0.5) while it is scraped all along, until it says MASTER.
# The loop only fetches; every page is parsed strictly afterwards.  Node 1
# is then killed (its parent would otherwise restart the frozen child).
t0=$(now_ms)
kill -STOP "$(ka_vrrp_pid 1)"
states="" n=0 fails=0 during=0
state_of() { sed -n 's/^keepalived_vrrp_state{iname="VI_1".*} \([0-9]\)$/\1/p' "$1"; }
for ((i = 0; i < 200; i++)); do
	if scrape 2 "$T_DIR/fo$i.txt"; then
		n=$((n + 1))
		s=$(state_of "$T_DIR/fo$i.txt")
		[[ $s == 1 ]] && during=$((during + 1))
		[[ $states == *"$s" ]] || states+="$s"
		[[ $s == 2 ]] && break
	else
		fails=$((fails + 1))
	fi
	sleep 0.02
done
last=$i
echo "    node 2 during the failover: states $states, $n pages ($during as BACKUP after node 1 froze), $fails failed; MASTER seen after $(($(now_ms) - t0)) ms"
ka_kill9 1
check "failover: node 2 went BACKUP -> MASTER while scraped" test "$states" = 12 -a "$fails" = 0
check "failover: pages were served while node 2 waited (BACKUP, node 1 silent)" test "$during" -ge 1
bad=0
for ((i = 0; i <= last; i++)); do valid "$T_DIR/fo$i.txt" || bad=$((bad + 1)); done
check "failover: all $n pages parse strictly" test "$bad" = 0
cp "$T_DIR/fo$last.txt" "$T_DIR/fo.txt"
check "failover: keepalived_become_master_total 0 -> 1" test "$(val "$T_DIR/fo.txt" keepalived_become_master_total "${VI[@]}")" = 1
check "failover: transitions_total{from=BACKUP,to=MASTER} 1" test "$(val "$T_DIR/fo.txt" keepalived_vrrp_transitions_total "${VI[@]}" from=BACKUP to=MASTER)" = 1
S2=$(val "$T_DIR/fo.txt" keepalived_advertisements_sent_total "${VI[@]}")
sent2_grew() { local v; v=$(metric 2 keepalived_advertisements_sent_total "${VI[@]}") && ((v > S2)); }
check "failover: node 2's adverts sent grow between scrapes" wait_until 3 sent2_grew
ip -n "${H[1]}" addr del 192.0.2.100/24 dev eth0 2>/dev/null

# Reloads: a good one and a broken one.
kill -HUP "${KA_PID[2]}"
check "reload: keepalived_config_reloads_total 1" wait_until 3 is 2 1 keepalived_config_reloads_total
check "reload: last reload successful" is 2 1 keepalived_config_last_reload_successful
cp "$T_DIR/n2.conf" "$T_DIR/n2.good"
echo "vrrp_instance {" >>"$T_DIR/n2.conf"
kill -HUP "${KA_PID[2]}"
check "broken reload: keepalived_config_reload_failures_total 1" wait_until 3 is 2 1 keepalived_config_reload_failures_total
scrape 2 "$T_DIR/rl.txt"
check "broken reload: last reload failed, the good count unchanged" \
	test "$(val "$T_DIR/rl.txt" keepalived_config_last_reload_successful)$(val "$T_DIR/rl.txt" keepalived_config_reloads_total)" = 01
check "broken reload: last reload timestamp is recent" \
	"$PY" -c "import sys,time; sys.exit(abs(time.time() - float('$(val "$T_DIR/rl.txt" keepalived_config_last_reload_timestamp_seconds)')) > 60)"

# A child restart is counted.
kill -KILL "$(ka_child_pid v 2)"
check "child restart: keepalived_child_restarts_total{child=vrrp} 1" wait_until 5 is 2 1 keepalived_child_restarts_total child=vrrp
check "child restart: the new VRRP child answers" wait_until 5 is 2 1 keepalived_child_scrape_ok child=vrrp

# Not reachable from the LAN on loopback; a configured LAN address is.
check "loopback only: the client cannot connect" bash -c "! ip netns exec $CL curl -s -m 2 -o /dev/null http://192.0.2.12:$PORT/metrics"
node_conf "$T_DIR/n2.conf" 100 "    metrics_listen 192.0.2.12"
kill -HUP "${KA_PID[2]}"
lan_ok() { scrape 2 "$T_DIR/lan.txt" 192.0.2.12 "$CL" && valid "$T_DIR/lan.txt"; }
check "metrics_listen 192.0.2.12 by reload: the client scrapes it" wait_until 3 lan_ok
check "the old loopback endpoint is closed" bash -c "! ip netns exec ${H[2]} curl -s -m 2 -o /dev/null http://127.0.0.1:$PORT/metrics"
check "metrics_textfile dropped by the reload: the file is removed" wait_until 2 test ! -e "$TF"
node_conf "$T_DIR/n2.conf" 100 "    metrics_listen ::1"
kill -HUP "${KA_PID[2]}"
v6_ok() { scrape 2 "$T_DIR/v6.txt" "[::1]" && valid "$T_DIR/v6.txt"; }
check "metrics_listen ::1 by reload: scraped over IPv6 loopback" wait_until 3 v6_ok
check "the LAN endpoint is closed" bash -c "! ip netns exec $CL curl -s -m 2 -o /dev/null http://192.0.2.12:$PORT/metrics"
node_conf "$T_DIR/n2.conf" 100 ""
kill -HUP "${KA_PID[2]}"
lan_gone() { ! ip netns exec "${H[2]}" curl -s -m 1 -o /dev/null "http://[::1]:$PORT/metrics"; }
check "metrics_listen removed by reload: nothing listens" wait_until 3 lan_gone

# The slow client was dropped by the server's timeout (5 s), not held.
wait "$SLOW" 2>/dev/null
slow=$(cat "$T_DIR/slow.ms" 2>/dev/null || echo 99999)
echo "    the half-request client was dropped after ${slow} ms"
check "slow client dropped after the 5 s timeout (4.5..9 s)" test "$slow" -ge 4500 -a "$slow" -le 9000

ka_stop 2
check "no temporary textfile left behind" bash -c "! ls -A '$T_DIR' | grep -q '^\.n2\.prom\.'"
check "no sanitizer report" bash -c "! grep -E 'AddressSanitizer|LeakSanitizer|runtime error:' $T_DIR/h*.log"
check "no error logged about metrics" bash -c "! grep -iE 'cannot (serve|listen for|write) metrics|render metrics' $T_DIR/h*.log"
t_done
