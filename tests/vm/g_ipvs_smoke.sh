# Guest side of t_vm_ipvs_smoke.sh: Debian's ipvsadm builds a NAT service
# in a director namespace; a client namespace reaches both real servers.
# shellcheck source=guest_lib.sh
. "$KA_GUEST_DIR/guest_lib.sh"

g_lvs_net 1 2 || {
	echo "topology setup failed"
	exit 1
}
# dir1 is the real servers' gateway and owns the VIP
g_addr dir1 eth1 "$G_GW/24" "$G_GW6/64"
g_addr dir1 eth0 "$G_VIP/24" "$G_VIP6/64"
check "httpd answers in rs1" g_httpd rs1
check "httpd answers in rs2" g_httpd rs2
check_eq "dir1 reaches rs2 directly" rs2 "$(g_fetch dir1 "http://$(g_rs_ip 2)/")"

check "IPVS present in the director's namespace" test -e /proc/net/ip_vs
check "ipvsadm -A (rr)" g_ipvs dir1 -A -t "$G_VIP:80" -s rr
for i in 1 2; do
	check "ipvsadm -a rs$i NAT" g_ipvs dir1 -a -t "$G_VIP:80" -r "$(g_rs_ip $i):80" -m -w 1
done
check "ipvsadm -A IPv6 (wrr)" g_ipvs dir1 -A -t "[$G_VIP6]:80" -s wrr
for i in 1 2; do
	check "ipvsadm -a rs$i NAT IPv6" g_ipvs dir1 -a -t "[$G_VIP6]:80" -r "[$(g_rs_ip6 $i)]:80" -m -w 1
done

n1=0 n2=0 bad=0
while read -r body; do
	case $body in
	rs1) n1=$((n1 + 1)) ;;
	rs2) n2=$((n2 + 1)) ;;
	*) bad=$((bad + 1)) ;;
	esac
done < <(g_fetch_n client "http://$G_VIP/" 20)
check_eq "20 answers" 20 $((n1 + n2 + bad))
check_eq "20 fetches through the VIP all succeeded" 0 "$bad"
check "both real servers answered (rs1=$n1 rs2=$n2)" test "$n1" -gt 0 -a "$n2" -gt 0
check_eq "round robin splits evenly" "10 10" "$n1 $n2"

m1=0 m2=0
while read -r body; do
	case $body in
	rs1) m1=$((m1 + 1)) ;;
	rs2) m2=$((m2 + 1)) ;;
	esac
done < <(g_fetch_n client "http://[$G_VIP6]/" 6)
check_eq "IPv6 VIP: both real servers, evenly" "3 3" "$m1 $m2"

out=$(g_ipvs dir1 -Ln)
echo "$out"
check_match "ipvsadm -Ln lists the IPv4 service" "TCP  $G_VIP:80 rr" "$out"
check_match "ipvsadm -Ln lists rs1 as Masq" "-> $(g_rs_ip 1):80 +Masq +1 " "$out"
check_match "ipvsadm -Ln lists rs2 as Masq" "-> $(g_rs_ip 2):80 +Masq +1 " "$out"
check_match "ipvsadm -Ln lists the IPv6 service" "TCP  \\[$G_VIP6\\]:80 wrr" "$out"
# the kernel folds its per-CPU counters into these every 2 s
conns20() { [[ $(g_ipvs dir1 -Ln --stats -t "$G_VIP:80") =~ "TCP  $G_VIP:80"\ +20\  ]]; }
check "service counted 20 connections" wait_until 5 conns20
check_match "connection table holds client entries" "TCP .* $G_CLIENT_IP:[0-9]+ +$G_VIP:80 +$(g_rs_ip 1):80" \
	"$(g_ipvs dir1 -Lnc)"
check_eq "IPVS is per namespace: rs1 has no service" 0 \
	"$(g_ipvs rs1 -Ln | grep -c -E '^(TCP|UDP)')"

check "ipvsadm -C clears the table" g_ipvs dir1 -C
check_eq "table empty after -C" 0 "$(g_ipvs dir1 -Ln | grep -c -E '^(TCP|UDP)')"
check "VIP no longer answers" bash -c "! ip netns exec client timeout 2 wget -q -O - http://$G_VIP/ 2>/dev/null"
g_done
