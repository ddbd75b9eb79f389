# The nftables backend driven as a coprocess (`ka_nft serve`): commands
# in, answers out.  Sourced by t_nft_dp.sh and t_nft_dr.sh after lib.sh;
# needs KA_NFT and T_DIR.

# ka_serve_start NETNS: start it in that namespace and wait for "ready".
ka_serve_start() {
	coproc KA { ip netns exec "$1" "$KA_NFT" serve 2>"$T_DIR/ka_nft.err"; }
	T_PIDS+=("$KA_PID")
	[[ $(ka_line) == ready ]] || {
		echo "ka_nft serve did not start"
		cat "$T_DIR/ka_nft.err"
		exit 1
	}
}
ka_line() { # read one answer line (bounded)
	local l
	IFS= read -r -t 5 l <&"${KA[0]}" || return 1
	printf '%s\n' "$l"
}
ka() { # COMMAND -> the answer line; for read, the table up to "end"
	printf '%s\n' "$1" >&"${KA[1]}"
	if [[ $1 == read ]]; then
		local l
		while l=$(ka_line); do
			[[ $l == end ]] && return 0
			printf '%s\n' "$l"
		done
		return 1
	fi
	ka_line
}
mutations() { sed -n 's/.*mutations=\([0-9]*\).*/\1/p' <<<"$1"; }
