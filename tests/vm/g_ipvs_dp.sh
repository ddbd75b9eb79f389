# Guest: our IPVS data plane (ka_ipvs over src/lvs) against Debian's ipvsadm
# on the real kernel, in a director namespace.
. "$KA_GUEST_DIR/guest_lib.sh"

g_ns d1 || { echo "ns setup failed"; exit 1; }
ip -n d1 link add dummy0 type dummy && ip -n d1 link set dummy0 up
X="ip netns exec d1"
KI="$X ka_ipvs"
W=$G_DIR
sorted() { sort | sed 's/[[:space:]]*$//'; }

check_eq "probe" "IPVS available" "$($KI probe)"

# a foreign service: must survive everything but an explicit flush
g_ipvs d1 -A -t 203.0.113.200:22 -s rr
g_ipvs d1 -a -t 203.0.113.200:22 -r 198.51.100.99:22 -m

cat >"$W/want1" <<'E'
service tcp 192.0.2.1 80 sched wlc
dest 192.0.2.10 80 nat weight 1
dest 192.0.2.11 8080 nat weight 3 uthreshold 100 lthreshold 10
service udp 192.0.2.1 53 sched rr flags 0x4
dest 192.0.2.12 53 dr weight 2
service tcp 2001:db8::1 443 sched sh flags 0x19 timeout 300 netmask 64
dest 2001:db8::10 443 dr weight 1
service fwmark 5 inet sched mh flags 0x1 timeout 120 netmask 255.255.255.0
dest 192.0.2.20 0 tun weight 1 tuntype gue tunport 6080 tunflags 1
dest 2001:db8::21 0 tun weight 1
service sctp 192.0.2.1 3868 sched lc
dest 192.0.2.30 3868 nat
service fwmark 6 inet6 sched wrr
dest 2001:db8::30 0 dr weight 4
E
out=$($KI sync "$W/want1" 2>"$W/err1")
check_eq "first sync: 6 services + 8 destinations" "sync failed=0 mutations=14" "$out"
cat "$W/err1"
echo "--- ipvsadm -Ln after want1"
g_ipvs d1 -Ln | tee "$W/ln1"
g_ipvs d1 -Ln --thresholds >"$W/thr1"
g_ipvs d1 -Ln --tun-info >"$W/tun1" 2>&1
g_ipvs d1 -Sn | tee "$W/save1"
ln=$(cat "$W/ln1")
check_match "ipvsadm: TCP service wlc" "TCP  192.0.2.1:80 wlc" "$ln"
check_match "ipvsadm: NAT dest weight 1" "-> 192.0.2.10:80 +Masq +1 " "$ln"
check_match "ipvsadm: NAT dest weight 3 port 8080" "-> 192.0.2.11:8080 +Masq +3 " "$ln"
check_match "ipvsadm: UDP rr ops" "UDP  192.0.2.1:53 rr ops" "$ln"
check_match "ipvsadm: DR dest" "-> 192.0.2.12:53 +Route +2 " "$ln"
check_match "ipvsadm: IPv6 sh persistent 300 mask 64, sh flags" \
	"TCP  \\[2001:db8::1\\]:443 sh \\(sh-fallback,sh-port\\) persistent 300 mask 64" "$ln"
check_match "ipvsadm: IPv6 DR dest" "-> \\[2001:db8::10\\]:443 +Route +1 " "$ln"
check_match "ipvsadm: fwmark mh persistent mask" "FWM  5 mh persistent 120 mask 255.255.255.0" "$ln"
check_match "ipvsadm: TUN dest" "-> 192.0.2.20:0 +Tunnel +1 " "$ln"
check_match "ipvsadm: mixed-family TUN dest" "-> \\[2001:db8::21\\]:0 +Tunnel +1 " "$ln"
check_match "ipvsadm: SCTP lc" "SCTP 192.0.2.1:3868 lc" "$ln"
check_match "ipvsadm: IPv6 fwmark wrr" "FWM  6 IPv6 wrr" "$ln"
check_match "ipvsadm: IPv6 fwmark dest" "-> \\[2001:db8::30\\]:0 +Route +4 " "$ln"
check_match "ipvsadm: foreign service still there" "TCP  203.0.113.200:22 rr" "$ln"
check_match "ipvsadm: thresholds" "-> 192.0.2.11:8080 +100 +10 " "$(cat "$W/thr1")"
check_match "ipvsadm: tunnel info" "-> 192.0.2.20:0 +Tunnel +gue:6080:\\+c +1 " "$(cat "$W/tun1")"

# our reader sees what ipvsadm sees, in our own words
cat >"$W/list1.expect" <<'E'
service tcp 192.0.2.1 80 sched wlc flags 0x2 timeout 0 netmask 255.255.255.255
  dest 192.0.2.10 80 nat weight 1 uthreshold 0 lthreshold 0
  dest 192.0.2.11 8080 nat weight 3 uthreshold 100 lthreshold 10
service udp 192.0.2.1 53 sched rr flags 0x6 timeout 0 netmask 255.255.255.255
  dest 192.0.2.12 53 dr weight 2 uthreshold 0 lthreshold 0
service tcp 2001:db8::1 443 sched sh flags 0x1b timeout 300 netmask 64
  dest 2001:db8::10 443 dr weight 1 uthreshold 0 lthreshold 0
service fwmark 5 inet sched mh flags 0x3 timeout 120 netmask 255.255.255.0
  dest 192.0.2.20 0 tun weight 1 uthreshold 0 lthreshold 0 tuntype gue tunport 6080 tunflags 1
  dest 2001:db8::21 0 tun weight 1 uthreshold 0 lthreshold 0 tuntype ipip tunport 0 tunflags 0
service sctp 192.0.2.1 3868 sched lc flags 0x2 timeout 0 netmask 255.255.255.255
  dest 192.0.2.30 3868 nat weight 1 uthreshold 0 lthreshold 0
service fwmark 6 inet6 sched wrr flags 0x2 timeout 0 netmask 128
  dest 2001:db8::30 0 dr weight 4 uthreshold 0 lthreshold 0
service tcp 203.0.113.200 22 sched rr flags 0x2 timeout 0 netmask 255.255.255.255
  dest 198.51.100.99 22 nat weight 1 uthreshold 0 lthreshold 0
E
$KI list >"$W/list1"
echo "--- ka_ipvs list"; cat "$W/list1"
check_eq "ka_ipvs list = what was programmed (+ foreign)" "$(sorted <"$W/list1.expect")" "$(sorted <"$W/list1")"

out=$($KI sync "$W/want1" 2>&1)
check_eq "unchanged table: zero mutations" "sync failed=0 mutations=0" "$out"

# reload: edit a weight, drop a dest, add a dest, change a scheduler, drop
# the SCTP service (listed in the drop table) -> 5 mutations
sed -e 's/^dest 192.0.2.10 80 nat weight 1$/dest 192.0.2.10 80 nat weight 9/' \
	-e '/^dest 192.0.2.12 53/d' \
	-e 's/^service udp 192.0.2.1 53 sched rr/service udp 192.0.2.1 53 sched wrr/' \
	-e '/^service sctp/,/^dest 192.0.2.30/d' "$W/want1" >"$W/want2"
awk '{print} /^service udp/{print "dest 192.0.2.13 53 dr weight 1"}' "$W/want2" >"$W/want2b"
out=$($KI sync "$W/want2b" -d "$W/want1" 2>&1)
check_eq "reload: 5 mutations" "sync failed=0 mutations=5" "$out"
ln=$(g_ipvs d1 -Ln)
check_match "reload: weight edited" "-> 192.0.2.10:80 +Masq +9 " "$ln"
check_match "reload: scheduler edited (ops kept)" "UDP  192.0.2.1:53 wrr ops" "$ln"
check "reload: dest dropped" bash -c "! grep -q '192.0.2.12:53' <<<'$ln'"
check_match "reload: dest added" "-> 192.0.2.13:53 +Route +1 " "$ln"
check "reload: SCTP service deleted" bash -c "! grep -q '^SCTP' <<<'$ln'"
check_match "reload: foreign service untouched" "TCP  203.0.113.200:22 rr" "$ln"
check_match "reload: foreign dest untouched" "-> 198.51.100.99:22 +Masq +1 " "$ln"
out=$($KI sync "$W/want2b" -d "$W/want1" 2>&1)
check_eq "reload again: zero mutations" "sync failed=0 mutations=0" "$out"

# incremental: set (edit), same set (no-op), set new (add), del, del again (no-op)
S="service tcp 192.0.2.1 80"
out=$($KI sync "$W/want2b" --set "$S" "dest 192.0.2.10 80 nat weight 4" \
	--set "$S" "dest 192.0.2.10 80 nat weight 4" \
	--set "$S" "dest 192.0.2.14 80 nat weight 2" \
	--del "$S" "dest 192.0.2.11 8080" --del "$S" "dest 192.0.2.11 8080" \
	--set "service tcp 203.0.113.200 22" "dest 198.51.100.98 22" \
	--read 2>"$W/err3")
echo "$out"
cat "$W/err3"
check_eq "incremental: mutation counts" "sync failed=0 mutations=0
set rc=0 mutations=1
set rc=0 mutations=1
set rc=0 mutations=2
del rc=0 mutations=3
del rc=0 mutations=3
set rc=-1 mutations=3" "$(sed -n 1,7p <<<"$out")"
check_match "incremental: foreign service refused in the log" \
	"IPVS: cannot set destination \\[198.51.100.98\\]:22 in TCP \\[203.0.113.200\\]:22: not one of our services" \
	"$(cat "$W/err3")"
check_match "read: our services with their destinations" "read rc=0" "$out"
check "read: foreign service not listed" bash -c "! grep -q 203.0.113.200 <<<'$out'"
ln=$(g_ipvs d1 -Ln)
check_match "incremental: edited" "-> 192.0.2.10:80 +Masq +4 " "$ln"
check_match "incremental: added" "-> 192.0.2.14:80 +Masq +2 " "$ln"
check "incremental: deleted" bash -c "! grep -q '192.0.2.11:8080' <<<'$ln'"

# failures are logged one line each and counted
cat >"$W/bad" <<'E'
service tcp 192.0.2.2 80 sched nosuch
dest 192.0.2.40 80 nat
dest 192.0.2.41 80 nat
service tcp 192.0.2.3 80 sched rr
dest 2001:db8::99 80 nat
dest 192.0.2.42 80 nat
E
out=$($KI sync "$W/bad" 2>"$W/err4")
echo "$out"; cat "$W/err4"
check_eq "failures counted (svc + 2 skipped dests + mixed NAT dest)" "sync failed=4 mutations=4" "$out"
check_match "log: unknown scheduler" "IPVS: cannot add service TCP \\[192.0.2.2\\]:80: No such file or directory" "$(cat "$W/err4")"
check_match "log: skipped destinations" "IPVS: 2 destinations of TCP \\[192.0.2.2\\]:80 not added" "$(cat "$W/err4")"
check_match "log: mixed-family NAT dest refused" \
	"IPVS: cannot add destination \\[2001:db8::99\\]:80 to TCP \\[192.0.2.3\\]:80: Invalid argument" "$(cat "$W/err4")"
check_match "the good destination went in" "-> 192.0.2.42:80 +Masq +1 " "$(g_ipvs d1 -Ln)"
g_ipvs d1 -D -t 192.0.2.3:80

# services made by ipvsadm, read by us
g_ipvs d1 -A -u "[2001:db8::5]:53" -s sed -p 60 -M 96
g_ipvs d1 -a -u "[2001:db8::5]:53" -r "[2001:db8::50]:5353" -g -w 7 -x 50 -y 5
g_ipvs d1 -A -f 77 -s nq
check_match "ka_ipvs reads ipvsadm's IPv6 UDP service" \
	"service udp 2001:db8::5 53 sched sed flags 0x3 timeout 60 netmask 96" "$($KI list)"
check_match "ka_ipvs reads ipvsadm's dest (ipvsadm forces a DR port to the service's)" \
	"dest 2001:db8::50 53 dr weight 7 uthreshold 50 lthreshold 5" "$($KI list)"
check_match "ka_ipvs reads ipvsadm's fwmark service" \
	"service fwmark 77 inet sched nq flags 0x2 timeout 0 netmask 255.255.255.255" "$($KI list)"

# remove-own: ours go, the foreign ones stay
out=$($KI sync "$W/want2b" --remove-own 2>&1)
check_eq "remove-own sync (undoes the 3 incremental changes first)" "sync failed=0 mutations=3" "$out"
ln=$(g_ipvs d1 -Ln)
check "remove-own: ours gone" bash -c "! grep -qE '192.0.2.1:80|FWM  5|2001:db8::1\\]:443|FWM  6' <<<'$ln'"
check_match "remove-own: foreign stays" "TCP  203.0.113.200:22 rr" "$ln"
check_match "remove-own: ipvsadm's IPv6 service stays" "UDP  \\[2001:db8::5\\]:53 sed" "$ln"

# flush: everything goes, then want1 comes back
out=$($KI sync "$W/want1" -f 2>&1)
check_eq "flush + sync" "sync failed=0 mutations=15" "$out"
check "flush removed the foreign service" bash -c "! ip netns exec d1 ipvsadm -Ln | grep -q 203.0.113.200"
check_eq "after flush: exactly want1" "$(grep -v '203.0.113.200\|198.51.100.99' "$W/list1.expect" | sorted)" "$($KI list | sorted)"
$KI sync /dev/null -d "$W/want1" >/dev/null 2>&1
check_eq "drop all: table empty" "" "$($KI list)"

# sync daemons
out=$($KI daemon start master dummy0 7 maxlen 1400 port 8850 ttl 2 group 239.1.1.1 2>&1)
check_eq "start master daemon" "" "$out"
d=$(g_ipvs d1 -Ln --daemon)
echo "$d"
check_match "ipvsadm sees the master daemon" "master sync daemon \\(mcast=dummy0, syncid=7, maxlen=1400, group=239.1.1.1, port=8850, ttl=2\\)" "$d"
g_ipvs d1 --start-daemon backup --mcast-interface dummy0 --syncid 9
check_eq "ka_ipvs reads both daemons" "backup dummy0 syncid 9 maxlen 1472 port 8848 ttl 1 group 224.0.0.81
master dummy0 syncid 7 maxlen 1400 port 8850 ttl 2 group 239.1.1.1" "$($KI daemon list | sort)"
check "stop master" $KI daemon stop master
check "stop backup" $KI daemon stop backup
check_eq "no daemons" "" "$(g_ipvs d1 -Ln --daemon)"
check "backup with an IPv6 group" $KI daemon start backup dummy0 3 group ff02::1:81
check_match "ipvsadm sees it" "backup sync daemon \\(mcast=dummy0, syncid=3, .*group=ff02::1:81" "$(g_ipvs d1 -Ln --daemon)"
$KI daemon stop backup

# timeouts
check_eq "set timeouts" "tcp 900 tcpfin 120 udp 300" "$($KI timeouts 900 120 300)"
check_eq "ipvsadm sees them" "Timeout (tcp tcpfin udp): 900 120 300" "$(g_ipvs d1 -Ln --timeout)"
g_ipvs d1 --set 100 0 50
check_eq "ka_ipvs reads ipvsadm's (0 = unchanged)" "tcp 100 tcpfin 120 udp 50" "$($KI timeouts)"

# scale: 300 services x 10 destinations; the dumps span many datagrams
awk 'BEGIN { for (s = 0; s < 300; s++) {
	printf "service tcp 192.0.2.%d %d sched rr\n", 100 + s % 100, 1000 + s
	for (d = 0; d < 10; d++) printf "dest 198.51.100.%d %d nat weight %d\n", 10 + d, 2000 + s, d + 1 } }' >"$W/big"
t0=$(date +%s)
out=$($KI sync "$W/big" 2>&1)
t1=$(date +%s)
check_eq "scale: 300 services + 3000 destinations" "sync failed=0 mutations=3300" "$out"
check_eq "scale: ipvsadm counts 3000 destinations" 3000 "$(ip netns exec d1 ipvsadm -Ln | grep -c -- '->  *198.51.100')"
out=$($KI sync "$W/big" 2>&1)
t2=$(date +%s)
check_eq "scale: unchanged re-read of 300 services: zero mutations" "sync failed=0 mutations=0" "$out"
check_eq "scale: ka_ipvs list has 3000 destinations" 3000 "$($KI list | grep -c '^  dest')"
echo "# scale timings under TCG: program $((t1 - t0)) s, re-read $((t2 - t1)) s"
$KI sync /dev/null -d "$W/big" >/dev/null 2>&1
check_eq "scale: all dropped" "" "$($KI list)"

g_done
