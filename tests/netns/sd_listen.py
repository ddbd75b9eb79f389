#!/usr/bin/python3
"""A stand-in for systemd's notify socket: binds the AF_UNIX datagram
socket argv[1] and appends each message to argv[2] on one line, newlines
turned into "|".  Prints "ready" once bound.  Runs until killed."""
import socket
import sys

s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
out = open(sys.argv[2], "a", buffering=1)
print("ready", flush=True)
while True:
    m = s.recv(4096).decode()
    out.write(m.replace("\n", "|") + "\n")
