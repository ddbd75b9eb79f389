#!/usr/bin/env bash
# The SNMP AgentX subagent against Debian's snmpd (private config, socket
# and port in T_DIR, inside host 1's namespace): KEEPALIVED-MIB values
# match the daemon's (state, priorities, VIPs, real servers) and follow a
# failover and a real server going down; the VRRPv3-MIB is served; traps
# reach a trap sink; and a stalled snmpd (SIGSTOP) does not disturb VRRP
# timing (host 2, BACKUP, never takes over; host 1's adverts keep their
# interval), after which the subagents re-register within a bound, also
# after snmpd is killed and restarted.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/vrrp_lib.sh"
need_root
PY=/usr/bin/python3
SNMPD=/usr/sbin/snmpd
for b in "$SNMPD" /usr/bin/snmpwalk /usr/bin/snmpget "$PY" tcpdump; do
	command -v "$b" >/dev/null || skip_all "no $b"
done
lan_setup 2 || skip_all "cannot build the namespaces"
VIP=192.0.2.100
SOCK="$T_DIR/agentx.sock"
PORT=16161
TPORT=16162
MIBS="$T_DIR/nomibs" # no MIB files: numeric OIDs only, quiet tools
mkdir -p "$MIBS" "$T_DIR/persist"
KA=1.3.6.1.4.1.9586.100.5
INST=$KA.2.3.1                # vrrpInstanceEntry
RSE=$KA.3.4.1                 # realServerEntry
V3OPS=1.3.6.1.2.1.207.1.1.1.1 # vrrpv3OperationsEntry
RECONNECT_BOUND=15            # s: backoff max 5 s + response timeout 1 s + slack
GAP_BOUND_MS=350              # adverts every 100 ms; host 2 takes over after ~360 ms

# ---- snmpd and the trap sink ---------------------------------------------------------
cat >"$T_DIR/snmpd.conf" <<CONF
master agentx
agentXSocket $SOCK
agentXTimeout 1
agentXRetries 0
agentaddress udp:127.0.0.1:$PORT
rocommunity public 127.0.0.1
trap2sink 127.0.0.1:$TPORT public
CONF
SNMPD_PID=
snmpd_start() {
	rm -f "$SOCK"
	SNMP_PERSISTENT_DIR="$T_DIR/persist" ip netns exec "${H[1]}" "$SNMPD" -f -Lo -C \
		-c "$T_DIR/snmpd.conf" -p "$T_DIR/snmpd.pid" -M "$MIBS" -m "" \
		>>"$T_DIR/snmpd.log" 2>&1 &
	SNMPD_PID=$!
	T_PIDS+=("$SNMPD_PID")
	wait_until 10 test -S "$SOCK"
}
cat >"$T_DIR/sink.py" <<'PYEOF'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", int(sys.argv[1])))
out = open(sys.argv[2], "a")
print("ready", flush=True)
while True:
    d, _ = s.recvfrom(65535)
    out.write(d.hex() + "\n")
    out.flush()
PYEOF
: >"$T_DIR/traps.hex"
ip netns exec "${H[1]}" "$PY" "$T_DIR/sink.py" $TPORT "$T_DIR/traps.hex" >"$T_DIR/sink.out" 2>&1 &
T_PIDS+=("$!")
wait_until 5 grep -q ready "$T_DIR/sink.out" || skip_all "trap sink did not start"
snmpd_start || skip_all "snmpd did not start"

snmp() { # snmp get|walk OID...
	local cmd=/usr/bin/snmp$1
	shift
	ip netns exec "${H[1]}" "$cmd" -v2c -c public -On -Oe -M "$MIBS" -m "" -t 1 -r 0 \
		127.0.0.1:$PORT "$@" 2>/dev/null
}
val() { # val OID: the value of a get ("INTEGER: 2" -> 2)
	local out
	out=$(snmp get "$1") || return 1
	out=${out#*= }
	out=${out#*: }
	printf '%s' "${out//\"/}"
}
val_is() { [[ $(val "$1") == "$2" ]]; }
# The trap OIDs BER-encoded, as they appear in the packets the sink gets.
HEX_INST=2b06010401ca726405020a0002 # vrrpInstanceStateChange
HEX_RS=2b06010401ca72640503050001   # realServerStateChange
HEX_V3=2b06010201814f0001           # vrrpv3NewMaster
trap_count() { grep -c "$1" "$T_DIR/traps.hex" 2>/dev/null || true; }
trap_more() { (($(trap_count "$1") > $2)); }
h2_masters() { grep -c "(VI_1) Entering MASTER STATE" "$T_DIR/h2.log"; }

# ---- the daemons ---------------------------------------------------------------------
ip netns exec "$CL" "$PY" "$KA_TEST_DATA/netns/rs_servers.py" tcp 192.0.2.200 8080 \
	>"$T_DIR/rs.out" 2>&1 &
RS_PID=$!
T_PIDS+=("$RS_PID")
wait_until 10 grep -q ready "$T_DIR/rs.out" || skip_all "real server did not start"

cat >"$T_DIR/h1.conf" <<CONF
global_defs {
    router_id h1-snmp
    enable_traps
}
vrrp_script down {
    script "/bin/sh -c 'test ! -e $T_DIR/down'"
    interval 0.5
    weight -100
}
vrrp_script flap {
    script "/bin/sh -c 'test ! -e $T_DIR/flap'"
    interval 0.2
}
vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id 51
    priority 150
    version 3
    advert_int 0.1
    track_script {
        down
    }
    virtual_ipaddress {
        $VIP/24
    }
}
vrrp_instance VI_2 {
    state BACKUP
    interface eth0
    virtual_router_id 52
    priority 120
    version 3
    advert_int 1
    track_script {
        flap
    }
    virtual_ipaddress {
        192.0.2.101/24
    }
}
virtual_server 198.51.100.1 80 {
    delay_loop 1
    lb_algo rr
    protocol TCP
    real_server 192.0.2.200 8080 {
        weight 3
        TCP_CHECK {
            connect_timeout 1
            retry 1
            delay_before_retry 1
        }
    }
    real_server 192.0.2.200 8081 {
        weight 2
        TCP_CHECK {
            connect_timeout 1
            retry 1
            delay_before_retry 1
        }
    }
}
CONF
vrrp_conf "$T_DIR/h2.conf" B 100
ka_start 1 "$T_DIR/h1.conf" -x -A "$SOCK"
ka_start 2 "$T_DIR/h2.conf"

# ---- values --------------------------------------------------------------------------
check "VRRP subagent registered (instance name served)" wait_until 10 val_is $INST.2.1 VI_1
check "host 1 becomes master" wait_until 10 has_addr 1 $VIP
check "vrrpInstanceState = master(2)" wait_until 5 val_is $INST.4.1 2
check "vrrpInstanceBasePriority = 150" val_is $INST.7.1 150
check "vrrpInstanceEffectivePriority = 150" val_is $INST.8.1 150
check "vrrpInstanceVirtualRouterId = 51" val_is $INST.3.1 51
check "second instance listed" val_is $INST.2.2 VI_2
check "routerId" val_is $KA.1.2.0 h1-snmp
check "trapEnable = enabled(1)" val_is $KA.1.4.0 1
check "vrrpAddressValue = $VIP" val_is $KA.2.6.1.3.1.1 "C0 00 02 64 "
check "vrrpAddressStatus = set(1)" val_is $KA.2.6.1.10.1.1 1
check "vrrpScriptName of script 1" val_is $KA.2.9.1.2.1 down
out=$(snmp get $INST.4.9)
check "noSuchInstance for an unknown row" [ "${out#*= }" = "No Such Instance currently exists at this OID" ]
IFX=$(ip netns exec "${H[1]}" cat /sys/class/net/eth0/ifindex)
check "vrrpv3OperationsStatus.$IFX.51.1 = master(3)" val_is $V3OPS.6.$IFX.51.1 3
check "vrrpv3OperationsPriority = 150" val_is $V3OPS.7.$IFX.51.1 150
check "vrrpv3OperationsAdvInterval = 10 cs" val_is $V3OPS.9.$IFX.51.1 10
walk=$(snmp walk 1.3.6.1.2.1.207)
check "vrrpv3 walk lists both instances" \
	[ "$(grep -c "^.1.3.6.1.2.1.207.1.1.1.1.6.$IFX\." <<<"$walk")" = 2 ]
check "vrrpv3StatisticsMasterTransitions >= 1" \
	[ "$(val 1.3.6.1.2.1.207.1.2.5.1.1.$IFX.51.1)" -ge 1 ]
check "trap: vrrpInstanceStateChange received" wait_until 5 trap_more $HEX_INST 0
check "trap: vrrpv3NewMaster received" wait_until 5 trap_more $HEX_V3 0
check "a trap carries the instance name" grep -q "$(printf VI_1 | od -An -tx1 | tr -d ' \n')" \
	"$T_DIR/traps.hex"

# ---- check group ---------------------------------------------------------------------
check "checker subagent: real server 1 alive(1)" wait_until 10 val_is $RSE.6.1.1 1
check "real server 2 (no listener) dead(2)" wait_until 10 val_is $RSE.6.1.2 2
check "realServerWeight = 3" val_is $RSE.7.1.1 3
check "virtualServerRealServersTotal = 2" val_is $KA.3.3.1.20.1 2
n_rs=$(trap_count $HEX_RS)
kill -KILL "$RS_PID"
wait "$RS_PID" 2>/dev/null
check "real server 1 goes dead(2) in the table" wait_until 10 val_is $RSE.6.1.1 2
check "virtualServerRealServersUp = 0" val_is $KA.3.3.1.21.1 0
check "trap: realServerStateChange received" wait_until 5 trap_more $HEX_RS "$n_rs"

# ---- failover: the `down` script drops host 1 to 50 < 100 --------------------------------
n_inst=$(trap_count $HEX_INST)
touch "$T_DIR/down"
check "failover: host 2 takes the VIP" wait_until 10 has_addr 2 $VIP
check "vrrpInstanceState = backup(1) after the failover" wait_until 5 val_is $INST.4.1 1
check "vrrpInstanceEffectivePriority = 50" val_is $INST.8.1 50
check "vrrpv3OperationsStatus = backup(2)" val_is $V3OPS.6.$IFX.51.1 2
check "trap for the failover" wait_until 5 trap_more $HEX_INST "$n_inst"
rm -f "$T_DIR/down"
check "host 1 takes over again" wait_until 10 val_is $INST.4.1 2
wait_until 5 has_addr 1 $VIP

# ---- reload: the same sessions serve the new configuration -------------------------------
regs=$(grep -c "SNMP: AgentX subagent registered" "$T_DIR/h1.log")
sed -i 's/priority 150/priority 160/' "$T_DIR/h1.conf"
kill -HUP "${KA_PID[1]}"
check "reload: vrrpInstanceBasePriority = 160" wait_until 10 val_is $INST.7.1 160
check "reload: check group still served" val_is $RSE.6.1.2 2
check "reload kept the AgentX sessions" \
	[ "$(grep -c "SNMP: AgentX subagent registered" "$T_DIR/h1.log")" = "$regs" ]

# ---- stall: snmpd stopped while walks and traps happen -----------------------------------
sleep 1
m2=$(h2_masters)
cap_start adv "vrrp and src 192.0.2.11"
kill -STOP "$SNMPD_PID"
STALL_START=$(now_ms)
WALKS=()
for i in 1 2 3; do
	snmp walk $KA >/dev/null &
	WALKS+=("$!")
done
# VI_2 flaps FAULT <-> MASTER: traps go towards the stopped master
for i in 1 2 3 4 5 6 7 8; do
	touch "$T_DIR/flap"
	sleep 0.5
	rm -f "$T_DIR/flap"
	sleep 0.5
done
STALL_MS=$(($(now_ms) - STALL_START))
cap_stop adv
for p in "${WALKS[@]}"; do wait "$p" 2>/dev/null; done
check "host 2 stayed backup while snmpd was stopped (${STALL_MS} ms)" [ "$(h2_masters)" = "$m2" ]
check "host 1 kept the VIP" has_addr 1 $VIP
check "VI_2 flapped during the stall" grep -q "(VI_2) Entering FAULT STATE" "$T_DIR/h1.log"
gaps=$("$PY" - "$T_DIR/adv.txt" <<'PYEOF'
import re, sys
ts, last = [], None
for line in open(sys.argv[1]):  # tcpdump -v: time on one line, VRRP on the next
    m = re.match(r"(\d+):(\d+):(\d+\.\d+)", line)
    if m:
        h, mi, s = m.groups()
        last = int(h) * 3600 + int(mi) * 60 + float(s)
    if "vrid 51," in line and last is not None:
        ts.append(last)
        last = None
g = [b - a for a, b in zip(ts, ts[1:])]
print(len(ts), int(max(g) * 1000) if g else -1)
PYEOF
)
n_adv=${gaps% *}
max_gap=${gaps#* }
echo "# stall: ${STALL_MS} ms, ${n_adv} VRID 51 adverts from host 1, largest gap ${max_gap} ms"
check "adverts kept coming during the stall (${n_adv})" [ "${n_adv:-0}" -ge $((STALL_MS / 100 - 10)) ]
check "largest advert gap ${max_gap} ms <= ${GAP_BOUND_MS} ms" \
	[ "${max_gap:--1}" -ge 0 -a "${max_gap:-999999}" -le $GAP_BOUND_MS ]

regs_before=$(grep -c "VRRP SNMP: AgentX subagent registered" "$T_DIR/h1.log")
kill -CONT "$SNMPD_PID"
t0=$(now_ms)
check "walks work again after SIGCONT" wait_until $RECONNECT_BOUND val_is $INST.2.1 VI_1
echo "# VRRP group served again $(($(now_ms) - t0)) ms after SIGCONT"
check "check group served again after SIGCONT" wait_until $RECONNECT_BOUND val_is $RSE.6.1.2 2
# the stalled session was given up (ping timeout) and a new one registered
regs_more() { (($(grep -c "VRRP SNMP: AgentX subagent registered" "$T_DIR/h1.log") > regs_before)); }
check "VRRP subagent re-registered" wait_until $RECONNECT_BOUND regs_more

# ---- snmpd killed and restarted ----------------------------------------------------------
kill -KILL "$SNMPD_PID"
wait "$SNMPD_PID" 2>/dev/null
not_served() { ! val_is $INST.2.1 VI_1; }
check "nothing served while snmpd is down" not_served
sleep 2
snmpd_start
t0=$(now_ms)
check "subagents re-register with a new snmpd" wait_until $RECONNECT_BOUND val_is $INST.2.1 VI_1
echo "# VRRP group served again $(($(now_ms) - t0)) ms after the restart"
check "check group re-registered" wait_until $RECONNECT_BOUND val_is $RSE.6.1.1 2
check "host 1 still master" has_addr 1 $VIP
check "host 2 never took over after the failback" [ "$(h2_masters)" = "$m2" ]

ka_stop 2
ka_stop 1
check "no sanitizer report" bash -c "! grep -q 'AddressSanitizer\|LeakSanitizer\|runtime error' '$T_DIR/h1.log'"
t_done
