#!/usr/bin/python3
"""Parse keepalived dump files the way the keepalived exporters do.

The rules are the exporters' documented ones (reference §2.8): the data file
is cut into "------< Section >------" blocks; in "VRRP Topology" a record
starts at "VRRP Instance = NAME" and takes State, Wantstate, Interface,
Virtual Router ID, Gratuitous ARP delay and the "Virtual IP (N):" list (the
first word of each of the N lines); in "VRRP Scripts" a record starts at
"VRRP Script = NAME" and takes Status.  The stats file has "VRRP Instance:
NAME" records with the sections Advertisements, Packet Errors,
Authentication Errors and Priority Zero ("Key: integer" lines below them)
and the "Became master" / "Released master" lines.  The JSON file is an
array of {"data": {...}, "stats": {...}}.

Usage: exporter_parse.py data|stats|json FILE  -> prints normalised JSON;
exits 1 with a message when the file breaks a rule an exporter relies on.
"""
import json
import re
import sys

DATA_KEYS = ["State", "Wantstate", "Interface", "Virtual Router ID", "Gratuitous ARP delay"]
STATS_KEYS = {
    "Advertisements": ["Received", "Sent"],
    "Packet Errors": ["Length", "TTL", "Invalid Type", "Advertisement Interval", "Address List"],
    "Authentication Errors": ["Invalid Type", "Type Mismatch", "Failure"],
    "Priority Zero": ["Received", "Sent"],
}
STATES = {"INIT", "BACKUP", "MASTER", "FAULT", "STOP"}
JSON_DATA = {"iname": str, "ifp_ifname": str, "vrid": int, "state": int, "wantstate": int,
             "base_priority": int, "effective_priority": int, "vips": list,
             "last_transition": (int, float)}
JSON_STATS = ["advert_rcvd", "advert_sent", "become_master", "release_master",
              "packet_len_err", "advert_interval_err", "ip_ttl_err", "invalid_type_rcvd",
              "addr_list_err", "invalid_authtype", "authtype_mismatch", "auth_failure",
              "pri_zero_rcvd", "pri_zero_sent"]


def fail(msg):
    print("exporter_parse: " + msg, file=sys.stderr)
    sys.exit(1)


def parse_data(text):
    section, inst, script, out = None, None, None, {"instances": {}, "scripts": {}}
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        l = lines[i]
        i += 1
        m = re.match(r"^------< (.*) >------$", l)
        if m:
            section, inst, script = m.group(1), None, None
            continue
        if section == "VRRP Topology":
            m = re.match(r"^ VRRP Instance = (.+)$", l)
            if m:
                inst = out["instances"].setdefault(m.group(1), {"vips": []})
                continue
            if inst is None:
                continue
            m = re.match(r"^   ([A-Za-z ]+) = (.*)$", l)
            if m and m.group(1) in DATA_KEYS:
                inst[m.group(1)] = m.group(2)
                continue
            m = re.match(r"^   Virtual IP \((\d+)\):$", l)
            if m:
                for _ in range(int(m.group(1))):
                    if i >= len(lines) or not lines[i].startswith("     "):
                        fail("Virtual IP (%s): fewer address lines than announced" % m.group(1))
                    inst["vips"].append(lines[i].split()[0])
                    i += 1
        elif section == "VRRP Scripts":
            m = re.match(r"^ VRRP Script = (.+)$", l)
            if m:
                script = out["scripts"].setdefault(m.group(1), {})
                continue
            m = re.match(r"^   Status = (.*)$", l)
            if m and script is not None:
                script["Status"] = m.group(1)
    if not out["instances"]:
        fail("no VRRP Instance in the VRRP Topology section")
    for name, r in out["instances"].items():
        for k in DATA_KEYS:
            if k not in r:
                fail("instance %s: no '%s = ' line" % (name, k))
        if r["State"] not in STATES or r["Wantstate"] not in STATES:
            fail("instance %s: unknown state %s/%s" % (name, r["State"], r["Wantstate"]))
        for k in ("Virtual Router ID", "Gratuitous ARP delay"):
            if not r[k].isdigit():
                fail("instance %s: %s is not an integer: %r" % (name, k, r[k]))
    for name, r in out["scripts"].items():
        if r.get("Status") not in ("GOOD", "BAD"):
            fail("script %s: Status is %r" % (name, r.get("Status")))
    return out


def parse_stats(text):
    out, inst, sect = {}, None, None
    for l in text.split("\n"):
        m = re.match(r"^VRRP Instance: (.+)$", l)
        if m:
            inst, sect = out.setdefault(m.group(1), {}), None
            continue
        if inst is None or not l.strip():
            continue
        m = re.match(r"^  (Became master|Released master): (\d+)$", l)
        if m:
            inst[m.group(1)] = int(m.group(2))
            continue
        m = re.match(r"^  ([A-Za-z ]+):$", l)
        if m:
            sect = m.group(1)
            continue
        m = re.match(r"^    ([A-Za-z ]+): (\d+)$", l)
        if m and sect:
            inst[sect + "/" + m.group(1)] = int(m.group(2))
            continue
        fail("unexpected stats line %r" % l)
    if not out:
        fail("no 'VRRP Instance:' record")
    for name, r in out.items():
        want = ["Became master", "Released master"] + \
            [s + "/" + k for s, ks in STATS_KEYS.items() for k in ks]
        for k in want:
            if k not in r:
                fail("instance %s: no %s counter" % (name, k))
    return out


def parse_json(text):
    try:
        doc = json.loads(text)
    except ValueError as e:
        fail("invalid JSON: %s" % e)
    if not isinstance(doc, list) or not doc:
        fail("the JSON is not a non-empty array")
    out = {}
    for e in doc:
        d, s = e.get("data"), e.get("stats")
        if not isinstance(d, dict) or not isinstance(s, dict):
            fail("an element lacks data/stats objects")
        for k, t in JSON_DATA.items():
            if not isinstance(d.get(k), t) or isinstance(d.get(k), bool):
                fail("data.%s missing or not %s" % (k, t))
        for k in JSON_STATS:
            if not isinstance(s.get(k), int):
                fail("stats.%s missing or not an integer" % k)
        if "auth_data" in d and d["auth_data"] not in ("", None) and \
                not set(str(d["auth_data"])) <= {"*"}:
            out.setdefault("_secrets", []).append(d["iname"])
        out[d["iname"]] = {"ifp_ifname": d["ifp_ifname"], "vrid": d["vrid"],
                           "state": d["state"], "wantstate": d["wantstate"],
                           "base_priority": d["base_priority"],
                           "effective_priority": d["effective_priority"],
                           "vips": [v.split()[0] for v in d["vips"]],
                           "stats_keys": sorted(s)}
    return out


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("data", "stats", "json"):
        fail("usage: exporter_parse.py data|stats|json FILE")
    with open(sys.argv[2]) as f:
        text = f.read()
    res = {"data": parse_data, "stats": parse_stats, "json": parse_json}[sys.argv[1]](text)
    print(json.dumps(res, sort_keys=True, indent=1))
