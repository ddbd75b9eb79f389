#!/usr/bin/env bash
# The nftables LVS data plane of our daemon (`lvs_data_plane nftables`),
# measured in one run, and written to bench/results/nft-<date>.txt:
#
# 1. Forwarding cost.  wrk -t2 -c50 for WRK_SECS s from the client through
#    the VIP (203.0.113.10:80, rr over 2 real servers, DNAT + conntrack in
#    the director) against the same wrk directly to one real server
#    (198.51.100.11:8088: routed by the same director, no DNAT, served by
#    as many processes as the VIP's two real servers together).  Twice:
#    keep-alive (wrk's default: the NAT cost per packet) and
#    "Connection: close" (a new connection per request: the scheduling
#    rules run for every request).  Reported: requests/s, p50 and p99
#    latency, and the ratios VIP / direct.
# 2. Update latency at N_RS (1,000) real servers.  One virtual server
#    (203.0.113.20:80, rr) with N_RS real servers, each with its own
#    FILE_CHECK on its own track_file (inotify: a write makes the check
#    fail or recover at once).  tests/tools/ka_nftwatch, in the director,
#    listens to the nftables notifications (what `nft monitor` prints) and
#    makes FLIPS flips: T0 just before it writes "1" (down) or "0" (up)
#    into one server's file, T1 the arrival of the NFT_MSG_NEWGEN that ends
#    the transaction our daemon sent (the kernel sends it once the new rule
#    set is live).  Then FLIPS more with T1 = the moment the rule-set
#    generation moves, polled every 100 us without a listener (a listener
#    makes the kernel build a notification per changed element inside the
#    commit).  Reported: p50 / p99 / max of T1 - T0, down and up together
#    and apart.  Goal: < 5 ms.  Last, the backend alone (tests/tools/ka_nft
#    bench) with and without a listener.
#
# Debian's keepalived 2.2.7 has no nftables data plane (only IPVS, which
# this host's kernel lacks): there is no side-by-side ratio for these
# figures; the VIP / direct ratio is the yardstick of part 1.
#
# Usage: sudo bench/run-nft.sh     (about 3 minutes)
# Environment: KA_BIN (our daemon), WRK_SECS (10), ROUNDS (3: the wrk runs
# are repeated, paths alternating, and the medians compared), N_RS (1000), FLIPS (50),
# FLIP_GAP_MS (100: pause between flips), KA_NFT (tests/tools/ka_nft of the
# same build, for the backend-alone figure; skipped when absent), B_KEEP=1 (keep the temporary
# directory: configurations, logs, raw wrk output, every flip).
source "$(dirname "$0")/nft_lib.sh"
: "${WRK_SECS:=10}" "${ROUNDS:=3}" "${N_RS:=1000}" "${FLIPS:=50}" "${FLIP_GAP_MS:=100}"
: "${KA_NFT:=$(dirname "$KA_BIN")/tests/tools/ka_nft}"
n_need
n_setup 2 || b_die "cannot build the namespaces"
n_servers 2 || b_die "the real servers did not start"

mkdir -p "$BENCH_DIR/results"
OUT=$BENCH_DIR/results/nft-$(date -u +%Y%m%d-%H%M%S).txt
exec > >(tee "$OUT") 2>&1

echo "# bench/run-nft.sh  $(date -u '+%Y-%m-%d %H:%M:%S UTC')  kernel $(uname -r)  cpus $(nproc)"
echo "# tree: $(git -C "$BENCH_DIR/.." describe --always --dirty 2>/dev/null || echo unknown)," \
	"our binary $KA_BIN sha256 $(sha256sum "$KA_BIN" | cut -c1-12) ($("$KA_BIN" -v 2>&1 | head -1))"
echo "# WRK_SECS=$WRK_SECS ROUNDS=$ROUNDS N_RS=$N_RS FLIPS=$FLIPS FLIP_GAP_MS=$FLIP_GAP_MS"
echo "# load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# Debian's keepalived has no nftables data plane: no side-by-side figure is possible;"
echo "# the VIP / direct ratio is the figure for forwarding."

# ---------------------------------------------------------------- part 1
cat >"$B_DIR/fwd.conf" <<EOF
global_defs {
    router_id bench
    lvs_data_plane nftables
}
virtual_server $VIP 80 {
    delay_loop 5
    lb_algo rr
    lb_kind NAT
    protocol TCP
    real_server 198.51.100.11 8080 {
        weight 1
    }
    real_server 198.51.100.12 8080 {
        weight 1
    }
}
EOF
n_start "$B_DIR/fwd.conf" || b_die "our daemon did not start (log $N_LOG)"
# shellcheck disable=SC2317 # called through wait_until
both_answer() {
	local s
	s=$(ip netns exec "$CL" "$HTTP" get "$VIP" 80 4)
	[[ $s == *rs1=2* && $s == *rs2=2* ]]
}
wait_until 10 both_answer ||
	b_die "the VIP does not balance over rs1 and rs2 ($(ip netns exec "$CL" "$HTTP" get "$VIP" 80 4); log $N_LOG)"
echo
echo "== 1. Forwarding: wrk -t2 -c50 -d${WRK_SECS}s, VIP (rr over 2 real servers, DNAT) vs direct to one real server, $ROUNDS rounds =="
# a short warm-up of each path (ARP, conntrack, page cache)
WRK_SECS=2 wrk_run "http://$VIP/" >/dev/null
WRK_SECS=2 wrk_run "http://198.51.100.11:8088/" >/dev/null
printf '%-5s %-10s %-7s %10s %9s %9s %7s %8s\n' round mode path "req/s" "p50 ms" "p99 ms" errors "read-eof"
: >"$B_DIR/fwd.txt"
for ((r = 1; r <= ROUNDS; r++)); do
	for mode in keepalive close; do
		hdr=""
		[[ $mode == close ]] && hdr="Connection: close"
		# alternate which path goes first, so that drift in the machine's
		# load does not favour one
		paths="vip direct"
		((r % 2 == 0)) && paths="direct vip"
		for path in $paths; do
			url="http://$VIP/"
			[[ $path == direct ]] && url="http://198.51.100.11:8088/"
			read -r rps p50 p99 err rd < <(wrk_run "$url" "$hdr")
			echo "$mode $path $rps $p50 $p99 $err $rd" >>"$B_DIR/fwd.txt"
			printf '%-5s %-10s %-7s %10s %9s %9s %7s %8s\n' "$r" "$mode" "$path" "$rps" "$p50" "$p99" "$err" "$rd"
		done
	done
done
# median over the rounds of field F (3 rps, 4 p50, 5 p99) of MODE PATH
fmed() {
	awk -v m="$1" -v p="$2" -v f="$3" '$1 == m && $2 == p { print $f }' "$B_DIR/fwd.txt" | sort -g |
		awk '{ v[NR] = $1 } END { if (!NR) { print "-"; exit } print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
echo
echo "medians over $ROUNDS rounds, and ratios VIP / direct (req/s below 1 = the VIP is slower; latency above 1 = slower):"
printf '%-10s %-22s %-22s %-22s\n' mode "req/s vip/direct" "p50 ms vip/direct" "p99 ms vip/direct"
for mode in keepalive close; do
	line=""
	for f in 3 4 5; do
		v=$(fmed "$mode" vip "$f")
		d=$(fmed "$mode" direct "$f")
		line+=$(printf '%-22s ' "$v/$d = $(ratio "$v" "$d")")
	done
	printf '%-10s %s\n' "$mode" "$line"
done
echo "(both paths cross the director; direct = rs1:8088, no DNAT, 2 ka_http processes;"
echo " VIP = rs1:8080 + rs2:8080, one process each; wrk, servers and the kernel share $(nproc) cores)"
echo "(read-eof: wrk counts the server's close after each \"Connection: close\" answer as a read error)"
dist=$(nftd list counters table inet keepalived_lvs 2>/dev/null | grep -c 'packets [1-9]')
echo "(nftables counter objects of ours with traffic after the runs: $dist)"
n_stop

# ---------------------------------------------------------------- part 2
mkdir -p "$B_DIR/tf"
ADDRS=250
{
	echo "global_defs {"
	echo "    router_id bench"
	echo "    lvs_data_plane nftables"
	echo "}"
	for ((i = 0; i < N_RS; i++)); do
		echo 0 >"$B_DIR/tf/$i"
		echo "track_file tf$i {"
		echo "    file $B_DIR/tf/$i"
		echo "    weight 0"
		echo "}"
	done
	echo "virtual_server 203.0.113.20 80 {"
	echo "    delay_loop 5"
	echo "    lb_algo rr"
	echo "    lb_kind NAT"
	echo "    protocol TCP"
	for ((i = 0; i < N_RS; i++)); do
		echo "    real_server 198.51.100.$((1 + i % ADDRS)) $((8000 + i / ADDRS)) {"
		echo "        weight 1"
		echo "        FILE_CHECK {"
		echo "            track_file tf$i"
		echo "        }"
		echo "    }"
	done
	echo "}"
} >"$B_DIR/scale.conf"
"$OURS_BIN" -t -f "$B_DIR/scale.conf" >"$B_DIR/scale-t.log" 2>&1 ||
	b_die "our daemon refuses the $N_RS-server configuration: $(head -3 "$B_DIR/scale-t.log")"
t0=$(now_ms)
n_start "$B_DIR/scale.conf" || b_die "our daemon did not start (log $N_LOG)"
IDX=vs_tcp_203_0_113_20_80_idx
# the index map holds every server once (rr: one unit each)
# shellcheck disable=SC2317 # called through wait_until
# shellcheck disable=SC2317
n_in_map() { n_map_count "$IDX" ' : \(198\.51\.100\|203\.0\.113\)\.'; }
# shellcheck disable=SC2317
all_in() { [[ $(n_in_map) -ge $N_RS ]]; }
wait_until 30 all_in || b_die "the index map $IDX never held $N_RS servers ($(n_in_map); log $N_LOG)"
t1=$(now_ms)
echo
echo "== 2. Update latency at $N_RS real servers (FILE_CHECK flip -> NEWGEN notification) =="
echo "start-up: daemon start -> $N_RS servers in the index map: $((t1 - t0)) ms"
# correctness first: a flip takes exactly that server out and back
# shellcheck disable=SC2317 # called through wait_until
in_map() { [[ $(n_map_count "$IDX" ' : 198\.51\.100\.1 \. 8000\b') -eq 1 ]]; }
# shellcheck disable=SC2317
not_in_map() { [[ $(n_map_count "$IDX" ' : 198\.51\.100\.1 \. 8000\b') -eq 0 ]]; }
echo 1 >"$B_DIR/tf/0"
wait_until 5 not_in_map && c1=yes || c1=NO
n_down=$(n_in_map)
echo 0 >"$B_DIR/tf/0"
wait_until 5 in_map && c2=yes || c2=NO
echo "check: 198.51.100.1:8000 leaves the map when its file says 1: $c1 ($n_down servers left); comes back on 0: $c2"
# the flips go round 25 different servers spread over the table
files=()
for ((k = 0; k < 25; k++)); do files+=("$B_DIR/tf/$(((k * 37 + 5) % N_RS))"); done
sleep 1
# Two ways to see T1, one after the other on the same daemon:
#   listen  the NEWGEN notification (what nft monitor shows); the kernel
#           then builds a message per changed object inside the commit
#   poll    the generation id asked every 100 us, no listener (0.1 ms
#           resolution, no notification cost)
rc=0
for how in listen poll; do
	opt=()
	[[ $how == poll ]] && opt=(-p)
	ip netns exec "$DIR" "$WATCH" flip "$FLIPS" "${files[@]}" -g "$FLIP_GAP_MS" "${opt[@]}" \
		>"$B_DIR/flips-$how.txt" 2>&1 || rc=$?
done
pctl() { # pctl HOW up|down|all -> "n p50 p99 max"
	awk -v w="$2" '$1 == "flip" && ($3 == w || w == "all") && $6 ~ /^gen_ms=/ {
		sub(/gen_ms=/, "", $6); print $6 }' "$B_DIR/flips-$1.txt" | sort -g | awk '
		{ v[NR] = $1 }
		END {
			if (NR == 0) { print "0 - - -"; exit }
			i50 = int(0.5 * NR + 0.999999); i99 = int(0.99 * NR + 0.999999)
			printf "%d %.3f %.3f %.3f\n", NR, v[i50], v[i99], v[NR] }'
}
printf '%-7s %-6s %4s %9s %9s %9s\n' T1 flips n "p50 ms" "p99 ms" "max ms"
for how in listen poll; do
	for w in all down up; do
		read -r n a b c < <(pctl "$how" "$w")
		printf '%-7s %-6s %4s %9s %9s %9s\n' "$how" "$w" "$n" "$a" "$b" "$c"
	done
done
for how in listen poll; do echo "$how: $(grep '^summary' "$B_DIR/flips-$how.txt")"; done
[[ $rc -eq 0 ]] || echo "(ka_nftwatch exit status $rc: $(cat "$B_DIR"/flips-*.txt | grep -c timeout) flips without a transaction within 2 s)"
for how in listen poll; do
	read -r _ _ _ mx < <(pctl "$how" all)
	read -r _ _ _ mxu < <(pctl "$how" up)
	echo "goal < 5 ms ($how): every flip $(awk -v m="$mx" 'BEGIN { print (m != "-" && m < 5) ? "met" : "NOT met" }')," \
		"every up flip $(awk -v m="$mxu" 'BEGIN { print (m != "-" && m < 5) ? "met" : "NOT met" }')"
done
retries=$(grep -c 'FILE_CHECK .* failed (retry' "$N_LOG")
((retries > 0)) && echo "note: the daemon retried $retries FILE_CHECK failures before acting on them" \
	"(\"failed (retry N of M)\" in its log): each down flip then includes retry x delay_before_retry"
echo "notifications per transaction (listen; min / median): $(awk '$1 == "flip" { sub(/msgs=/, "", $7); print $7 }' "$B_DIR/flips-listen.txt" | sort -n | awk '{ v[NR] = $1 } END { if (NR) print v[1] " / " v[int((NR + 1) / 2)] }')"
echo "checker child: CPU $(proc_ticks "$CPID") ticks since start, RSS $(proc_rss_kb "$CPID") kB"
echo
for how in listen poll; do
	echo "every flip, $how (ms from the write to T1; d = down, u = up):"
	awk '$1 == "flip" { sub(/gen_ms=/, "", $6); printf " %s%s", ($3 == "down" ? "d" : "u"), $6 } END { print "" }' \
		"$B_DIR/flips-$how.txt" | fold -s -w 100
done
n_stop
# The backend alone, without a notification listener (the kernel then
# builds no notification messages): tests/tools/ka_nft of the same build.
if [[ -x $KA_NFT ]]; then
	cp "$KA_NFT" "$B_DIR/ka_nft"
	# med FILE KEY: the median of KEY=value over the lines of FILE
	med() {
		awk -v k="$2" '{ for (i = 1; i <= NF; i++) if ($i ~ "^" k "=") { sub(k "=", "", $i); print $i } }' "$1" |
			sort -g | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)]; else print "-" }'
	}
	for ((r = 0; r < 5; r++)); do ip netns exec "$DIR" "$B_DIR/ka_nft" bench "$N_RS"; done >"$B_DIR/nft-alone.txt" 2>&1
	ip netns exec "$DIR" "$WATCH" listen 30 >"$B_DIR/listen.txt" 2>&1 &
	lpid=$!
	B_PIDS+=("$lpid")
	sleep 0.2
	for ((r = 0; r < 5; r++)); do ip netns exec "$DIR" "$B_DIR/ka_nft" bench "$N_RS"; done >"$B_DIR/nft-listen.txt" 2>&1
	kill "$lpid" 2>/dev/null
	echo
	echo "the backend alone (tests/tools/ka_nft bench $N_RS: one dest_del, one dest_set, from the call to the kernel's ack; 5 runs, median):"
	echo "  no notification listener:   dest_del $(med "$B_DIR/nft-alone.txt" del_ms) ms, dest_set $(med "$B_DIR/nft-alone.txt" set_ms) ms"
	echo "  with a listener (as above): dest_del $(med "$B_DIR/nft-listen.txt" del_ms) ms, dest_set $(med "$B_DIR/nft-listen.txt" set_ms) ms"
fi
echo
echo "# load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "written: $OUT"
