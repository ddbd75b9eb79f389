#!/usr/bin/env bash
# genhash against local web servers on loopback in a test namespace: the
# printed digest equals md5sum (sha256sum) of the served file, the request
# is the one HTTP_GET sends, and -S works against Python's ssl server (with
# SNI) and against `openssl s_server -WWW`.
source "$(dirname "$0")/../lib.sh"
need_root
KA_BUILD=${KA_BUILD:-$(cd "$(dirname "$0")/../.." && pwd)/build}
GENHASH=$KA_BUILD/genhash
[[ -x $GENHASH ]] || skip_all "no $GENHASH"
[[ -x /usr/bin/python3 ]] || skip_all "no /usr/bin/python3"
t_netns ns gh || skip_all "cannot create a network namespace"

www=$T_DIR/www
mkdir -p "$www"
printf '<HTML><HEAD><TITLE>ok</TITLE></HEAD>\r\n<BODY>genhash test page</BODY></HTML>\r\n' >"$www/page.html"
head -c 5000 /dev/urandom >"$www/blob.bin"
: >"$www/empty.txt"

cat >"$T_DIR/srv.py" <<'PY'
# A web server for the test: logs each request's head, optional TLS with
# the SNI name the client sent written to a file.
import http.server, socket, ssl, sys
addr, port, root, log = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
cert = sys.argv[5] if len(sys.argv) > 5 else None

class H(http.server.SimpleHTTPRequestHandler):
    def __init__(self, *a, **k):
        super().__init__(*a, directory=root, **k)
    def do_GET(self):
        with open(log, "a") as f:
            f.write(self.requestline + "\n" + str(self.headers))
        super().do_GET()
    def log_message(self, *a):
        pass

class S(http.server.HTTPServer):
    address_family = socket.AF_INET6 if ":" in addr else socket.AF_INET

srv = S((addr, port), H)
if cert:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, sys.argv[6])
    def sni(sock, name, c):
        with open(log + ".sni", "w") as f:
            f.write(str(name))
    ctx.sni_callback = sni
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
srv.serve_forever()
PY

listening() { ip netns exec "$ns" ss -Hltn "sport = :$1" | grep -q .; }
serve() { # serve ADDR PORT LOG [CERT KEY]
	local a=$1 p=$2
	shift 2
	ip netns exec "$ns" /usr/bin/python3 "$T_DIR/srv.py" "$a" "$p" "$www" "$@" >"$T_DIR/srv-$p.out" 2>&1 &
	T_PIDS+=($!)
	wait_until 10 listening "$p"
}
gh() { ip netns exec "$ns" timeout 20 "$GENHASH" "$@"; }
digest_of() { sed -n 's/^[A-Z0-9]* Digest : \([0-9a-f]*\)$/\1/p' <<<"$1"; }

# --- plain HTTP, IPv4 -------------------------------------------------------------
check "HTTP server up" serve 127.0.0.1 8080 "$T_DIR/req4.log"
out=$(gh -s 127.0.0.1 -p 8080 -u /page.html)
rc=$?
check "genhash exits 0" test $rc -eq 0
want=$(md5sum <"$www/page.html" | cut -d' ' -f1)
check "MD5 of page.html is md5sum's ($want)" test "$(digest_of "$out")" = "$want"
check "header section printed" grep -q -- '-\[ HTTP Header Buffer \]-' <<<"$out"
check "body section printed" grep -q -- '-\[ HTML Buffer \]-' <<<"$out"
check "digest section printed" grep -q -- '-\[ HTML MD5 final resulting \]-' <<<"$out"
check "status line dumped" grep -q '^0000 48 54 54 50 2f 31 2e 30 - 20 32 30 30 .*HTTP/1.0 200' <<<"$out"
check "body dumped" grep -q '^0000 3c 48 54 4d 4c 3e .*<HTML><HEAD><TIT$' <<<"$out"
check "request line" grep -q '^GET /page.html HTTP/1.0$' "$T_DIR/req4.log"
check "User-Agent" grep -q '^User-Agent: KeepAliveClient' "$T_DIR/req4.log"
check "Host is the address and port" grep -q '^Host: 127.0.0.1:8080' "$T_DIR/req4.log"
check "no Connection: close in 1.0" bash -c "! grep -qi '^Connection:' '$T_DIR/req4.log'"

out=$(gh -s 127.0.0.1 -p 8080 -u /blob.bin)
check "MD5 of a binary file" test "$(digest_of "$out")" = "$(md5sum <"$www/blob.bin" | cut -d' ' -f1)"
out=$(gh -s 127.0.0.1 -p 8080 -u /empty.txt)
check "MD5 of an empty file" test "$(digest_of "$out")" = d41d8cd98f00b204e9800998ecf8427e
out=$(gh --server 127.0.0.1 --port 8080 --url /blob.bin --hash sha256)
check "--hash sha256" test "$(digest_of "$out")" = "$(sha256sum <"$www/blob.bin" | cut -d' ' -f1)"
check "SHA256 section title" grep -q -- '-\[ HTML SHA256 final resulting \]-' <<<"$out"

: >"$T_DIR/req4.log"
out=$(gh -s 127.0.0.1 -p 8080 -u /page.html -V www.example.com -P 1.1 -v)
check "-V -P 1.1: digest" test "$(digest_of "$out")" = "$want"
check "-V sets Host" grep -q '^Host: www.example.com:8080' "$T_DIR/req4.log"
check "-P 1.1 request line" grep -q '^GET /page.html HTTP/1.1$' "$T_DIR/req4.log"
check "-P 1.1 sends Connection: close" grep -qi '^Connection: close' "$T_DIR/req4.log"
check "-v prints the request" grep -q '^User-Agent: KeepAliveClient' <<<"$out"
: >"$T_DIR/req4.log"
gh -s 127.0.0.1 -p 8080 -u /page.html -P 1.0c >/dev/null
check "-P 1.0c: 1.0 with Connection: close" \
	bash -c "grep -q '^GET /page.html HTTP/1.0\$' '$T_DIR/req4.log' && grep -qi '^Connection: close' '$T_DIR/req4.log'"

# --- IPv6 -------------------------------------------------------------------------
if serve ::1 8081 "$T_DIR/req6.log"; then
	out=$(gh -s ::1 -p 8081 -u /page.html)
	check "IPv6: digest" test "$(digest_of "$out")" = "$want"
	check "IPv6: bracketed Host" grep -q '^Host: \[::1\]:8081' "$T_DIR/req6.log"
else
	not_ok "IPv6 server did not start: $(cat "$T_DIR/srv-8081.out")"
fi

# --- failures -----------------------------------------------------------------------
err=$(gh -s 127.0.0.1 -p 8099 -u / 2>&1 >/dev/null)
rc=$?
check "refused: non-zero exit" test $rc -ne 0
check "refused: says so ($err)" grep -q 'connection refused' <<<"$err"
ip netns exec "$ns" /usr/bin/python3 -c '
import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 8098)); s.listen(8); time.sleep(60)' &
T_PIDS+=($!)
wait_until 10 listening 8098
t0=$(now_ms)
err=$(gh -s 127.0.0.1 -p 8098 -u / -t 0.5 2>&1 >/dev/null)
rc=$? dt=$(($(now_ms) - t0))
check "silent server: non-zero exit" test $rc -ne 0
check "silent server: timeout reported ($err)" grep -q 'timeout after 0.5 s' <<<"$err"
check "silent server: gave up in time (${dt} ms)" test $dt -lt 3000
gh -s 127.0.0.1 -p 8080 -H crc32 >/dev/null 2>&1
check "unknown hash refused" test $? -eq 2
gh -p 8080 >/dev/null 2>&1
check "no server refused" test $? -eq 2
check "--help lists the hashes" bash -c "'$GENHASH' --help | grep -q 'md5 (default) sha1 sha256 sha512'"

# --- TLS ----------------------------------------------------------------------------
if openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=ka-test \
	-days 1 -keyout "$T_DIR/key.pem" -out "$T_DIR/cert.pem" >/dev/null 2>&1; then
	check "TLS server up" serve 127.0.0.1 8443 "$T_DIR/reqs.log" "$T_DIR/cert.pem" "$T_DIR/key.pem"
	out=$(gh -S -s 127.0.0.1 -p 8443 -u /page.html)
	check "-S: digest" test "$(digest_of "$out")" = "$want"
	check "-S without -I: no SNI" test "$(cat "$T_DIR/reqs.log.sni" 2>/dev/null)" = None
	out=$(gh --use-ssl --use-sni -V sni.example.com -s 127.0.0.1 -p 8443 -u /blob.bin)
	check "-S -I: digest" test "$(digest_of "$out")" = "$(md5sum <"$www/blob.bin" | cut -d' ' -f1)"
	check "-S -I -V: the server saw SNI sni.example.com" \
		test "$(cat "$T_DIR/reqs.log.sni" 2>/dev/null)" = sni.example.com
	check "-S: Host header omits the default port only at 443" \
		grep -q '^Host: sni.example.com:8443' "$T_DIR/reqs.log"

	# an independent TLS peer: openssl s_server -WWW serves files from its cwd
	(cd "$www" && exec ip netns exec "$ns" openssl s_server -quiet -WWW -accept 8444 \
		-cert "$T_DIR/cert.pem" -key "$T_DIR/key.pem" </dev/null >"$T_DIR/s_server.out" 2>&1) &
	T_PIDS+=($!)
	if wait_until 10 listening 8444; then
		out=$(gh -S -s 127.0.0.1 -p 8444 -u /page.html)
		check "-S against openssl s_server: digest" test "$(digest_of "$out")" = "$want"
	else
		not_ok "openssl s_server did not start"
	fi
	err=$(gh -S -s 127.0.0.1 -p 8080 -u / -t 2 2>&1 >/dev/null)
	check "-S against plain HTTP fails clearly ($err)" grep -q 'TLS handshake failed' <<<"$err"
else
	not_ok "cannot make a test certificate"
fi

t_done
