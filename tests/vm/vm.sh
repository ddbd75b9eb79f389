#!/usr/bin/env bash
# Real-kernel test harness: boot Debian's own kernel (which has IPVS) under
# qemu/TCG with a busybox initramfs, run one guest script inside, and exit
# with that script's status.  See tests/vm/README.md.
#
#   tests/vm/vm.sh run GUEST_SCRIPT [EXTRA_FILE_OR_DIR...]
#   tests/vm/vm.sh prepare        # fetch kernel, build the cached base image
#   tests/vm/vm.sh shell [FILE...] # interactive busybox shell in the VM
#   tests/vm/vm.sh info           # print what the cache holds
#
# Environment (host side):
#   KA_BUILD         build dir: binaries are taken from it, the cache lives in
#                    $KA_BUILD/vm-cache (else ${TMPDIR:-/tmp}/ka-vm-cache)
#   KA_BIN           our keepalived (default $KA_BUILD/keepalived if present)
#   KA_VM_CACHE      override the cache directory
#   KA_VM_TIMEOUT    guest script time limit in seconds (default 120)
#   KA_VM_KERNEL_PKG force a kernel package (linux-image-6.1.0-NN-amd64)
#   KA_VM_MODULES    extra module names to load after the standard ones
#   KA_VM_MEM        guest memory in MiB (default 1024)
#   KA_VM_APPEND     extra kernel command line
#   KA_VM_QEMU_EXTRA extra qemu arguments (word-split)
#   KA_GUEST_*       every such variable is exported to the guest script
set -euo pipefail

VM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
VM_SELF="$VM_DIR/$(basename "${BASH_SOURCE[0]}")"

die() {
	echo "vm: $*" >&2
	exit 2
}
log() { echo "vm: $*" >&2; }

# Modules in load order roots; their dependencies are resolved from each
# .ko's own modinfo (depends=) since the package ships no modules.dep.
# crc32c_generic first: libcrc32c only has a soft dependency on "crc32c".
VM_MODULES=(crc32c_generic libcrc32c nf_defrag_ipv4 nf_defrag_ipv6 nf_conntrack
	ip_vs ip_vs_rr ip_vs_wrr ip_vs_lc ip_vs_wlc ip_vs_fo ip_vs_ovf ip_vs_lblc
	ip_vs_lblcr ip_vs_dh ip_vs_sh ip_vs_mh ip_vs_sed ip_vs_nq
	veth bridge ipip macvlan dummy 8021q)
# shellcheck disable=SC2206
VM_MODULES+=(${KA_VM_MODULES:-})

cache_dir() {
	if [[ -n ${KA_VM_CACHE:-} ]]; then
		echo "$KA_VM_CACHE"
	elif [[ -n ${KA_BUILD:-} ]]; then
		echo "$KA_BUILD/vm-cache"
	else
		echo "${TMPDIR:-/tmp}/ka-vm-cache"
	fi
}
CACHE=$(cache_dir)

need_tools() {
	local t missing=()
	for t in qemu-system-x86_64 busybox cpio dpkg-deb ipvsadm flock timeout; do
		command -v "$t" >/dev/null 2>&1 || missing+=("$t")
	done
	[[ -x /usr/bin/ip ]] || missing+=(/usr/bin/ip)
	((${#missing[@]} == 0)) || die "missing tools: ${missing[*]} (run scripts/deps.sh)"
	# (no `| grep -q` under pipefail: an early exit SIGPIPEs the writer)
	[[ $'\n'$(busybox --list)$'\n' == *$'\ninsmod\n'* ]] || die "busybox lacks insmod (install busybox-static)"
}

# --- kernel --------------------------------------------------------------

# The current ABI: the one linux-image-amd64 depends on, else the highest
# linux-image-6.1.0-NN-amd64 apt knows.
pick_kernel_pkg() {
	local p
	p=$(apt-cache depends linux-image-amd64 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-6\.1\.0-[0-9]*-amd64\)$/\1/p' | sed -n 1p || true)
	if [[ -z $p ]]; then
		p=$(apt-cache search linux-image-6.1.0 2>/dev/null | grep -E 'amd64( |$)' |
			sed -n 's/^\(linux-image-6\.1\.0-[0-9]*-amd64\) .*/\1/p' | sort -t- -k5,5n | tail -1)
	fi
	echo "$p"
}

# Sets KDIR to an unpacked kernel: $CACHE/kernel/<ver>/{vmlinuz,modules/}.
# Offline once cached: a kernel already in the cache is used as is.
ensure_kernel() {
	local deb pkg ver tmp
	if [[ -n ${KA_VM_KERNEL_PKG:-} ]]; then
		deb=$(ls "$CACHE"/deb/"${KA_VM_KERNEL_PKG}"_*.deb 2>/dev/null | head -1 || true)
	else
		deb=$(ls "$CACHE"/deb/linux-image-6.1.0-*-amd64_*.deb 2>/dev/null | sort -V | tail -1 || true)
	fi
	if [[ -z $deb ]]; then
		pkg=${KA_VM_KERNEL_PKG:-$(pick_kernel_pkg)}
		if [[ -z $pkg ]]; then
			log "apt knows no linux-image-6.1.0-*-amd64: apt-get update"
			apt-get update -qq >&2 || die "apt-get update failed"
			pkg=$(pick_kernel_pkg)
		fi
		[[ -n $pkg ]] || die "no linux-image-6.1.0-NN-amd64 package found"
		log "downloading $pkg (once per cache)"
		mkdir -p "$CACHE/deb"
		tmp=$(mktemp -d "$CACHE/deb/dl.XXXXXX")
		if ! (cd "$tmp" && apt-get download -q -o APT::Sandbox::User=root "$pkg" >&2); then
			# stale package lists name a file the archive no longer has
			log "download failed: apt-get update and retry"
			apt-get update -qq >&2 || true
			pkg=${KA_VM_KERNEL_PKG:-$(pick_kernel_pkg)}
			(cd "$tmp" && apt-get download -q -o APT::Sandbox::User=root "$pkg" >&2) ||
				{
					rm -rf "$tmp"
					die "apt-get download $pkg failed"
				}
		fi
		deb=$(find "$tmp" -name '*.deb' | sed -n 1p)
		mv "$deb" "$CACHE/deb/"
		rm -rf "$tmp"
		deb="$CACHE/deb/$(basename "$deb")"
	fi
	pkg=$(basename "$deb")
	pkg=${pkg%%_*}
	ver=${pkg#linux-image-}
	KVER=$ver
	KDIR="$CACHE/kernel/$ver"
	if [[ ! -f $KDIR/vmlinuz ]] || [[ ! -f $KDIR/boot-image ]]; then
		log "unpacking $(basename "$deb")"
		tmp=$(mktemp -d "$CACHE/unpack.XXXXXX")
		# only what we keep: the package unpacks to 400 MB
		dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp" --wildcards \
			'./boot/*' "./lib/modules/$ver/modules.*" "./lib/modules/$ver/kernel/net/*" \
			"./lib/modules/$ver/kernel/lib/*" "./lib/modules/$ver/kernel/crypto/*" \
			"./lib/modules/$ver/kernel/drivers/net/*.ko"
		rm -rf "$KDIR.new"
		mkdir -p "$KDIR.new"
		cp "$tmp/boot/vmlinuz-$ver" "$KDIR.new/vmlinuz"
		cp "$tmp/boot/config-$ver" "$KDIR.new/config"
		extract_elf "$KDIR.new"
		# keep the module trees we may need (~45 MB of 400): the network
		# stack, crypto, lib and the virtual (not hardware) net drivers
		mkdir -p "$KDIR.new/modules/kernel/drivers/net"
		local d
		for d in net lib crypto; do
			cp -a "$tmp/lib/modules/$ver/kernel/$d" "$KDIR.new/modules/kernel/$d"
		done
		cp -a "$tmp/lib/modules/$ver/kernel/drivers/net/"*.ko "$KDIR.new/modules/kernel/drivers/net/"
		cp "$tmp/lib/modules/$ver/modules.order" "$tmp/lib/modules/$ver/modules.builtin" "$KDIR.new/modules/"
		rm -rf "$tmp"
		rm -rf "$KDIR"
		mv "$KDIR.new" "$KDIR"
	fi
}

# extract_elf DIR: the bzImage's payload, decompressed, is an ELF kernel
# with a PVH entry note; qemu boots it directly, skipping the real-mode
# setup and the in-guest decompression (several seconds under TCG).
# Writes DIR/boot-image: the file to give qemu's -kernel.
extract_elf() {
	local d=$1 magic off
	echo vmlinuz >"$d/boot-image"
	for magic in '\xfd7zXZ\x00:xz -dc --single-stream' '\x28\xb5\x2f\xfd:zstd -dcq' '\x1f\x8b\x08:gzip -dc'; do
		# (pipes may end early by design: no pipefail verdicts here)
		off=$(LC_ALL=C grep -obUaP "${magic%%:*}" "$d/vmlinuz" | LC_ALL=C sed -n '1s/:.*//p' || true)
		[[ -n $off ]] || continue
		{ tail -c +$((off + 1)) "$d/vmlinuz" | ${magic#*:} >"$d/vmlinux" 2>/dev/null; } || true
		local notes
		notes=$(readelf -h -n "$d/vmlinux" 2>/dev/null || true)
		if [[ $notes == *"ELF64"* && $notes == *"Unknown note type: (0x00000012)"* ]]; then
			echo vmlinux >"$d/boot-image"
			return 0
		fi
	done
	rm -f "$d/vmlinux"
	log "no PVH ELF kernel inside vmlinuz: booting the bzImage (slower)"
}

# Print the .ko paths (relative to modules/) to insmod, dependencies first.
resolve_modules() {
	local mdir=$KDIR/modules
	declare -A path=() seen=()
	local rel name
	while read -r rel; do
		name=${rel##*/}
		name=${name%.ko}
		path[${name//-/_}]=$rel
	done <"$mdir/modules.order"
	local builtin=" "
	while read -r rel; do
		name=${rel##*/}
		name=${name%.ko}
		builtin+="${name//-/_} "
	done <"$mdir/modules.builtin"
	visit() {
		local n=${1//-/_} deps d
		[[ -n ${seen[$n]:-} ]] && return 0
		seen[$n]=1
		if [[ $builtin == *" $n "* ]]; then return 0; fi
		[[ -n ${path[$n]:-} && -f $mdir/${path[$n]} ]] || die "module $n not found in $KVER (or not kept)"
		deps=$(tr '\0' '\n' <"$mdir/${path[$n]}" | sed -n 's/^depends=//p' | sed -n 1p)
		for d in ${deps//,/ }; do visit "$d"; done
		echo "${path[$n]}"
	}
	local m
	for m in "${VM_MODULES[@]}"; do visit "$m"; done
}

# --- initramfs -------------------------------------------------------------

# copy_elf STAGE FILE DEST: FILE at DEST in STAGE plus its shared libraries
# (and the loader) at their own paths.
copy_elf() {
	local stage=$1 f=$2 dest=$3 lib
	mkdir -p "$stage/$(dirname "$dest")"
	cp -L "$f" "$stage/$dest"
	chmod 755 "$stage/$dest"
	while read -r lib; do
		[[ -e $stage/$lib ]] && continue
		mkdir -p "$stage/$(dirname "$lib")"
		cp -L "$lib" "$stage/$lib"
	done < <(ldd "$f" 2>/dev/null | sed -n 's/.*=> \(\/[^ ]*\) .*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) (.*/\1/p')
}

make_cpio() { # DIR OUT
	(cd "$1" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$2"
}

write_init() {
	cat >"$1" <<'EOF'
#!/bin/sh
# PID 1 of the test VM (written by tests/vm/vm.sh).
/bin/busybox --install -s /bin
export PATH=/ka/tools:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export LD_LIBRARY_PATH=/lib/x86_64-linux-gnu:/usr/lib/x86_64-linux-gnu
export HOME=/root TMPDIR=/tmp TERM=dumb
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mkdir -p /dev/pts /dev/shm
# devtmpfs lacks these (bash process substitution needs /dev/fd)
ln -sf /proc/self/fd /dev/fd
ln -sf /proc/self/fd/0 /dev/stdin
ln -sf /proc/self/fd/1 /dev/stdout
ln -sf /proc/self/fd/2 /dev/stderr
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run
mkdir -p /run/netns /var/log /var/tmp
exec </dev/null
nonce=$(cat /ka/nonce)
t_mod=$(cut -d' ' -f1 /proc/uptime)
while read -r m; do
	insmod "/lib/modules/ka/$m" || echo "vm: insmod $m failed"
done </lib/modules/ka/order
ip link set lo up
hostname ka-vm
limit=$(cat /ka/timeout)
script=$(cat /ka/script)
set -a
. /ka/env
set +a
echo "vm: guest ready at $(cut -d' ' -f1 /proc/uptime)s uptime (modules from ${t_mod}s); running $script (limit ${limit}s)"
cd /ka/test
if [ "$script" = "--shell" ]; then
	setsid cttyhack sh -l </dev/console >/dev/console 2>&1
	rc=$?
else
	timeout "$limit" bash "/ka/test/$script" 2>&1
	rc=$?
	[ "$rc" -eq 143 ] && echo "vm: guest script killed after ${limit}s"
fi
echo "vm: guest done at $(cut -d' ' -f1 /proc/uptime)s uptime"
echo "KA-VM-EXIT-$nonce $rc"
sync
poweroff -f
EOF
	chmod 755 "$1"
}

host_versions() {
	dpkg-query -W -f='${Package}=${Version} ' busybox-static iproute2 ipvsadm bash libc6 2>/dev/null || true
}

# Sets BASE to the cached base archive (kernel-independent binaries, the
# modules and /init); rebuilt when this script, the kernel, the module list
# or the host packages change.
ensure_base() {
	local key
	key=$( (
		cat "$VM_SELF"
		echo "$KVER ${VM_MODULES[*]}"
		host_versions
	) | sha256sum | cut -c1-16)
	BASE="$CACHE/base-$key.cpio"
	[[ -f $BASE ]] && return 0
	log "building base initramfs ($KVER)"
	local stage
	stage=$(mktemp -d "$CACHE/stage.XXXXXX")
	mkdir -p "$stage"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,tmp,run,root,var,lib/modules/ka,ka/test,ka/tools}
	ln -s ../run "$stage/var/run"
	mknod "$stage/dev/console" c 5 1
	mknod "$stage/dev/null" c 1 3
	# /init links the other applets with `busybox --install -s /bin`,
	# which leaves existing names alone: iproute2's ip stays
	cp "$(command -v busybox)" "$stage/bin/busybox"
	ln -s busybox "$stage/bin/sh"
	copy_elf "$stage" /usr/bin/ip /usr/bin/ip
	ln -s /usr/bin/ip "$stage/bin/ip"
	copy_elf "$stage" "$(command -v ipvsadm)" /usr/sbin/ipvsadm
	copy_elf "$stage" /bin/bash /usr/bin/bash
	ln -s /usr/bin/bash "$stage/bin/bash"
	printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$stage/etc/passwd"
	printf 'root:x:0:\nnogroup:x:65534:\n' >"$stage/etc/group"
	printf '127.0.0.1 localhost ka-vm\n::1 localhost\n' >"$stage/etc/hosts"
	printf 'passwd: files\ngroup: files\nhosts: files\nservices: files\nprotocols: files\n' >"$stage/etc/nsswitch.conf"
	local f
	for f in /etc/protocols /etc/services; do [[ -f $f ]] && cp "$f" "$stage/etc/"; done
	local rel n=0
	resolve_modules >"$stage/modlist" || die "module resolution failed"
	: >"$stage/lib/modules/ka/order"
	while read -r rel; do
		cp "$KDIR/modules/$rel" "$stage/lib/modules/ka/$(basename "$rel")"
		basename "$rel" >>"$stage/lib/modules/ka/order"
		n=$((n + 1))
	done <"$stage/modlist"
	rm -f "$stage/modlist"
	write_init "$stage/init"
	make_cpio "$stage" "$BASE.tmp"
	rm -rf "$stage"
	mv "$BASE.tmp" "$BASE"
	# older bases (other script versions) are stale: nobody holds them
	# without the lock
	find "$CACHE" -maxdepth 1 -name 'base-*.cpio' ! -path "$BASE" -delete
	log "base initramfs: $n modules, $(($(stat -c %s "$BASE") / 1024)) KiB"
}

prepare() {
	need_tools
	mkdir -p "$CACHE"
	exec 9>"$CACHE/.lock"
	flock 9
	# leftovers of an interrupted preparation (nobody else holds the lock)
	rm -rf "$CACHE"/unpack.* "$CACHE"/stage.* "$CACHE"/kernel/*.new "$CACHE"/deb/dl.* "$CACHE"/base-*.tmp
	ensure_kernel
	ensure_base
	# the lock stays held until the caller has copied $BASE (fd 9)
}

# --- run -------------------------------------------------------------------

RUN_TMP=""
QPID=""
TPID=""
cleanup() {
	[[ -n $QPID ]] && kill "$QPID" 2>/dev/null
	[[ -n $TPID ]] && kill "$TPID" 2>/dev/null
	[[ -n $RUN_TMP ]] && rm -rf "$RUN_TMP"
	return 0
}

# run SCRIPT_OR_--shell FILES...
run() {
	local script=$1
	shift
	if [[ $script != --shell ]]; then
		[[ -f $script ]] || die "no such guest script: $script"
	fi
	prepare
	trap cleanup EXIT
	trap 'exit 130' INT TERM
	RUN_TMP=$(mktemp -d "${TMPDIR:-/tmp}/ka-vm-run.XXXXXX")
	local stage=$RUN_TMP/stage
	mkdir -p "$stage/ka/test" "$stage/ka/tools" "$stage/usr/sbin" "$stage/usr/bin"
	# our binaries: whatever exists in the build
	local bin=${KA_BIN:-}
	[[ -z $bin && -n ${KA_BUILD:-} && -x $KA_BUILD/keepalived ]] && bin=$KA_BUILD/keepalived
	if [[ -n $bin ]]; then
		[[ -x $bin ]] || die "KA_BIN=$bin is not executable"
		copy_elf "$stage" "$bin" /usr/sbin/keepalived
	fi
	if [[ -n ${KA_BUILD:-} ]]; then
		local t
		for t in "$KA_BUILD"/tests/tools/*; do
			[[ -f $t && -x $t ]] && copy_elf "$stage" "$t" "/ka/tools/$(basename "$t")"
		done
		[[ -x $KA_BUILD/genhash ]] && copy_elf "$stage" "$KA_BUILD/genhash" /usr/bin/genhash
	fi
	cp "$VM_DIR/guest_lib.sh" "$stage/ka/test/guest_lib.sh"
	local name=--shell
	if [[ $script != --shell ]]; then
		name=$(basename "$script")
		cp "$script" "$stage/ka/test/$name"
	fi
	local f
	for f in "$@"; do
		[[ -e $f ]] || die "no such extra file: $f"
		cp -a "$f" "$stage/ka/test/"
	done
	local nonce limit=${KA_VM_TIMEOUT:-120}
	nonce=$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
	echo "$nonce" >"$stage/ka/nonce"
	echo "$limit" >"$stage/ka/timeout"
	echo "$name" >"$stage/ka/script"
	{
		echo "KA_BIN=/usr/sbin/keepalived"
		echo "KA_TOOLS_DIR=/ka/tools"
		echo "KA_GUEST_DIR=/ka/test"
		local v
		while read -r v; do
			printf '%s=%q\n' "$v" "${!v}"
		done < <(compgen -e | grep '^KA_GUEST_' || true)
	} >"$stage/ka/env"
	make_cpio "$stage" "$RUN_TMP/run.cpio"
	cat "$BASE" "$RUN_TMP/run.cpio" >"$RUN_TMP/initrd"
	flock -u 9

	local wall=$((limit + 90))
	# mitigations=off: syscalls are cheaper under TCG; this VM runs only tests
	local append="console=ttyS0 quiet panic=-1 mitigations=off ${KA_VM_APPEND:-}"
	local qemu=(qemu-system-x86_64 -accel tcg -m "${KA_VM_MEM:-1024}" -smp 2
		-nographic -no-reboot -nic none
		-kernel "$KDIR/$(cat "$KDIR/boot-image")" -initrd "$RUN_TMP/initrd" -append "$append")
	# shellcheck disable=SC2206
	qemu+=(${KA_VM_QEMU_EXTRA:-})
	local t0 t1 rc
	t0=$(date +%s%N)
	log "booting $KVER for $name (guest limit ${limit}s, wall limit ${wall}s)"
	if [[ $script == --shell ]]; then
		timeout -k 5 "$wall" "${qemu[@]}" || true
		return 0
	fi
	: >"$RUN_TMP/console"
	timeout -k 5 "$wall" "${qemu[@]}" </dev/null >"$RUN_TMP/console" 2>&1 &
	QPID=$!
	# drop CRs and the firmware's terminal escapes (ESC c resets a terminal)
	tail -n +1 -s 0.2 -f --pid="$QPID" "$RUN_TMP/console" |
		sed -u -e 's/\r//g' -e 's/\x1b\[[0-9;?]*[A-Za-z]//g' -e 's/\x1b[a-z]//g' &
	TPID=$!
	rc=0
	wait "$QPID" || rc=$?
	QPID=""
	wait "$TPID" 2>/dev/null || true
	TPID=""
	t1=$(date +%s%N)
	local status
	status=$(tr -d '\r' <"$RUN_TMP/console" | sed -n "s/^KA-VM-EXIT-$nonce \([0-9]*\)$/\1/p" | tail -1)
	log "qemu exited $rc after $(((t1 - t0) / 1000000)) ms"
	if [[ -z $status ]]; then
		[[ $rc -eq 124 ]] && log "wall-clock limit ${wall}s hit"
		log "no exit marker from the guest (crash or timeout)"
		return 1
	fi
	log "guest script exit status $status"
	return "$status"
}

info() {
	echo "cache: $CACHE"
	ls -la "$CACHE" "$CACHE"/deb "$CACHE"/kernel 2>/dev/null || true
}

case ${1:-} in
run)
	shift
	[[ $# -ge 1 ]] || die "usage: $0 run GUEST_SCRIPT [FILES...]"
	run "$@"
	;;
shell)
	shift
	run --shell "$@"
	;;
prepare)
	prepare
	log "kernel $KVER, base $BASE"
	;;
info) info ;;
*)
	echo "usage: $0 run GUEST_SCRIPT [FILES...] | shell [FILES...] | prepare | info" >&2
	exit 2
	;;
esac
