#!/usr/bin/env bash
# Fault catalogue cases 25 and 26: hostile HTTP / TLS real servers.
#
# Host h1 runs our daemon with a VRRP MASTER (priority 200, advert 0.2 s)
# and HTTP_GET against ~100 real servers on the client host, each one of
# the behaviours of hostile_servers.py (garbage status line, status
# 000/999/"20", > 64 KiB headers, Content-Length -1/huge, chunked body,
# slowloris, accept-then-silence, and a good control), plus SSL_GET
# against TLS servers (close without close_notify, RSA-1024, SHA-1 chain,
# TLS 1.0 only).  Host h2 runs our daemon as the BACKUP (priority 100).
#
# Asserted: every hostile server gets a defined verdict (DOWN with the
# reason logged; chunked and the control stay UP, the chunked digest being
# the MD5 of the raw framed body as upstream); the timeouts fire at
# connect_timeout (measured from the server's accept to the DOWN notify);
# the weak-TLS servers are DOWN with a log line naming the handshake
# failure; no ASan report; the MASTER's adverts keep their interval on the
# wire and the BACKUP never takes over.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/vrrp_lib.sh"
need_root
PY=/usr/bin/python3
HOS="$KA_TEST_DATA/netns/hostile_servers.py"
[[ -x $PY ]] || skip_all "no /usr/bin/python3"
command -v openssl >/dev/null || skip_all "no openssl"
command -v tcpdump >/dev/null || skip_all "no tcpdump"
lan_setup 2 || skip_all "cannot build the namespaces"

NV=${NV:-9}    # virtual servers, each with one real server per behaviour
CT=2           # connect_timeout (s)
ADV_MS=200     # advert_int
BASE=8000
# VS v checks 192.0.2.(200 + v): distinct real servers (checks are per
# address and port), all served by the same listeners on the client.
RS_BASE=200
read -r -a NAMES <<<"$($PY "$HOS" names http)"
declare -A PORT
for i in "${!NAMES[@]}"; do PORT[${NAMES[$i]}]=$((BASE + i)); done
# What each behaviour must end as.
declare -A WANT=([garbage]=DOWN [s000]=DOWN [s999]=DOWN [s20]=DOWN [bighdr]=DOWN
	[clneg]=DOWN [clhuge]=DOWN [chunked]=UP [slowloris]=DOWN [silence]=DOWN [good]=UP
	[noclose]=UP [rsa1024]=UP [sha1]=UP [tls10]=DOWN)
# RSA-1024 and a SHA-1 chain are accepted: SSL_GET does not verify the
# server's certificate (as upstream), and OpenSSL applies the security
# level to the peer's chain only when verifying.  TLS 1.0 is refused by
# the handshake itself at SECLEVEL=2.
MD5_HELLO=$(printf 'hello' | md5sum | cut -d' ' -f1)
# The chunked body hashed with its framing (no chunked decoding, as upstream).
MD5_CHUNKED=$(printf '5\r\nhello\r\n0\r\n\r\n' | md5sum | cut -d' ' -f1)

# --- certificates (made now; Debian's OpenSSL defaults to SECLEVEL=2)
C=$T_DIR/certs
mkdir -p "$C"
mkcert() { # NAME BITS MD [CA]
	if [[ -z ${4:-} ]]; then
		openssl req -x509 -newkey "rsa:$2" -nodes "-$3" -keyout "$C/$1.key" -out "$C/$1.crt" \
			-days 2 -subj "/CN=$1" 2>/dev/null
	else
		openssl req -newkey "rsa:$2" -nodes -keyout "$C/$1.key" -out "$C/$1.csr" \
			-subj "/CN=$1" 2>/dev/null &&
			openssl x509 -req -in "$C/$1.csr" -CA "$C/$4.crt" -CAkey "$C/$4.key" \
				-CAcreateserial "-$3" -days 2 -out "$C/$1.leaf" 2>/dev/null &&
			cat "$C/$1.leaf" "$C/$4.crt" >"$C/$1.crt"
	fi
}
mkcert good 2048 sha256 && mkcert weak 1024 sha256 && mkcert ca 2048 sha1 &&
	mkcert sha1 2048 sha1 ca || skip_all "openssl cannot make the certificates"

# --- hostile servers on the client host
for ((v = 1; v <= NV; v++)); do ip -n "$CL" addr add "192.0.2.$((RS_BASE + v))/24" dev eth0; done
ip netns exec "$CL" "$PY" -u "$HOS" http 0.0.0.0 $BASE >"$T_DIR/http.out" 2>&1 &
T_PIDS+=("$!")
declare -A TLS=([noclose]="8443 noclose good" [rsa1024]="8444 legacy weak"
	[sha1]="8445 legacy sha1" [tls10]="8446 tls10 good")
for n in "${!TLS[@]}"; do
	read -r p k cert <<<"${TLS[$n]}"
	PORT[$n]=$p
	ip netns exec "$CL" "$PY" -u "$HOS" tls 192.0.2.$RS_BASE "$p" "$k" "$C/$cert.crt" "$C/$cert.key" \
		>"$T_DIR/tls-$n.out" 2>&1 &
	T_PIDS+=("$!")
done
for f in http tls-noclose tls-rsa1024 tls-sha1 tls-tls10; do
	wait_until 15 grep -q ready "$T_DIR/$f.out" || {
		cat "$T_DIR/$f.out"
		skip_all "hostile server $f does not start"
	}
done

# --- configuration
# Events come through the LVS notify FIFO, stamped on arrival: no script
# per transition (a hundred forks at once would load the host, not test us).
EV=$T_DIR/events
mkfifo "$T_DIR/fifo"
# shellcheck disable=SC2046 # one PORT=NAME argument per word
"$PY" -u -c '
import sys, time
ports = dict(a.split("=") for a in sys.argv[1:])
for raw in sys.stdin.buffer:
    f = raw.strip(b"\0\n").decode(errors="replace").split()
    if len(f) != 4 or f[0] != "RS":
        continue
    rs, vs, st = f[1], f[2], f[3]
    ip, port = rs[1:].split("]")[0], rs.rsplit(":", 1)[1]
    tag = "tls" if vs.endswith(":443") else "v%d" % (int(ip.rsplit(".", 1)[1]) - 200)
    print("%s-%s %s %d" % (tag, ports.get(port, port), st, int(time.time() * 1000)), flush=True)
' $(for n in "${!PORT[@]}"; do echo "${PORT[$n]}=$n"; done) <"$T_DIR/fifo" >"$EV" &
T_PIDS+=("$!")
TIMING="connect_timeout $CT
      retry 0
      delay_before_retry 1
      warmup 0"
rs() { # NAME KIND(HTTP_GET|SSL_GET) TAG(unused: the FIFO names it) ADDR [digest]
	cat <<EOF
  real_server $4 ${PORT[$1]} {
    $2 {
      url {
        path /
        ${5:+digest $5}
      }
      $TIMING
    }
  }
EOF
}
vrrp() { # PRIO
	cat <<EOF
vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id 51
    priority $1
    version 3
    advert_int 0.$((ADV_MS / 100))
    virtual_ipaddress {
        192.0.2.100/24
    }
}
EOF
}
{
	echo "global_defs {"
	echo "  lvs_notify_fifo $T_DIR/fifo"
	echo "}"
	vrrp 200
	for ((v = 1; v <= NV; v++)); do
		echo "virtual_server 203.0.113.$v 80 {"
		echo "  delay_loop 1"
		echo "  lb_algo rr"
		echo "  protocol TCP"
		for n in "${NAMES[@]}"; do
			case $n in
			chunked) rs "$n" HTTP_GET "v$v" "192.0.2.$((RS_BASE + v))" "$MD5_CHUNKED" ;;
			good) rs "$n" HTTP_GET "v$v" "192.0.2.$((RS_BASE + v))" "$MD5_HELLO" ;;
			*) rs "$n" HTTP_GET "v$v" "192.0.2.$((RS_BASE + v))" ;;
			esac
		done
		echo "}"
	done
	echo "virtual_server 203.0.113.100 443 {"
	echo "  delay_loop 1"
	echo "  lb_algo rr"
	echo "  protocol TCP"
	rs noclose SSL_GET tls 192.0.2.$RS_BASE "$MD5_HELLO"
	for n in rsa1024 sha1 tls10; do rs "$n" SSL_GET tls 192.0.2.$RS_BASE; done
	echo "}"
} >"$T_DIR/h1.conf"
vrrp 100 >"$T_DIR/h2.conf"

# --- run: h2 becomes MASTER alone, then h1 (higher priority) takes over
# while its checker child starts ~100 hostile checks.
ka_start 2 "$T_DIR/h2.conf" || not_ok "h2 starts"
check "h2 becomes master alone" wait_until 10 has_addr 2 192.0.2.100
cap_start vrrp "ip proto 112"
T0=$(now_ms)
ka_start 1 "$T_DIR/h1.conf" || not_ok "h1 starts"
check "h1 takes over as master" wait_until 10 has_addr 1 192.0.2.100
check "h2 gives up the address" wait_until 5 no_addr 2 192.0.2.100

# last_ev TAG-NAME STATE -> first timestamp (empty if none)
first_ev() { awk -v t="$1" -v s="$2" '$1 == t && $2 == s { print $3; exit }' "$EV"; }
n_ev() { awk -v s="$1" -v t="$2" '$2 == s && $1 ~ t' "$EV" | wc -l; }
# every expected DOWN seen for all virtual servers
n_down_want=0
for n in "${!WANT[@]}"; do
	[[ ${WANT[$n]} == DOWN ]] || continue
	case $n in rsa1024 | sha1 | tls10) n_down_want=$((n_down_want + 1)) ;; *) n_down_want=$((n_down_want + NV)) ;; esac
done
all_down() { [[ $(n_ev DOWN .) -ge $n_down_want ]]; }
# Bounded by the clock, not by a count of polls: the host is loaded.
wait_for() { # SECS command...
	local end=$(($(now_ms) + $1 * 1000))
	shift
	until "$@"; do
		[[ $(now_ms) -lt $end ]] || return 1
		sleep 0.2
	done
}
check "all $n_down_want hostile real servers reported DOWN" wait_for 20 all_down
# Two more rounds with everything failing: verdicts keep coming, nothing
# piles up, and the slowloris attempts run into their deadline again.
until_ms=$(($(now_ms) + 2 * (1000 + CT * 1000)))
past() { [[ $(now_ms) -ge $until_ms ]]; }
wait_for 15 past
T1=$(now_ms)
cap_stop vrrp

# --- verdicts
for n in "${!WANT[@]}"; do
	case $n in rsa1024 | sha1 | tls10 | noclose) tags=(tls) ;; *) read -r -a tags <<<"$(seq -s ' ' -f 'v%g' 1 "$NV")" ;; esac
	bad=0
	for t in "${tags[@]}"; do
		d=$(first_ev "$t-$n" DOWN)
		if [[ ${WANT[$n]} == DOWN && -z $d ]] || [[ ${WANT[$n]} == UP && -n $d ]]; then
			bad=$((bad + 1))
		fi
	done
	check "$n: ${WANT[$n]} on all ${#tags[@]} real server(s) ($bad wrong)" test $bad -eq 0
done
# Each hostile verdict names its cause (first log line for the port).
reason() { grep -m1 "on 192.0.2.20[0-9]:$1 failed" "$T_DIR/h1.log" | sed -E 's/.* on [0-9.]+:[0-9]+ failed: //'; }
declare -A WHY=([garbage]='status' [s000]='status' [s999]='status 999' [s20]='status'
	[bighdr]='header' [clneg]='Content-Length' [clhuge]='Content-Length'
	[slowloris]='timeout' [silence]='timeout' [tls10]='handshake')
for n in "${!WHY[@]}"; do
	r=$(reason "${PORT[$n]}")
	check "$n: the log names the cause ($r)" grep -qi -- "${WHY[$n]}" <<<"$r"
done
check "tls10: the reason names the protocol/security level" \
	grep -qiE 'protocol|security level' <<<"$(reason "${PORT[tls10]}")"
# Only the two slow ones may time out; the others are refused on the bytes.
for n in garbage s000 s999 s20 bighdr clneg clhuge; do
	check "$n: refused without waiting for the timeout" \
		bash -c "! grep -q ':${PORT[$n]} failed: timeout' '$T_DIR/h1.log'"
done

# --- timeouts: from the server's first accept to the first DOWN
for n in slowloris silence; do
	a=$(awk -v p="${PORT[$n]}" '$1 == "accept" && $2 == p { print $3; exit }' "$T_DIR/http.out")
	d=$(awk -v t="-$n\$" '$2 == "DOWN" && $1 ~ t { print $3 }' "$EV" | sort -n | head -1)
	if [[ -n $a && -n $d ]]; then
		dt=$((d - a))
		check "$n: DOWN ${dt} ms after the accept (connect_timeout ${CT}000 ms, -100/+1500)" \
			test "$dt" -ge $((CT * 1000 - 100)) -a "$dt" -le $((CT * 1000 + 1500))
	else
		not_ok "$n: no accept ($a) or no DOWN ($d)"
	fi
done
# Every slowloris attempt is cut at the deadline: the server never got to
# send its whole 40-byte response (1 byte/s) to anybody.
check "slowloris: attempts keep timing out" \
	test "$(grep -c ":${PORT[slowloris]} failed: timeout" "$T_DIR/h1.log")" -ge "$NV"

# --- VRRP timing on the wire while all this ran
tcpdump -tt -n -r "$T_DIR/vrrp.pcap" 2>/dev/null >"$T_DIR/vrrp.tt"
gaps() { # SRC -> max gap (ms) and count, from the first advert of SRC after T0
	awk -v s="$1" -v t0="$T0" '$3 == s && $1 * 1000 >= t0 {
		t = $1 * 1000; if (n && t - last > max) max = t - last; last = t; n++ }
		END { printf "%d %d\n", max, n }' "$T_DIR/vrrp.tt"
}
read -r max n <<<"$(gaps 192.0.2.11)"
exp=$(((T1 - T0) / ADV_MS))
check "h1 sent $n adverts in $((T1 - T0)) ms (>= 70% of $exp)" test "$n" -ge $((exp * 7 / 10))
check "h1's largest advert gap ${max} ms (bound $((3 * ADV_MS)) ms, 3 x advert_int)" \
	test "$max" -le $((3 * ADV_MS))
h1_first=$(awk '$3 == "192.0.2.11" { printf "%.0f\n", $1 * 1000; exit }' "$T_DIR/vrrp.tt")
late_h2=$(awk -v t="${h1_first:-0}" '$3 == "192.0.2.12" && $1 * 1000 > t + 1000' "$T_DIR/vrrp.tt" | wc -l)
check "h2 sent no advert once h1 was master ($late_h2)" test "$late_h2" -eq 0
check "h2 entered MASTER once only (before h1 came)" \
	test "$(grep -c 'Entering MASTER STATE' "$T_DIR/h2.log")" -eq 1

# --- health of the daemon
check "h1's checker child still runs" pid_alive "$(cat "$T_DIR/c1.pid")"
check "h1's checker child was never restarted" bash -c "! grep -q 'Healthcheck child process .* did not answer\|Restarting Healthcheck' '$T_DIR/h1.log'"
check "h1's VRRP child still runs" pid_alive "$(ka_vrrp_pid 1)"
check "no sanitizer report" bash -c "! grep -qE 'ERROR: AddressSanitizer|runtime error:|LeakSanitizer' '$T_DIR/h1.log'"
t_stop=$(now_ms)
ka_stop 1
dt=$(($(now_ms) - t_stop))
check "h1 stops in ${dt} ms with hostile sessions open (bound 5000)" test "$dt" -le 5000
check "no sanitizer report at exit" bash -c "! grep -qE 'ERROR: AddressSanitizer|runtime error:|LeakSanitizer' '$T_DIR/h1.log'"
ka_stop 2
if [[ $T_FAIL -ne 0 ]]; then
	echo "--- events"
	sort -k3 -n "$EV" | head -40
	echo "--- h1 log"
	grep -v 'succeeded' "$T_DIR/h1.log" | tail -60
fi
t_done
