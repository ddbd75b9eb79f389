"""Real-server stand-ins for the checker tests: one protocol per process.

usage: rs_servers.py KIND ADDR PORT [ARG]
  http  ADDR PORT BODY        HTTP/1.0 200 with BODY
  https ADDR PORT BODY        the same over TLS (self-signed, made at start)
  smtp  ADDR PORT             220 banner, 250 to HELO, 221 to QUIT
  udp   ADDR PORT             echoes every datagram
  dns   ADDR PORT             answers every query with rcode 0 (no records)
  tcp   ADDR PORT             accepts and closes
Runs until killed.  Prints "ready" on stdout once listening.
"""
import os
import socket
import ssl
import subprocess
import sys
import tempfile
import threading


def listen(addr, port, kind=socket.SOCK_STREAM):
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    s = socket.socket(fam, kind)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port))
    if kind == socket.SOCK_STREAM:
        s.listen(128)
    return s


def ready():
    print("ready", flush=True)


def serve_tcp(s, handler):
    ready()
    while True:
        c, _ = s.accept()
        threading.Thread(target=handler, args=(c,), daemon=True).start()


def http_handler(body):
    def h(c):
        try:
            c.settimeout(5)
            data = b""
            while b"\r\n\r\n" not in data and len(data) < 65536:
                d = c.recv(4096)
                if not d:
                    break
                data += d
            c.sendall(b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n"
                      b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
        except OSError:
            pass
        finally:
            c.close()
    return h


def smtp_handler(c):
    try:
        c.settimeout(5)
        c.sendall(b"220 sink ESMTP\r\n")
        f = c.makefile("rb")
        for line in f:
            cmd = line.strip().upper()
            if cmd.startswith(b"HELO") or cmd.startswith(b"EHLO"):
                c.sendall(b"250 sink\r\n")
            elif cmd.startswith(b"QUIT"):
                c.sendall(b"221 bye\r\n")
                break
            else:
                c.sendall(b"502 no\r\n")
    except OSError:
        pass
    finally:
        c.close()


def self_signed():
    d = tempfile.mkdtemp()
    key, crt = os.path.join(d, "k.pem"), os.path.join(d, "c.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                    "-keyout", key, "-out", crt, "-days", "1", "-subj", "/CN=rs"],
                   check=True, capture_output=True)
    return crt, key


def main():
    kind, addr, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    arg = sys.argv[4].encode() if len(sys.argv) > 4 else b"ok\n"
    if kind == "http":
        serve_tcp(listen(addr, port), http_handler(arg))
    elif kind == "https":
        crt, key = self_signed()
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(crt, key)
        s = listen(addr, port)
        inner = http_handler(arg)

        def h(c):
            try:
                c.settimeout(5)
                inner(ctx.wrap_socket(c, server_side=True))
            except (OSError, ssl.SSLError):
                c.close()
        serve_tcp(s, h)
    elif kind == "smtp":
        serve_tcp(listen(addr, port), smtp_handler)
    elif kind == "tcp":
        serve_tcp(listen(addr, port), lambda c: c.close())
    elif kind in ("udp", "dns"):
        s = listen(addr, port, socket.SOCK_DGRAM)
        ready()
        while True:
            data, peer = s.recvfrom(65535)
            if kind == "udp":
                s.sendto(data, peer)
            elif len(data) >= 12:
                # header: same id, QR=1, RD copied, RA=1, rcode 0, the question echoed
                flags = 0x8000 | (data[2] << 8 & 0x0100) | 0x0080
                resp = data[:2] + flags.to_bytes(2, "big") + data[4:6] + b"\0\0\0\0\0\0" + data[12:]
                s.sendto(resp, peer)
    else:
        sys.exit("unknown kind " + kind)


if __name__ == "__main__":
    main()
