#!/usr/bin/env bash
# Interop with Debian's keepalived in the same VRRP group, both directions,
# for v2 + PASS and v3: election, no dual master after convergence,
# failover on kill -9, graceful stop, preemption.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/vrrp_lib.sh"
need_root
UP=/usr/sbin/keepalived
[[ -x $UP ]] || skip_all "Debian keepalived not installed (make deps installs it)"
lan_setup 2 || skip_all "cannot build the namespaces"
VIP=192.0.2.100
echo "    peer: $($UP -v 2>&1 | head -1)"

mk_conf() { # file prio version
	local auth="" int=0.1
	if [[ $3 == 2 ]]; then
		auth=$'    authentication {\n        auth_type PASS\n        auth_pass k33pal1v\n    }'
		int=1
	fi
	cat >"$1" <<CONF
vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id 51
    priority $2
    version $3
    advert_int $int
$auth
    virtual_ipaddress {
        $VIP/24
    }
}
CONF
}
# Sample both hosts for SECONDS; fail if both own the VIP for longer than
# one advert interval (MS).
no_dual_master() { # seconds ms
	local end=$(($(now_ms) + $1 * 1000)) since=0 t
	while (($(now_ms) < end)); do
		if has_addr 1 $VIP && has_addr 2 $VIP; then
			t=$(now_ms)
			((since == 0)) && since=$t
			((t - since > $2)) && return 1
		else
			since=0
		fi
		sleep 0.02
	done
	return 0
}
case_run() { # version ours_host
	local v=$1 ours=$2 theirs=$((3 - $2)) adv_ms bound
	[[ $v == 2 ]] && adv_ms=1000 || adv_ms=100
	[[ $v == 2 ]] && bound=6 || bound=3
	local tag="v$v ours=h$ours"
	mk_conf "$T_DIR/hi.conf" 150 "$v"
	mk_conf "$T_DIR/lo.conf" 100 "$v"

	# Ours MASTER (150) with keepalived BACKUP (100).
	ka_start "$ours" "$T_DIR/hi.conf"
	up_start "$theirs" "$T_DIR/lo.conf"
	check "$tag: ours is elected MASTER" wait_until "$bound" has_addr "$ours" $VIP
	check "$tag: keepalived stays BACKUP" no_addr "$theirs" $VIP
	check "$tag: never two masters after convergence" no_dual_master 2 "$adv_ms"
	ka_kill9 "$ours"
	ip -n "${H[$ours]}" addr del $VIP/24 dev eth0 2>/dev/null
	check "$tag: keepalived takes over after kill -9 of ours" wait_until "$bound" has_addr "$theirs" $VIP
	ka_start "$ours" "$T_DIR/hi.conf"
	check "$tag: ours preempts keepalived on return" wait_until "$bound" has_addr "$ours" $VIP
	check "$tag: keepalived releases on preemption" wait_until "$bound" no_addr "$theirs" $VIP
	t0=$(now_ms)
	ka_stop "$ours"
	check "$tag: graceful stop of ours hands over to keepalived" wait_until "$bound" has_addr "$theirs" $VIP
	echo "    $tag: handover after SIGTERM of ours: $(($(now_ms) - t0)) ms"
	up_stop "$theirs"

	# keepalived MASTER (150) with ours BACKUP (100).
	up_start "$theirs" "$T_DIR/hi.conf"
	ka_start "$ours" "$T_DIR/lo.conf"
	check "$tag: keepalived is elected MASTER" wait_until "$bound" has_addr "$theirs" $VIP
	check "$tag: ours stays BACKUP" no_addr "$ours" $VIP
	check "$tag: never two masters after convergence (reverse)" no_dual_master 2 "$adv_ms"
	up_kill9 "$theirs"
	check "$tag: ours takes over after kill -9 of keepalived" wait_until "$bound" has_addr "$ours" $VIP
	up_start "$theirs" "$T_DIR/hi.conf"
	check "$tag: keepalived preempts ours on return" wait_until "$bound" has_addr "$theirs" $VIP
	check "$tag: ours releases on preemption" wait_until "$bound" no_addr "$ours" $VIP
	t0=$(now_ms)
	up_stop "$theirs"
	check "$tag: graceful stop of keepalived hands over to ours" wait_until "$bound" has_addr "$ours" $VIP
	echo "    $tag: handover after SIGTERM of keepalived: $(($(now_ms) - t0)) ms"
	ka_stop "$ours"
	ip -n "${H[1]}" addr del $VIP/24 dev eth0 2>/dev/null
	ip -n "${H[2]}" addr del $VIP/24 dev eth0 2>/dev/null
}
case_run 3 1
case_run 2 2
check "no sanitizer report" bash -c "! grep -E 'AddressSanitizer|runtime error:' $T_DIR/h*.log"
t_done
