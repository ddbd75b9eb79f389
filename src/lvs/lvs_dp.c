/* The LVS data plane: picks a backend at open and forwards every call to it
 * (lvs_backend.h).  The checker engine and the VRRP child see only this. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/log.h"
#include "lvs/lvs.h"
#include "lvs/lvs_backend.h"

struct lvs_dp {
	const struct lvs_backend_ops *ops;
	void *b;
};

const char *lvs_plane_str(enum lvs_plane p)
{
	switch (p) {
	case LVS_PLANE_IPVS:
		return "ipvs";
	case LVS_PLANE_NFT:
		return "nftables";
	case LVS_PLANE_AUTO:
		return "auto";
	}
	return "?";
}

static struct lvs_dp *dp_new(const struct lvs_backend_ops *ops, void *b)
{
	struct lvs_dp *dp = calloc(1, sizeof(*dp));

	if (!dp) {
		ops->close(b, false);
		return NULL;
	}
	dp->ops = ops;
	dp->b = b;
	return dp;
}

struct lvs_dp *lvs_dp_open(enum lvs_plane p, char *err, size_t errlen)
{
	char e1[192] = "", e2[192] = "";
	void *b;

	if (p != LVS_PLANE_NFT) {
		b = lvs_ipvs_backend.open(e1, sizeof(e1));
		if (b)
			return dp_new(&lvs_ipvs_backend, b);
		if (p == LVS_PLANE_IPVS) {
			snprintf(err, errlen, "%s", e1);
			return NULL;
		}
	}
	b = lvs_nft_backend.open(e2, sizeof(e2));
	if (b)
		return dp_new(&lvs_nft_backend, b);
	if (p == LVS_PLANE_AUTO)
		snprintf(err, errlen, "no data plane: %s; %s", e1, e2);
	else
		snprintf(err, errlen, "%s", e2);
	return NULL;
}

enum lvs_plane lvs_plane_resolve(enum lvs_plane p)
{
	char err[192];
	void *b;

	if (p != LVS_PLANE_AUTO)
		return p;
	b = lvs_ipvs_backend.open(err, sizeof(err));
	if (!b)
		return LVS_PLANE_NFT;
	lvs_ipvs_backend.close(b, false);
	return LVS_PLANE_IPVS;
}

const char *lvs_dp_name(const struct lvs_dp *dp)
{
	return dp->ops->name;
}

int lvs_dp_sync(struct lvs_dp *dp, const struct lvs_table *want, const struct lvs_table *drop,
                bool flush)
{
	return dp->ops->sync(dp->b, want, drop, flush);
}

int lvs_dp_dest_set(struct lvs_dp *dp, const struct lvs_svc_key *k, const struct lvs_dest *d)
{
	return dp->ops->dest_set(dp->b, k, d);
}

int lvs_dp_dest_del(struct lvs_dp *dp, const struct lvs_svc_key *k, const struct lvs_dest *d)
{
	return dp->ops->dest_del(dp->b, k, d);
}

int lvs_dp_read(struct lvs_dp *dp, struct lvs_table *out)
{
	return dp->ops->read(dp->b, out);
}

int lvs_dp_syncd_start(struct lvs_dp *dp, const struct lvs_syncd *s)
{
	if (!dp->ops->syncd_start) {
		log_err("%s: no connection sync daemon (lvs_sync_daemon needs IPVS)",
		        dp->ops->name);
		return -1;
	}
	return dp->ops->syncd_start(dp->b, s);
}

int lvs_dp_syncd_stop(struct lvs_dp *dp, bool backup)
{
	return dp->ops->syncd_stop ? dp->ops->syncd_stop(dp->b, backup) : 0;
}

int lvs_dp_set_timeouts(struct lvs_dp *dp, uint32_t tcp, uint32_t tcpfin, uint32_t udp)
{
	if (!tcp && !tcpfin && !udp)
		return 0;
	if (!dp->ops->set_timeouts) {
		log_err("%s: lvs_timeouts needs IPVS", dp->ops->name);
		return -1;
	}
	return dp->ops->set_timeouts(dp->b, tcp, tcpfin, udp);
}

unsigned long lvs_dp_mutations(const struct lvs_dp *dp)
{
	return dp->ops->mutations(dp->b);
}

void lvs_dp_close(struct lvs_dp *dp, bool remove_own)
{
	if (!dp)
		return;
	dp->ops->close(dp->b, remove_own);
	free(dp);
}
