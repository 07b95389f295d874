/* Identify (NVMe Base 2.0 §5.17 (approx.)): CNS 00h namespace, 01h
 * controller, 02h active namespace list, 03h namespace identification
 * descriptors.  Structures are libnvme's. */
#include <string.h>

#include "ctrl/ctrl_priv.h"

#define NVSIM_NSID_ALL 0xffffffffu

/* Identify strings are space padded, not NUL terminated. */
static void put_padded(char *dst, size_t len, const char *src)
{
	size_t n = strnlen(src, len);

	memcpy(dst, src, n);
	memset(dst + n, ' ', len - n);
}

static void fill_id_ctrl(struct nvsim_ctrl *ctrl, struct nvme_id_ctrl *id)
{
	const struct nvsim_ctrl_config *cfg = &ctrl->cfg;
	uint32_t sgls = 0x1; /* SGLs supported, no alignment requirement */

	put_padded(id->sn, sizeof(id->sn), cfg->serial);
	put_padded(id->mn, sizeof(id->mn), cfg->model);
	put_padded(id->fr, sizeof(id->fr), cfg->firmware);
	id->rab = 6;
	id->cmic = NVME_CTRL_CMIC_MULTI_CTRL; /* dynamic model: many controllers */
	id->mdts = cfg->mdts;
	id->cntlid = htole16((uint16_t)(cfg->cntlid +
					!!(cfg->quirks & NVSIM_QUIRK_WRONG_ID_CNTLID)));
	id->ver = htole32(ctrl->vs);
	id->oaes = htole32(NVME_CTRL_OAES_NA);
	if (cfg->traffic_based_keep_alive)
		id->ctratt = htole32(NVME_CTRL_CTRATT_TBKAS);
	id->cntrltype = cfg->discovery ? NVME_CTRL_CNTRLTYPE_DISCOVERY : NVME_CTRL_CNTRLTYPE_IO;
	id->acl = cfg->acl;
	id->aerl = cfg->aerl;
	id->frmw = 1u << 1 | NVME_CTRL_FRMW_1ST_RO; /* one slot, read-only */
	id->lpa = NVME_CTRL_LPA_SMART_PER_NS | NVME_CTRL_LPA_CMD_EFFECTS | NVME_CTRL_LPA_EXTENDED;
	id->elpe = cfg->elpe;
	id->wctemp = htole16(NVSIM_TEMP_OVER_DEFAULT_K);
	id->cctemp = htole16(NVSIM_TEMP_CRIT_K);
	id->kas = htole16(cfg->kas);
	id->sqes = 6u << 4 | 6u;
	id->cqes = 4u << 4 | 4u;
	id->maxcmd = htole16((uint16_t)(cfg->mqes + 1u > 0xffffu ? 0xffffu : cfg->mqes + 1u));
	id->nn = htole32(cfg->max_namespaces);
	id->oncs = htole16(NVME_CTRL_ONCS_COMPARE | NVME_CTRL_ONCS_DSM | NVME_CTRL_ONCS_WRITE_ZEROES |
			   NVME_CTRL_ONCS_SAVE_FEATURES | NVME_CTRL_ONCS_VERIFY);
	/* VWC present; bits 2:1 = 11b: Flush with NSID FFFFFFFFh supported */
	id->vwc = cfg->volatile_write_cache ? 0x07 : 0x06;
	if (cfg->keyed_sgl)
		sgls |= NVME_CTRL_SGLS_KEYED;
	if (cfg->sgl_oversize_ok)
		sgls |= NVME_CTRL_SGLS_OVERSIZE;
	sgls |= NVME_CTRL_SGLS_OFFSET;
	id->sgls = htole32(sgls);
	memcpy(id->subnqn, cfg->subnqn, strnlen(cfg->subnqn, sizeof(cfg->subnqn) - 1));
	id->ioccsz = htole32(cfg->ioccsz);
	id->iorcsz = htole32(cfg->iorcsz);
	id->icdoff = htole16(cfg->icdoff);
	id->msdbd = cfg->msdbd;
	id->psd[0].mp = htole16(2500); /* 25 W, in centiwatts */
}

static void fill_id_ns(const struct nvsim_ctrl *ctrl, const struct nvsim_ns *ns,
		       struct nvme_id_ns *id)
{
	id->nsze = htole64(ns->nlb);
	id->ncap = htole64(ns->nlb);
	id->nuse = htole64(ns->nlb);
	id->nlbaf = NVSIM_NS_NR_LBAF - 1;
	id->flbas = ns->flbas;
	if (nvsim_quirk(ctrl, NVSIM_QUIRK_WRONG_LBAF))
		id->flbas ^= 1; /* the other of our two formats */
	id->dlfeat = nvsim_ns_dlfeat(ns);
	id->lbaf[0].ds = 9;
	id->lbaf[1].ds = 12;
	memcpy(id->nguid, ns->nguid, sizeof(id->nguid));
	memcpy(id->eui64, ns->eui64, sizeof(id->eui64));
}

static size_t put_desc(uint8_t *buf, size_t off, uint8_t nidt, const void *nid, uint8_t len)
{
	struct nvme_ns_id_desc *d = (struct nvme_ns_id_desc *)(buf + off);

	d->nidt = nidt;
	d->nidl = len;
	memcpy(d->nid, nid, len);
	return off + sizeof(*d) + len;
}

static void fill_ns_descs(const struct nvsim_ns *ns, uint8_t *buf)
{
	static const uint8_t csi_nvm = NVME_CSI_NVM;
	size_t off = 0;

	off = put_desc(buf, off, NVME_NIDT_EUI64, ns->eui64, NVME_NIDT_EUI64_LEN);
	off = put_desc(buf, off, NVME_NIDT_NGUID, ns->nguid, NVME_NIDT_NGUID_LEN);
	off = put_desc(buf, off, NVME_NIDT_UUID, ns->uuid, NVME_NIDT_UUID_LEN);
	put_desc(buf, off, NVME_NIDT_CSI, &csi_nvm, NVME_NIDT_CSI_LEN);
}

/* Active NSIDs above the given one, ascending, at most 1024. */
static void fill_active_ns_list(struct nvsim_ctrl *ctrl, uint32_t after, uint8_t *buf)
{
	unsigned n = 0;

	for (uint32_t nsid = after + 1; nsid && nsid <= ctrl->cfg.max_namespaces; nsid++) {
		if (!nvsim_ns_get(ctrl, nsid))
			continue;
		put_le32(buf + 4 * n, nsid);
		if (++n == NVME_ID_NS_LIST_MAX)
			break;
	}
}

static uint16_t invalid_ns(struct nvsim_req *req)
{
	return nvsim_req_fail(req, NVSIM_SC_GENERIC(NVME_SC_INVALID_NS), NVSIM_SQE_OFF_NSID);
}

int nvsim_exec_identify(struct nvsim_req *req)
{
	struct nvsim_ctrl *ctrl = req->ctrl;
	const struct nvsim_sqe_identify *cmd = (const void *)&req->sqe;
	uint32_t nsid = le32toh(cmd->nsid);
	uint8_t buf[NVME_IDENTIFY_DATA_SIZE] = { 0 };
	struct nvsim_ns *ns;
	uint16_t status;

	status = nvsim_req_check_data_len(req, NVME_IDENTIFY_DATA_SIZE);
	if (status)
		return status;

	/* A discovery controller has no namespaces: only CNS 01h. */
	if (ctrl->cfg.discovery && cmd->cns != NVME_IDENTIFY_CNS_CTRL)
		return nvsim_req_fail(req, NVSIM_SC_GENERIC(NVME_SC_INVALID_FIELD),
				      offsetof(struct nvsim_sqe_identify, cns));
	switch (cmd->cns) {
	case NVME_IDENTIFY_CNS_NS:
		/* NSID 0 and FFFFFFFFh (no namespace management) are invalid;
		 * a valid but inactive NSID returns zeros. */
		if (!nvsim_nsid_in_range(ctrl, nsid) &&
		    !(nsid == NVSIM_NSID_ALL && nvsim_quirk(ctrl, NVSIM_QUIRK_NSID_ALL_OK)) &&
		    !(nsid != NVSIM_NSID_ALL && nvsim_quirk(ctrl, NVSIM_QUIRK_BAD_NSID_ZEROES)))
			return invalid_ns(req);
		ns = nvsim_ns_get(ctrl, nsid);
		if (ns)
			fill_id_ns(ctrl, ns, (struct nvme_id_ns *)buf);
		break;
	case NVME_IDENTIFY_CNS_CTRL:
		fill_id_ctrl(ctrl, (struct nvme_id_ctrl *)buf);
		break;
	case NVME_IDENTIFY_CNS_NS_ACTIVE_LIST:
		if (nsid >= 0xfffffffeu)
			return invalid_ns(req);
		fill_active_ns_list(ctrl, nsid, buf);
		break;
	case NVME_IDENTIFY_CNS_NS_DESC_LIST:
		ns = nvsim_ns_get(ctrl, nsid);
		/* An inactive NSID (valid, nothing attached) is Invalid Field
		 * in Command, an invalid one Invalid Namespace or Format
		 * (NVMe Base 2.1 §5.1.13.2.3, §3.2.1.5). */
		if (!ns && nvsim_nsid_in_range(ctrl, nsid))
			return nvsim_req_fail(req, NVSIM_SC_GENERIC(NVME_SC_INVALID_FIELD),
					      NVSIM_SQE_OFF_NSID);
		if (!ns)
			return invalid_ns(req);
		fill_ns_descs(ns, buf);
		break;
	default:
		if (nvsim_quirk(ctrl, NVSIM_QUIRK_OPCODE_NOT_FIELD))
			return nvsim_req_fail(req, NVSIM_SC_GENERIC(NVME_SC_INVALID_OPCODE),
					      NVSIM_SQE_OFF_OPCODE);
		return nvsim_req_fail(req, NVSIM_SC_GENERIC(NVME_SC_INVALID_FIELD),
				      offsetof(struct nvsim_sqe_identify, cns));
	}
	if (nvsim_data_copy_in(req->data, 0, buf, sizeof(buf)))
		return NVSIM_SC_GENERIC(NVME_SC_DATA_XFER_ERROR);
	return 0;
}
