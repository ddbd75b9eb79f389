"""Hostile real servers for the fault tests (catalogue cases 25-27).

usage: hostile_servers.py http ADDR BASEPORT
         one listener per behaviour on BASEPORT + index (HTTP_BEHAVIOURS)
       hostile_servers.py tls ADDR PORT KIND CERT KEY
         KIND noclose: HTTP/1.0 200 without Content-Length, then the TCP
         connection is closed without a TLS close_notify; legacy: a
         server that allows anything (SECLEVEL=0), for weak certificates;
         tls10: only TLS 1.0 (SECLEVEL=0)
       hostile_servers.py smtp ADDR BASEPORT
         one listener per behaviour on BASEPORT + index (SMTP_BEHAVIOURS);
         the well-formed dialogues take mail ("mail PORT BYTES"; saved to
         $SMTP_SAVE_DIR/mail-PORT-NNNN.eml when set)
       hostile_servers.py names http|smtp
         the behaviour names, in port order
Every accepted connection prints "accept PORT <ms since epoch>".  Runs
until killed; prints "ready" once every listener is bound.
"""
import socket
import ssl
import sys
import threading
import time

OUT_LOCK = threading.Lock()


def say(*a):
    with OUT_LOCK:
        print(*a, flush=True)


def now_ms():
    return int(time.time() * 1000)


def listen(addr, port):
    s = socket.socket(socket.AF_INET6 if ":" in addr else socket.AF_INET)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port))
    s.listen(256)
    return s


def read_request(c):
    data = b""
    c.settimeout(10)
    while b"\r\n\r\n" not in data and len(data) < 65536:
        d = c.recv(4096)
        if not d:
            break
        data += d
    return data


def hold(c, secs=30):
    """Keep the connection open (never answering) until the peer goes."""
    c.settimeout(secs)
    try:
        while c.recv(4096):
            pass
    except OSError:
        pass


def canned(resp, then_hold=False):
    def h(c):
        read_request(c)
        c.sendall(resp)
        if then_hold:
            hold(c)
    return h


def big_headers(c):
    read_request(c)
    c.sendall(b"HTTP/1.1 200 OK\r\n")
    line = b"X-Pad: " + b"a" * 1000 + b"\r\n"
    for _ in range(70):  # 70 KiB of headers, never a blank line
        c.sendall(line)
    hold(c)


def slowloris(c):
    read_request(c)
    for b in b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok":
        c.sendall(bytes([b]))
        time.sleep(1)


def silence(c):
    hold(c)


CHUNKED_BODY = b"5\r\nhello\r\n0\r\n\r\n"
HTTP_BEHAVIOURS = [
    ("garbage", canned(b"aa aaaHTTP/1.1aa200 OK\r\nContent-Length: 2\r\n\r\nok")),
    ("s000", canned(b"HTTP/1.1 000 Zero\r\nContent-Length: 2\r\n\r\nok")),
    ("s999", canned(b"HTTP/1.1 999 Nine\r\nContent-Length: 2\r\n\r\nok")),
    ("s20", canned(b"HTTP/1.1 20 OK\r\nContent-Length: 2\r\n\r\nok")),
    ("bighdr", big_headers),
    ("clneg", canned(b"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\nok")),
    ("clhuge", canned(b"HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999\r\n\r\nok")),
    ("chunked", canned(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + CHUNKED_BODY)),
    ("slowloris", slowloris),
    ("silence", silence),
    ("good", canned(b"HTTP/1.0 200 OK\r\nContent-Length: 5\r\n\r\nhello")),
]


def smtp_dialog(greet, ehlo, eol=b"\r\n"):
    """A small SMTP server: greet, answer EHLO/HELO with ehlo, take one
    message per DATA (printed as "mail PORT BYTES" and saved when
    SMTP_SAVE_DIR is set), every reply ending with eol."""
    def h(c):
        port = c.getsockname()[1]
        c.settimeout(10)
        c.sendall(greet)
        f = c.makefile("rb")
        for ln in f:
            cmd = ln.strip().upper()
            if cmd.startswith(b"HELO") or cmd.startswith(b"EHLO"):
                c.sendall(ehlo)
            elif cmd.startswith(b"QUIT"):
                c.sendall(b"221 bye" + eol)
                break
            elif cmd == b"DATA":
                c.sendall(b"354 go ahead" + eol)
                msg = b""
                for dl in f:
                    if dl in (b".\r\n", b".\n"):
                        break
                    msg += dl
                save(port, msg)
                c.sendall(b"250 queued" + eol)
            else:
                c.sendall(b"250 ok" + eol)
    return h


MAIL_N = [0]


def save(port, msg):
    import os
    with OUT_LOCK:
        MAIL_N[0] += 1
        n = MAIL_N[0]
    d = os.environ.get("SMTP_SAVE_DIR")
    if d:
        with open(os.path.join(d, "mail-%d-%04d.tmp" % (port, n)), "wb") as fp:
            fp.write(msg)
        os.rename(os.path.join(d, "mail-%d-%04d.tmp" % (port, n)),
                  os.path.join(d, "mail-%d-%04d.eml" % (port, n)))
    say("mail %d %d" % (port, len(msg)))


def smtp_421(c):
    c.sendall(b"421 too busy, go away\r\n")
    hold(c, 10)


def smtp_huge(c):
    # 10 MB of one reply: a multi-line banner that never ends
    line = b"220-" + b"x" * 96 + b"\r\n"
    chunk = line * 1000
    try:
        for _ in range(100):
            c.sendall(chunk)
    except OSError:
        say("huge-cut %d %d" % (c.getsockname()[1], now_ms()))
        return
    hold(c, 10)


SMTP_BEHAVIOURS = [
    ("s421", smtp_421),
    ("silence", silence),
    ("multi", smtp_dialog(b"220-first\r\n220-second\r\n220 ready\r\n",
                          b"250-hello\r\n250-PIPELINING\r\n250 8BITMIME\r\n")),
    ("barelf", smtp_dialog(b"220 bare lf\n", b"250 hello\n", b"\n")),
    ("huge", smtp_huge),
    ("good", smtp_dialog(b"220 ok\r\n", b"250 hello\r\n")),
]


def serve(sock, port, handler):
    while True:
        c, _ = sock.accept()
        say("accept %d %d" % (port, now_ms()))

        def run(c=c):
            try:
                handler(c)
            except (OSError, ssl.SSLError):
                pass
            finally:
                try:
                    c.close()
                except OSError:
                    pass
        threading.Thread(target=run, daemon=True).start()


def serve_set(addr, base, behaviours):
    socks = [(listen(addr, base + i), base + i, h) for i, (_, h) in enumerate(behaviours)]
    for s, p, h in socks:
        threading.Thread(target=serve, args=(s, p, h), daemon=True).start()
    say("ready")
    while True:
        time.sleep(3600)


def tls_server(addr, port, kind, cert, key):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    if kind in ("legacy", "tls10"):
        ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
    if kind == "tls10":
        ctx.minimum_version = ssl.TLSVersion.TLSv1
        ctx.maximum_version = ssl.TLSVersion.TLSv1
    ctx.load_cert_chain(cert, key)
    s = listen(addr, port)

    def h(c):
        t = ctx.wrap_socket(c, server_side=True)
        t.settimeout(10)
        data = b""
        while b"\r\n\r\n" not in data:
            d = t.recv(4096)
            if not d:
                return
            data += d
        t.sendall(b"HTTP/1.0 200 OK\r\n\r\nhello")
        if kind == "noclose":
            # Drop the TLS layer without close_notify, then FIN.
            raw = socket.socket(fileno=t.detach())
            raw.shutdown(socket.SHUT_WR)
            hold(raw, 10)
            raw.close()
    say("ready")
    serve(s, port, h)


def main():
    kind = sys.argv[1] if len(sys.argv) > 1 else ""
    if kind == "http" and len(sys.argv) == 4:
        serve_set(sys.argv[2], int(sys.argv[3]), HTTP_BEHAVIOURS)
    elif kind == "smtp" and len(sys.argv) == 4:
        serve_set(sys.argv[2], int(sys.argv[3]), SMTP_BEHAVIOURS)
    elif kind == "tls" and len(sys.argv) == 7:
        tls_server(sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5], sys.argv[6])
    elif kind == "names":
        which = HTTP_BEHAVIOURS if sys.argv[2] == "http" else SMTP_BEHAVIOURS
        print(" ".join(n for n, _ in which))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
