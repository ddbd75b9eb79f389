#!/usr/bin/env bash
# Fault catalogue cases 1-4 and 22 (tests/fault-catalogue.md):
# configuration torture and script security.  Each input gives
# `--config-test` a defined exit code (4 missing
# file/fatal, 5 config errors, 0 clean), a message that names the file and
# line, no sanitizer report, bounded time and memory, and nothing applied
# to the system.  Cases already in t_config_errors.sh (unknown keyword,
# 192.0.2.300, unclosed block, vrid 256 / priority 0 ranges, -e with a
# missing main file, world-writable script) are not repeated here.
source "$(dirname "$0")/../lib.sh"
need_root
t_netns ns fcfg || skip_all "cannot create a network namespace"
ip -n "$ns" link add eth0 type veth peer name eth1
ip -n "$ns" link set eth0 up
D=$KA_TEST_DATA/data/fault
SAN='AddressSanitizer|LeakSanitizer|runtime error:|Segmentation|Floating point'

# A 2 GB address-space limit bounds memory, unless the binary cannot run
# under one at all (ASan reserves terabytes of shadow).
VLIM=2000000
(ulimit -v $VLIM && "$KA_BIN" --version) >/dev/null 2>&1 || VLIM=unlimited
echo "    address-space limit: $VLIM"
# ct NAME FILE [args...]: `keepalived -t` under the limit and a 30 s
# timeout; output in T_DIR/NAME.out, exit code in RC.
ct() {
	local name=$1 f=$2
	shift 2
	(
		ulimit -v $VLIM 2>/dev/null
		cd /
		timeout 30 ip netns exec "$ns" "$KA_BIN" -t "$@" -f "$f"
	) >"$T_DIR/$name.out" 2>&1
	RC=$?
}
has() { grep -q -E -- "$2" "$T_DIR/$1.out"; }
clean() { ! grep -q -E "$SAN" "$T_DIR/$1.out"; }
# expect NAME FILE CODE REGEX [args]: exit CODE, a message matching REGEX,
# no sanitizer report.
expect() {
	local name=$1 f=$2 code=$3 re=$4
	shift 4
	ct "$name" "$f" "$@"
	check "$name: exit $code (got $RC)" test "$RC" -eq "$code"
	check "$name: message /$re/" has "$name" "$re"
	check "$name: no crash or sanitizer report" clean "$name"
	[[ $RC -eq $code ]] && has "$name" "$re" || sed 's/^/    /' "$T_DIR/$name.out" | head -c 2000
}
inst() { # inst NAME VRID EXTRA VIP
	printf 'vrrp_instance %s {\n    interface eth0\n    virtual_router_id %s\n%s\n    virtual_ipaddress {\n        %s\n    }\n}\n' \
		"$1" "$2" "$3" "$4"
}
addrs_before=$(ip -n "$ns" -o addr show)

# ---- 1. parser torture ---------------------------------------------------
expect bs_eof "$D/backslash_eof.conf" 5 "backslash_eof.conf: Line 8\) Missing '\}' for 'global_defs'"
expect unbalanced "$D/unbalanced.conf" 5 "unbalanced.conf: Line 8\) Extra '\}' found"
check "unbalanced: the never-closed blocks at lines 9 and 12" \
	test "$(grep -c -E "unbalanced.conf: Line (9|12)\) Missing '\}'" "$T_DIR/unbalanced.out")" -eq 2
{
	printf 'global_defs {\n    router_id ab'
	printf '\0'
	printf 'cd\n}\n'
	inst V 7 "" 192.0.2.7
} >"$T_DIR/nul.conf"
expect nul_byte "$T_DIR/nul.conf" 5 "nul.conf: Line 2\) NUL byte"
{
	printf 'global_defs {\n    router_id '
	head -c 1048576 /dev/zero | tr '\0' a
	printf '\n}\n'
	inst V 7 "" 192.0.2.7
} >"$T_DIR/bigline.conf"
expect big_line "$T_DIR/bigline.conf" 5 "bigline.conf: Line 2\) Line longer than"
check "big_line: the lines after it are still parsed (no other error)" \
	test "$(grep -c '^(' "$T_DIR/big_line.out")" -eq 1
expect include_self "$D/include_self.conf" 5 "include_self.conf: Line 2\) Include cycle"
check "include_self: reported once" test "$(grep -c 'Include cycle' "$T_DIR/include_self.out")" -eq 1
expect include_glob_loop "$D/include_loop.conf" 5 "loop/b1.conf: Line 2\) Include cycle .*a1.conf -> .*b1.conf -> .*a1.conf"
# A plain include of a missing file: a located message, not an error (as
# upstream's default include_check); an error with -e or `includem`.
expect include_missing "$D/include_missing.conf" 0 "include_missing.conf: Line 2\) Config files missing"
expect include_missing_e "$D/include_missing.conf" 4 "include_missing.conf: Line 2\) Config files missing" -e
expect includem_missing "$D/include_must_match.conf" 4 "include_must_match.conf: Line 2\) Config files missing"

# ---- 2. out-of-range values ----------------------------------------------
for p in 256 -1 abc; do
	inst V 7 "    priority $p" 192.0.2.7 >"$T_DIR/prio.conf"
	expect "priority_$p" "$T_DIR/prio.conf" 5 "prio.conf: Line 4\) priority: .*'$p'"
done
inst V 0 "" 192.0.2.7 >"$T_DIR/vrid0.conf"
expect vrid_0 "$T_DIR/vrid0.conf" 5 "vrid0.conf: Line 3\) virtual_router_id: number '0' outside range \[1, 255\]"
for a in 0 256; do
	inst V 7 "    version 2
    advert_int $a" 192.0.2.7 >"$T_DIR/adv.conf"
	expect "v2_advert_int_$a" "$T_DIR/adv.conf" 5 "adv.conf: Line 5\) advert_int: time '$a' outside range"
done
# v3: 12-bit centiseconds; more is clamped to 40.95 s with a message (as upstream).
inst V 7 "    version 3
    advert_int 41" 192.0.2.7 >"$T_DIR/adv3.conf"
expect v3_advert_int_41 "$T_DIR/adv3.conf" 0 "adv3.conf: Line 5\) .*more than 40.95 seconds - using 40.95"
{
	printf 'vrrp_script S {\n    script "/bin/true"\n    weight 300\n}\n'
	inst V 7 "    track_script {
        S weight 4294967297
    }" 192.0.2.7
} >"$T_DIR/weight.conf"
expect weight_overflow "$T_DIR/weight.conf" 5 "weight.conf: Line 3\) weight: .*'300'.*\[-253, 253\]"
check "weight_overflow: 2^32+1 in track_script rejected at line 9" \
	has weight_overflow "weight.conf: Line 9\) track_script: weight '4294967297'"
inst V 7 "" "192.0.2.7
        2001:db8::7" >"$T_DIR/family.conf"
expect vip_family "$T_DIR/family.conf" 5 "family.conf: Line 7\) .*2001:db8::7 does not match the instance"
{
	inst A 7 "" 192.0.2.7
	inst B 7 "" 192.0.2.8
} >"$T_DIR/samevrid.conf"
expect same_vrid "$T_DIR/samevrid.conf" 5 "samevrid.conf: Line 11\) A and B both use VRID 7 with IPv4 on interface eth0"
{
	inst A 7 "" 192.0.2.7
	inst B 8 "" 192.0.2.7
} >"$T_DIR/samevip.conf"
expect same_vip "$T_DIR/samevip.conf" 0 "samevip.conf: Line 14\) \(B\) VIP 192.0.2.7 is also in instance A \(.*samevip.conf: Line 6\)"

# ---- 3. empty and edge strings -------------------------------------------
{
	printf 'global_defs {\n    vrrp_ipsets ""\n}\n'
	inst V 7 "" 192.0.2.7
} >"$T_DIR/ipsets.conf"
ct empty_ipsets "$T_DIR/ipsets.conf"
check "vrrp_ipsets \"\": exit 0 (got $RC)" test "$RC" -eq 0
check "vrrp_ipsets \"\": clean" clean empty_ipsets
sed 's/interface eth0/interface ""/' <(inst V 7 "" 192.0.2.7) >"$T_DIR/emptyif.conf"
expect empty_ifname "$T_DIR/emptyif.conf" 5 "emptyif.conf: Line 2\) interface: invalid interface name ''"
sed 's/interface eth0/interface abcdefghijklmnop/' <(inst V 7 "" 192.0.2.7) >"$T_DIR/if16.conf"
expect ifname_16 "$T_DIR/if16.conf" 5 "if16.conf: Line 2\) interface: invalid interface name 'abcdefghijklmnop'"
sed 's/interface eth0/interface abcdefghijklmno/' <(inst V 7 "" 192.0.2.7) >"$T_DIR/if15.conf"
expect ifname_15_absent "$T_DIR/if15.conf" 4 "if15.conf: Line 2\) interface abcdefghijklmno .*doesn't exist"
pass_conf() {
	inst V 7 "    version 2
    authentication {
        auth_type PASS
        auth_pass $1
    }" 192.0.2.7
}
pass_conf 12345678 >"$T_DIR/pass8.conf"
ct pass_8 "$T_DIR/pass8.conf"
check "password of exactly 8: exit 0 (got $RC), no truncation message" \
	test "$RC" -eq 0 -a -z "$(grep -i truncat "$T_DIR/pass_8.out")"
check "password of exactly 8: clean" clean pass_8
pass_conf 123456789 >"$T_DIR/pass9.conf"
expect pass_9 "$T_DIR/pass9.conf" 0 "pass9.conf: Line 7\) auth_pass is longer than 8 characters - truncated"
# Comment semantics: '!' and '#' end the line anywhere outside double
# quotes; quoted or escaped they are literal.  router_id shows in -d.
rid() {
	printf 'global_defs {\n    router_id %s\n}\n' "$2" >"$T_DIR/rid.conf"
	ct "rid_$1" "$T_DIR/rid.conf" -d
}
rid bang 'ab!cd' && check "'!' mid-word starts a comment" has rid_bang '^ +router_id ab$'
rid hash 'ab#cd' && check "'#' mid-word starts a comment" has rid_hash '^ +router_id ab$'
rid quoted '"ab!cd"' && check "'!' inside double quotes is literal" has rid_quoted 'router_id "ab!cd"'
rid escaped 'ab\!cd' && check "'\\!' is literal" has rid_escaped 'router_id "ab!cd"'
pass_conf '"ab!cd#e"' >"$T_DIR/passq.conf"
ct pass_quoted "$T_DIR/passq.conf" -d
check "quoted password with '!' and '#': exit 0, not echoed" \
	test "$RC" -eq 0 -a -z "$(grep -F 'ab!cd' "$T_DIR/pass_quoted.out")"

# ---- 4. macro abuse ------------------------------------------------------
t0=$(now_ms)
expect macro_recursive "$D/macro_recursive.conf" 5 "macro_recursive.conf: Line 4\) definition recursion too deep"
expect macro_seq_zero "$D/macro_seq_zero.conf" 5 "macro_seq_zero.conf: Line 2\) ~SEQ step must not be zero"
expect macro_huge "$D/macro_huge.conf" 5 "macro_huge.conf: Line 10\) Line longer than .* after expanding"
expect macro_seq_nested "$D/macro_seq_nested.conf" 5 "macro_seq_nested.conf: Line 3\) nested ~SEQ/~LST would produce more than"
ct macro_env_unset "$D/macro_env_unset.conf" -d
check "\${_ENV UNSET} expands to nothing (exit $RC)" has macro_env_unset '^ +router_id x$'
el=$(($(now_ms) - t0))
check "macro abuse: bounded (5 runs in ${el} ms < 20000)" test "$el" -lt 20000

# ---- 22. script security ---------------------------------------------------
# Missing, non-executable, world-writable, and symlinked into a
# world-writable directory: with enable_script_security each is disabled
# with a located message (exit 5); without it, an insecure one is a
# SECURITY VIOLATION (exit 6; a world-writable directory is in
# t_config_errors.sh).
S=$T_DIR/sec
mkdir -m 0755 "$S" "$S/ok"
mkdir -m 0777 "$S/wdir"
mk() { printf '#!/bin/sh\necho $$ >>%s.ran\n' "$S/$1" >"$S/$1.sh" && chmod "$2" "$S/$1.sh"; }
mk good 0755
mk noexec 0644
mk ww 0757
mk wdir/t 0755
ln -s "$S/wdir/t.sh" "$S/link.sh"
sec_conf() { # sec_conf SECURE(1|0) SCRIPT...
	local secure=$1 i=0 s
	shift
	[[ $secure == 1 ]] && printf 'global_defs {\n    enable_script_security\n    script_user root\n}\n'
	for s in "$@"; do
		printf 'vrrp_script %s {\n    script "%s"\n    interval 0.2\n}\n' "$s" "$S/$s.sh"
	done
	printf 'vrrp_instance V {\n    interface eth0\n    virtual_router_id 7\n    track_script {\n'
	for s in "$@"; do printf '        %s\n' "$s"; done
	printf '    }\n    virtual_ipaddress {\n        192.0.2.7\n    }\n}\n'
}
sec_conf 1 good >"$T_DIR/sec_good.conf"
ct sec_good "$T_DIR/sec_good.conf"
check "22: secure script with script security: exit 0 (got $RC)" test "$RC" -eq 0
for s in missing noexec ww link; do
	sec_conf 1 "$s" >"$T_DIR/sec_$s.conf"
	case $s in
	missing) re="not found - disabling" ;;
	noexec) re="is not executable - disabling" ;;
	*) re="is writable by a non-root user - disabling" ;;
	esac
	expect "22_secure_$s" "$T_DIR/sec_$s.conf" 5 "sec_$s.conf: Line 6\) script: script '$S/$s.sh' $re"
done
for s in ww link; do
	sec_conf 0 "$s" >"$T_DIR/insec_$s.conf"
	expect "22_insecure_$s" "$T_DIR/insec_$s.conf" 6 "SECURITY VIOLATION"
	check "22_insecure_$s: the script is named at its line" has "22_insecure_$s" "insec_$s.conf: Line 2\) .*$s.sh' is writable by a non-root user"
done
# ---- nothing applied -----------------------------------------------------
check "config tests changed no address in the namespace" \
	test "$(ip -n "$ns" -o addr show)" = "$addrs_before"
check "config tests left no process in the namespace" test -z "$(ip netns pids "$ns")"
# ---- 22 (running): the disabled scripts never run while the good one does.
# (After the config-test checks: bringing eth1 up adds link-local addresses;
# before the fix in src/core/script_check.c, ww.sh and link.sh did run.)
ip -n "$ns" link set eth1 up
ip -n "$ns" addr add 192.0.2.10/24 dev eth0
sec_conf 1 good noexec ww link >"$T_DIR/sec_run.conf"
ip netns exec "$ns" "$KA_BIN" -n -l -D --vrrp -f "$T_DIR/sec_run.conf" -p "$T_DIR/s.pid" \
	-r "$T_DIR/sv.pid" -c "$T_DIR/sc.pid" >"$T_DIR/sec_run.log" 2>&1 &
sp=$!
T_PIDS+=("$sp")
ran3() { [[ $(cat "$S/good.ran" 2>/dev/null | wc -l) -ge 3 ]]; }
check "22: running: the secure script runs (3 times)" wait_until 10 ran3
check "22: running: no disabled script ever ran" \
	test ! -e "$S/noexec.ran" -a ! -e "$S/ww.ran" -a ! -e "$S/wdir/t.ran"
kill -TERM "$sp"
wait_until 10 pid_dead "$sp"
check "22: running: no sanitizer report" bash -c "! grep -q -E '$SAN' '$T_DIR/sec_run.log'"
t_done
