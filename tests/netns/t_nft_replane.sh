#!/usr/bin/env bash
# lvs_data_plane across reloads and stops: a reload that changes the plane
# moves our services (nftables -> ipvs removes our tables, ipvs -> nftables
# brings them back), a foreign table is never touched, stop removes ours
# and -I (--dont-release-ipvs) keeps them.  This host has no IPVS, so the
# ipvs step also shows the one-line error and the checks running on.
. "$(dirname "$0")/../lib.sh"
need_root
command -v nft >/dev/null || skip_all "no nft"

t_netns ns replane
ip -n "$ns" link add br0 type bridge && ip -n "$ns" link set br0 up
ip -n "$ns" addr add 198.51.100.1/24 dev br0
ip netns exec "$ns" nft -f - <<'NFT'
table inet foreign {
	chain c {
		counter
	}
}
NFT
conf=$T_DIR/ka.conf log=$T_DIR/ka.log pid=$T_DIR/ka.pid
write_conf() { # PLANE
	cat >"$conf" <<CONF
global_defs {
	lvs_data_plane $1
}
virtual_server 192.0.2.1 80 {
	lb_algo rr
	lb_kind NAT
	protocol TCP
	real_server 198.51.100.10 80 { weight 1 }
}
CONF
}
tables() { ip netns exec "$ns" nft list tables 2>/dev/null; }
have_ours() { [[ $(tables) == *"inet keepalived_lvs"* ]]; }
no_ours() { [[ $(tables) != *"keepalived_lvs"* ]]; }
foreign_ok() { [[ $(tables) == *"inet foreign"* ]]; }
chain_ok() { ip netns exec "$ns" nft list chain inet keepalived_lvs vs_tcp_192_0_2_1_80 >/dev/null 2>&1; }
start() { # extra args...
	: >"$log"
	ip netns exec "$ns" "$KA_BIN" -C -n -l -D -f "$conf" -p "$pid" -c "$T_DIR/c.pid" "$@" >>"$log" 2>&1 &
	T_PIDS+=($!)
	wait_until 5 have_ours
}
logged() { grep -q -- "$1" "$log"; }

write_conf nftables
check "start with nftables: our table" start
check "the service chain is there" chain_ok
write_conf ipvs
kill -HUP "$(cat "$pid")"
check "reload to ipvs: our tables leave" wait_until 5 no_ours
check "reload to ipvs: the move is logged" wait_until 5 logged "moving the virtual services from nftables to ipvs"
check "no IPVS here: one line says so" wait_until 5 logged "IPVS is not available"
check "the foreign table is untouched" foreign_ok
write_conf nftables
kill -HUP "$(cat "$pid")"
check "reload back to nftables: our table returns" wait_until 5 have_ours
check "with the service chain" wait_until 5 chain_ok
kill -TERM "$(cat "$pid")"
check "stop: our tables are removed" wait_until 5 no_ours
check "stop: the foreign table stays" foreign_ok
wait_until 5 pid_dead "${T_PIDS[-1]}"

check "start again with -I" start -I
kill -TERM "$(cat "$pid")"
wait_until 5 pid_dead "${T_PIDS[-1]}"
check "stop with -I keeps our table" have_ours
t_done
