#!/usr/bin/env bash
# Run every VRRP benchmark (ours vs Debian's keepalived, side by side) and
# write the combined report to bench/results/vrrp-<date>.txt.
#
# Usage: bench/run-vrrp.sh            full parameters (about 6 minutes)
#        QUICK=1 bench/run-vrrp.sh    reduced parameters (about 2 minutes),
#                                     written to vrrp-<date>-quick.txt
# Environment: RUNS (failover runs per daemon and mode, default 10),
# JITTER_SECS (default 60), SCALE_N (default 255), CPU_SECS (default 20),
# KA_BIN (our daemon), UP_BIN (the reference daemon).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
if [[ -n ${QUICK:-} ]]; then
	: "${RUNS:=3}" "${JITTER_SECS:=10}" "${SCALE_N:=255}" "${CPU_SECS:=5}"
	suffix=-quick
else
	: "${RUNS:=10}" "${JITTER_SECS:=60}" "${SCALE_N:=255}" "${CPU_SECS:=20}"
	suffix=
fi
# one copy of our daemon for all three benchmarks (a rebuild during the run
# cannot mix binaries)
KA_BIN=${KA_BIN:-$here/../build/keepalived}
[[ -x $KA_BIN ]] || { echo "our daemon $KA_BIN is not built (make build)" >&2; exit 1; }
frozen=$(mktemp -d /tmp/ka-run-vrrp.XXXXXX)
trap 'rm -rf "$frozen"' EXIT
cp "$KA_BIN" "$frozen/keepalived" || exit 1
sha=$(sha256sum "$KA_BIN" | cut -c1-12)
export KA_BIN=$frozen/keepalived
mkdir -p "$here/results"
out="$here/results/vrrp-$(date -u +%Y%m%d-%H%M%S)$suffix.txt"
rc=0
{
	echo "# bench/run-vrrp.sh  $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
	echo "# tree: $(git -C "$here/.." describe --always --dirty 2>/dev/null || echo unknown)," \
		"our binary sha256 $sha ($("$KA_BIN" -v 2>&1 | head -1))"
	echo "# RUNS=$RUNS JITTER_SECS=$JITTER_SECS SCALE_N=$SCALE_N CPU_SECS=$CPU_SECS"
	echo
	"$here/vrrp_failover.sh" "$RUNS" || rc=1
	echo
	"$here/vrrp_jitter.sh" "$JITTER_SECS" || rc=1
	echo
	"$here/vrrp_scale.sh" "$SCALE_N" "$CPU_SECS" || rc=1
	echo
	echo "# load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
	exit "$rc"
} 2>&1 | tee "$out"
rc=${PIPESTATUS[0]}
echo "written: $out"
exit "$rc"
