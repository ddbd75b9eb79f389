#!/usr/bin/env bash
# Health-check throughput, ours vs Debian's keepalived vs the floor, same run.
#
# N real servers (default 1,000 and 5,000: 250 addresses x N/250 ports in the
# servers namespace), TCP_CHECK and HTTP_GET, delay_loop 1, connect_timeout 2,
# retry 1 (bench/check_lib.sh).  For each type and N, one after the other:
#   floor  the minimal loop at N checks/s for SECONDS (TCP: floor_tcp, or
#          bench/tools/floor_tcp_bench.c when the tree has none; HTTP:
#          bench/tools/floor_http.c, the "minimal HTTP request loop");
#   ours, keepalived  started with -C (checker only), WARM seconds of warm-up,
#          then SECONDS measured.
# Reported per run: checks/s actually performed (connections the servers
# accepted, HTTP: responses they sent), CPU of the checker process (utime +
# stime of the checker child from /proc/PID/stat; the floor: its getrusage)
# as % of a core and in us per check, its VmRSS at the end, and SYNs the
# servers dropped.  Then ratios ours/floor, keepalived/floor, ours/keepalived.
# Goals (issue 4): TCP us/check <= 1.15 x floor, HTTP <= 1.15 x the HTTP
# floor, RSS no larger than keepalived's.
#
# Usage: bench/check_throughput.sh [SECONDS]   (default 20)
# The floors start the checks that are due every FLOOR_TICK_MS (default 10):
# a floor is the least CPU per check, and at 1,000 checks/s a wakeup per
# check (1 ms tick) costs more than the check itself (88-117 us vs 44 us per
# TCP check here); at 5,000/s the tick hardly matters (37 vs 35 us).
# With TPUT_REPEAT=R the whole sequence runs R times (interleaved, so a
# burst of load elsewhere hits every row alike) and each row is the median.
# Env: TPUT_N="1000 5000", TPUT_TYPES="tcp http", WARM=5, FLOOR_TICK_MS=10,
#      TPUT_REPEAT=1, DAEMONS="ours ka"
source "$(dirname "$0")/check_lib.sh"
SECS=${1:-${TPUT_SECS:-20}}
WARM=${WARM:-5}
REPEAT=${TPUT_REPEAT:-1}
FLOOR_TICK_MS=${FLOOR_TICK_MS:-10}
NS_LIST=${TPUT_N:-1000 5000}
TYPES=${TPUT_TYPES:-tcp http}
c_need
c_setup "" || b_die "cannot build the namespaces"
srv_main || b_die "check_srv did not start"

b_header
echo "# SECONDS=$SECS WARM=$WARM REPEAT=$REPEAT N=\"$NS_LIST\" types=\"$TYPES\"; delay_loop 1, connect_timeout 2, retry 1"
echo "# $SHIM_NOTE"
echo "# TCP floor: $FLOOR_TCP_SRC, HTTP floor: bench/tools/floor_http.c, both -i $FLOOR_TICK_MS (checks due started every $FLOOR_TICK_MS ms); servers: bench/tools/check_srv.c"
c_daemons
: >"$B_DIR/raw"

ctr_key() { [[ $1 == tcp ]] && echo tcp || echo resp; }

# run_floor TYPE N -> result line
run_floor() {
	local type=$1 n=$2 key c0 c1 d0 d1 e0 e1 out bin
	key=$(ctr_key "$type")
	[[ $type == tcp ]] && bin=$FLOOR_TCP || bin=$FLOOR_HTTP
	c0=$(srv_count main "$key")
	e0=$(srv_count main err)
	d0=$(listen_drops)
	# shellcheck disable=SC2046
	out=$(ip netns exec "$DIR" "$bin" $(floor_args "$type" "$n") -r "$n" -t "$SECS" -i "$FLOOR_TICK_MS") ||
		b_die "floor failed: $out"
	c1=$(srv_count main "$key")
	e1=$(srv_count main err)
	d1=$(listen_drops)
	echo "$out" >>"$B_DIR/floor.out"
	awk -v type="$type" -v n="$n" -v secs="$SECS" -v served=$((c1 - c0)) -v drops=$((d1 - d0)) \
		-v errs=$((e1 - e0)) '{
		for (i = 2; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
		printf "%s %s floor %.1f %.1f %.2f - %d %d %d\n", type, n, served / secs,
			f["cpu_us"] / 1e6 / secs * 100, f["us_per_check"], drops, errs, f["fail"] }' <<<"$out"
}

# run_daemon KIND TYPE N -> result line
run_daemon() {
	local kind=$1 type=$2 n=$3 key conf c0 c1 d0 d1 e0 e1 k0 k1 t0 t1 rss
	key=$(ctr_key "$type")
	conf=$B_DIR/$type-$n.conf
	[[ -s $conf ]] || gen_conf "$conf" "$type" "$n"
	c_start "$kind" "$conf" || b_die "$(b_label "$kind") did not start its checker (log $C_LOG: $(tail -n 3 "$C_LOG"))"
	sleep "$WARM"
	c0=$(srv_count main "$key")
	e0=$(srv_count main err)
	d0=$(listen_drops)
	k0=$(proc_ticks "$CPID")
	t0=$EPOCHREALTIME
	sleep "$SECS"
	k1=$(proc_ticks "$CPID")
	t1=$EPOCHREALTIME
	c1=$(srv_count main "$key")
	e1=$(srv_count main err)
	d1=$(listen_drops)
	rss=$(proc_rss_kb "$CPID")
	pid_alive "$CPID" || b_die "$(b_label "$kind")'s checker died (log $C_LOG)"
	c_stop
	awk -v type="$type" -v n="$n" -v kind="$kind" -v c=$((c1 - c0)) -v k=$((k1 - k0)) -v t0="$t0" \
		-v t1="$t1" -v hz="$HZ" -v rss="$rss" -v drops=$((d1 - d0)) -v errs=$((e1 - e0)) 'BEGIN {
		dt = t1 - t0
		printf "%s %s %s %.1f %.1f %.2f %d %d %d -\n", type, n, kind, c / dt, k / hz / dt * 100,
			c ? k / hz * 1e6 / c : 0, rss, drops, errs }'
}

for ((round = 1; round <= REPEAT; round++)); do
	for type in $TYPES; do
		for n in $NS_LIST; do
			run_floor "$type" "$n" >>"$B_DIR/raw"
			for kind in $C_DAEMONS; do
				run_daemon "$kind" "$type" "$n" >>"$B_DIR/raw"
			done
		done
	done
done
# one line per type, N and who: the median of the rounds (checks/s, CPU,
# us/check), the largest RSS, the summed drops and errors
sort -k1,1 -k2,2n -k3,3 -s "$B_DIR/raw" | awk '
	function med(a, k,    i, j, t, m) {
		for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
		m = (k % 2) ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
		return m
	}
	function flush() {
		if (!k) return
		printf "%s %.1f %.1f %.2f %s %d %d\n", key, med(c, k), med(u, k), med(p, k), rss, dr, er
		k = 0; rss = "-"; dr = 0; er = 0
	}
	BEGIN { rss = "-" }
	{
		kk = $1 " " $2 " " $3
		if (kk != key) { flush(); key = kk; order[++no] = kk }
		k++; c[k] = $4; u[k] = $5; p[k] = $6
		if ($7 != "-" && (rss == "-" || $7 > rss)) rss = $7
		dr += $8; er += $9
	}
	END { flush() }' >"$B_DIR/med"
# back in the order of the run
awk 'NR == FNR { m[$1 " " $2 " " $3] = $0; next } !seen[$1 " " $2 " " $3]++ { print m[$1 " " $2 " " $3] }' \
	"$B_DIR/med" "$B_DIR/raw" >"$B_DIR/res"

rat() { if [[ -n $1 && -n $2 ]]; then ratio "$1" "$2"; else echo -; fi; }
label() { if [[ $1 == floor ]]; then echo floor; else b_label "$1"; fi; }
echo
echo "== Health-check throughput: checker process CPU per check performed =="
printf '%-5s %5s %-11s %9s %8s %9s %9s %7s %7s\n' type N who checks/s cpu% us/check rss-kB drops srv-err
declare -A U R
while read -r type n who cps cpu us rss drops errs; do
	U[$type-$n-$who]=$us
	R[$type-$n-$who]=$rss
	printf '%-5s %5s %-11s %9s %8s %9s %9s %7s %7s\n' "$type" "$n" "$(label "$who")" "$cps" "$cpu" "$us" "$rss" "$drops" "$errs"
done <"$B_DIR/res"
echo "(checks/s: connections accepted by the servers, HTTP: responses sent; expected N per second)"
echo "(drops: SYNs dropped by the servers' listen queues; srv-err: server-side errors)"
echo
echo "== Ratios of us/check (goal: ours/floor <= 1.15) and of RSS (goal: ours/keepalived <= 1) =="
printf '%-5s %5s %11s %16s %16s %16s\n' type N ours/floor keepalived/floor ours/keepalived rss-ours/ka
for type in $TYPES; do
	for n in $NS_LIST; do
		printf '%-5s %5s %11s %16s %16s %16s\n' "$type" "$n" \
			"$(rat "${U[$type-$n-ours]:-}" "${U[$type-$n-floor]:-}")" \
			"$(rat "${U[$type-$n-ka]:-}" "${U[$type-$n-floor]:-}")" \
			"$(rat "${U[$type-$n-ours]:-}" "${U[$type-$n-ka]:-}")" \
			"$(rat "${R[$type-$n-ours]:-}" "${R[$type-$n-ka]:-}")"
	done
done
[[ $C_DAEMONS == *ours* ]] || echo "(ours not measured: its ratios are '-')"
exit 0
