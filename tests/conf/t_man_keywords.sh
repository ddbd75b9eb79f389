#!/usr/bin/env bash
# The man pages tell the truth about the parser tables and the command line:
#  - every keyword of the tables (tests/tools/ka_keywords) has an entry in
#    doc/keepalived.conf.5 under its block, and every entry of the page
#    names a keyword of that block (the markup convention is described at
#    the top of the page: '.\" kw-block: PATH...' lines, then '.TP'/'.TQ'
#    followed by '.B'/'.BI'/'.BR' KEYWORD);
#  - every option of `keepalived --help` appears in keepalived.8, and every
#    option of `genhash --help` in genhash.1;
#  - the three pages render without a groff warning.
source "$(dirname "$0")/../lib.sh"

SRC=${KA_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
TOOLS=${KA_TOOLS_DIR:-${KA_BUILD:-$SRC/build}/tests/tools}
DOC=$SRC/doc
KW=$TOOLS/ka_keywords
[[ -x $KW ]] || { not_ok "ka_keywords not built ($KW)"; t_done; }

# "PATH KEYWORD" for every keyword entry of a page written to the
# convention.  Quotes, \& and \f escapes are removed, "\-" is "-".
page_entries() {
	awk '
	/^\.\\" kw-block:/ {
		n = split($0, w, /[ \t]+/); np = 0
		for (i = 3; i <= n; i++) if (w[i] != "" && w[i] != "none") paths[++np] = w[i]
		next
	}
	/^\.(TP|TQ)([ \t]|$)/ { tagged = 1; next }
	tagged && /^\.(B|BI|BR)[ \t]/ {
		line = $0
		sub(/^\.(B|BI|BR)[ \t]+/, "", line)
		gsub(/\\-/, "-", line); gsub(/\\&/, "", line); gsub(/\\f[BIRP]/, "", line)
		gsub(/"/, "", line)
		split(line, f, /[ \t]+/)
		for (i = 1; i <= np; i++) print paths[i], f[1]
	}
	{ tagged = 0 }' "$1" | sort -u
}

"$KW" | awk '{print $1, $2}' | sort -u >"$T_DIR/tables"
page_entries "$DOC/keepalived.conf.5" >"$T_DIR/page"
check "the parser tables list keywords ($(wc -l <"$T_DIR/tables"))" test -s "$T_DIR/tables"
check "the page has keyword entries ($(wc -l <"$T_DIR/page"))" test -s "$T_DIR/page"

comm -23 "$T_DIR/tables" "$T_DIR/page" >"$T_DIR/missing"
comm -13 "$T_DIR/tables" "$T_DIR/page" >"$T_DIR/extra"
if [[ -s $T_DIR/missing ]]; then
	not_ok "keywords of the tables missing from keepalived.conf.5 ($(wc -l <"$T_DIR/missing")):"
	sed 's/^/    /' "$T_DIR/missing"
else
	ok "every keyword of the tables is documented in its block"
fi
if [[ -s $T_DIR/extra ]]; then
	not_ok "entries of keepalived.conf.5 that are no keyword of their block ($(wc -l <"$T_DIR/extra")):"
	sed 's/^/    /' "$T_DIR/extra"
else
	ok "every keyword entry of the page is in the tables"
fi

# Options of --help: "-x, --long" or "--long" at the start of a line.
# In the page an option is written \-x and \-\-long.
help_opts() {
	"$@" --help 2>&1 | grep -oE '^ +(-[A-Za-z0-9], )?--[a-z0-9_-]+' | tr ',' ' ' | tr -s ' ' '\n' |
		grep -v '^$' | sort -u
}
check_opts() { # PAGE PROGRAM...
	local page=$1 o missing=0
	shift
	if [[ ! -f $page ]]; then
		not_ok "$page does not exist"
		return
	fi
	sed 's/\\-/-/g' "$page" >"$T_DIR/page.txt"
	while read -r o; do
		if ! grep -qE -- "(^|[^a-z0-9_-])${o}([^a-z0-9_-]|$)" "$T_DIR/page.txt"; then
			not_ok "$(basename "$page"): option $o of '$(basename "$1") --help' is not documented"
			missing=1
		fi
	done < <(help_opts "$@")
	[[ $missing -eq 1 ]] || ok "$(basename "$page"): every option of '$(basename "$1") --help' is documented"
}
n=$(help_opts "$KA_BIN" | wc -l)
check "keepalived --help lists options ($n)" test "$n" -gt 20
check_opts "$DOC/keepalived.8" "$KA_BIN"
GENHASH=${KA_BUILD:-$SRC/build}/genhash
[[ -x $GENHASH ]] || GENHASH=$(dirname "$KA_BIN")/genhash
if [[ -x $GENHASH ]]; then
	check_opts "$DOC/genhash.1" "$GENHASH"
else
	not_ok "genhash not built next to $KA_BIN"
fi

# Rendering: groff's warnings (all of them, -ww) and man's.
for p in keepalived.conf.5 keepalived.8 genhash.1; do
	[[ -f $DOC/$p ]] || continue # reported above
	out=$(LC_ALL=C.UTF-8 groff -man -Tutf8 -ww -z "$DOC/$p" 2>&1)
	check "$p renders without groff warnings${out:+: $out}" test -z "$out"
	if command -v man >/dev/null; then
		out=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$DOC/$p" 2>&1 >/dev/null)
		check "$p: man --warnings is silent${out:+: $out}" test -z "$out"
	fi
done
t_done
