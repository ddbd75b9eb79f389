# Guest side of t_vm_lvs_sync.sh: two directors run our daemon in full mode
# (VRRP + checker).  `lvs_sync_daemon eth1 VI_1` makes the IPVS sync daemon
# follow VI_1: master on the VRRP MASTER (dir1), backup on dir2.  The client's
# connections through dir1 must show up in dir2's connection table; then
# dir1 stops and dir2 takes over the VIPs and the master sync role.
#
#   client ── br-front ── dir1, dir2 ── br-back ── rs1, rs2
#   VRRP VI_1 on eth0: VIP 203.0.113.100 (front) and 198.51.100.1 (the real
#   servers' gateway, on eth1): NAT replies go through the MASTER.
# shellcheck disable=SC2317 # helpers run through check and wait_until
# shellcheck source=guest_lib.sh
. "$KA_GUEST_DIR/guest_lib.sh"

VIP=$G_VIP
RS1=$(g_rs_ip 1) RS2=$(g_rs_ip 2)

g_lvs_net 2 2 || {
	echo "topology setup failed"
	exit 1
}
for i in 1 2; do check "httpd in rs$i" g_httpd rs$i 80; done

conf() { # DIR STATE PRIORITY
	cat <<EOF
global_defs {
    router_id $1
    lvs_sync_daemon eth1 VI_1 id 7
}
vrrp_instance VI_1 {
    state $2
    interface eth0
    virtual_router_id 51
    priority $3
    advert_int 1
    virtual_ipaddress {
        $VIP/24 dev eth0
        $G_GW/24 dev eth1
    }
}
virtual_server $VIP 80 {
    delay_loop 1
    lb_algo rr
    lb_kind NAT
    protocol TCP
    real_server $RS1 80 {
        weight 1
        TCP_CHECK {
            connect_timeout 1
        }
    }
    real_server $RS2 80 {
        weight 1
        TCP_CHECK {
            connect_timeout 1
        }
    }
}
EOF
}
conf dir1 MASTER 150 >"$G_DIR/dir1.conf"
conf dir2 BACKUP 100 >"$G_DIR/dir2.conf"

# syncd_is NS master|backup: ipvsadm's view of the namespace's sync daemons
syncd_is() {
	[[ $(g_ipvs "$1" -L --daemon) =~ $2\ sync\ daemon\ \(mcast=eth1,\ syncid=7 ]]
}
# two_dests NS: the director's service holds both real servers
two_dests() {
	local t
	t=$(g_ipvs "$1" -Ln -t "$VIP:80")
	[[ $t == *"-> $RS1:80 "*"Masq"* && $t == *"-> $RS2:80 "*"Masq"* ]]
}
# client_conns NS: the namespace's connection entries from the client to
# the VIP, as "CLIENTPORT RS:PORT", sorted
client_conns() {
	g_ipvs "$1" -Lnc | awk -v c="$G_CLIENT_IP" -v v="$VIP:80" '
		$1 == "TCP" && $5 == v && index($4, c ":") == 1 { split($4, s, ":"); print s[2], $6 }' |
		sort
}
# n_client_conns NS N: the namespace has N such entries
n_client_conns() { (($(client_conns "$1" | grep -c .) == $2)); }
owns_vips() { g_has_addr "$1" "$VIP" && g_has_addr "$1" "$G_GW"; }

# stop_here: what follows depends on what just failed
stop_here() {
	echo "(stopping here: the remaining steps depend on this)"
	g_dump dir1 dir2
	g_done
}

# dir1 first: dir2 then hears its adverts before its own master-down timer
# runs out (started together, both would be MASTER for a moment)
must "dir1 started (MASTER)" g_ka_start dir1 "$G_DIR/dir1.conf"
t0=$SECONDS
must "dir1 becomes MASTER: owns the VIP and the gateway" wait_until 20 owns_vips dir1
echo "    (after $((SECONDS - t0)) s)"
must "dir2 started (BACKUP)" g_ka_start dir2 "$G_DIR/dir2.conf"
check "dir1: master sync daemon on eth1, syncid 7" wait_until 15 syncd_is dir1 master
check "dir2: backup sync daemon on eth1, syncid 7" wait_until 15 syncd_is dir2 backup
check "dir1: no backup sync daemon beside the master" bash -c "! ip netns exec dir1 ipvsadm -L --daemon | grep -q backup"
check "dir1: service with both real servers" wait_until 15 two_dests dir1
check "dir2: service with both real servers" wait_until 15 two_dests dir2
g_ipvs dir1 -L --daemon
g_ipvs dir2 -L --daemon

n1=0 n2=0 bad=0
while read -r body; do
	case $body in
	rs1) n1=$((n1 + 1)) ;;
	rs2) n2=$((n2 + 1)) ;;
	*) bad=$((bad + 1)) ;;
	esac
done < <(g_fetch_n "$G_CLIENT" "http://$VIP/" 10)
check_eq "10 fetches through the master" "10 0" "$((n1 + n2)) $bad"
check "both real servers answered (rs1=$n1 rs2=$n2)" test "$n1" -gt 0 -a "$n2" -gt 0
m=$(client_conns dir1)
check_eq "dir1's connection table: the 10 client connections" 10 "$(printf '%s\n' "$m" | grep -c .)"

t0=$SECONDS
check "dir2's connection table shows the master's 10 connections" wait_until 20 n_client_conns dir2 10
echo "    (after $((SECONDS - t0)) s)"
b=$(client_conns dir2)
echo "--- dir2 ipvsadm -Lnc"
g_ipvs dir2 -Lnc
check_eq "synced entries are dir1's own (same client ports, same real servers)" "$m" "$b"

check "dir2 stayed BACKUP while dir1 was MASTER: no VIP" bash -c "! ip -n dir2 addr show | grep -q 'inet $VIP/'"
check "dir2's VRRP never left BACKUP" bash -c "! grep -q 'Entering MASTER' '$G_DIR/ka-dir2.log'"
check_eq "no child was killed by the watchdog" "" \
	"$(grep -h 'did not answer hello' "$G_DIR/ka-dir1.log" "$G_DIR/ka-dir2.log")"

# --- failover: dir1 stops, dir2 takes the VIPs and the master role -------------------------
check "dir1: SIGTERM: the daemon ends by itself" ka_term dir1
t0=$SECONDS
check "dir2 becomes MASTER: owns the VIP and the gateway" wait_until 20 owns_vips dir2
echo "    (after $((SECONDS - t0)) s)"
check "dir2: its sync daemon turns master" wait_until 15 syncd_is dir2 master
check "dir1: no sync daemon left after stop" bash -c "[ -z \"\$(ip netns exec dir1 ipvsadm -L --daemon)\" ]"
out=$(g_fetch_n "$G_CLIENT" "http://$VIP/" 4)
check_eq "4 fetches through dir2" 4 "$(printf '%s\n' "$out" | grep -cE '^rs[12]$')"

check_eq "logs: no failed sync daemon start or stop" "" \
	"$(grep -hE 'cannot (start|stop)' "$G_DIR/ka-dir1.log" "$G_DIR/ka-dir2.log")"
echo "--- sync daemon and VRRP lines"
grep -hE 'sync daemon|MASTER|BACKUP' "$G_DIR/ka-dir1.log" "$G_DIR/ka-dir2.log" | sed 's/^/    /'
dmesg | grep -E 'IPVS: (sync thread|stopping)' | sed 's/^/    /'
((G_FAIL == 0)) || g_dump dir1 dir2
g_done
