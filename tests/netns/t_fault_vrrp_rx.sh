#!/usr/bin/env bash
# Fault catalogue cases 6-12 (shared/reference/operations-and-reliability.md
# §4, rules R1-R15 of §3.2): crafted adverts from a client namespace
# (tests/tools/ka_vrrpgen, whole Ethernet frames) against our daemon on
# host 1, which runs one instance per situation:
#   VI_3  v3 IPv4 VRID 51, MASTER (prio 200)      VI_3B v3 VRID 52, BACKUP
#   VI_2  v2 PASS VRID 53, MASTER                 VI_2B v2 PASS VRID 55, BACKUP
#   VI_6  v3 IPv6 VRID 54, MASTER                 VI_U  v3 unicast VRID 56
#   VI_P  v3 v3_checksum_as_v2 VRID 57            VI_T  v3 VRID 58, alone
#   VI_AH v2 auth AH VRID 59                      VI_O  owner (255) VRID 60
# Host 2 runs our daemon as the MASTER of 52 and 55 and the second owner
# of 60.  Bad adverts to a MASTER carry priority 254 (accepting one would
# make it step down); bad adverts to a BACKUP carry priority 0 (accepting
# one would make it take over within Skew_Time).  Each case checks the
# exact counter movement (SIGUSR2 stats file, and the metrics endpoint's
# per-rule keepalived_vrrp_rx_errors_total for rules the stats file has no
# line for), and at the end: no state changed, no ASan/UBSan report.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/vrrp_lib.sh"
need_root
GEN=${KA_TOOLS_DIR:-$(dirname "$KA_BIN")/tests/tools}/ka_vrrpgen
[[ -x $GEN ]] || skip_all "no ka_vrrpgen ($GEN)"
command -v curl >/dev/null || skip_all "no curl"
lan_setup 2 || skip_all "cannot build the namespaces"
H1MAC=$(ip -n "${H[1]}" -o link show eth0 | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p')

inst() { # name vrid prio version vip extra-lines...
	local name=$1 vrid=$2 prio=$3 ver=$4 vip=$5 state=BACKUP
	shift 5
	((prio == 255)) && state=MASTER # an owner starts as MASTER (RFC 5798 §6.4.1)
	printf 'vrrp_instance %s {\n    state %s\n    interface eth0\n' "$name" "$state"
	printf '    virtual_router_id %s\n    priority %s\n    version %s\n' "$vrid" "$prio" "$ver"
	[[ $ver == 2 ]] && printf '    advert_int 1\n' || printf '    advert_int 0.5\n'
	for l in "$@"; do printf '    %s\n' "$l"; done
	printf '    virtual_ipaddress {\n        %s\n    }\n}\n' "$vip"
}
PASS=("authentication {" "    auth_type PASS" "    auth_pass secret12" "}")
{
	printf 'global_defs {\n    metrics_listen\n}\n'
	inst VI_3 51 200 3 192.0.2.100/24
	inst VI_3B 52 100 3 192.0.2.101/24
	inst VI_2 53 200 2 192.0.2.102/24 "${PASS[@]}"
	inst VI_2B 55 100 2 192.0.2.103/24 "${PASS[@]}"
	inst VI_6 54 200 3 2001:db8::100/64
	inst VI_U 56 200 3 192.0.2.104/24 "unicast_src_ip 192.0.2.11" \
		"unicast_peer {" "    192.0.2.200" "    192.0.2.201 min_ttl 250" "}"
	inst VI_P 57 200 3 192.0.2.105/24 v3_checksum_as_v2
	inst VI_T 58 100 3 192.0.2.106/24
	inst VI_AH 59 200 2 192.0.2.107/24 "authentication {" "    auth_type AH" \
		"    auth_pass secret12" "}"
	inst VI_O 60 255 3 192.0.2.110/24
} >"$T_DIR/h1.conf"
{
	inst VI_3B 52 200 3 192.0.2.101/24
	inst VI_2B 55 200 2 192.0.2.103/24 "${PASS[@]}"
	inst VI_O 60 255 3 192.0.2.110/24
} >"$T_DIR/h2.conf"

# --- counters: snap NAME writes "INST.Section.Field VALUE" lines from the
# stats file and "INST.rx.reason VALUE" from the metrics page.
snap() {
	local f="$T_DIR/keepalived.stats" i
	rm -f "$f"
	kill -USR2 "${KA_PID[1]}"
	for ((i = 0; i < 100; i++)); do
		[[ -s $f ]] && break
		sleep 0.05
	done
	{
		awk '/^VRRP Instance:/ {n=$3; next}
		     /^  [A-Z][^:]*:$/ {s=$0; sub(/^ +/,"",s); sub(/:$/,"",s); gsub(/ /,"_",s); next}
		     /^  [A-Z][^:]*: [0-9]+$/ {k=$0; sub(/^ +/,"",k); sub(/: [0-9]+$/,"",k); gsub(/ /,"_",k); print n"."k" "$NF; next}
		     /^    [A-Z][^:]*: [0-9]+$/ {k=$0; sub(/^ +/,"",k); sub(/: [0-9]+$/,"",k); gsub(/ /,"_",k); print n"."s"."k" "$NF}' "$f"
		ip netns exec "${H[1]}" curl -s -m 5 http://127.0.0.1:9712/metrics |
			sed -n 's/^keepalived_vrrp_rx_errors_total{.*iname="\([^"]*\)".*reason="\([^"]*\)".*} \([0-9]*\)$/\1.rx.\2 \3/p'
	} >"$T_DIR/$1.snap"
}
val() { # snapname key
	awk -v k="$2" '$1 == k {print $2; f=1} END {if (!f) print 0}' "$T_DIR/$1.snap"
}
delta() { echo $(($(val "$2" "$3") - $(val "$1" "$3"))); }
# expect A B KEY N: the counter moved by exactly N between snapshots.
expect() {
	local d
	d=$(delta "$1" "$2" "$3")
	if [[ $d == "$4" ]]; then ok "$3 +$4"; else not_ok "$3 moved by $d, expected $4"; fi
}
# settle A KEY N: take snapshot "b" until KEY moved by N since A (the last
# packet of a case is one that counts, so every earlier one was handled).
settle() {
	local i
	for ((i = 0; i < 40; i++)); do
		snap b
		(($(delta "$1" b "$2") >= $3)) && return 0
		sleep 0.1
	done
	return 1
}
gen() { ip netns exec "$CL" "$GEN" -i eth0 -s 192.0.2.200 "$@" >/dev/null; }
gen6() { ip netns exec "$CL" "$GEN" -i eth0 -6 -s fe80::200 "$@" >/dev/null; }
# Adverts that would change a state if accepted.
M3=(-V 3 -I 50 -r 51 -p 254 -a 192.0.2.100)                           # to VI_3 (master)
B3=(-V 3 -I 50 -r 52 -p 0 -a 192.0.2.101)                             # to VI_3B (backup)
M2=(-V 2 -I 1 -r 53 -p 254 -A 1 -P secret12 -a 192.0.2.102)           # to VI_2
B2=(-V 2 -I 1 -r 55 -p 0 -A 1 -P secret12 -a 192.0.2.103)             # to VI_2B
M6=(-V 3 -I 50 -r 54 -p 254 -a 2001:db8::100)                         # to VI_6
U=(-V 3 -I 50 -r 56 -p 100 -a 192.0.2.104 -d 192.0.2.11 -m "$H1MAC") # to VI_U (accepted)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$(ka_vrrp_pid 1)/stat"; }

TMPDIR=$T_DIR ka_start 1 "$T_DIR/h1.conf"
ka_start 2 "$T_DIR/h2.conf"
up() {
	has_addr 1 192.0.2.100 && has_addr 1 192.0.2.102 && has_addr 1 2001:db8::100 &&
		has_addr 1 192.0.2.104 && has_addr 1 192.0.2.105 && has_addr 1 192.0.2.106 &&
		has_addr 1 192.0.2.107 && has_addr 2 192.0.2.101 && has_addr 2 192.0.2.103 &&
		has_addr 2 192.0.2.110
}
check "startup: every instance in its expected state" wait_until 15 up
check "case 12: two owners (255) on VRID 60: the higher address (host 2) wins" no_addr 1 192.0.2.110
snap start

# --- case 6: TTL / hop limit (R1)
snap a
gen "${M3[@]}" -t 254
gen "${B3[@]}" -t 254
gen "${M2[@]}" -t 254
gen "${B2[@]}" -t 1
gen "${U[@]}" -t 64                  # unicast peer without min_ttl: no TTL check
gen "${U[@]}" -t 64 -s 192.0.2.201   # peer with min_ttl 250
gen6 "${M6[@]}" -t 64
settle a VI_U.Packet_Errors.TTL 1
settle a VI_6.Packet_Errors.TTL 1
for i in VI_3 VI_3B VI_2 VI_2B VI_6; do expect a b $i.Packet_Errors.TTL 1; done
expect a b VI_U.Packet_Errors.TTL 1
expect a b VI_U.Advertisements.Received 1
expect a b VI_3B.Priority_Zero.Received 0
expect a b VI_2B.Priority_Zero.Received 0
check "case 6: drops logged" grep -q "dropping advert from 192.0.2.200: bad TTL/hop limit" "$T_DIR/h1.log"

# --- case 7: version and type (R2, R3)
snap a
gen "${M2[@]}" -V 3 -I 50            # v3 to a v2 instance
gen "${M3[@]}" -V 2 -I 1             # v2 to a v3 instance
gen "${B3[@]}" -V 2 -I 1
for v in 0 1 4 15; do gen "${M3[@]}" -V $v; done
for t in 0 2 3 4 5 6 7 8 9 10 11 12 13 14 15; do
	gen "${M3[@]}" -T $t
	gen "${M2[@]}" -T $t
done
gen6 "${M6[@]}" -V 2 -I 1 -C pseudo  # v2 over IPv6
settle a VI_2.Packet_Errors.Invalid_Type 15
settle a VI_6.rx.wrong_version 1
expect a b VI_2.rx.wrong_version 1
expect a b VI_3.rx.wrong_version 5
expect a b VI_3B.rx.wrong_version 1
expect a b VI_6.rx.wrong_version 1
expect a b VI_3.Packet_Errors.Invalid_Type 15
expect a b VI_2.Packet_Errors.Invalid_Type 15

# --- case 8: length lies (R4)
# The kernel drops it: in ip_rcv on host 1, or already on the bridge when
# br_netfilter validates IPv4 headers there.  Either counts InTruncatedPkts.
read_trunc() {
	local ns t=0 n
	for ns in "$SW" "${H[1]}"; do
		n=$(ip netns exec "$ns" awk '/^IpExt:/ {if (!h) {for (i=1;i<=NF;i++) if ($i=="InTruncatedPkts") c=i; h=1} else print $c}' /proc/net/netstat)
		t=$((t + ${n:-0}))
	done
	echo $t
}
tr0=$(read_trunc)
snap a
gen "${M3[@]}" -c 20                 # count 20, one address present
gen "${M2[@]}" -k 12                 # v2 without its auth data
gen "${M3[@]}" -x 40                 # 40 bytes past the message: not padding
gen "${M2[@]}" -x 20
gen "${M3[@]}" -L 28                 # tot_len shorter: the kernel trims to 8 bytes
gen "${M3[@]}" -L 200                # tot_len longer than the frame: kernel drops
gen "${M3[@]}" -k 0                  # empty payload: no VRID to count it against
gen "${M3[@]}" -k 1
gen "${M3[@]}" -k 4                  # VRID present, header incomplete
gen "${M3[@]}" -p 50 -x 8            # 20+12+8 <= 46: Ethernet padding, accepted
# IPv6 payload length shorter: trimmed, then the kernel's IPV6_CHECKSUM
# check fails (the sum covered 24 bytes), so it never reaches us
gen6 "${M6[@]}" -L 8
gen6 "${M6[@]}" -c 5                 # IPv6, count 5 with one address
settle a VI_3.Advertisements.Received 1
settle a VI_6.Packet_Errors.Length 1
expect a b VI_3.Packet_Errors.Length 4
expect a b VI_2.Packet_Errors.Length 2
expect a b VI_6.Packet_Errors.Length 1
expect a b VI_3.Advertisements.Received 1
check "case 8: tot_len > frame dropped by the kernel (InTruncatedPkts)" test "$(read_trunc)" -gt "$tr0"

# --- case 9: checksums (R5)
snap a
gen "${M2[@]}" -C bad
gen "${M3[@]}" -C bad
gen "${M3[@]}" -C plain              # v3/IPv4 without the pseudo-header
gen "${M3[@]}" -C zero
gen -V 3 -I 50 -r 57 -p 254 -a 192.0.2.105 -C pseudo  # v3_checksum_as_v2 wants plain
gen -V 3 -I 50 -r 57 -p 50 -a 192.0.2.105 -C plain    # ... and accepts it
gen6 "${M6[@]}" -C bad               # the kernel checks it (IPV6_CHECKSUM)
gen "${U[@]}" -C pseudo -D 224.0.0.18 # keepalived < 1.3.6 unicast form: auto-detected
gen "${B3[@]}" -C bad
settle a VI_3B.rx.bad_checksum 1
expect a b VI_2.rx.bad_checksum 1
expect a b VI_3.rx.bad_checksum 3
expect a b VI_P.rx.bad_checksum 1
expect a b VI_P.Advertisements.Received 1
expect a b VI_6.rx.bad_checksum 0
expect a b VI_U.Advertisements.Received 1
expect a b VI_U.rx.bad_checksum 0
check "case 9: old unicast checksum detected and logged" grep -q "(VI_U) peer uses the old unicast checksum" "$T_DIR/h1.log"

# --- case 10: intervals (R9, R10)
snap a
c0=$(cpu_ticks)
t0=$(now_ms)
gen "${M2[@]}" -I 2                  # v2 mismatch: drop + counter
gen "${M2[@]}" -I 0
gen "${M3[@]}" -I 0                  # v3 Max Adver Int 0: drop
gen "${B3[@]}" -I 0 -n 20 -g 10000
settle a VI_3B.rx.advert_interval_zero 20
expect a b VI_2.Packet_Errors.Advertisement_Interval 1
expect a b VI_2.rx.advert_interval_zero 1
expect a b VI_3.rx.advert_interval_zero 1
sleep 2
c1=$(cpu_ticks)
t1=$(now_ms)
hz=$(getconf CLK_TCK)
cpu_pct=$(((c1 - c0) * 1000 * 100 / hz / (t1 - t0)))
check "case 10: interval 0 causes no timer spin (VRRP child ${cpu_pct}% CPU over $((t1 - t0)) ms)" \
	test "$cpu_pct" -lt 25
# v3 mismatch is accepted: VI_T (alone, MASTER) hears 150 at 2 s, steps
# down and adopts Master_Adver_Interval = 2 s.
snap a
gen -V 3 -r 58 -p 150 -I 200 -a 192.0.2.106
settle a VI_T.Released_master 1
expect a b VI_T.Packet_Errors.Advertisement_Interval 1
rm -f "$T_DIR/keepalived.data"
kill -USR1 "${KA_PID[1]}"
wait_until 5 test -s "$T_DIR/keepalived.data"
mai=$(awk '/VRRP Instance = / {n=$4} n == "VI_T" && /Master advert interval/ {print $5; exit}' "$T_DIR/keepalived.data")
check "case 10: the backup adopted the master's 2 s interval ($mai ms)" test "$mai" = 2000
check "case 10: VI_T released its VIP" wait_until 3 no_addr 1 192.0.2.106

# --- case 12: priority 0 -> the backup takes over after Skew_Time, not
# Master_Down_Interval: with priority 100 and the adopted 2 s,
# skew = 156/256 * 2 = 1.22 s, Master_Down_Interval = 6 + 1.22 s.
t0=$(now_ms)
gen -V 3 -r 58 -p 0 -I 200 -a 192.0.2.106
wait_until 10 has_addr 1 192.0.2.106
t1=$(now_ms)
echo "# case 12: priority 0 -> MASTER after $((t1 - t0)) ms (skew 1219 ms, down interval 7219 ms)"
check "case 12: takeover after about Skew_Time ($((t1 - t0)) ms in [1000, 3500])" \
	test $((t1 - t0)) -ge 1000 -a $((t1 - t0)) -le 3500

# --- case 11: authentication (R8) and AH where not configured
snap a
gen "${M2[@]}" -P wrongpwd
gen "${B2[@]}" -P secret13
gen "${M2[@]}" -A 0                  # none vs PASS
gen "${M2[@]}" -A 2                  # AH type without the AH header
gen "${M2[@]}" -A 9                  # unknown auth type
gen "${M2[@]}" -H                    # AH header in front, instance is PASS
gen "${M3[@]}" -H                    # ... and a v3 instance
gen -V 2 -I 1 -r 59 -p 254 -A 2 -a 192.0.2.107 -H # AH instance, bogus ICV
gen -V 2 -I 1 -r 59 -p 254 -A 2 -a 192.0.2.107    # AH instance, no AH header
settle a VI_AH.rx.ah_header_missing_unexpected_or_malformed 1
settle a VI_AH.Authentication_Errors.Failure 1 # the AH socket's last one
expect a b VI_2.Authentication_Errors.Failure 1
expect a b VI_2B.Authentication_Errors.Failure 1
expect a b VI_2.Authentication_Errors.Type_Mismatch 2
expect a b VI_2.Authentication_Errors.Invalid_Type 1
expect a b VI_2.rx.ah_header_missing_unexpected_or_malformed 1
expect a b VI_3.rx.ah_header_missing_unexpected_or_malformed 1
expect a b VI_AH.Authentication_Errors.Failure 1
check "case 11: the password is not logged" bash -c "! grep -q -e secret12 -e wrongpwd -e secret13 $T_DIR/h1.log"

# --- no state changed through cases 6-11 (VI_T excepted: its changes
# were the point), and the BACKUPs saw no priority 0.
snap end
for i in VI_3 VI_2 VI_6 VI_U VI_P VI_AH; do
	expect start end $i.Released_master 0
done
for i in VI_3B VI_2B; do
	expect start end $i.Became_master 0
	expect start end $i.Priority_Zero.Received 0
done
check "all MASTERs kept their VIPs" up

# --- case 12 with two daemons: host 2 stops (priority 0 on the way out):
# host 1's VI_3B (100, 0.5 s) takes over after skew 0.30 s, well inside
# Master_Down_Interval 1.80 s; the owner VRID 60 moves to host 1.
t0=$(now_ms)
ka_stop 2
wait_until 5 has_addr 1 192.0.2.101
t1=$(now_ms)
echo "# case 12: host 2 stopped -> host 1 MASTER of VRID 52 after $((t1 - t0)) ms (skew 305 ms, down interval 1805 ms)"
check "case 12: takeover well below Master_Down_Interval ($((t1 - t0)) ms < 1200)" test $((t1 - t0)) -lt 1200
check "case 12: host 1 takes the owner VIP" wait_until 3 has_addr 1 192.0.2.110
# ... and the higher-address owner wins again when it returns.
ka_start 2 "$T_DIR/h2.conf"
check "case 12: the returning higher-address owner wins VRID 60 again" wait_until 5 has_addr 2 192.0.2.110
check "case 12: host 1 released the owner VIP" wait_until 3 no_addr 1 192.0.2.110

check "the daemon survived" pid_alive "$(ka_vrrp_pid 1)"
check "no sanitizer report" bash -c "! grep -qE 'AddressSanitizer|runtime error|LeakSanitizer' $T_DIR/h1.log $T_DIR/h2.log"
t_done
