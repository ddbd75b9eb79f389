#!/usr/bin/env bash
# `make demo-ipvs`: the demo's story (scripts/demo.sh) with real IPVS and
# lb_kind DR, exactly seed 002, inside a qemu VM booting Debian's kernel
# (this host's kernel has no IPVS).  tests/vm/vm.sh fetches the kernel
# once (apt-get download) and caches it in BUILD/vm-cache.
#
#   scripts/demo-ipvs.sh [BUILD]     BUILD: the build directory (build/)
#
# Exit status: the demo's (0 only if every PASS line held); 1 if the VM
# never finished, 2 for a harness error (see tests/vm/README.md).
set -uo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=$(readlink -f "${1:-$top/build}")
[[ $(id -u) -eq 0 ]] || { echo "demo-ipvs: needs root (qemu, namespaces in the VM)"; exit 1; }
[[ -x $build/keepalived ]] || { echo "demo-ipvs: no $build/keepalived (make build)"; exit 1; }
export KA_BUILD=$build
# the guest's limit; vm.sh adds 90 s of wall-clock margin for the boot
export KA_VM_TIMEOUT=${KA_VM_TIMEOUT:-100}
exec "$top/tests/vm/vm.sh" run "$top/tests/vm/g_demo.sh" "$top/scripts/demo.sh" \
	"$top/scripts/demo_lib.sh" "$top/demo/seed002-dr.conf"
