#!/usr/bin/env bash
# Fault catalogue cases 23 and 24 (tests/fault-catalogue.md):
#  23 every dump (DATA, STATS, JSON) through a planted symlink leaves the
#     sentinel untouched; a pre-existing regular file held open by another
#     process keeps its old content on that fd (a new inode, mode 0600);
#  24 an "exporter" deleting keepalived.json.* and .keepalived.json.*
#     (our temporaries) while 50 JSON signals arrive within 1 s: every read
#     of keepalived.json is complete, valid JSON without the password; the
#     daemon survives, nothing is left behind.
# t_process_model.sh and t_dump_compat.sh cover the symlink case for the
# data dump, the 0600 mode and the password in the JSON once.
source "$(dirname "$0")/../lib.sh"
need_root
t_netns ns fdump || skip_all "cannot create a network namespace"
ip -n "$ns" link add eth0 type veth peer name eth1
ip -n "$ns" link set eth0 up
ip -n "$ns" link set eth1 up
ip -n "$ns" addr add 192.0.2.10/24 dev eth0
PW='S3cr!tPw'
D=$T_DIR/dumps
mkdir -m 0755 "$D"
cat >"$T_DIR/k.conf" <<CONF
vrrp_instance VI_1 {
    state MASTER
    interface eth0
    virtual_router_id 51
    priority 200
    version 2
    advert_int 1
    authentication {
        auth_type PASS
        auth_pass "$PW"
    }
    virtual_ipaddress {
        192.0.2.100/24
    }
}
CONF
TMPDIR=$D ip netns exec "$ns" "$KA_BIN" -n -l -D --vrrp -f "$T_DIR/k.conf" -p "$T_DIR/k.pid" \
	-r "$T_DIR/v.pid" -c "$T_DIR/c.pid" >"$T_DIR/log" 2>&1 &
P=$!
T_PIDS+=("$P")
check "daemon starts" wait_until 5 test -s "$T_DIR/v.pid"
check "VI_1 MASTER" wait_until 5 grep -q "(VI_1) Entering MASTER STATE" "$T_DIR/log"
SIG_JSON=$("$KA_BIN" --signum=JSON)

# ---- 23. symlinks and held-open files -------------------------------------
declare -A SIG=([data]=USR1 [stats]=USR2 [json]=$SIG_JSON)
for k in data stats json; do
	echo "sentinel-$k" >"$T_DIR/sentinel.$k"
	chmod 0644 "$T_DIR/sentinel.$k"
	ln -s "$T_DIR/sentinel.$k" "$D/keepalived.$k"
	kill -s "${SIG[$k]}" "$P"
	check "23: $k: the planted symlink is replaced by a regular file" \
		wait_until 5 bash -c "[[ -f '$D/keepalived.$k' && ! -L '$D/keepalived.$k' ]]"
	check "23: $k: the sentinel is untouched" test "$(cat "$T_DIR/sentinel.$k")" = "sentinel-$k"
	check "23: $k: the sentinel's mode is untouched" test "$(stat -c %a "$T_DIR/sentinel.$k")" = 644
done
# A regular file at the dump path, opened by another process beforehand.
for k in data stats json; do
	rm -f "$D/keepalived.$k"
	echo "attacker-$k" >"$D/keepalived.$k"
	chmod 0666 "$D/keepalived.$k"
	ino=$(stat -c %i "$D/keepalived.$k")
	exec 9<"$D/keepalived.$k"
	kill -s "${SIG[$k]}" "$P"
	check "23: $k: a new inode replaces the pre-existing file" \
		wait_until 5 bash -c "[[ \$(stat -c %i '$D/keepalived.$k') != $ino ]]"
	check "23: $k: the held-open fd still reads the old content only" test "$(cat <&9)" = "attacker-$k"
	exec 9<&-
	check "23: $k: the new file is mode 0600, owned by root" \
		test "$(stat -c '%a %u' "$D/keepalived.$k")" = "600 0"
	check "23: $k: the new file has the dump" test -s "$D/keepalived.$k" -a "$(head -c 9 "$D/keepalived.$k")" != attacker-
done

# ---- 24. exporter races and a JSON signal storm --------------------------
ln -s "$T_DIR/sentinel.json" "$D/keepalived.json.x" # bait for a careless writer
/usr/bin/python3 - "$D" "$PW" "$T_DIR/exporter.out" <<'PY' &
import json, os, sys, time, glob
d, pw, out = sys.argv[1], sys.argv[2], sys.argv[3]
reads = bad = secret = deleted = 0
end = time.monotonic() + 4.0
while time.monotonic() < end:
    for f in glob.glob(os.path.join(d, 'keepalived.json.*')) + glob.glob(os.path.join(d, '.keepalived.json*')):
        try:
            os.unlink(f); deleted += 1
        except OSError:
            pass
    try:
        with open(os.path.join(d, 'keepalived.json'), 'rb') as fh:
            raw = fh.read()
    except FileNotFoundError:
        continue
    reads += 1
    try:
        json.loads(raw)
    except ValueError:
        bad += 1
    if pw.encode() in raw:
        secret += 1
open(out, 'w').write('reads %d bad %d secret %d deleted %d\n' % (reads, bad, secret, deleted))
PY
EXP=$!
T_PIDS+=("$EXP")
/usr/bin/python3 -c '
import os, sys, time
t0 = time.monotonic()
for _ in range(50):
    os.kill(int(sys.argv[1]), int(sys.argv[2])); time.sleep(0.02)
print("    50 JSON signals in %d ms" % ((time.monotonic() - t0) * 1000))' "$P" "$SIG_JSON"
wait "$EXP"
cat "$T_DIR/exporter.out"
read -r _ reads _ bad _ secret _ deleted <"$T_DIR/exporter.out"
check "24: the exporter read keepalived.json many times ($reads)" test "${reads:-0}" -ge 20
check "24: every read was complete, valid JSON ($bad bad)" test "${bad:-1}" -eq 0
check "24: the password never appeared ($secret)" test "${secret:-1}" -eq 0
check "24: the daemon survived" pid_alive "$P"
vp=$(cat "$T_DIR/v.pid")
check "24: the VRRP child survived" pid_alive "$vp"
rm -f "$D/keepalived.json"
kill -s "$SIG_JSON" "$P"
check "24: a JSON dump still works afterwards" wait_until 5 test -s "$D/keepalived.json"
check "24: and it is valid JSON" /usr/bin/python3 -c "import json,sys; json.load(open(sys.argv[1]))" "$D/keepalived.json"
check "24: the bait symlink's target is untouched" test "$(cat "$T_DIR/sentinel.json")" = sentinel-json
kill -TERM "$P"
check "daemon stops" wait_until 10 pid_dead "$P"
check "24: no temporary file left behind" test -z "$(find "$D" -name '.keepalived*')"
check "no sanitizer report" bash -c "! grep -E 'AddressSanitizer|LeakSanitizer|runtime error:' $T_DIR/log"
t_done
