#!/usr/bin/env bash
# Every checker type against real servers in a namespace: each reports
# DOWN when its server stops and UP when it comes back, within the bound
# its configuration implies.  The observable outcome is the notify scripts
# (with a timestamp) and the LVS FIFO; this host has no IPVS, so the daemon
# also logs exactly one error about it and keeps checking.
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
ip -n "$RS" addr add 192.0.2.11/24 dev eth0
ip -n "$DIR" link set eth0 up
ip -n "$RS" link set eth0 up

EV="$T_DIR/events"
: >"$EV"
cat >"$T_DIR/note.sh" <<EOF
#!/bin/sh
echo "\$1 \$2 \$(date +%s%3N)" >> "$EV"
EOF
chmod 755 "$T_DIR/note.sh"
cat >"$T_DIR/misc.sh" <<EOF
#!/bin/sh
test -e "$T_DIR/misc_ok"
EOF
chmod 755 "$T_DIR/misc.sh"
touch "$T_DIR/misc_ok"
echo 0 >"$T_DIR/file_val"

# delay_loop 1, connect_timeout 1, retry 1, delay_before_retry 1: a server
# that stops is DOWN after at most delay_loop + 2 x connect_timeout +
# delay_before_retry = 4 s (5 s with the attempt times and slack); one that
# comes back is UP within delay_loop + connect_timeout = 2 s (3 s).
DOWN_BOUND_MS=5000
UP_BOUND_MS=3000

rs() { # rs TYPE PORT BODY
	cat <<EOF
  real_server 192.0.2.10 $2 {
    notify_up "$T_DIR/note.sh $1 UP"
    notify_down "$T_DIR/note.sh $1 DOWN"
    $3
  }
EOF
}
TIMING="connect_timeout 1
      retry 1
      delay_before_retry 1
      warmup 0"
BODY_MD5=$(printf 'hello' | md5sum | cut -d' ' -f1)
{
	cat <<EOF
global_defs {
  lvs_notify_fifo $T_DIR/fifo
}
track_file TF {
  file $T_DIR/file_val
  weight 0
}
virtual_server 203.0.113.1 80 {
  delay_loop 1
  lb_algo rr
  protocol TCP
  alpha
EOF
	rs TCP 22 "TCP_CHECK { $TIMING }"
	rs HTTP 80 "HTTP_GET { url { path /
        digest $BODY_MD5 }
      $TIMING }"
	rs SSL 443 "SSL_GET { url { path / }
      $TIMING }"
	rs SMTP 25 "SMTP_CHECK { helo_name test.example
      $TIMING }"
	rs DNS 53 "DNS_CHECK { type A
      name example.com
      $TIMING }"
	rs UDP 7 "UDP_CHECK { payload 68656c6c6f
      require_reply 68656c6cXX
      $TIMING }"
	cat <<EOF
  real_server 192.0.2.11 0 {
    notify_up "$T_DIR/note.sh PING UP"
    notify_down "$T_DIR/note.sh PING DOWN"
    PING_CHECK { $TIMING }
  }
  real_server 192.0.2.12 0 {
    notify_up "$T_DIR/note.sh MISC UP"
    notify_down "$T_DIR/note.sh MISC DOWN"
    MISC_CHECK { misc_path "$T_DIR/misc.sh"
      misc_timeout 2
      retry 1
      delay_before_retry 1
      warmup 0 }
  }
  real_server 192.0.2.13 0 {
    notify_up "$T_DIR/note.sh FILE UP"
    notify_down "$T_DIR/note.sh FILE DOWN"
    FILE_CHECK { track_file TF }
  }
}
EOF
} >"$T_DIR/ka.conf"

declare -A SPID
srv_start() { # srv_start NAME KIND PORT [ARG]
	local name=$1
	shift
	ip netns exec "$RS" "$PY" "$SRV" "$1" 192.0.2.10 "$2" "${3:-}" >"$T_DIR/srv-$name.out" 2>&1 &
	SPID[$name]=$!
	T_PIDS+=("$!")
	wait_until 10 grep -q ready "$T_DIR/srv-$name.out"
}
srv_stop() {
	kill -KILL "${SPID[$1]}" 2>/dev/null
	wait "${SPID[$1]}" 2>/dev/null
}

srv_start TCP tcp 22
srv_start HTTP http 80 hello
srv_start SSL https 443
srv_start SMTP smtp 25
srv_start DNS dns 53
srv_start UDP udp 7

mkfifo "$T_DIR/fifo"
cat "$T_DIR/fifo" >"$T_DIR/fifo.out" &
FIFO_READER=$!
T_PIDS+=("$FIFO_READER")

ip netns exec "$DIR" "$KA_BIN" -n -C -l -G -D -f "$T_DIR/ka.conf" -p "$T_DIR/k.pid" \
	-c "$T_DIR/c.pid" >"$T_DIR/ka.log" 2>&1 &
KA=$!
T_PIDS+=("$KA")

TYPES=(TCP HTTP SSL SMTP DNS UDP PING MISC FILE)
# last_event TYPE STATE -> its timestamp (empty if none)
last_event() { awk -v t="$1" -v s="$2" '$1 == t && $2 == s { ts = $3 } END { print ts }' "$EV"; }
count_events() { awk -v t="$1" -v s="$2" '$1 == t && $2 == s' "$EV" | wc -l; }
has_event() { [[ -n $(last_event "$1" "$2") ]]; }
more_events() { [[ $(count_events "$1" "$2") -gt $3 ]]; }

# alpha: every server starts DOWN and comes UP on its first success.
for t in "${TYPES[@]}"; do
	check "$t comes up at start (alpha)" wait_until 10 has_event "$t" UP
done

# The outage of each, one at a time.
stop_type() {
	case $1 in
	PING) ip -n "$RS" addr del 192.0.2.11/24 dev eth0 ;;
	MISC) rm -f "$T_DIR/misc_ok" ;;
	FILE) echo 1 >"$T_DIR/file_val" ;;
	*) srv_stop "$1" ;;
	esac
}
start_type() {
	case $1 in
	PING) ip -n "$RS" addr add 192.0.2.11/24 dev eth0 ;;
	MISC) touch "$T_DIR/misc_ok" ;;
	FILE) echo 0 >"$T_DIR/file_val" ;;
	TCP) srv_start TCP tcp 22 ;;
	HTTP) srv_start HTTP http 80 hello ;;
	SSL) srv_start SSL https 443 ;;
	SMTP) srv_start SMTP smtp 25 ;;
	DNS) srv_start DNS dns 53 ;;
	UDP) srv_start UDP udp 7 ;;
	esac
}
for t in "${TYPES[@]}"; do
	t0=$(now_ms)
	stop_type "$t"
	if wait_until 10 has_event "$t" DOWN; then
		dt=$(($(last_event "$t" DOWN) - t0))
		check "$t down in ${dt} ms (bound $DOWN_BOUND_MS)" test "$dt" -le "$DOWN_BOUND_MS"
	else
		not_ok "$t never reported down"
	fi
	n_up=$(count_events "$t" UP)
	t0=$(now_ms)
	start_type "$t"
	if wait_until 10 more_events "$t" UP "$n_up"; then
		dt=$(($(last_event "$t" UP) - t0))
		check "$t up again in ${dt} ms (bound $UP_BOUND_MS)" test "$dt" -le "$UP_BOUND_MS"
	else
		not_ok "$t never came back up"
	fi
done

# A wrong digest is a failure: serve another body on the HTTP port.
srv_stop HTTP
srv_start HTTP http 80 "other body"
check "HTTP digest mismatch reported down" wait_until 10 more_events HTTP DOWN 1
check "the log names the digest mismatch" grep -q "digest" "$T_DIR/ka.log"

# The FIFO carried the same story (lines end with \n\0, as upstream).
check "FIFO has RS DOWN lines" grep -qa "RS \[192.0.2.10\]:tcp:22 \[203.0.113.1\]:tcp:80 DOWN" "$T_DIR/fifo.out"
check "FIFO lines end with a NUL" bash -c "tr -d '\n' <'$T_DIR/fifo.out' | od -c | grep -q '\\\\0'"
check "exactly one IPVS error logged" test "$(grep -c 'IPVS is not available' "$T_DIR/ka.log")" -eq 1
check "the checker child still runs" pid_alive "$(cat "$T_DIR/c.pid")"

kill -TERM "$KA"
check "daemon stops" wait_until 10 pid_dead "$KA"
[[ $T_FAIL -eq 0 ]] || { echo "--- events"; cat "$EV"; echo "--- log"; tail -60 "$T_DIR/ka.log"; }
t_done
