#!/usr/bin/env bash
# The 60-second version of bench/endurance.sh (read it for the set-up and
# the criteria): 255 VRRP instances and 10,000 real servers under TCP
# checks, 100 SIGHUPs in 10 s, a peer flooding 100k random adverts/s, the
# checker child SIGKILLed; it must show zero unexpected transitions, adverts
# on time (p99 deviation <= 2 ms), no fd or memory growth and every respawn
# within its bound.  Every criterion of the script becomes one check here.
#
# Scaled for the 60 s length, and only that: the checker is killed every
# 20 s (KILL_EVERY) instead of 30, so that the run sees two kills: the first
# respawn (immediate) and the first step of the crash-loop backoff (1 s).
# Every threshold is the bench's.
#
# Run alone: KA_BIN=build/keepalived KA_TOOLS_DIR=build/tests/tools
# tests/netns/t_endurance.sh (bench/endurance.sh 600 is the 10-minute run).
#
# Under ASan (about 3x the CPU per operation) the load is scaled down, and
# the test says so: 2,000 real servers and a 20,000 adverts/s flood.
source "$(dirname "$0")/../lib.sh"
need_root
SRC=${KA_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
FLOOD=${KA_TOOLS_DIR:-$SRC/build/tests/tools}/vrrp_flood
[[ -x $FLOOD ]] || skip_all "vrrp_flood is not built ($FLOOD)"
for t in tcpdump nft gcc; do command -v "$t" >/dev/null || skip_all "needs $t"; done

export N_RS=10000 FLOOD_RATE=100000
if ldd "$KA_BIN" 2>/dev/null | grep -q libasan; then
	N_RS=2000 FLOOD_RATE=20000
	echo "# ASan build: scaled down to N_RS=$N_RS real servers and a $FLOOD_RATE adverts/s flood"
fi
echo "# bench/endurance.sh 60 with KILL_EVERY=20 (two checker kills in 60 s)"
KILL_EVERY=20 ENDUR_OUT="$T_DIR/summary.txt" FLOOD=$FLOOD KA_BIN=$KA_BIN \
	timeout 600 bash "$SRC/bench/endurance.sh" 60 >"$T_DIR/out" 2>&1
rc=$?
sed 's/^/# /' "$T_DIR/out" | grep -v '^# \(PASS\|FAIL\)  '
if grep -q '^endurance: SKIP' "$T_DIR/out" || grep -q 'SKIP: ' "$T_DIR/out"; then
	skip_all "$(grep -m1 'SKIP' "$T_DIR/out")"
fi
n=0
while read -r verdict text; do
	n=$((n + 1))
	if [[ $verdict == PASS ]]; then ok "$text"; else not_ok "$text"; fi
done < <(grep -E '^(PASS|FAIL)  ' "$T_DIR/out")
check "the endurance run produced its criteria" test "$n" -ge 10
check "bench/endurance.sh exited 0 (got $rc)" test "$rc" -eq 0
t_done
