# Shared helpers for shell tests.  Source it; it sets a cleanup trap.
# Rules: only namespaces/PIDs we create, documentation address ranges,
# bounded loops, cleanup on every exit path.
set -uo pipefail

KA_BIN=${KA_BIN:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/build/keepalived}
KA_TEST_DATA=${KA_TEST_DATA:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)}
T_NAME=$(basename "${BASH_SOURCE[1]:-test}" .sh)
T_DIR=$(mktemp -d "/tmp/ka-${T_NAME}.XXXXXX")
T_NETNS=()
T_PIDS=()
T_PASS=0
T_FAIL=0

t_cleanup() {
	local p ns
	for p in "${T_PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; done
	for ns in "${T_NETNS[@]}"; do
		# kill what still runs inside our namespaces (all started by us)
		for p in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
		ip netns del "$ns" 2>/dev/null
	done
	[[ -n ${T_KEEP:-} ]] || rm -rf "$T_DIR"
}
trap t_cleanup EXIT

ok() { T_PASS=$((T_PASS + 1)); echo "ok - $*"; }
not_ok() { T_FAIL=$((T_FAIL + 1)); echo "not ok - $*"; }
check() { # check "description" command...
	local d=$1; shift
	if "$@"; then ok "$d"; else not_ok "$d"; fi
}
t_done() {
	echo "$T_NAME: $T_PASS passed, $T_FAIL failed"
	[[ $T_FAIL -eq 0 ]]
	exit $?
}
skip_all() { echo "SKIP: $*"; exit 0; }

need_root() { [[ $(id -u) -eq 0 ]] || skip_all "needs root"; }

# t_netns VAR NAME: create namespace ka-NAME-$$, register it for cleanup
# and store its name in VAR.  (Not `VAR=$(t_netns ...)`: a command
# substitution runs in a subshell and the cleanup list would never see it.)
t_netns() {
	local __ns="ka-$2-$$"
	ip netns add "$__ns" || return 1
	T_NETNS+=("$__ns")
	ip -n "$__ns" link set lo up
	printf -v "$1" '%s' "$__ns"
}

# wait_until TIMEOUT_SECONDS command... : poll every 50 ms, bounded.
wait_until() {
	local limit=$1; shift
	local n=$((limit * 20)) i
	for ((i = 0; i < n; i++)); do
		"$@" && return 0
		sleep 0.05
	done
	return 1
}

# ms since epoch
now_ms() { date +%s%3N; }

pid_alive() { kill -0 "$1" 2>/dev/null; }
pid_dead() { ! kill -0 "$1" 2>/dev/null; }
