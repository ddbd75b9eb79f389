/* The IPVS connection-sync daemon follows the VRRP instance named in
 * `lvs_sync_daemon IF VI`: master while VI is MASTER, backup otherwise, so
 * the director that owns the VIPs sends its connection table and the
 * others receive it. */
#include <string.h>

#include "core/daemon.h"
#include "lib/log.h"
#include "vrrp/vrrp_rt.h"

enum { SYNCD_NONE = -1, SYNCD_BACKUP = 0, SYNCD_MASTER = 1 };

static void syncd_set(struct vrrp_rt *rt, int mode)
{
	struct lvs_syncd s = rt->syncd;

	if (!rt->syncd_dp || mode == rt->syncd_mode)
		return;
	if (rt->syncd_mode != SYNCD_NONE)
		lvs_dp_syncd_stop(rt->syncd_dp, rt->syncd_mode == SYNCD_BACKUP);
	rt->syncd_mode = SYNCD_NONE;
	if (mode == SYNCD_NONE)
		return;
	s.backup = mode == SYNCD_BACKUP;
	if (lvs_dp_syncd_start(rt->syncd_dp, &s) == 0) {
		rt->syncd_mode = mode;
		log_info("IPVS: sync daemon started as %s on %s (syncid %u)",
		         s.backup ? "backup" : "master", s.ifname, s.syncid);
	}
}

void vrrp_syncd_start(struct vrrp_rt *rt)
{
	char err[256] = "";

	rt->syncd_mode = SYNCD_NONE;
	if (!lvs_syncd_from_tree(rt->kcfg->tree, &rt->syncd, rt->syncd_inst,
	                         sizeof(rt->syncd_inst)) ||
	    !rt->syncd_inst[0])
		return;
	rt->syncd_dp = lvs_dp_open(LVS_PLANE_IPVS, err, sizeof(err));
	if (!rt->syncd_dp) {
		log_err("lvs_sync_daemon: %s", err);
		return;
	}
	syncd_set(rt, SYNCD_BACKUP);
}

void vrrp_syncd_state(struct vrrp_rt *rt, const char *inst, bool master)
{
	if (!rt->syncd_dp || strcmp(inst, rt->syncd_inst) != 0)
		return;
	syncd_set(rt, master ? SYNCD_MASTER : SYNCD_BACKUP);
}

void vrrp_syncd_stop(struct vrrp_rt *rt)
{
	if (!rt->syncd_dp)
		return;
	syncd_set(rt, SYNCD_NONE);
	lvs_dp_close(rt->syncd_dp, false);
	rt->syncd_dp = NULL;
}
