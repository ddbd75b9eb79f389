"""SMTP stand-ins for the alert tests.

usage: smtp_sink.py sink ADDR PORT DIR
         an SMTP server (aiosmtpd): every message is written to
         DIR/msg-PORT-NNNN.eml as received (CRLF, dot-unstuffed) and its envelope
         to DIR/msg-PORT-NNNN.env ("helo NAME", "from ADDR", "rcpt ADDR" lines);
         the .eml appears last, complete (rename).
       smtp_sink.py stall ADDR PORT
         accepts connections and never says a word; prints
         "accepted <ms since epoch>" for each.
Runs until killed.  Prints "ready" on stdout once listening.
"""
import os
import socket
import sys
import threading
import time


def sink(addr, port, out):
    from aiosmtpd.controller import Controller

    class Handler:
        def __init__(self):
            self.n = 0
            self.lock = threading.Lock()

        async def handle_DATA(self, server, session, envelope):
            with self.lock:
                self.n += 1
                n = self.n
            base = os.path.join(out, "msg-%d-%04d" % (port, n))
            with open(base + ".env", "w") as f:
                f.write("helo %s\n" % session.host_name)
                f.write("from %s\n" % envelope.mail_from)
                for r in envelope.rcpt_tos:
                    f.write("rcpt %s\n" % r)
            with open(base + ".tmp", "wb") as f:
                f.write(envelope.original_content)
            os.rename(base + ".tmp", base + ".eml")
            return "250 Message accepted"

    ctl = Controller(Handler(), hostname=addr, port=port)
    ctl.start()
    print("ready", flush=True)
    while True:
        time.sleep(3600)


def stall(addr, port):
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port))
    s.listen(16)
    print("ready", flush=True)
    held = []
    while True:
        c, _ = s.accept()
        held.append(c)  # kept open, never answered
        print("accepted %d" % int(time.time() * 1000), flush=True)


def main():
    if len(sys.argv) >= 5 and sys.argv[1] == "sink":
        sink(sys.argv[2], int(sys.argv[3]), sys.argv[4])
    elif len(sys.argv) >= 4 and sys.argv[1] == "stall":
        stall(sys.argv[2], int(sys.argv[3]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
