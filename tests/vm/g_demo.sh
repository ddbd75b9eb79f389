#!/usr/bin/env bash
# Guest side of `make demo-ipvs` (scripts/demo-ipvs.sh): the demo's story,
# scripts/demo.sh, inside the VM, where Debian's kernel has IPVS: seed 002
# as it was written, lb_kind DR, the default data plane (IPVS), ipvsadm as
# the witness.  demo.sh, demo_lib.sh and seed002-dr.conf are extra files
# beside this script.  Not a ctest test: the demo's own PASS lines and exit
# status are the result.
#
# Under TCG every process start costs ~50-100 ms: the conditions are polled
# every 100 ms and the takeover bound gets 500 ms of measuring tolerance.
export DEMO_PLANE=ipvs DEMO_CONF_DIR=$KA_GUEST_DIR DL_P='' DL_POLL=0.1
export DEMO_TOLERANCE_MS=${KA_GUEST_DEMO_TOLERANCE_MS:-500}
exec bash "$KA_GUEST_DIR/demo.sh" "$KA_BIN"
