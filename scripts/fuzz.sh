#!/usr/bin/env bash
# libFuzzer runs of the tests/fuzz/fuzz_*.c targets (clang build in build-fuzz).
#
#   scripts/fuzz.sh burst [SECONDS]      every target for a short bounded burst
#                                        (default 20 s each) on a scratch copy
#                                        of its seed corpus; fails on any crash
#   scripts/fuzz.sh campaign [SECONDS]   every target for SECONDS (default 3600)
#                                        with a persistent corpus in
#                                        build-fuzz/corpus/<target>; summary in
#                                        bench/results/fuzz-<date>.txt
#
# Environment: KA_FUZZ_BUILD (default build-fuzz), KA_FUZZ_TARGETS (space
# separated subset), KA_FUZZ_JOBS (-fork workers per target, default
# nproc/2), KA_FUZZ_PAR (targets run at once, default 1), KA_FUZZ_NICE
# (campaign niceness, default 10).
# A crash leaves its input in the work dir (crash-*, leak-*, timeout-*,
# oom-*): minimise it, fix the parser, and keep it in
# tests/fuzz/regress/<target>/crash-<what> (replayed by `make test`).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
mode=${1:-burst}
secs=${2:-}
build=${KA_FUZZ_BUILD:-build-fuzz}
src=tests/fuzz

command -v clang >/dev/null || { echo "fuzz.sh: clang not installed" >&2; exit 2; }
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_COMPILER=clang -DKA_FUZZ=ON >/dev/null ||
	exit 2
cmake --build "$build" --target fuzz_all -j "$(nproc 2>/dev/null || echo 2)" >/dev/null || {
	echo "fuzz.sh: build failed (cmake --build $build --target fuzz_all)" >&2
	exit 2
}

if [[ -n ${KA_FUZZ_TARGETS:-} ]]; then
	targets=$KA_FUZZ_TARGETS
else
	targets=$(for f in "$src"/fuzz_*.c; do basename "$f" .c; done)
fi

# Input size each target is worth fuzzing at.
max_len() {
	case $1 in
	fuzz_conf) echo 16384 ;;
	fuzz_http) echo 8192 ;;
	fuzz_agentx) echo 8192 ;;
	fuzz_nl) echo 4096 ;;
	fuzz_smtp) echo 4096 ;;
	*) echo 2048 ;;
	esac
}

# The last "#N ... cov: C ft: F ..." line of a libFuzzer log: "execs cov ft".
stats() {
	local line
	line=$(grep -E '^#[0-9]+' "$1" | tail -1)
	local execs cov ft
	execs=$(sed -nE 's/^#([0-9]+).*/\1/p' <<<"$line")
	cov=$(sed -nE 's/.* cov: ([0-9]+).*/\1/p' <<<"$line")
	ft=$(sed -nE 's/.* ft: ([0-9]+).*/\1/p' <<<"$line")
	# the final "Done N runs" line is more exact for execs
	local done_runs
	done_runs=$(sed -nE 's/^Done ([0-9]+) runs.*/\1/p' "$1" | tail -1)
	echo "${done_runs:-${execs:-0}} ${cov:-?} ${ft:-?}"
}

# The kept crashers, when the target has any, are fuzzed from too: sets reg.
regress() {
	reg=()
	if [[ -d $src/regress/$1 ]]; then reg=("$PWD/$src/regress/$1"); fi
}

fail=0
case $mode in
burst)
	secs=${secs:-20}
	work=$build/burst
	rm -rf "$work"
	for t in $targets; do
		mkdir -p "$work/$t/corpus" "$work/$t/art"
		cp -r "$src/corpus/$t/." "$work/$t/corpus/" 2>/dev/null
		log=$work/$t/log
		regress "$t"
		"$build/tests/fuzz/$t" -max_total_time="$secs" -max_len="$(max_len "$t")" -timeout=10 \
			-rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$work/$t/art/" \
			"$work/$t/corpus" "${reg[@]}" >"$log" 2>&1
		rc=$?
		read -r execs cov ft < <(stats "$log")
		if [[ $rc -ne 0 ]] || [[ -n $(find "$work/$t/art" -type f) ]]; then
			echo "FAIL $t (exit $rc): execs $execs cov $cov ft $ft; see $log and $work/$t/art/"
			grep -E 'ERROR|SUMMARY|runtime error' "$log" | head -5
			fail=1
		else
			echo "ok   $t: execs $execs cov $cov ft $ft"
		fi
	done
	;;
campaign)
	secs=${secs:-3600}
	TIMEFORMAT='%U %S' # for the CPU seconds of each run
	jobs=${KA_FUZZ_JOBS:-$(($(nproc 2>/dev/null || echo 2) / 2))}
	((jobs < 1)) && jobs=1
	mkdir -p bench/results
	out=bench/results/fuzz-$(date +%Y%m%d-%H%M).txt
	{
		echo "# fuzz campaign $(date -Is) on $(uname -n): ${secs}s per target, $jobs job(s)"
		echo "# target execs cov ft crashes cpu_seconds"
	} >"$out"
	# one target's run; prints its summary line
	campaign_one() {
		local t=$1 corpus=$build/corpus/$1 art=$build/artifacts/$1 log=$build/campaign-$1.log
		local execs cov ft crashes logged
		mkdir -p "$corpus" "$art"
		cp -rn "$src/corpus/$t/." "$corpus/" 2>/dev/null
		regress "$t"
		# -fork keeps going after a crash, so one bug does not end the run;
		# its workers write fuzz-N.log in the working directory
		mkdir -p "$build/work-$t"
		local cpu
		cpu=$({ time { (cd "$build/work-$t" && rm -f fuzz-*.log &&
			nice -n "${KA_FUZZ_NICE:-10}" "../tests/fuzz/$t" -fork="$jobs" -ignore_crashes=1 \
				-ignore_timeouts=1 -ignore_ooms=1 -max_total_time="$secs" \
				-max_len="$(max_len "$t")" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
				-artifact_prefix="../artifacts/$t/" "../corpus/$t" "${reg[@]}") >"$log" 2>&1; }; } 2>&1 | awk '{printf "%d", $1 + $2}')
		read -r execs cov ft < <(stats "$log")
		crashes=$(find "$art" -type f | wc -l)
		# fork mode also counts them: "oom/timeout/crash: O/T/C"
		logged=$(grep -oE 'oom/timeout/crash: [0-9]+/[0-9]+/[0-9]+' "$log" | tail -1 |
			awk -F'[ /]' '{print $4 + $5 + $6}')
		((${logged:-0} > crashes)) && crashes=$logged
		echo "$t $execs $cov $ft $crashes $cpu"
	}
	# KA_FUZZ_PAR targets at a time (default 1)
	par=${KA_FUZZ_PAR:-1}
	running=0
	for t in $targets; do
		if ((running >= par)); then
			wait -n
			running=$((running - 1))
		fi
		campaign_one "$t" >>"$out" &
		running=$((running + 1))
	done
	wait
	while read -r t execs cov ft crashes cpu; do
		[[ $t == \#* ]] && continue
		echo "$t: execs $execs cov $cov ft $ft crashes $crashes cpu ${cpu}s"
		((crashes > 0)) && fail=1
	done <"$out"
	echo "summary: $out"
	;;
*)
	echo "usage: $0 burst [SECONDS] | campaign [SECONDS]" >&2
	exit 2
	;;
esac
exit $fail
