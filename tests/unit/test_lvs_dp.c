/* lvs_dp_open on a kernel without IPVS (the build hosts: no "IPVS" generic
 * netlink family) fails with one line saying so.  On a kernel with IPVS the
 * open must succeed instead (as root) or fail for another stated reason. */
#include <unistd.h>

#include "check.h"
#include "lvs/lvs.h"

int main(void)
{
	char err[256] = "";
	struct lvs_dp *dp = lvs_dp_open(LVS_PLANE_IPVS, err, sizeof(err));

	if (access("/proc/net/ip_vs", F_OK) != 0) {
		CHECK(dp == NULL);
		CHECK_STR(err, "IPVS is not available in this kernel (no IPVS generic netlink "
		               "family; is the ip_vs module loaded?)");
	} else {
		CHECK(dp != NULL || err[0] != '\0');
		if (dp)
			CHECK_INT(lvs_dp_mutations(dp), 0);
	}
	CHECK(strchr(err, '\n') == NULL);
	lvs_dp_close(dp, false);
	lvs_dp_close(NULL, true); /* harmless */
	return check_report("test_lvs_dp");
}
