#!/usr/bin/env bash
# Every seed configuration passes --config-test (exit 0), in a namespace
# where the interfaces they name (eth0, eth1) exist.  Keywords the seeds use
# but newer keepalived dropped are accepted with a warning naming file:line.
source "$(dirname "$0")/../lib.sh"
need_root
t_netns ns seeds || skip_all "cannot create a network namespace"
ip -n "$ns" link add eth0 type veth peer name eth1
ip -n "$ns" link set eth0 up
ip -n "$ns" link set eth1 up

dir=$KA_TEST_DATA/conf/seed-configs
n=0
for f in "$dir"/*.conf; do
	n=$((n + 1))
	out=$T_DIR/$(basename "$f").out
	ip netns exec "$ns" "$KA_BIN" -t -f "$f" >"$out" 2>&1
	rc=$?
	check "$(basename "$f"): -t exits 0 (got $rc)" test "$rc" -eq 0
	[[ $rc -eq 0 ]] || sed 's/^/    /' "$out"
done
check "found the 9 seed configurations" test "$n" -eq 9

# Deprecated keywords: one warning each, with the right file and line.
expect_warning() { # file keyword
	local f=$dir/$1 kw=$2 line
	line=$(grep -n -E "^[[:space:]]*$kw([[:space:]]|$)" "$f" | head -1 | cut -d: -f1)
	local hits
	hits=$(grep -F "($f: Line $line)" "$T_DIR/$1.out")
	[[ -n $hits && ${hits,,} == *"${kw,,}"* ]]
}
check "lvs_id warned with file and line" expect_warning seed001-healthcheck.conf lvs_id
check "nat_mask warned with file and line" expect_warning seed002-dr-lb01.conf nat_mask
check "persistence_timeout 0 warned with file and line" expect_warning seed002-dr-lb01.conf "persistence_timeout 0"
check "nb_get_retry warned with file and line" expect_warning seed002-dr-lb01.conf nb_get_retry

# Without the interfaces the same file is an error of the "file" class (4).
t_netns ns2 noif
ip netns exec "$ns2" "$KA_BIN" -t -f "$dir/seed003-master.conf" >"$T_DIR/noif.out" 2>&1
rc=$?
check "missing interface gives exit 4 (got $rc)" test "$rc" -eq 4
check "missing interface is named with file and line" \
	grep -q -E "seed003-master.conf: Line [0-9]+\).*eth0" "$T_DIR/noif.out"
t_done
