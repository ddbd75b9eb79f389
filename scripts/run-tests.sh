#!/usr/bin/env bash
# Run the suites and print one closing line "N passed, N failed".
set -uo pipefail
build=$1 asan=$2
total_pass=0 total_fail=0
run() { # dir label-regex
	local dir=$1 labels=$2 out
	out=$(mktemp)
	echo "=== ctest in $dir (labels: $labels)"
	(cd "$dir" && ctest -L "$labels" --output-on-failure -j1) 2>&1 | tee "$out"
	local line
	line=$(grep -E 'tests passed, [0-9]+ tests failed out of [0-9]+' "$out" | tail -1)
	if [[ -z $line ]]; then
		total_fail=$((total_fail + 1))
	else
		local failed all
		failed=$(sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\1/' <<<"$line")
		all=$(sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\2/' <<<"$line")
		total_pass=$((total_pass + all - failed))
		total_fail=$((total_fail + failed))
	fi
	rm -f "$out"
}
# Format is a test too.
if scripts/format.sh --check; then total_pass=$((total_pass + 1)); else total_fail=$((total_fail + 1)); fi
run "$asan" 'unit|conf|netns'
run "$build" '.*'
# A bounded libFuzzer burst per target (clang build in build-fuzz).
echo "=== fuzz burst (scripts/fuzz.sh burst ${KA_FUZZ_BURST:-10})"
if scripts/fuzz.sh burst "${KA_FUZZ_BURST:-10}"; then
	total_pass=$((total_pass + 1))
else
	total_fail=$((total_fail + 1))
fi
echo
echo "$total_pass passed, $total_fail failed"
[[ $total_fail -eq 0 ]]
