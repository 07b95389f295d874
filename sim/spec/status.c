#include "spec/status.h"

#include <stdio.h>
#include <nvme/util.h>

const char *nvsim_status_describe(uint16_t sf, bool fabrics, char *buf, unsigned len)
{
	/* libnvme only understands SCT/SC; DNR and More are ours to print. */
	const char *name = nvme_status_to_string(sf & 0x7ff, fabrics);

	snprintf(buf, len, "SCT %xh/SC %02xh %s%s%s", nvsim_status_sct(sf), nvsim_status_sc(sf),
		 name ? name : "(unknown)", nvsim_status_dnr(sf) ? " [DNR]" : "",
		 (sf & NVME_SC_MORE) ? " [More]" : "");
	return buf;
}
