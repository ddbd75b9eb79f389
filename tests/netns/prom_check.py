"""A strict reader of the Prometheus text format 0.0.4 for the metrics tests.

usage: prom_check.py FILE                      validate; exit 1 with reasons
       prom_check.py FILE get NAME [L=V ...]   validate, then print the value
                                               of the one series matching
                                               (exit 2 if none or several)
       prom_check.py FILE count NAME           validate, print the number of
                                               series of the family

Validation: every sample belongs to a family declared by # TYPE (gauge or
counter) before it; # HELP and # TYPE at most once per family; a family's
lines are contiguous; names and label names are valid; label values use
only the \\\\, \\" and \\n escapes; no series appears twice; values are
floats (NaN, +Inf, -Inf allowed); the text ends with a newline.
"""
import re
import sys

NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*$")
LABEL = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*$")


def parse_labels(s, errs, ln):
    """s is the text after '{'; returns (labels, rest after '}')."""
    labels = []
    i = 0
    while True:
        if i < len(s) and s[i] == "}":
            return labels, s[i + 1:]
        m = re.match(r"([a-zA-Z_][a-zA-Z0-9_]*)=\"", s[i:])
        if not m:
            errs.append(f"line {ln}: bad label syntax at {s[i:i + 20]!r}")
            return None, ""
        name = m.group(1)
        i += m.end()
        val = []
        while True:
            if i >= len(s):
                errs.append(f"line {ln}: unterminated label value")
                return None, ""
            c = s[i]
            if c == "\\":
                if i + 1 >= len(s) or s[i + 1] not in '\\"n':
                    errs.append(f"line {ln}: bad escape in label value")
                    return None, ""
                val.append({"\\": "\\", '"': '"', "n": "\n"}[s[i + 1]])
                i += 2
                continue
            if c == '"':
                i += 1
                break
            if c == "\n":
                errs.append(f"line {ln}: raw newline in label value")
            val.append(c)
            i += 1
        if name in [n for n, _ in labels]:
            errs.append(f"line {ln}: label {name} twice")
        labels.append((name, "".join(val)))
        if i < len(s) and s[i] == ",":
            i += 1
        elif i < len(s) and s[i] == "}":
            continue
        else:
            errs.append(f"line {ln}: expected , or }} after a label")
            return None, ""


def parse(text):
    errs = []
    types, helps, done, series = {}, set(), set(), {}
    samples = []
    current = None
    if text and not text.endswith("\n"):
        errs.append("no newline at the end")
    for ln, line in enumerate(text.split("\n")[:-1] if text else [], 1):
        if not line:
            continue
        if line.startswith("#"):
            parts = line.split(" ", 3)
            if len(parts) >= 3 and parts[1] in ("HELP", "TYPE"):
                fam = parts[2]
                if not NAME.match(fam):
                    errs.append(f"line {ln}: bad family name {fam!r}")
                if fam in done:
                    errs.append(f"line {ln}: family {fam} interleaved")
                if current != fam:
                    if current:
                        done.add(current)
                    current = fam
                if parts[1] == "TYPE":
                    if fam in types:
                        errs.append(f"line {ln}: second TYPE for {fam}")
                    if fam in series:
                        errs.append(f"line {ln}: TYPE after samples of {fam}")
                    t = parts[3] if len(parts) > 3 else ""
                    if t not in ("gauge", "counter"):
                        errs.append(f"line {ln}: type {t!r}")
                    types[fam] = t
                else:
                    if fam in helps:
                        errs.append(f"line {ln}: second HELP for {fam}")
                    helps.add(fam)
            continue
        m = re.match(r"([a-zA-Z_:][a-zA-Z0-9_:]*)(.*)$", line)
        if not m:
            errs.append(f"line {ln}: bad sample {line!r}")
            continue
        name, rest = m.group(1), m.group(2)
        labels = []
        if rest.startswith("{"):
            labels, rest = parse_labels(rest[1:], errs, ln)
            if labels is None:
                continue
        fields = rest.split(" ")
        if len(fields) not in (2, 3) or fields[0] != "":
            errs.append(f"line {ln}: bad value part {rest!r}")
            continue
        try:
            value = float(fields[1]) if fields[1] not in ("NaN", "+Inf", "-Inf") else float(fields[1].replace("+", ""))
        except ValueError:
            errs.append(f"line {ln}: bad value {fields[1]!r}")
            continue
        if name not in types:
            errs.append(f"line {ln}: sample of undeclared family {name}")
        if name != current:
            errs.append(f"line {ln}: sample of {name} outside its family block")
        key = (name, tuple(sorted(labels)))
        if key in series:
            errs.append(f"line {ln}: duplicate series {line!r}")
        series[key] = value
        samples.append((name, dict(labels), value))
    return errs, samples


def main():
    text = open(sys.argv[1], encoding="utf-8").read()
    errs, samples = parse(text)
    if errs:
        for e in errs[:20]:
            print("prom_check:", e, file=sys.stderr)
        return 1
    if len(sys.argv) > 3 and sys.argv[2] in ("get", "count"):
        name = sys.argv[3]
        want = dict(a.split("=", 1) for a in sys.argv[4:])
        hits = [v for n, l, v in samples
                if n == name and all(l.get(k) == v2 for k, v2 in want.items())]
        if sys.argv[2] == "count":
            print(len(hits))
            return 0
        if len(hits) != 1:
            print(f"prom_check: {len(hits)} series match {name} {want}", file=sys.stderr)
            return 2
        v = hits[0]
        print(int(v) if v == int(v) else v)
    return 0


if __name__ == "__main__":
    sys.exit(main())
