#!/usr/bin/env bash
# Our IPVS data plane (ka_ipvs over src/lvs) against Debian's ipvsadm on a
# real kernel under qemu.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
exec "$here/vm.sh" run "$here/g_ipvs_dp.sh"
