/* The NVM command set (NVM Command Set 1.0 §3 (approx.)): Read, Write,
 * Compare, Write Zeroes, Verify, Flush and Dataset Management.  Every range
 * is checked against the namespace, u64 wrap included, before a back end
 * sees it. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ctrl/ctrl_priv.h"

#define DSM_RANGES_MAX 256u

static uint16_t io_fail(struct nvsim_req *req, uint16_t status, uint16_t loc)
{
	return nvsim_req_fail(req, status, loc);
}

/* [slba, slba + nlb) must lie inside the namespace. */
static uint16_t check_lba_range(struct nvsim_req *req, const struct nvsim_ns *ns, uint64_t slba,
				uint64_t nlb)
{
	unsigned int sc;

	if (nvsim_quirk(req->ctrl, NVSIM_QUIRK_NO_LBA_CHECK))
		return 0;
	if (slba >= ns->nlb || nlb > ns->nlb - slba) {
		req->err_lba = slba;
		req->has_err_lba = true;
		sc = nvsim_quirk(req->ctrl, NVSIM_QUIRK_LBA_INTERNAL_ERROR) ? NVME_SC_INTERNAL
									    : NVME_SC_LBA_RANGE;
		return io_fail(req, NVSIM_SC_GENERIC(sc), offsetof(struct nvsim_sqe_rw, slba));
	}
	return 0;
}

/* keyed-length-unchecked: the command moves what the host's keyed SGL
 * covers, whatever NLB says. */
static bool keyed_len_unchecked(const struct nvsim_req *req)
{
	enum nvsim_sgl_type t = nvsim_sgl_type_of(req->sqe.dptr.sgl.id);

	return nvsim_quirk(req->ctrl, NVSIM_QUIRK_KEYED_LEN_UNCHECKED) &&
	       (t == NVSIM_SGL_TYPE_KEYED_DATA_BLOCK || t == NVSIM_SGL_TYPE_LAST_SEGMENT);
}

static uint16_t backend_status(struct nvsim_req *req, int err, bool writing)
{
	if (err == -ENOSPC)
		return io_fail(req, NVSIM_SC_GENERIC(NVME_SC_CAP_EXCEEDED), NVSIM_ERR_LOC_NONE);
	if (writing)
		return io_fail(req, NVSIM_SC_MEDIA(NVME_SC_WRITE_FAULT), NVSIM_ERR_LOC_NONE);
	return io_fail(req, NVSIM_SC_MEDIA(NVME_SC_READ_ERROR), NVSIM_ERR_LOC_NONE);
}

/* Read, Write, Compare: SLBA/NLB, MDTS, then the data length. */
static uint16_t rw_prepare(struct nvsim_req *req, const struct nvsim_ns *ns, uint64_t *off,
			   uint64_t *bytes)
{
	const struct nvsim_sqe_rw *cmd = (const void *)&req->sqe;
	uint64_t slba = le64toh(cmd->slba), nlb = (uint64_t)le16toh(cmd->nlb) + 1;
	uint16_t status = check_lba_range(req, ns, slba, nlb);

	if (status)
		return status;
	*bytes = nlb << ns->lba_shift;
	*off = slba << ns->lba_shift;
	if (*bytes > nvsim_mdts_bytes(req->ctrl))
		return io_fail(req, NVSIM_SC_GENERIC(NVME_SC_INVALID_FIELD),
			       offsetof(struct nvsim_sqe_rw, nlb));
	if (keyed_len_unchecked(req)) {
		if (nvsim_req_data_len(req) < *bytes)
			*bytes = nvsim_req_data_len(req);
		return 0;
	}
	return nvsim_req_check_data_len(req, *bytes);
}

static void count_read(struct nvsim_ns *ns, uint64_t bytes)
{
	ns->units_read_512 += bytes >> 9;
	ns->host_read_cmds++;
}

static void count_write(struct nvsim_ns *ns, uint64_t bytes)
{
	ns->units_written_512 += bytes >> 9;
	ns->host_write_cmds++;
}

static uint16_t exec_read(struct nvsim_req *req, struct nvsim_ns *ns)
{
	uint64_t off, bytes;
	uint16_t status = rw_prepare(req, ns, &off, &bytes);
	int err;

	if (status)
		return status;
	err = bytes ? nvsim_ns_read_into(ns, off, req->data, (size_t)bytes) : 0;
	if (err)
		return backend_status(req, err, false);
	count_read(ns, bytes);
	return 0;
}

static uint16_t exec_write(struct nvsim_req *req, struct nvsim_ns *ns)
{
	uint64_t off, bytes;
	uint16_t status = rw_prepare(req, ns, &off, &bytes);
	int err;

	if (status)
		return status;
	err = bytes ? nvsim_ns_write_from(ns, off, req->data, (size_t)bytes) : 0;
	if (err)
		return backend_status(req, err, true);
	count_write(ns, bytes);
	return 0;
}

static uint16_t exec_compare(struct nvsim_req *req, struct nvsim_ns *ns)
{
	uint64_t off, bytes;
	uint16_t status = rw_prepare(req, ns, &off, &bytes);
	int same;

	if (status)
		return status;
	same = bytes ? nvsim_ns_compare(ns, off, req->data, (size_t)bytes) : 1;
	if (same < 0)
		return backend_status(req, same, false);
	ns->host_read_cmds++;
	if (!same)
		return io_fail(req, NVSIM_SC_MEDIA(NVME_SC_COMPARE_FAILED), NVSIM_ERR_LOC_NONE);
	return 0;
}

/* Write Zeroes and Verify move no data; the range rules still apply. */
static uint16_t range_only_prepare(struct nvsim_req *req, const struct nvsim_ns *ns,
				   uint64_t *off, uint64_t *bytes)
{
	const struct nvsim_sqe_rw *cmd = (const void *)&req->sqe;
	uint64_t slba = le64toh(cmd->slba), nlb = (uint64_t)le16toh(cmd->nlb) + 1;
	uint16_t status = check_lba_range(req, ns, slba, nlb);

	if (status)
		return status;
	*off = slba << ns->lba_shift;
	*bytes = nlb << ns->lba_shift;
	return nvsim_req_check_data_len(req, 0);
}

/* Zeros written out cost what a Write of that length costs, so a Write
 * Zeroes the back end cannot do by deallocating may name no more than a
 * Write may move: MDTS, or 1 MiB (the default MDTS) when MDTS sets no limit. */
static uint64_t zeros_write_max(const struct nvsim_ctrl *ctrl)
{
	uint64_t mdts = nvsim_mdts_bytes(ctrl);

	return mdts == UINT64_MAX ? 1u << 20 : mdts;
}

static uint16_t exec_write_zeroes(struct nvsim_req *req, struct nvsim_ns *ns)
{
	uint64_t off, bytes;
	uint16_t status = range_only_prepare(req, ns, &off, &bytes);
	int err = -EOPNOTSUPP;

	if (status)
		return status;
	/* With or without DEAC, deallocated blocks read as zeros where the back
	 * end says so (DLFEAT 001b): deallocating is a correct way to zero
	 * them, and costs what the back end holds there, not the length. */
	if (ns->ops->dealloc_zeroes(ns->be))
		err = ns->ops->deallocate(ns->be, off, bytes);
	if (err == -EOPNOTSUPP) {
		/* Refused as a Write Zeroes beyond WZSL would be (NVM Command
		 * Set 1.0 §4.1.6.1, WZSL (approx.)). */
		if (bytes > zeros_write_max(req->ctrl))
			return io_fail(req, NVSIM_SC_GENERIC(NVME_SC_INVALID_FIELD),
				       offsetof(struct nvsim_sqe_rw, nlb));
		err = nvsim_ns_write_zeros(ns, off, bytes);
	}
	if (err)
		return backend_status(req, err, true);
	ns->host_write_cmds++;
	return 0;
}

static uint16_t exec_verify(struct nvsim_req *req, struct nvsim_ns *ns)
{
	uint64_t off, bytes;
	uint16_t status = range_only_prepare(req, ns, &off, &bytes);

	if (status)
		return status;
	/* Nothing to check: the model stores no protection information and
	 * its media never fails unless an injection rule says so. */
	ns->host_read_cmds++;
	return 0;
}

struct lba_extent {
	uint64_t lo, hi; /* [lo, hi) */
};

static int extent_cmp(const void *a, const void *b)
{
	const struct lba_extent *x = a, *y = b;

	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* The ranges as sorted extents inside the namespace, overlapping and
 * adjacent ones merged, so one command deallocates each block at most once
 * however the host repeats or splits its ranges.  Clipping matters only
 * under the no-lba-check quirk.  Returns the number of extents. */
static uint32_t dsm_extents(const struct nvme_dsm_range *ranges, uint32_t nr,
			    const struct nvsim_ns *ns, struct lba_extent *ext)
{
	uint32_t n = 0, out = 0;

	for (uint32_t i = 0; i < nr; i++) {
		uint64_t slba = le64toh(ranges[i].slba), nlb = le32toh(ranges[i].nlb);

		if (!nlb || slba >= ns->nlb)
			continue;
		ext[n].lo = slba;
		ext[n++].hi = nlb < ns->nlb - slba ? slba + nlb : ns->nlb;
	}
	if (!n)
		return 0;
	qsort(ext, n, sizeof(*ext), extent_cmp);
	for (uint32_t i = 1; i < n; i++) {
		if (ext[i].lo <= ext[out].hi) {
			if (ext[i].hi > ext[out].hi)
				ext[out].hi = ext[i].hi;
			continue;
		}
		ext[++out] = ext[i];
	}
	return out + 1;
}

static uint16_t exec_dsm(struct nvsim_req *req, struct nvsim_ns *ns)
{
	const struct nvsim_sqe_dsm *cmd = (const void *)&req->sqe;
	struct nvme_dsm_range ranges[DSM_RANGES_MAX];
	struct lba_extent ext[DSM_RANGES_MAX];
	uint32_t nr = (uint32_t)cmd->nr + 1; /* 0's based: at most 256 */
	uint16_t status = nvsim_req_check_data_len(req, nr * sizeof(ranges[0]));

	if (status)
		return status;
	if (nvsim_data_copy_out(req->data, 0, ranges, nr * sizeof(ranges[0])))
		return NVSIM_SC_GENERIC(NVME_SC_DATA_XFER_ERROR);
	/* Check every range before touching any: the command is all or
	 * nothing. */
	for (uint32_t i = 0; i < nr; i++) {
		status = check_lba_range(req, ns, le64toh(ranges[i].slba), le32toh(ranges[i].nlb));
		if (status)
			return status;
	}
	if (!(le32toh(cmd->attributes) & NVSIM_DSM_ATTR_DEALLOCATE))
		return 0; /* IDR/IDW are hints only */
	/* Deallocate is advisory (NVM Command Set 1.0 §3.2.3.2.1 (approx.)): a
	 * back end that cannot leave zeros promised none (DLFEAT 000b) and
	 * keeps the blocks as they are. */
	if (!ns->ops->dealloc_zeroes(ns->be))
		return 0;
	nr = dsm_extents(ranges, nr, ns, ext);
	for (uint32_t i = 0; i < nr; i++) {
		int err = ns->ops->deallocate(ns->be, ext[i].lo << ns->lba_shift,
					      (ext[i].hi - ext[i].lo) << ns->lba_shift);

		/* -EOPNOTSUPP too: zeros were promised and cannot be kept */
		if (err)
			return backend_status(req, err, true);
	}
	return 0;
}

static uint16_t exec_flush(struct nvsim_req *req)
{
	struct nvsim_ctrl *ctrl = req->ctrl;
	uint32_t nsid = le32toh(req->sqe.nsid);
	uint16_t status = nvsim_req_check_data_len(req, 0);
	struct nvsim_ns *ns;

	if (status)
		return status;
	/* NSID FFFFFFFFh flushes every namespace (VWC bits 2:1 = 11b). */
	if (nsid == NVME_NSID_ALL) {
		for (uint32_t id = 1; id <= ctrl->cfg.max_namespaces; id++) {
			ns = nvsim_ns_get(ctrl, id);
			if (ns && ns->ops->flush(ns->be))
				return backend_status(req, -EIO, true);
		}
		return 0;
	}
	ns = nvsim_ns_get(ctrl, nsid);
	if (!ns)
		return io_fail(req, NVSIM_SC_GENERIC(NVME_SC_INVALID_NS), NVSIM_SQE_OFF_NSID);
	if (ns->ops->flush(ns->be))
		return backend_status(req, -EIO, true);
	return 0;
}

int nvsim_exec_io(struct nvsim_req *req)
{
	struct nvsim_ns *ns;
	uint8_t opcode = req->sqe.opcode;

	if (opcode == nvme_cmd_flush)
		return exec_flush(req);
	switch (opcode) {
	case nvme_cmd_read:
	case nvme_cmd_write:
	case nvme_cmd_compare:
	case nvme_cmd_write_zeroes:
	case nvme_cmd_verify:
	case nvme_cmd_dsm:
		break;
	default:
		return io_fail(req, NVSIM_SC_GENERIC(NVME_SC_INVALID_OPCODE), NVSIM_SQE_OFF_OPCODE);
	}
	ns = nvsim_ns_get(req->ctrl, le32toh(req->sqe.nsid));
	if (!ns)
		return io_fail(req, NVSIM_SC_GENERIC(NVME_SC_INVALID_NS), NVSIM_SQE_OFF_NSID);
	req->delay_ns = ns->latency_ns;
	switch (opcode) {
	case nvme_cmd_read:
		return exec_read(req, ns);
	case nvme_cmd_write:
		return exec_write(req, ns);
	case nvme_cmd_compare:
		return exec_compare(req, ns);
	case nvme_cmd_write_zeroes:
		return exec_write_zeroes(req, ns);
	case nvme_cmd_verify:
		return exec_verify(req, ns);
	default:
		return exec_dsm(req, ns);
	}
}
