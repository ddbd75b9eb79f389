#!/usr/bin/env bash
# Faults in a configuration: exactly one message per fault, each with the
# right file and line, and --config-test exit codes.
source "$(dirname "$0")/../lib.sh"
need_root
t_netns ns errs || skip_all "cannot create a network namespace"
ip -n "$ns" link add eth0 type veth peer name eth1
ip -n "$ns" link set eth0 up
run_t() { ip netns exec "$ns" "$KA_BIN" -t "$@"; }

# 1. An unknown keyword, a bad address and an extra brace.
c=$T_DIR/three.conf
cat >"$c" <<'CONF'
global_defs {
    router_id test1
    bogus_keyword 42
}
vrrp_instance VI_1 {
    interface eth0
    virtual_router_id 51
    virtual_ipaddress {
        192.0.2.300
        192.0.2.30
    }
}
}
CONF
run_t -f "$c" >"$T_DIR/three.out" 2>&1
rc=$?
msgs=$(grep -c '^(' "$T_DIR/three.out")
check "three faults: -t exits non-zero (got $rc)" test "$rc" -ne 0
check "three faults: exactly 3 located messages (got $msgs)" test "$msgs" -eq 3
check "unknown keyword at line 3" grep -q -F "($c: Line 3) Unknown keyword 'bogus_keyword'" "$T_DIR/three.out"
check "bad address at line 9" grep -q -E "^\($c: Line 9\) .*192\.0\.2\.300" "$T_DIR/three.out"
check "extra brace at line 13" grep -q -F "($c: Line 13) Extra '}' found" "$T_DIR/three.out"
[[ $msgs -eq 3 ]] || sed 's/^/    /' "$T_DIR/three.out"

# 2. The same faults in an included file carry its name and lines.
mkdir -p "$T_DIR/inc"
cat >"$T_DIR/inc/part.conf" <<'CONF'
vrrp_instance VI_2 {
    interface eth0
    virtual_router_id 52
    unknown_thing yes
    virtual_ipaddress {
        198.51.100.1/24
        2001:db8::zz
    }
}
CONF
cat >"$T_DIR/main.conf" <<'CONF'
! main file
global_defs {
    router_id test2
}
include inc/*.conf
CONF
run_t -f "$T_DIR/main.conf" >"$T_DIR/inc.out" 2>&1
rc=$?
check "include: exit 5 (got $rc)" test "$rc" -eq 5
check "include: unknown keyword located in part.conf line 4" \
	grep -q -F "($T_DIR/inc/part.conf: Line 4) Unknown keyword 'unknown_thing'" "$T_DIR/inc.out"
check "include: bad IPv6 located in part.conf line 7" \
	grep -q -E "^\($T_DIR/inc/part.conf: Line 7\) .*2001:db8::zz" "$T_DIR/inc.out"
check "include: exactly 2 located messages" test "$(grep -c '^(' "$T_DIR/inc.out")" -eq 2

# 3. Unbalanced: a block never closed is one message at its opening line.
printf 'global_defs {\n    router_id x\n}\nvrrp_instance VI_3 {\n    interface eth0\n    virtual_router_id 9\n    virtual_ipaddress {\n        192.0.2.9\n}\n' >"$T_DIR/open.conf"
run_t -f "$T_DIR/open.conf" >"$T_DIR/open.out" 2>&1
rc=$?
check "unclosed block: exit 5 (got $rc)" test "$rc" -eq 5
check "unclosed block: one message at line 4" \
	test "$(grep -c '^(' "$T_DIR/open.out")" -eq 1 -a -n "$(grep -F "($T_DIR/open.conf: Line 4)" "$T_DIR/open.out")"

# 4. Out of range values are reported with the range.
printf 'vrrp_instance V {\n    interface eth0\n    virtual_router_id 256\n    priority 0\n    virtual_ipaddress {\n        192.0.2.1\n    }\n}\n' >"$T_DIR/range.conf"
run_t -f "$T_DIR/range.conf" >"$T_DIR/range.out" 2>&1
check "vrid 256 reported with the range" grep -q -F "($T_DIR/range.conf: Line 3)" "$T_DIR/range.out"
check "range message shows [1, 255]" grep -q -F "[1, 255]" "$T_DIR/range.out"

# 5. Exit codes: clean 0, missing file with -e 4, insecure script 6.
printf 'vrrp_instance V {\n    interface eth0\n    virtual_router_id 7\n    virtual_ipaddress {\n        192.0.2.7\n    }\n}\n' >"$T_DIR/ok.conf"
run_t -f "$T_DIR/ok.conf" >/dev/null 2>&1
check "clean config: exit 0" test $? -eq 0
run_t -e -f "$T_DIR/does-not-exist.conf" >/dev/null 2>&1
check "missing config with -e: exit 4" test $? -eq 4
mkdir -p "$T_DIR/ww" && chmod 0777 "$T_DIR/ww"
printf '#!/bin/sh\nexit 0\n' >"$T_DIR/ww/notify.sh" && chmod 0755 "$T_DIR/ww/notify.sh"
sed "s|virtual_router_id 7|virtual_router_id 7\n    notify_master $T_DIR/ww/notify.sh|" "$T_DIR/ok.conf" >"$T_DIR/insecure.conf"
run_t -f "$T_DIR/insecure.conf" >"$T_DIR/insecure.out" 2>&1
rc=$?
check "insecure script without script security: exit 6 (got $rc)" test "$rc" -eq 6
check "insecure script: SECURITY VIOLATION logged" grep -q "SECURITY VIOLATION" "$T_DIR/insecure.out"
t_done
