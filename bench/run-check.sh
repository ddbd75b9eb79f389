#!/usr/bin/env bash
# Run every health-check benchmark (ours vs Debian's keepalived vs the floor,
# side by side) and write the combined report to
# bench/results/check-<date>.txt.
#
# Usage: bench/run-check.sh            full parameters (about 16 minutes)
#        QUICK=1 bench/run-check.sh    reduced parameters (about 5 minutes),
#                                      written to check-<date>-quick.txt
# Environment: TPUT_SECS (throughput window, default 20), TPUT_REPEAT (1:
# rounds of the throughput runs, each row the median), SHARED_SECS (20),
# DETECT_RUNS (10), ISO_SECS (60), ISO_BASELINE (1: also the VRRP jitter
# without checks), KA_BIN (our daemon), UP_BIN (the reference daemon),
# DAEMONS="ours ka".
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
if [[ -n ${QUICK:-} ]]; then
	: "${TPUT_SECS:=5}" "${SHARED_SECS:=5}" "${DETECT_RUNS:=3}" "${ISO_SECS:=10}" "${WARM:=3}"
	suffix=-quick
else
	: "${TPUT_SECS:=20}" "${SHARED_SECS:=20}" "${DETECT_RUNS:=10}" "${ISO_SECS:=60}" "${WARM:=5}"
	suffix=
fi
: "${ISO_BASELINE:=1}" "${TPUT_REPEAT:=1}"
export WARM ISO_BASELINE TPUT_REPEAT
# one copy of our daemon for all the benchmarks (a rebuild during the run
# cannot mix binaries)
KA_BIN=${KA_BIN:-$here/../build/keepalived}
[[ -x $KA_BIN ]] || { echo "our daemon $KA_BIN is not built (make build)" >&2; exit 1; }
frozen=$(mktemp -d /tmp/ka-run-check.XXXXXX)
trap 'rm -rf "$frozen"' EXIT
cp "$KA_BIN" "$frozen/keepalived" || exit 1
sha=$(sha256sum "$KA_BIN" | cut -c1-12)
export KA_BIN=$frozen/keepalived
mkdir -p "$here/results"
out="$here/results/check-$(date -u +%Y%m%d-%H%M%S)$suffix.txt"
rc=0
{
	echo "# bench/run-check.sh  $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
	echo "# tree: $(git -C "$here/.." describe --always --dirty 2>/dev/null || echo unknown)," \
		"our binary sha256 $sha ($("$KA_BIN" -v 2>&1 | head -1))"
	echo "# TPUT_SECS=$TPUT_SECS TPUT_REPEAT=$TPUT_REPEAT SHARED_SECS=$SHARED_SECS DETECT_RUNS=$DETECT_RUNS ISO_SECS=$ISO_SECS" \
		"WARM=$WARM ISO_BASELINE=$ISO_BASELINE"
	echo
	"$here/check_throughput.sh" "$TPUT_SECS" || rc=1
	echo
	"$here/check_shared.sh" "$SHARED_SECS" || rc=1
	echo
	"$here/check_detect.sh" "$DETECT_RUNS" || rc=1
	echo
	"$here/check_isolation.sh" "$ISO_SECS" || rc=1
	echo
	echo "# load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
	exit "$rc"
} 2>&1 | tee "$out"
rc=${PIPESTATUS[0]}
echo "written: $out"
exit "$rc"
