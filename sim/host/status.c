/* Saying what came back, fully: users of other tools see one "Invalid
 * argument" for every Connect rejection (nvme-cli#2185); we print the CM
 * reject status, SCT/SC with libnvme's name, DNR/More, and IATTR/IPO. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <nvme/util.h>

#include "host/host_priv.h"
#include "spec/rdma_cm.h"

const char *nvsim_rdma_cm_sts_str(uint16_t sts)
{
	switch (sts) {
	case NVSIM_RDMA_CM_INVALID_LEN:
		return "invalid private data length";
	case NVSIM_RDMA_CM_INVALID_RECFMT:
		return "invalid RECFMT";
	case NVSIM_RDMA_CM_INVALID_QID:
		return "invalid QID";
	case NVSIM_RDMA_CM_INVALID_HSQSIZE:
		return "invalid HSQSIZE";
	case NVSIM_RDMA_CM_INVALID_HRQSIZE:
		return "invalid HRQSIZE";
	case NVSIM_RDMA_CM_NO_RSC:
		return "no resources";
	case NVSIM_RDMA_CM_INVALID_IRD:
		return "invalid IRD";
	case NVSIM_RDMA_CM_INVALID_ORD:
		return "invalid ORD";
	case NVSIM_RDMA_CM_INVALID_CNTLID:
		return "invalid CNTLID";
	default:
		return "unknown";
	}
}

static bool is_name(const char *text, int n, const char *name)
{
	return strlen(name) == (size_t)n && !strncmp(text, name, (size_t)n);
}

const char *nvsim_host_status_name(uint16_t sf, char *buf, size_t len)
{
	/* libnvme's text is "Name: explanation"; the name is enough here.
	 * I/O completions are named as the NVM command set has them.  What
	 * libnvme cannot name it calls "unrecognized" or "Unknown status"
	 * (by SCT): one wording for both. */
	const char *text = nvme_status_to_string(sf & 0x7ff, false);
	const char *colon = text ? strchr(text, ':') : NULL;
	int n = text ? (colon ? (int)(colon - text) : (int)strlen(text)) : 0;

	if (!n || is_name(text, n, "unrecognized") || is_name(text, n, "Unknown status"))
		snprintf(buf, len, "Unknown status (%x/%02xh)", nvsim_status_sct(sf),
			 nvsim_status_sc(sf));
	else
		snprintf(buf, len, "%.*s (%x/%02xh)", n, text, nvsim_status_sct(sf),
			 nvsim_status_sc(sf));
	return buf;
}

int nvsim_host_status_from_cqe(struct nvsim_host_status *st, const struct nvsim_cqe *cqe)
{
	st->has_cqe = true;
	st->cqe = *cqe;
	st->sf = nvsim_cqe_status_field(cqe);
	return st->sf ? -EREMOTEIO : 0;
}

const char *nvsim_host_status_str(const struct nvsim_host_status *st, bool fabrics, char *buf,
				  size_t len)
{
	char sbuf[384];

	if (st->cm_rejected) {
		if (st->cm_sts_valid)
			snprintf(buf, len, "CM reject: status %u (%s), reason %u", st->cm_sts,
				 nvsim_rdma_cm_sts_str(st->cm_sts), st->cm_reason);
		else
			snprintf(buf, len, "CM reject: reason %u, no NVMe private data",
				 st->cm_reason);
		return buf;
	}
	if (st->wrong_cid) {
		snprintf(buf, len, "a completion with CID %#x arrived for the command with CID %#x "
			 "(opcode %02xh)", le16toh(st->cqe.cid), st->cid, st->opcode);
		return buf;
	}
	if (st->no_completion) {
		snprintf(buf, len, "no completion for the command with CID %#x (opcode %02xh, SGL "
			 "descriptor %xh/%xh) while the queue stayed up", st->cid, st->opcode,
			 st->sgl_id >> 4, st->sgl_id & 0xf);
		return buf;
	}
	if (st->err) {
		snprintf(buf, len, "transport: %s", strerror(-st->err));
		return buf;
	}
	if (!st->has_cqe) {
		snprintf(buf, len, "no completion");
		return buf;
	}
	nvsim_status_describe(st->sf, fabrics, sbuf, sizeof(sbuf));
	if (fabrics && nvsim_status_sct(st->sf) == NVME_SCT_CMD_SPECIFIC &&
	    (nvsim_status_sc(st->sf) == NVME_SC_CONNECT_INVALID_PARAM ||
	     nvsim_status_sc(st->sf) == NVME_SC_CONNECT_INVALID_HOST)) {
		uint32_t dw0 = le32toh(st->cqe.dw0);

		snprintf(buf, len, "%s (IATTR %u, IPO %u)", sbuf, nvsim_connect_iattr(dw0),
			 nvsim_connect_ipo(dw0));
	} else {
		snprintf(buf, len, "%s", sbuf);
	}
	return buf;
}
