#!/usr/bin/env bash
# A reload while a check's attempt is in flight: the attempt started with
# the old configuration's check_cfg (its url, status ranges, timeouts) and
# must be able to finish with it; the old configuration is freed only
# afterwards.  The real server holds each HTTP answer 0.8 s and says when a
# request arrives, so each SIGHUP lands inside an attempt (awaited, not
# guessed).  Under the ASan build a use after free aborts the checker.
. "$(dirname "$0")/../lib.sh"
need_root
PY=/usr/bin/python3
[[ -x $PY ]] || skip_all "no /usr/bin/python3"

t_netns DIR dir
t_netns RS rs
ip -n "$DIR" link add eth0 type veth peer name eth0 netns "$RS"
ip -n "$DIR" addr add 192.0.2.1/24 dev eth0
ip -n "$RS" addr add 192.0.2.10/24 dev eth0
ip -n "$DIR" link set eth0 up
ip -n "$RS" link set eth0 up

cat >"$T_DIR/slow.py" <<'PY'
import socket, sys, threading, time
log = open(sys.argv[1], "a", buffering=1)
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("192.0.2.10", 80))
s.listen(16)
print("ready", flush=True)
def serve(c):
    try:
        c.recv(4096)
        log.write("got\n")
        time.sleep(0.8)  # the attempt stays in flight meanwhile
        c.sendall(b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok")
        log.write("sent\n")
    except OSError:
        pass
    finally:
        c.close()
while True:
    c, _ = s.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
PY
ip netns exec "$RS" "$PY" "$T_DIR/slow.py" "$T_DIR/srv.log" >"$T_DIR/srv.out" 2>&1 &
T_PIDS+=("$!")
wait_until 10 grep -q ready "$T_DIR/srv.out" || { echo "server did not start"; exit 1; }

conf() { # conf [extra virtual server]
	cat <<EOF
virtual_server 203.0.113.1 80 {
  delay_loop 1
  lb_algo rr
  protocol TCP
  real_server 192.0.2.10 80 {
    HTTP_GET {
      url {
        path /
        status_code 200
      }
      connect_timeout 5
      retry 1
      delay_before_retry 1
      warmup 0
    }
  }
}
EOF
	[[ -n ${1:-} ]] && cat <<EOF
virtual_server 203.0.113.2 80 {
  delay_loop 1
  lb_algo rr
  protocol TCP
  real_server 192.0.2.10 81 { weight 1 }
}
EOF
	return 0
}
conf >"$T_DIR/ka.conf"
LOG=$T_DIR/ka.log
ip netns exec "$DIR" "$KA_BIN" -n -C -l -D -f "$T_DIR/ka.conf" -p "$T_DIR/k.pid" \
	-c "$T_DIR/c.pid" >"$LOG" 2>&1 &
KA=$!
T_PIDS+=("$KA")
check "the checker starts" wait_until 10 test -s "$T_DIR/c.pid"
CHILD=$(cat "$T_DIR/c.pid")
count() { grep -c "^$1\$" "$T_DIR/srv.log" 2>/dev/null || true; }
more_than() { [[ $(count "$1") -gt $2 ]]; }

for i in 1 2 3 4; do
	g=$(count got)
	# the next request has arrived: its answer is 0.8 s away
	wait_until 10 more_than got "$g" || break
	if ((i == 3)); then conf extra >"$T_DIR/ka.conf"; fi
	kill -HUP "$KA"
	# that attempt finishes after the reload
	wait_until 10 more_than sent "$g"
done
check "4 reloads each landed inside an attempt (requests seen: $(count got))" \
	test "$(count got)" -ge 4
s=$(count sent)
check "the checks go on after the reloads" wait_until 10 more_than sent "$((s + 1))"
check "the checker child is the same process" test "$(cat "$T_DIR/c.pid")" = "$CHILD"
check "the checker child is alive" pid_alive "$CHILD"
check "every reload was applied (no configuration error)" bash -c "! grep -q -i error '$LOG'"
check "no sanitizer report" bash -c "! grep -q -e AddressSanitizer -e 'runtime error' '$LOG'"
check "no child exit" bash -c "! grep -q 'exited with' '$LOG'"
check "the real server stayed up (no failure logged)" bash -c "! grep -q 'HTTP_GET on .* failed' '$LOG'"
[[ $T_FAIL -eq 0 ]] || tail -30 "$LOG"
t_done
