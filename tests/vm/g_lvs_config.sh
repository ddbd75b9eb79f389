# Guest side of t_vm_lvs_config.sh: what our checker programs into a real
# kernel's IPVS table, with Debian's ipvsadm as the witness.  One director
# (dir1, checker only: -C) in front of four real servers; scenarios:
#   1. seed 001's health-check case study (addresses mapped, below): three
#      services with their schedulers, persistence and weights;
#   2. both port-80 servers fail: the sorry server replaces them; one comes
#      back: the sorry server leaves;
#   3. inhibit_on_failure: a failed server stays with weight 0, then gets its
#      weight back;
#   4. a fwmark virtual server and a virtual_server_group (range + fwmark);
#   5. a foreign service survives our start, a reload and our stop; our own
#      services leave on stop, but stay with -I;
#   6. SIGHUP with an unchanged configuration leaves `ipvsadm -Sn` identical
#      and logs no Adding/Removing line.
#
# Address mapping of seed 001 (/work/shared/seeds/001_*.txt):
#   VIP 192.168.200.15 -> 192.0.2.15
#   real servers 192.168.100.2..5 -> rs1..rs4 = 198.51.100.11..14
#   sorry server 192.168.100.100 -> 198.51.100.100 (nobody owns it: IPVS does
#   not care, and no check runs against a sorry server)
# The seed's digests are of bodies we do not have: ours are the MD5 (busybox
# md5sum) of the files the real servers serve, in the seed's pattern (the
# second server's /testurl digest is the first one's /testurl2 digest).
# shellcheck disable=SC2317 # helpers run through check and wait_until
# shellcheck source=guest_lib.sh
. "$KA_GUEST_DIR/guest_lib.sh"

D=dir1
VIP=192.0.2.15
RS1=198.51.100.11 RS2=198.51.100.12 RS3=198.51.100.13 RS4=198.51.100.14
SORRY=198.51.100.100
CONF=$G_DIR/ka.conf
LOG=$G_DIR/ka-$D.log

fail_dump() {
	g_dump "$D"
}
# stop_here: the remaining scenarios depend on what just failed: dump the
# state and end now rather than run into the guest time limit
stop_here() {
	echo "(stopping here: the remaining scenarios depend on this)"
	fail_dump
	g_done
}

# --- ipvsadm -Ln parsing ----------------------------------------------------
# ipvs_get: the table (ipvsadm -Ln) in $T, one process per poll
ipvs_get() { T=$(g_ipvs "$D" -Ln); }
# svc_hdr PROTO ADDR_OR_MARK: the service's header line in $T
svc_hdr() {
	printf '%s\n' "$T" | awk -v p="$1" -v a="$2" '$1 == p && $2 == a { print; exit }'
}
# dest_field PROTO ADDR DEST FIELD: a destination's column (3 forward,
# 4 weight) in the service's block of $T; "absent" if it is not there
dest_field() {
	printf '%s\n' "$T" | awk -v p="$1" -v a="$2" -v d="$3" -v f="$4" '
		$1 == "TCP" || $1 == "UDP" || $1 == "SCTP" || $1 == "FWM" { in_svc = ($1 == p && $2 == a); next }
		in_svc && $1 == "->" && $2 == d { print $f; found = 1; exit }
		END { if (!found) print "absent" }'
}
weight() { dest_field "$1" "$2" "$3" 4; }
# n_dests PROTO ADDR: how many destinations the service has in $T
n_dests() {
	printf '%s\n' "$T" | awk -v p="$1" -v a="$2" '
		$1 == "TCP" || $1 == "UDP" || $1 == "SCTP" || $1 == "FWM" { in_svc = ($1 == p && $2 == a); next }
		in_svc && $1 == "->" { n++ }
		END { print n + 0 }'
}
# n_ours: services of ours in $T (everything but the foreign one)
n_ours() { printf '%s\n' "$T" | grep -E '^(TCP|UDP|SCTP|FWM) ' | grep -vc '203.0.113.200:22'; }

# wait_weights SECS "PROTO ADDR DEST WEIGHT_OR_absent"... : poll until every
# destination has its weight (or is absent); leaves the last table in $T
weights_are() {
	local spec p a d w
	ipvs_get
	for spec in "$@"; do
		read -r p a d w <<<"$spec"
		[[ $(weight "$p" "$a" "$d") == "$w" ]] || return 1
	done
}
wait_weights() {
	local secs=$1
	shift
	wait_until "$secs" weights_are "$@"
}
# check_weights DESC SECS SPEC...: one result; on failure show the table
check_weights() {
	local d=$1 secs=$2
	shift 2
	if wait_weights "$secs" "$@"; then ok "$d"; else
		not_ok "$d (within ${secs}s: $*)"
		printf '%s\n' "$T" | sed 's/^/    /'
		return 1
	fi
}

# --- the daemon's log --------------------------------------------------------
n_reloads() { grep -cE 'Checker: [0-9]+ virtual server' "$LOG"; }
reloaded_past() { (($(n_reloads) > $1)); }
# ka_hup: SIGHUP, return once the checker has applied the configuration
ka_hup() {
	local n
	n=$(n_reloads)
	kill -HUP "${G_KA[$D]}"
	wait_until 20 reloaded_past "$n"
}

# --- the configuration --------------------------------------------------------
# seed_conf FAST: seed 001's three virtual servers, mapped; FAST=1 shortens
# the timers (delay_loop 1, one retry after 1 s) so failures show quickly
seed_conf() {
	local dl80=30 dl443=20 dl25=15 ct=3 retry=3 dbr=2
	if [[ $1 == 1 ]]; then dl80=1 dl443=1 dl25=1 ct=1 retry=1 dbr=1; fi
	cat <<EOF
# Configuration File for keepalived (seed 001, addresses mapped)
global_defs {
    notification_email {
        admin@domain.com
        0633225522@domain.com
    }
    notification_email_from keepalived@domain.com
    smtp_server 192.0.2.20
    smtp_connect_timeout 30
    lvs_id LVS_MAIN
}
virtual_server $VIP 80 {
    delay_loop $dl80
    lb_algo wrr
    lb_kind NAT
    persistence_timeout 50
    protocol TCP

    sorry_server $SORRY 80

    real_server $RS1 80 {
        weight 2
        HTTP_GET {
            url {
                path /testurl/test.jsp
                digest $DIG_A
            }
            url {
                path /testurl2/test.jsp
                digest $DIG_B
            }
            connect_timeout $ct
            retry $retry
            delay_before_retry $dbr
        }
    }
    real_server $RS2 80 {
        weight 1
        HTTP_GET {
            url {
                path /testurl/test.jsp
                digest $DIG_B
            }
            connect_timeout $ct
            retry $retry
            delay_before_retry $dbr
        }
    }
}
virtual_server $VIP 443 {
    delay_loop $dl443
    lb_algo rr
    lb_kind NAT
    persistence_timeout 360
    protocol TCP
    real_server $RS1 443 {
        weight 1
        TCP_CHECK {
            connect_timeout $ct
        }
    }
    real_server $RS2 443 {
        weight 1
        TCP_CHECK {
            connect_timeout $ct
        }
    }
}
virtual_server $VIP 25 {
    delay_loop $dl25
    lb_algo wlc
    lb_kind NAT
    persistence_timeout 50
    protocol TCP
    real_server $RS3 25 {
        weight 1
        TCP_CHECK {
            connect_timeout $ct
        }
    }
    real_server $RS4 25 {
        weight 2
        TCP_CHECK {
            connect_timeout $ct
        }
    }
}
EOF
}
# extra_conf: inhibit_on_failure, a fwmark virtual server (a real server
# without a port, checked on connect_port) and a group (range + fwmark)
extra_conf() {
	cat <<EOF
virtual_server 192.0.2.30 8080 {
    delay_loop 1
    lb_algo wlc
    lb_kind NAT
    protocol TCP
    real_server $RS3 8080 {
        weight 3
        inhibit_on_failure
        TCP_CHECK {
            connect_timeout 1
            retry 1
            delay_before_retry 1
        }
    }
    real_server $RS4 8080 {
        weight 4
        inhibit_on_failure
        TCP_CHECK {
            connect_timeout 1
            retry 1
            delay_before_retry 1
        }
    }
}
virtual_server fwmark 7 {
    delay_loop 1
    lb_algo sh
    lb_kind DR
    real_server $RS4 {
        weight 5
        TCP_CHECK {
            connect_port 25
            connect_timeout 1
        }
    }
}
virtual_server_group G1 {
    192.0.2.40-42 80
    fwmark 9
}
virtual_server group G1 {
    delay_loop 1
    lb_algo rr
    lb_kind NAT
    protocol TCP
    real_server $RS3 25 {
        weight 1
        TCP_CHECK {
            connect_timeout 1
        }
    }
    real_server $RS4 25 {
        weight 6
        TCP_CHECK {
            connect_timeout 1
        }
    }
}
EOF
}

# --- setup ---------------------------------------------------------------------
g_lvs_net 1 4 || {
	echo "topology setup failed"
	exit 1
}
for i in 1 2; do
	check "httpd :80 in rs$i" g_httpd rs$i 80
	check "httpd :443 in rs$i" g_httpd rs$i 443
done
for i in 3 4; do
	check "httpd :25 in rs$i" g_httpd rs$i 25
	check "httpd :8080 in rs$i" g_httpd rs$i 8080
done
w1=$(g_www rs1 80) w2=$(g_www rs2 80)
mkdir -p "$w1/testurl" "$w1/testurl2" "$w2/testurl"
printf 'test page A of rs1\n' >"$w1/testurl/test.jsp"
printf 'test page B\n' >"$w1/testurl2/test.jsp"
cp "$w1/testurl2/test.jsp" "$w2/testurl/test.jsp"
DIG_A=$(md5sum <"$w1/testurl/test.jsp" | cut -d' ' -f1)
DIG_B=$(md5sum <"$w1/testurl2/test.jsp" | cut -d' ' -f1)
check_eq "rs2 serves the page HTTP_GET checks" "test page B" \
	"$(g_fetch dir1 "http://$RS2/testurl/test.jsp")"

# scenario 5, part 1: a foreign service before we start
g_ipvs "$D" -A -t 203.0.113.200:22 -s rr
g_ipvs "$D" -a -t 203.0.113.200:22 -r 198.51.100.99:22 -m -w 1
FOREIGN=("TCP 203.0.113.200:22 198.51.100.99:22 1")

# --- 1. the seed's three services --------------------------------------------------
seed_conf 0 >"$CONF"
t0=$SECONDS
must "daemon started (checker only)" g_ka_start "$D" "$CONF" -C
seed_full=(
	"TCP $VIP:80 $RS1:80 2" "TCP $VIP:80 $RS2:80 1" "TCP $VIP:80 $SORRY:80 absent"
	"TCP $VIP:443 $RS1:443 1" "TCP $VIP:443 $RS2:443 1"
	"TCP $VIP:25 $RS3:25 1" "TCP $VIP:25 $RS4:25 2"
)
check_weights "seed 001: the six real servers with their weights, no sorry server" 15 \
	"${seed_full[@]}" "${FOREIGN[@]}" || stop_here
echo "--- ipvsadm -Ln after start ($((SECONDS - t0)) s)"
printf '%s\n' "$T"
check_eq "seed 001: three services of ours" 3 "$(n_ours)"
check_match "port 80: wrr, persistent 50" "^TCP  $VIP:80 wrr persistent 50\$" "$(svc_hdr TCP "$VIP:80")"
check_match "port 443: rr, persistent 360" "^TCP  $VIP:443 rr persistent 360\$" "$(svc_hdr TCP "$VIP:443")"
check_match "port 25: wlc, persistent 50" "^TCP  $VIP:25 wlc persistent 50\$" "$(svc_hdr TCP "$VIP:25")"
check_eq "port 80: NAT (Masq) to rs1" Masq "$(dest_field TCP "$VIP:80" "$RS1:80" 3)"
check_eq "port 25: NAT (Masq) to rs4" Masq "$(dest_field TCP "$VIP:25" "$RS4:25" 3)"
check_eq "two destinations per service" "2 2 2" \
	"$(n_dests TCP "$VIP:80") $(n_dests TCP "$VIP:443") $(n_dests TCP "$VIP:25")"
pc=$(g_ipvs "$D" -Ln --persistent-conn)
check_match "--persistent-conn lists the persistent service" "TCP  $VIP:443 rr persistent 360" "$pc"
check "foreign service survived our start" test "$(weight TCP 203.0.113.200:22 198.51.100.99:22)" = 1

# --- reload to fast timers plus scenarios 3 and 4 ------------------------------------------
{
	seed_conf 1
	extra_conf
} >"$CONF"
must "SIGHUP: the checker applied the new configuration" ka_hup
ext_full=(
	"TCP 192.0.2.30:8080 $RS3:8080 3" "TCP 192.0.2.30:8080 $RS4:8080 4"
	"FWM 7 $RS4:0 5"
	"TCP 192.0.2.40:80 $RS3:25 1" "TCP 192.0.2.40:80 $RS4:25 6"
	"TCP 192.0.2.41:80 $RS3:25 1" "TCP 192.0.2.41:80 $RS4:25 6"
	"TCP 192.0.2.42:80 $RS3:25 1" "TCP 192.0.2.42:80 $RS4:25 6"
	"FWM 9 $RS3:25 1" "FWM 9 $RS4:25 6"
)
check_weights "reload: new services programmed, seed services as before" 15 \
	"${seed_full[@]}" "${ext_full[@]}" "${FOREIGN[@]}" || stop_here
echo "--- ipvsadm -Ln after the reload"
printf '%s\n' "$T"
check "foreign service survived the reload" test "$(weight TCP 203.0.113.200:22 198.51.100.99:22)" = 1
check_eq "services of ours: 3 seed + 1 inhibit + 1 fwmark + 3 range + 1 group fwmark" 9 "$(n_ours)"

# --- 4. fwmark virtual server and group ---------------------------------------------------
check_match "fwmark 7: sh scheduler" "^FWM  7 sh\$" "$(svc_hdr FWM 7)"
check_eq "fwmark 7: DR (Route) to a real server without a port" Route "$(dest_field FWM 7 "$RS4:0" 3)"
for a in 40 41 42; do
	check_match "group range: 192.0.2.$a:80 rr" "^TCP  192.0.2.$a:80 rr\$" "$(svc_hdr TCP "192.0.2.$a:80")"
done
check "group range ends at .42" test -z "$(svc_hdr TCP 192.0.2.43:80)$(svc_hdr TCP 192.0.2.39:80)"
check_match "group fwmark 9: rr" "^FWM  9 rr\$" "$(svc_hdr FWM 9)"
check_eq "group fwmark 9: NAT (Masq)" Masq "$(dest_field FWM 9 "$RS4:25" 3)"

# --- 2. sorry server -------------------------------------------------------------------------
t0=$SECONDS
g_httpd_stop rs1 80
g_httpd_stop rs2 80
check_weights "both port-80 servers down: the sorry server replaces them" 20 \
	"TCP $VIP:80 $RS1:80 absent" "TCP $VIP:80 $RS2:80 absent" "TCP $VIP:80 $SORRY:80 1"
echo "    (sorry server after $((SECONDS - t0)) s)"
check_eq "port 80: only the sorry server" 1 "$(n_dests TCP "$VIP:80")"
check_eq "sorry server is NAT (Masq)" Masq "$(dest_field TCP "$VIP:80" "$SORRY:80" 3)"
check_eq "port 443 on the same hosts untouched" "1 1" \
	"$(weight TCP "$VIP:443" "$RS1:443") $(weight TCP "$VIP:443" "$RS2:443")"
check "log: the port-80 service lost its quorum" grep -qE "VS .*$VIP.*:80: quorum lost" "$LOG"
check "rs1 httpd back" g_httpd rs1 80
check_weights "rs1 back (its HTTP_GET digests match): sorry server leaves" 20 \
	"TCP $VIP:80 $RS1:80 2" "TCP $VIP:80 $RS2:80 absent" "TCP $VIP:80 $SORRY:80 absent"
check "rs2 httpd back" g_httpd rs2 80
check_weights "rs2 back with weight 1" 20 "TCP $VIP:80 $RS2:80 1" "TCP $VIP:80 $SORRY:80 absent"

# --- 3. inhibit_on_failure -------------------------------------------------------------------
g_httpd_stop rs3 8080
check_weights "inhibit_on_failure: failed rs3 stays with weight 0" 20 \
	"TCP 192.0.2.30:8080 $RS3:8080 0" "TCP 192.0.2.30:8080 $RS4:8080 4"
check "rs3 :8080 back" g_httpd rs3 8080
check_weights "inhibit_on_failure: rs3 gets weight 3 back" 20 \
	"TCP 192.0.2.30:8080 $RS3:8080 3" "TCP 192.0.2.30:8080 $RS4:8080 4"

# --- 6. SIGHUP with an unchanged configuration -----------------------------------------------
check_weights "steady state before the unchanged reload" 10 \
	"${seed_full[@]}" "${ext_full[@]}" "${FOREIGN[@]}" || stop_here
before=$(g_ipvs "$D" -Sn)
lines=$(wc -l <"$LOG")
must "SIGHUP (unchanged): the checker applied it" ka_hup
after=$(g_ipvs "$D" -Sn)
if [[ $before == "$after" ]]; then ok "unchanged reload: ipvsadm -Sn byte-identical"; else
	not_ok "unchanged reload: ipvsadm -Sn differs"
	diff <(printf '%s\n' "$before") <(printf '%s\n' "$after") | sed 's/^/    /'
fi
check_eq "unchanged reload: -Sn still lists 9+1 services" 10 "$(printf '%s\n' "$after" | grep -c '^-A ')"
new_log=$(tail -n +"$((lines + 1))" "$LOG")
check_eq "unchanged reload: no Adding/Removing lines in the log" "" \
	"$(printf '%s\n' "$new_log" | grep -E 'Adding|Removing')"

# --- 5. stop: ours leave, the foreign one stays; -I keeps ours -----------------------------
check "SIGTERM: the daemon ends by itself" ka_term "$D"
ipvs_get
check_eq "after stop: no service of ours" 0 "$(n_ours)"
check "after stop: the foreign service is still there" \
	test "$(weight TCP 203.0.113.200:22 198.51.100.99:22)" = 1
check_eq "log: no failed IPVS operation" "" "$(grep -E 'operation\(s\) failed|cannot read' "$LOG")"

seed_conf 0 >"$CONF"
check "daemon started with -I" g_ka_start "$D" "$CONF" -C -I
check_weights "-I: seed services programmed" 15 "${seed_full[@]}"
check "-I: SIGTERM: the daemon ends by itself" ka_term "$D"
ipvs_get
check_eq "-I: our three services stay after stop" 3 "$(n_ours)"
check "-I: their real servers stay too" weights_are "${seed_full[@]}" "${FOREIGN[@]}"

echo "--- the daemon's transitions"
grep -E 'quorum|sorry|Adding|Removing|Setting|Reloading' "$LOG" | sed 's/^/    /'
((G_FAIL == 0)) || fail_dump
g_done
