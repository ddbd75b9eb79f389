# Guest side of t_vm_lvs_traffic.sh: a client fetches through a director
# running our checker (-C) from two real servers, by NAT and by DR:
#   - 20 fetches per VIP all succeed and reach both real servers;
#   - rs1's httpd is killed: once our daemon has removed it (polled with
#     ipvsadm, bounded), every fetch succeeds and is answered by rs2;
#   - rs1 comes back: our daemon adds it again and both answer.
#
#   client 203.0.113.10 ── br-front ── dir1 (203.0.113.2, VIPs .100 NAT,
#   .101 DR; 198.51.100.1 = the real servers' gateway) ── br-back ── rs1, rs2
#
# NAT: the real servers answer through dir1, which rewrites the source.
# DR: the real servers own .101 on lo (arp_ignore/arp_announce) and answer
# the client directly with the VIP as source; their replies still cross
# dir1 as a plain router (their default gateway), and a packet whose source
# is one of dir1's own addresses is a martian unless accept_local is set on
# the receiving interface.
# shellcheck disable=SC2317 # helpers run through check and wait_until
# shellcheck source=guest_lib.sh
. "$KA_GUEST_DIR/guest_lib.sh"

D=dir1
VIP_NAT=$G_VIP           # 203.0.113.100
VIP_DR=203.0.113.101
RS1=$(g_rs_ip 1) RS2=$(g_rs_ip 2)
CONF=$G_DIR/ka.conf
LOG=$G_DIR/ka-$D.log

g_lvs_net 1 2 || {
	echo "topology setup failed"
	exit 1
}
g_addr "$D" eth1 "$G_GW/24"
g_addr "$D" eth0 "$VIP_NAT/24" "$VIP_DR/24"
ip netns exec "$D" sysctl -qw net.ipv4.conf.all.accept_local=1 net.ipv4.conf.eth1.accept_local=1 \
	net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.eth1.rp_filter=0 >/dev/null
for i in 1 2; do
	g_rs_dr rs$i "$VIP_DR"
	check "httpd in rs$i" g_httpd rs$i 80
done

# seed 002's style of check: HTTP_GET on / expecting status 200
vs_conf() { # VIP KIND
	cat <<EOF
virtual_server $1 80 {
    delay_loop 1
    lb_algo rr
    lb_kind $2
    protocol TCP
EOF
	local rs
	for rs in "$RS1" "$RS2"; do
		cat <<EOF
    real_server $rs 80 {
        weight 1
        HTTP_GET {
            url {
                path /
                status_code 200
            }
            connect_timeout 1
            nb_get_retry 1
            delay_before_retry 1
        }
    }
EOF
	done
	echo "}"
}
{
	vs_conf "$VIP_NAT" NAT
	vs_conf "$VIP_DR" DR
} >"$CONF"

# --- ipvsadm -Ln parsing (the witness) ------------------------------------------
ipvs_get() { T=$(g_ipvs "$D" -Ln); }
# fwd_of SVC DEST: the destination's forwarding column in $T, "absent" if none
fwd_of() {
	printf '%s\n' "$T" | awk -v a="$1" -v d="$2" '
		$1 == "TCP" || $1 == "UDP" || $1 == "FWM" { in_svc = ($2 == a); next }
		in_svc && $1 == "->" && $2 == d { print $3; found = 1; exit }
		END { if (!found) print "absent" }'
}
# dests_are "SVC DEST FWD_OR_absent"...: poll-able, leaves the table in $T
dests_are() {
	local spec a d f
	ipvs_get
	for spec in "$@"; do
		read -r a d f <<<"$spec"
		[[ $(fwd_of "$a" "$d") == "$f" ]] || return 1
	done
}
check_dests() { # DESC SECS SPEC...
	local desc=$1 secs=$2
	shift 2
	if wait_until "$secs" dests_are "$@"; then ok "$desc"; else
		not_ok "$desc (within ${secs}s: $*)"
		printf '%s\n' "$T" | sed 's/^/    /'
		return 1
	fi
}
# stop_here: what follows depends on what just failed
stop_here() {
	echo "(stopping here: the remaining steps depend on this)"
	g_dump "$D" rs1 rs2
	g_done
}

# fetch_tally URL N: N fetches from the client; sets F_RS1, F_RS2 (answers
# from each) and F_BAD (failed or foreign answers, missing lines included)
fetch_tally() {
	local body n1=0 n2=0 bad=0 total=0
	while read -r body; do
		total=$((total + 1))
		case $body in
		rs1) n1=$((n1 + 1)) ;;
		rs2) n2=$((n2 + 1)) ;;
		*) bad=$((bad + 1)) ;;
		esac
	done < <(g_fetch_n "$G_CLIENT" "$1" "$2")
	F_RS1=$n1 F_RS2=$n2 F_BAD=$((bad + $2 - total))
}

# --- start ---------------------------------------------------------------------------
must "daemon started (checker only)" g_ka_start "$D" "$CONF" -C
all_up=("$VIP_NAT:80 $RS1:80 Masq" "$VIP_NAT:80 $RS2:80 Masq"
	"$VIP_DR:80 $RS1:80 Route" "$VIP_DR:80 $RS2:80 Route")
check_dests "NAT and DR services with both real servers" 15 "${all_up[@]}" || stop_here
printf '%s\n' "$T"

for kind in NAT DR; do
	vip=VIP_$kind
	fetch_tally "http://${!vip}/" 20
	check_eq "$kind: 20 fetches through ${!vip} all succeeded" 0 "$F_BAD"
	check "$kind: both real servers answered (rs1=$F_RS1 rs2=$F_RS2)" test "$F_RS1" -gt 0 -a "$F_RS2" -gt 0
done
# the director scheduled the DR connections (the replies bypass IPVS)
conns=$(g_ipvs "$D" -Lnc)
check_match "connection table: client to the DR VIP via rs1 or rs2" \
	"TCP .* $G_CLIENT_IP:[0-9]+ +$VIP_DR:80 +198\\.51\\.100\\.1[12]:80" "$conns"

# --- rs1 fails ------------------------------------------------------------------------
t0=$SECONDS
g_httpd_stop rs1 80
check_dests "rs1 removed from both services" 20 \
	"$VIP_NAT:80 $RS1:80 absent" "$VIP_NAT:80 $RS2:80 Masq" \
	"$VIP_DR:80 $RS1:80 absent" "$VIP_DR:80 $RS2:80 Route" || stop_here
echo "    (removed after $((SECONDS - t0)) s)"
N=12
for kind in NAT DR; do
	vip=VIP_$kind
	fetch_tally "http://${!vip}/" $N
	check_eq "$kind: rs1 down: $N of $N fetches succeeded" 0 "$F_BAD"
	check_eq "$kind: rs1 down: every answer from rs2" "0 $N" "$F_RS1 $F_RS2"
done
check_match "log: rs1 removed from the NAT service" "Removing service .*$RS1.*$VIP_NAT" "$(cat "$LOG")"

# --- rs1 recovers ----------------------------------------------------------------------
check "rs1 httpd back" g_httpd rs1 80
check_dests "rs1 added back to both services" 20 "${all_up[@]}"
for kind in NAT DR; do
	vip=VIP_$kind
	fetch_tally "http://${!vip}/" 10
	check_eq "$kind: rs1 back: 10 fetches succeeded" 0 "$F_BAD"
	check "$kind: rs1 back: both answer again (rs1=$F_RS1 rs2=$F_RS2)" test "$F_RS1" -gt 0 -a "$F_RS2" -gt 0
done

check "SIGTERM: the daemon ends by itself" ka_term "$D"
ipvs_get
check_eq "after stop: the table is empty" 0 "$(printf '%s\n' "$T" | grep -cE '^(TCP|UDP|FWM) ')"

echo "--- the daemon's transitions"
grep -E 'Adding|Removing|failed|succeeded' "$LOG" | sed 's/^/    /'
((G_FAIL == 0)) || g_dump "$D" rs1 rs2
g_done
