#!/usr/bin/env bash
# auth_type AH interop with Debian's keepalived in the same VRRPv2 group,
# both directions: the backup stays backup (its receive accepts the
# master's AH adverts, no authentication errors), failover on kill -9 and
# preemption on return (the sequence numbers carry over), and a wrong
# auth_pass gives authentication failures and two masters.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/vrrp_lib.sh"
need_root
UP=/usr/sbin/keepalived
[[ -x $UP ]] || skip_all "Debian keepalived not installed (make deps installs it)"
lan_setup 2 || skip_all "cannot build the namespaces"
VIP=192.0.2.100
BOUND=8 # v2 1 s adverts: master down interval ~3.6 s, plus start-up
echo "    peer: $($UP -v 2>&1 | head -1)"

mk_conf() { # file prio pass [ours]
	{
		[[ -n ${4:-} ]] && echo "global_defs { stats_dump_file $T_DIR/stats$4 }"
		cat <<CONF
vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id 51
    priority $2
    advert_int 1
    authentication {
        auth_type AH
        auth_pass $3
    }
    virtual_ipaddress {
        $VIP/24
    }
}
CONF
	} >"$1"
}
# stat_of I FIELD-LINE: the number on the first line of our stats dump of
# host I that starts with FIELD under SECTION (awk: section then field).
stats_dump() { # I -> fresh stats text on stdout
	local f=$T_DIR/stats$1 v
	rm -f "$f"
	v=$(ka_vrrp_pid "$1")
	[[ -n $v ]] || return 1
	kill -USR2 "$v"
	wait_until 5 test -s "$f" || return 1
	cat "$f"
}
auth_failures() { stats_dump "$1" | awk '/Authentication Errors/ { a = 1 } a && /Failure:/ { print $2; exit }'; }
adverts_rcvd() { stats_dump "$1" | awk '/Advertisements:/ { a = 1 } a && /Received:/ { print $2; exit }'; }
# hold SECONDS: host I keeps (has) or never gets (no) the VIP
stays() { # seconds fn host
	local end=$(($(now_ms) + $1 * 1000))
	while (($(now_ms) < end)); do
		"$2" "$3" $VIP || return 1
		sleep 0.1
	done
}
gt0() { [[ ${1:-0} -gt 0 ]]; }
eq0() { [[ ${1:-x} == 0 ]]; }

OURS=1 THEIRS=2
mk_conf "$T_DIR/hi.conf" 150 k33pal1v
mk_conf "$T_DIR/lo.conf" 100 k33pal1v
mk_conf "$T_DIR/ours_hi.conf" 150 k33pal1v 1
mk_conf "$T_DIR/ours_lo.conf" 100 k33pal1v 1
mk_conf "$T_DIR/ours_bad.conf" 100 wr0ngpas 1

# --- keepalived MASTER, ours BACKUP
up_start $THEIRS "$T_DIR/hi.conf"
ka_start $OURS "$T_DIR/ours_lo.conf"
check "keepalived is elected MASTER" wait_until $BOUND has_addr $THEIRS $VIP
check "ours stays BACKUP for 3 s" stays 3 no_addr $OURS
n=$(adverts_rcvd $OURS)
check "ours received keepalived's AH adverts ($n)" gt0 "$n"
n=$(auth_failures $OURS)
check "ours counted no authentication failure ($n)" eq0 "$n"
up_kill9 $THEIRS
check "ours takes over after kill -9 of keepalived" wait_until $BOUND has_addr $OURS $VIP
up_start $THEIRS "$T_DIR/hi.conf"
check "keepalived accepts ours' AH adverts and preempts on return" wait_until $BOUND has_addr $THEIRS $VIP
check "ours releases on preemption" wait_until $BOUND no_addr $OURS $VIP
check "ours stays BACKUP after the handover" stays 2 no_addr $OURS
n=$(auth_failures $OURS)
check "still no authentication failure in ours ($n)" eq0 "$n"
ka_stop $OURS
up_stop $THEIRS
ip -n "${H[$THEIRS]}" addr del $VIP/24 dev eth0 2>/dev/null

# --- ours MASTER, keepalived BACKUP
ka_start $OURS "$T_DIR/ours_hi.conf"
up_start $THEIRS "$T_DIR/lo.conf"
check "ours is elected MASTER" wait_until $BOUND has_addr $OURS $VIP
check "keepalived stays BACKUP for 3 s" stays 3 no_addr $THEIRS
check "keepalived logged no AH/auth error" bash -c "! grep -iE 'auth|ipsec|AH ' $T_DIR/up$THEIRS.log"
ka_kill9 $OURS
ip -n "${H[$OURS]}" addr del $VIP/24 dev eth0 2>/dev/null
check "keepalived takes over after kill -9 of ours" wait_until $BOUND has_addr $THEIRS $VIP
ka_start $OURS "$T_DIR/ours_hi.conf"
check "ours preempts keepalived on return" wait_until $BOUND has_addr $OURS $VIP
check "keepalived releases on preemption" wait_until $BOUND no_addr $THEIRS $VIP
check "keepalived stays BACKUP after the handover" stays 2 no_addr $THEIRS
n=$(auth_failures $OURS)
check "ours counted no authentication failure ($n)" eq0 "$n"
t0=$(now_ms)
ka_stop $OURS
check "graceful stop of ours hands over to keepalived" wait_until $BOUND has_addr $THEIRS $VIP
echo "    handover after SIGTERM of ours: $(($(now_ms) - t0)) ms"
up_stop $THEIRS
ip -n "${H[$THEIRS]}" addr del $VIP/24 dev eth0 2>/dev/null

# --- wrong auth_pass on ours: neither accepts the other
up_start $THEIRS "$T_DIR/hi.conf"
ka_start $OURS "$T_DIR/ours_bad.conf"
check "wrong key: keepalived becomes MASTER" wait_until $BOUND has_addr $THEIRS $VIP
check "wrong key: ours becomes MASTER too" wait_until $BOUND has_addr $OURS $VIP
n=$(auth_failures $OURS)
check "wrong key: ours counts authentication failures ($n)" gt0 "$n"
ka_stop $OURS
up_stop $THEIRS

check "no sanitizer report" bash -c "! grep -E 'AddressSanitizer|runtime error:' $T_DIR/h*.log"
t_done
