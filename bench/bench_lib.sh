# shellcheck shell=bash disable=SC2034
# Shared helpers for the VRRP benchmarks.  Source it; it sets a cleanup trap.
# Rules: only namespaces and PIDs we create (names carry $$), documentation
# address ranges, bounded loops, cleanup on every exit path.
#
# Two daemons are compared side by side in the same run:
#   ours  $KA_BIN  (default: build/keepalived of this tree, copied at start so
#                   a rebuild during the run cannot mix binaries)
#   ka    $UP_BIN  (default: Debian's /usr/sbin/keepalived)
# Both are started the same way: -n -l -G -P -f CONF -p PID -r VPID -c CPID
# (foreground, console log to a file, no syslog, VRRP subsystem only).
set -uo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
KA_BIN=${KA_BIN:-$BENCH_DIR/../build/keepalived}
UP_BIN=${UP_BIN:-/usr/sbin/keepalived}
B_NAME=$(basename "${BASH_SOURCE[1]:-bench}" .sh)
B_DIR=$(mktemp -d "/tmp/ka-${B_NAME}.XXXXXX")
B_NETNS=()
B_PIDS=()

b_cleanup() {
	local p ns
	for p in "${B_PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; done
	for ns in "${B_NETNS[@]}"; do
		# what still runs inside our namespaces was started by us
		for p in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
		ip netns del "$ns" 2>/dev/null
	done
	if [[ -n ${B_KEEP:-} ]]; then
		echo "(kept $B_DIR)" >&2
	else
		rm -rf "$B_DIR"
	fi
}
trap b_cleanup EXIT
trap 'exit 130' INT TERM

b_die() { echo "$B_NAME: ERROR: $*" >&2; B_KEEP=1; exit 1; }
b_skip() { echo "$B_NAME: SKIP: $*"; exit 0; }

b_need() {
	[[ $(id -u) -eq 0 ]] || b_skip "needs root"
	[[ -x $KA_BIN ]] || b_die "our daemon $KA_BIN is not built (make build)"
	[[ -x $UP_BIN ]] || b_skip "Debian keepalived not installed (apt-get install keepalived)"
	command -v gcc >/dev/null || b_die "gcc is needed for bench/tools"
	mkdir -p "$B_DIR/ours"
	cp "$KA_BIN" "$B_DIR/ours/keepalived" || b_die "cannot copy $KA_BIN"
	OURS_BIN=$B_DIR/ours/keepalived
	gcc -O2 -Wall -o "$B_DIR/vrrp_probe" "$BENCH_DIR/tools/vrrp_probe.c" || b_die "cannot build vrrp_probe"
	PROBE=$B_DIR/vrrp_probe
}

b_bin() { # b_bin KIND -> binary path
	case $1 in
	ours) echo "$OURS_BIN" ;;
	ka) echo "$UP_BIN" ;;
	esac
}
b_label() { # b_label KIND -> name for tables
	case $1 in
	ours) echo "ours" ;;
	ka) echo "keepalived" ;;
	esac
}

# wait_until TIMEOUT_SECONDS command... : poll every 10 ms, bounded.
wait_until() {
	local limit=$1 i n
	shift
	n=$((limit * 100))
	for ((i = 0; i < n; i++)); do
		"$@" && return 0
		sleep 0.01
	done
	return 1
}
now_ms() { date +%s%3N; }
pid_alive() { kill -0 "$1" 2>/dev/null; }
pid_dead() { ! kill -0 "$1" 2>/dev/null; }

# b_netns NAME VAR: creates namespace kab-NAME-$$, registers it for the
# cleanup and stores its name in VAR (not through $(...): a subshell could
# not register it).
b_netns() {
	local _bn="kab-$1-$$" # not "ns": VAR may be the caller's local ns
	ip netns add "$_bn" || return 1
	B_NETNS+=("$_bn")
	ip -n "$_bn" link set lo up
	printf -v "$2" '%s' "$_bn"
}

# lan_setup N -> SW (bridge namespace), H[1..N] hosts with eth0 =
# 192.0.2.(10+i)/24, CL client with eth0 = 192.0.2.200/24.
lan_setup() {
	local n=$1 i ns
	b_netns sw SW || return 1
	ip -n "$SW" link add br0 type bridge
	ip -n "$SW" link set br0 up
	H=()
	for ((i = 1; i <= n + 1; i++)); do
		b_netns "h$i" ns || return 1
		ip -n "$ns" link add eth0 type veth peer name "p$i" netns "$SW"
		ip -n "$SW" link set "p$i" master br0 up
		if ((i <= n)); then
			ip -n "$ns" addr add "192.0.2.$((10 + i))/24" dev eth0
			H[$i]=$ns
		else
			ip -n "$ns" addr add 192.0.2.200/24 dev eth0
			CL=$ns
		fi
		ip -n "$ns" link set eth0 up
	done
}

# d_start KIND I CONF: start daemon KIND on host I; D_PID[I] is the parent.
# Returns once the VRRP child has written its pid file.
declare -A D_PID D_KIND
d_start() {
	local kind=$1 i=$2 conf=$3 bin
	bin=$(b_bin "$kind")
	rm -f "$B_DIR/k$i.pid" "$B_DIR/v$i.pid" "$B_DIR/c$i.pid"
	ip netns exec "${H[$i]}" "$bin" -n -l -G -P -f "$conf" -p "$B_DIR/k$i.pid" \
		-r "$B_DIR/v$i.pid" -c "$B_DIR/c$i.pid" >>"$B_DIR/$kind-h$i.log" 2>&1 &
	D_PID[$i]=$!
	D_KIND[$i]=$kind
	B_PIDS+=("$!")
	disown "$!" # no "Killed" job notices; bash still reaps it
}
d_wait() { wait_until 5 test -s "$B_DIR/v$1.pid"; }
d_vpid() { cat "$B_DIR/v$1.pid" 2>/dev/null; }
# Stop host I gracefully (SIGTERM to the parent), then make sure it is gone.
d_stop() {
	local p=${D_PID[$1]:-}
	[[ -n $p ]] || return 0
	kill -TERM "$p" 2>/dev/null
	if ! wait_until 10 pid_dead "$p"; then
		echo "$B_NAME: WARNING: $p did not stop within 10 s of SIGTERM" >&2
		kill -KILL "$p" 2>/dev/null
		wait_until 2 pid_dead "$p"
	fi
	d_reap "$1"
}
# Forget host I's daemon after it was killed; kill leftovers in its netns.
d_reap() {
	local p
	[[ -n ${D_PID[$1]:-} ]] && wait_until 2 pid_dead "${D_PID[$1]}"
	D_PID[$1]=""
	for p in $(ip netns pids "${H[$1]}" 2>/dev/null); do
		echo "$B_NAME: WARNING: stray process $p ($(tr '\0' ' ' </proc/"$p"/cmdline 2>/dev/null)) in ${H[$1]}" >&2
		kill -KILL "$p" 2>/dev/null
	done
	rm -f "$B_DIR/k$1.pid" "$B_DIR/v$1.pid" "$B_DIR/c$1.pid"
}

# has_addr I ADDR: host I has ADDR on eth0 (no `ip | grep -q` under pipefail).
has_addr() {
	local out
	out=$(ip -n "${H[$1]}" -4 addr show dev eth0)
	[[ $out == *"inet $2/"* ]]
}
no_addr() { ! has_addr "$@"; }
count_addr() { # count_addr I PREFIX-STRING
	local out n=0 l
	out=$(ip -n "${H[$1]}" -4 addr show dev eth0)
	while read -r l; do [[ $l == "inet $2"* ]] && n=$((n + 1)); done <<<"$out"
	echo "$n"
}

# stats: reads numbers on stdin, prints "n min median max" (median of an
# even count is the mean of the two middle values).
stats() {
	sort -g | awk '{ v[NR] = $1 }
	END {
		if (NR == 0) { print "0 - - -"; exit }
		m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%d %.1f %.1f %.1f\n", NR, v[1], m, v[NR]
	}'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 == 0) print "-"; else printf "%.2f", a / b }'; }

# Process figures from /proc: CPU ticks (utime+stime) and VmRSS in kB.
proc_ticks() { # field 14+15, after the ")" of comm
	local s
	s=$(cat "/proc/$1/stat" 2>/dev/null) || { echo -1; return; }
	s=${s##*) }
	awk '{ print $12 + $13 }' <<<"$s"
}
proc_rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo -1; }

b_header() {
	echo "# $B_NAME  $(date -u '+%Y-%m-%d %H:%M:%S UTC')  kernel $(uname -r)  cpus $(nproc)"
	echo "# ours: $KA_BIN (sha256 $(sha256sum "$KA_BIN" | cut -c1-12))"
	echo "# keepalived: $($UP_BIN -v 2>&1 | head -1)"
	echo "# load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
}
