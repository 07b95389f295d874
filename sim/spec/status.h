/* NVMe completion status as nvmf-sim carries it internally: the status
 * field in libnvme's encoding (SC bits 7:0, SCT bits 10:8, CRD, More, DNR
 * bit 14) plus the error location the error log reports.  Status values and
 * their names come from libnvme. */
#ifndef NVSIM_SPEC_STATUS_H
#define NVSIM_SPEC_STATUS_H

#include <stdbool.h>
#include <stdint.h>
#include <nvme/types.h>

#define NVSIM_ERR_LOC_NONE 0xffffu

/* Compose a status field; sct is one of NVME_SCT_*, sc one of NVME_SC_*. */
static inline uint16_t nvsim_status(unsigned sct, unsigned sc, bool dnr)
{
	return (uint16_t)(((sct & NVME_SCT_MASK) << NVME_SCT_SHIFT) | (sc & NVME_SC_MASK) |
			  (dnr ? NVME_SC_DNR : 0));
}

static inline unsigned nvsim_status_sct(uint16_t sf)
{
	return (sf >> NVME_SCT_SHIFT) & NVME_SCT_MASK;
}

static inline unsigned nvsim_status_sc(uint16_t sf)
{
	return sf & NVME_SC_MASK;
}

static inline bool nvsim_status_dnr(uint16_t sf)
{
	return (sf & NVME_SC_DNR) != 0;
}

/* Fabrics command-specific code libnvme 1.3 does not name (NVMe Base 2.0
 * §6.4 (approx.), Disconnect on the wrong queue type). */
#define NVSIM_SC_INVALID_QUEUE_TYPE 0x85

/* Shorthands for the generic errors every layer answers with. */
#define NVSIM_SC_GENERIC(sc) nvsim_status(NVME_SCT_GENERIC, (sc), true)
#define NVSIM_SC_CMD_SPECIFIC(sc) nvsim_status(NVME_SCT_CMD_SPECIFIC, (sc), true)
#define NVSIM_SC_MEDIA(sc) nvsim_status(NVME_SCT_MEDIA, (sc), true)

/* "SCT 0h/SC 02h Invalid Field in Command [DNR]" style text for reports
 * and test failures; the name comes from libnvme.  Returns buf. */
const char *nvsim_status_describe(uint16_t sf, bool fabrics, char *buf, unsigned len);

#endif
