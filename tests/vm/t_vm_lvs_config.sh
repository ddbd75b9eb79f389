#!/usr/bin/env bash
# Real-kernel LVS test under qemu: see g_lvs_config.sh for the scenarios.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
exec "$here/vm.sh" run "$here/g_lvs_config.sh"
