#!/usr/bin/env bash
# The dump files are what the keepalived exporters parse: our SIGUSR1 data,
# SIGUSR2 stats and SIGRTMIN+2 JSON files go through a parser that follows
# the exporters' rules (exporter_parse.py), side by side with Debian's
# keepalived 2.2.7 running the same configuration, and must give the same
# records.  Also: --signum gives the same numbers as upstream, the JSON is
# valid and carries no password, STATS_CLEAR zeroes the counters, and a
# symlink planted where a dump goes is replaced, never followed.
. "$(dirname "$0")/../lib.sh"
need_root
PY=/usr/bin/python3
UP=/usr/sbin/keepalived
[[ -x $PY ]] || skip_all "no /usr/bin/python3"
[[ -x $UP ]] || skip_all "Debian keepalived not installed (make deps installs it)"
PARSE=$(dirname "$0")/exporter_parse.py

mk_ns() { # VAR NAME
	t_netns "$1" "$2" || return 1
	local ns=${!1}
	ip -n "$ns" link add veth0 type veth peer name veth1
	ip -n "$ns" link set veth1 up
	ip -n "$ns" link set veth0 up
	ip -n "$ns" addr add 192.0.2.1/24 dev veth0
}
mk_ns OURS dours || skip_all "cannot build the namespaces"
mk_ns THEIRS dtheirs || skip_all "cannot build the namespaces"
mkdir -p "$T_DIR/ours" "$T_DIR/theirs"
cat >"$T_DIR/k.conf" <<'EOF2'
global_defs {
    router_id DUMP1
    enable_script_security
    script_user root
}
vrrp_script chk_ok {
    script "/bin/true"
    interval 1
    weight 10
}
vrrp_script chk_bad {
    script "/bin/false"
    interval 1
}
vrrp_instance VI_1 {
    state MASTER
    interface veth0
    virtual_router_id 51
    priority 150
    advert_int 1
    authentication {
        auth_type PASS
        auth_pass secret1
    }
    virtual_ipaddress {
        192.0.2.100/32
        192.0.2.101/24 dev veth0
    }
    track_script {
        chk_ok
    }
}
vrrp_instance VI_2 {
    state BACKUP
    interface veth0
    virtual_router_id 52
    priority 100
    advert_int 1
    virtual_ipaddress {
        198.51.100.7
    }
    track_script {
        chk_bad weight 0
    }
}
EOF2
start() { # NS DIR BIN
	TMPDIR=$T_DIR/$2 ip netns exec "$1" "$3" -n -l -G -f "$T_DIR/k.conf" -p "$T_DIR/$2/k.pid" \
		-r "$T_DIR/$2/v.pid" -c "$T_DIR/$2/c.pid" >"$T_DIR/$2/log" 2>&1 &
	T_PIDS+=("$!")
	echo $!
}
P_OURS=$(start "$OURS" ours "$KA_BIN")
P_THEIRS=$(start "$THEIRS" theirs "$UP")
has_vip() { ip -n "$1" -4 addr show dev veth0 | grep -q "192.0.2.100/32"; }
check "ours: VI_1 is MASTER" wait_until 10 has_vip "$OURS"
check "Debian's: VI_1 is MASTER" wait_until 10 has_vip "$THEIRS"

for n in DATA STATS JSON STATS_CLEAR; do
	check "--signum=$n is upstream's number" \
		test "$("$KA_BIN" --signum=$n)" = "$("$UP" --signum=$n)"
done
SIG_JSON=$("$KA_BIN" --signum=JSON)

dump_all() { # PID DIR
	rm -f "$T_DIR/$2"/keepalived.{data,stats,json}
	kill -USR1 "$1"
	kill -USR2 "$1"
	kill -s "$SIG_JSON" "$1"
	wait_until 5 test -s "$T_DIR/$2/keepalived.data" -a -s "$T_DIR/$2/keepalived.stats" \
		-a -s "$T_DIR/$2/keepalived.json"
}
# Scripts have run at least twice (rise/fall 1) by the time both are MASTER;
# wait for VI_2 to settle in FAULT (its weight-0 script fails) on both.
fault_seen() { grep -q "VI_2.*FAULT" "$T_DIR/$1/log"; }
wait_until 10 fault_seen ours
wait_until 10 fault_seen theirs
check "ours: the three dumps are written" dump_all "$P_OURS" ours
check "Debian's: the three dumps are written" dump_all "$P_THEIRS" theirs

for k in data stats json; do
	check "ours: the $k file parses by the exporters' rules" \
		bash -c "$PY '$PARSE' $k '$T_DIR/ours/keepalived.$k' >'$T_DIR/ours/$k.parsed'"
	$PY "$PARSE" $k "$T_DIR/theirs/keepalived.$k" >"$T_DIR/theirs/$k.parsed" 2>&1 ||
		echo "# Debian's $k file does not parse: $(cat "$T_DIR/theirs/$k.parsed")"
done
same() { # what PYTHON-EXPR over parsed a (ours) and b (Debian's)
	$PY - "$T_DIR/ours/$2.parsed" "$T_DIR/theirs/$2.parsed" "$3" <<'PYX'
import json, sys
a = json.load(open(sys.argv[1])); b = json.load(open(sys.argv[2]))
x, y = eval(sys.argv[3], {"a": a}), eval(sys.argv[3], {"a": b})
if x != y:
    print("# ours:    %r\n# Debian's: %r" % (x, y))
    sys.exit(1)
PYX
}
check "data: the same instances with the same State/Wantstate/Interface/VRID/GARP delay" \
	same x data 'a["instances"]'
check "data: the same scripts and statuses" same x data 'a["scripts"]'
check "stats: the same instances and counter names" \
	same x stats '{i: sorted(r) for i, r in a.items()}'
check "stats: the same became/released master counts" \
	same x stats '{i: (r["Became master"], r["Released master"]) for i, r in a.items()}'
check "json: the same instances, states, priorities and VIPs" \
	same x json '{i: {k: v for k, v in r.items() if k != "stats_keys"} for i, r in a.items() if i != "_secrets"}'
check "json: the same stats names" same x json '{i: r["stats_keys"] for i, r in a.items() if i != "_secrets"}'
check "json: our file carries no password" \
	bash -c "! grep -q secret1 '$T_DIR/ours/keepalived.json' && ! grep -q secret1 '$T_DIR/ours/keepalived.data'"
check "dumps are mode 0600" \
	bash -c "[[ \$(stat -c %a '$T_DIR/ours/keepalived.data' '$T_DIR/ours/keepalived.stats' '$T_DIR/ours/keepalived.json' | sort -u) == 600 ]]"

# STATS_CLEAR: the file shows the counters, then they restart from zero.
sent() { awk '/Advertisements:/{a=1} a && /Sent:/{print $2; exit}' "$1"; }
rm -f "$T_DIR/ours/keepalived.stats"
kill -s "$("$KA_BIN" --signum=STATS_CLEAR)" "$P_OURS"
wait_until 5 test -s "$T_DIR/ours/keepalived.stats"
before=$(sent "$T_DIR/ours/keepalived.stats")
rm -f "$T_DIR/ours/keepalived.stats"
kill -USR2 "$P_OURS"
wait_until 5 test -s "$T_DIR/ours/keepalived.stats"
after=$(sent "$T_DIR/ours/keepalived.stats")
check "STATS_CLEAR: $before adverts sent before, $after right after" \
	test "${before:-0}" -gt 0 -a "${after:-99}" -lt "${before:-0}"

# A symlink planted where a dump goes: replaced by the dump, the target
# untouched.
echo "precious" >"$T_DIR/victim"
rm -f "$T_DIR/ours/keepalived.data"
ln -s "$T_DIR/victim" "$T_DIR/ours/keepalived.data"
kill -USR1 "$P_OURS"
check "a planted symlink is replaced by a regular file" \
	wait_until 5 bash -c "[[ -f '$T_DIR/ours/keepalived.data' && ! -L '$T_DIR/ours/keepalived.data' ]]"
check "the symlink's target is untouched" test "$(cat "$T_DIR/victim")" = precious
check "no temporary file is left behind" \
	bash -c "[[ -z \$(find '$T_DIR/ours' -name 'keepalived.*.*' -o -name '.keepalived*' -o -name '*.tmp*') ]]"
t_done
