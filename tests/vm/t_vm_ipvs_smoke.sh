#!/usr/bin/env bash
# The VM harness itself: Debian's kernel with IPVS under qemu, Debian's
# ipvsadm building a NAT service between namespaces (g_ipvs_smoke.sh).
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
exec "$here/vm.sh" run "$here/g_ipvs_smoke.sh"
