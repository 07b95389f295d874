/* A well-behaved host: the sequence nvme-cli and the Linux host follow to
 * bring up a controller (NVMe-oF 1.1 §3.3, NVMe Base 2.0 §3.5 (approx.)):
 * admin queue, Connect, CAP, CC.EN, CSTS.RDY, Identify, Number of Queues,
 * one Connect per I/O queue; shutdown and disconnect at the end. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/host_priv.h"

#define CONNECT_DATA_LEN 1024u
#define READY_POLLS 1000u

void nvsim_host_config_init(struct nvsim_host_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	nvsim_hq_config_init(&cfg->transport);
	cfg->kato_ms = 30000;
	cfg->admin_sqsize = 31;
	cfg->io_sqsize = 127;
}

/* ---- Fabrics commands ------------------------------------------------------------ */

static int fabrics_connect(struct nvsim_host *h, struct nvsim_hq *q, uint16_t qid,
			   uint16_t sqsize, uint16_t cntlid, struct nvsim_host_status *st)
{
	struct nvsim_sqe sqe = { .opcode = NVSIM_FABRICS_OPCODE };
	struct nvsim_sqe_connect *c = (void *)&sqe;
	struct nvmf_connect_data *cd = calloc(1, CONNECT_DATA_LEN);
	int ret;

	if (!cd)
		return st->err = -ENOMEM;
	c->fctype = nvme_fabrics_type_connect;
	c->qid = htole16(qid);
	c->sqsize = htole16(sqsize);
	c->kato = htole32(qid ? 0 : h->cfg.kato_ms);
	memcpy(cd->hostid, h->cfg.hostid, sizeof(cd->hostid));
	cd->cntlid = htole16(cntlid);
	snprintf(cd->subsysnqn, sizeof(cd->subsysnqn), "%s", h->cfg.subnqn);
	snprintf(cd->hostnqn, sizeof(cd->hostnqn), "%s", h->cfg.hostnqn);
	ret = nvsim_hq_exec(q, &sqe, cd, CONNECT_DATA_LEN, NVSIM_DIR_H2C, st);
	free(cd);
	return ret;
}

int nvsim_host_prop_get(struct nvsim_hq *admin, uint32_t ofst, bool eight, uint64_t *value,
			struct nvsim_host_status *st)
{
	struct nvsim_sqe sqe = { .opcode = NVSIM_FABRICS_OPCODE };
	struct nvsim_sqe_prop_get *pg = (void *)&sqe;
	int ret;

	pg->fctype = nvme_fabrics_type_property_get;
	pg->attrib = eight ? NVSIM_PROP_ATTRIB_SIZE_8 : 0;
	pg->ofst = htole32(ofst);
	ret = nvsim_hq_exec(admin, &sqe, NULL, 0, NVSIM_DIR_NONE, st);
	if (!ret)
		*value = (uint64_t)le32toh(st->cqe.dw1) << 32 | le32toh(st->cqe.dw0);
	return ret;
}

int nvsim_host_prop_set(struct nvsim_hq *admin, uint32_t ofst, bool eight, uint64_t value,
			struct nvsim_host_status *st)
{
	struct nvsim_sqe sqe = { .opcode = NVSIM_FABRICS_OPCODE };
	struct nvsim_sqe_prop_set *ps = (void *)&sqe;

	ps->fctype = nvme_fabrics_type_property_set;
	ps->attrib = eight ? NVSIM_PROP_ATTRIB_SIZE_8 : 0;
	ps->ofst = htole32(ofst);
	ps->value = htole64(value);
	return nvsim_hq_exec(admin, &sqe, NULL, 0, NVSIM_DIR_NONE, st);
}

/* ---- bring-up -------------------------------------------------------------------- */

static struct nvsim_hq_config queue_config(const struct nvsim_host *h, uint16_t qid,
					   uint16_t sqsize)
{
	struct nvsim_hq_config qc = h->cfg.transport;

	qc.qid = qid;
	qc.sqsize = sqsize;
	qc.hrqsize = 0;
	qc.cntlid = qid ? h->cntlid : 0xffff;
	return qc;
}

static int wait_ready(struct nvsim_host *h, struct nvsim_host_status *st)
{
	uint64_t csts = 0;

	for (unsigned int i = 0; i < READY_POLLS; i++) {
		int ret = nvsim_host_prop_get(h->admin, NVME_REG_CSTS, false, &csts, st);

		if (ret)
			return ret;
		if (NVME_CSTS_CFS(csts))
			return st->err = -EIO;
		if (NVME_CSTS_RDY(csts))
			return 0;
		nvsim_hq_progress(h->admin);
	}
	return st->err = -ETIMEDOUT;
}

static int enable(struct nvsim_host *h, struct nvsim_host_status *st)
{
	uint32_t cc = 1u << NVME_CC_EN_SHIFT | 6u << NVME_CC_IOSQES_SHIFT |
		      4u << NVME_CC_IOCQES_SHIFT;
	int ret = nvsim_host_prop_get(h->admin, NVME_REG_CAP, true, &h->cap, st);

	if (!ret)
		ret = nvsim_host_prop_set(h->admin, NVME_REG_CC, false, cc, st);
	if (!ret)
		ret = wait_ready(h, st);
	return ret;
}

static int set_number_of_queues(struct nvsim_host *h, struct nvsim_host_status *st)
{
	uint32_t want = (uint32_t)h->cfg.nr_io_queues - 1;
	struct nvsim_sqe sqe = { .opcode = nvme_admin_set_features,
				 .cdw10 = htole32(NVME_FEAT_FID_NUM_QUEUES),
				 .cdw11 = htole32(want << 16 | want) };
	uint32_t nsqa, ncqa;
	int ret = nvsim_hq_exec(h->admin, &sqe, NULL, 0, NVSIM_DIR_NONE, st);

	if (ret)
		return ret;
	/* The target may grant fewer than asked: use what it grants. */
	nsqa = (le32toh(st->cqe.dw0) & 0xffff) + 1;
	ncqa = (le32toh(st->cqe.dw0) >> 16) + 1;
	h->nr_io = (uint16_t)(nsqa < ncqa ? nsqa : ncqa);
	if (h->nr_io > h->cfg.nr_io_queues)
		h->nr_io = h->cfg.nr_io_queues;
	return 0;
}

/* In-capsule data the target takes on I/O queues: IOCCSZ counts 16-byte
 * units of the whole capsule, the 64-byte SQE included (ICDOFF 0). */
static uint32_t in_capsule_bytes(const struct nvsim_host *h)
{
	const struct nvme_id_ctrl *id = (const void *)h->id_ctrl;
	uint64_t ccsz = (uint64_t)le32toh(id->ioccsz) * 16;

	if (le16toh(id->icdoff) || ccsz <= 64)
		return 0;
	return ccsz - 64 < h->cfg.transport.icd_max ? (uint32_t)(ccsz - 64)
						     : h->cfg.transport.icd_max;
}

static int connect_io_queues(struct nvsim_host *h, struct nvsim_host_status *st)
{
	uint64_t mqes = NVME_CAP_MQES(h->cap);
	uint16_t sqsize = h->cfg.io_sqsize < mqes ? h->cfg.io_sqsize : (uint16_t)mqes;
	uint32_t icd = in_capsule_bytes(h);

	h->io = calloc((size_t)h->nr_io + 1, sizeof(*h->io));
	if (!h->io)
		return st->err = -ENOMEM;
	for (uint16_t qid = 1; qid <= h->nr_io; qid++) {
		struct nvsim_hq_config qc = queue_config(h, qid, sqsize);
		int ret;

		qc.icd_max = icd;
		ret = nvsim_hq_connect(&qc, &h->io[qid], st);
		if (!ret)
			nvsim_hq_allow_in_capsule(h->io[qid], icd != 0);
		if (!ret)
			ret = fabrics_connect(h, h->io[qid], qid, sqsize, h->cntlid, st);
		if (ret)
			return ret;
	}
	return 0;
}

int nvsim_host_connect(const struct nvsim_host_config *cfg, struct nvsim_host **out,
		       struct nvsim_host_status *st)
{
	struct nvsim_host *h = calloc(1, sizeof(*h));
	struct nvsim_hq_config qc;
	int ret;

	memset(st, 0, sizeof(*st));
	if (!h)
		return st->err = -ENOMEM;
	h->cfg = *cfg;
	if (!h->cfg.admin_sqsize)
		h->cfg.admin_sqsize = 31;
	if (!h->cfg.io_sqsize)
		h->cfg.io_sqsize = 127;
	qc = queue_config(h, 0, h->cfg.admin_sqsize);
	ret = nvsim_hq_connect(&qc, &h->admin, st);
	if (!ret)
		ret = fabrics_connect(h, h->admin, 0, h->cfg.admin_sqsize, 0xffff, st);
	if (!ret) {
		h->cntlid = (uint16_t)le32toh(st->cqe.dw0);
		ret = enable(h, st);
	}
	if (!ret)
		ret = nvsim_host_identify(h, NVME_IDENTIFY_CNS_CTRL, 0, h->id_ctrl, st);
	if (!ret && h->cfg.nr_io_queues)
		ret = set_number_of_queues(h, st);
	if (!ret && h->nr_io)
		ret = connect_io_queues(h, st);
	if (ret) {
		nvsim_host_disconnect(h);
		return ret;
	}
	*out = h;
	return 0;
}

void nvsim_host_disconnect(struct nvsim_host *h)
{
	struct nvsim_host_status st;

	if (!h)
		return;
	for (uint16_t qid = 1; h->io && qid <= h->nr_io; qid++)
		nvsim_hq_close(h->io[qid]);
	if (h->admin && nvsim_hq_connected(h->admin))
		/* Normal shutdown notification; the answer does not matter. */
		nvsim_host_prop_set(h->admin, NVME_REG_CC, false,
				    NVME_CC_SHN_NORMAL << NVME_CC_SHN_SHIFT, &st);
	nvsim_hq_close(h->admin);
	free(h->io);
	free(h);
}

struct nvsim_hq *nvsim_host_admin(struct nvsim_host *h)
{
	return h->admin;
}

struct nvsim_hq *nvsim_host_io(struct nvsim_host *h, uint16_t qid)
{
	return qid && qid <= h->nr_io ? h->io[qid] : NULL;
}

uint16_t nvsim_host_nr_io_queues(const struct nvsim_host *h)
{
	return h->nr_io;
}

uint16_t nvsim_host_cntlid(const struct nvsim_host *h)
{
	return h->cntlid;
}

const void *nvsim_host_id_ctrl(const struct nvsim_host *h)
{
	return h->id_ctrl;
}

/* ---- admin and I/O helpers ------------------------------------------------------- */

int nvsim_host_identify(struct nvsim_host *h, uint8_t cns, uint32_t nsid, void *buf4k,
			struct nvsim_host_status *st)
{
	struct nvsim_sqe sqe = { .opcode = nvme_admin_identify, .nsid = htole32(nsid),
				 .cdw10 = htole32(cns) };

	/* a short or missing transfer must read as zeros, not old memory */
	memset(buf4k, 0, NVME_IDENTIFY_DATA_SIZE);
	return nvsim_hq_exec(h->admin, &sqe, buf4k, NVME_IDENTIFY_DATA_SIZE, NVSIM_DIR_C2H, st);
}

int nvsim_host_get_log(struct nvsim_host *h, uint8_t lid, uint32_t nsid, uint64_t lpo,
		       void *buf, uint32_t len, struct nvsim_host_status *st)
{
	struct nvsim_sqe sqe = { .opcode = nvme_admin_get_log_page, .nsid = htole32(nsid) };
	struct nvsim_sqe_get_log_page *g = (void *)&sqe;
	uint32_t numd = len / 4 - 1;

	if (len < 4 || len % 4)
		return st->err = -EINVAL;
	g->lid = lid;
	g->numdl = htole16((uint16_t)numd);
	g->numdu = htole16((uint16_t)(numd >> 16));
	g->lpo = htole64(lpo);
	memset(buf, 0, len); /* as for Identify */
	return nvsim_hq_exec(h->admin, &sqe, buf, len, NVSIM_DIR_C2H, st);
}

int nvsim_host_keep_alive(struct nvsim_host *h, struct nvsim_host_status *st)
{
	struct nvsim_sqe sqe = { .opcode = nvme_admin_keep_alive };

	return nvsim_hq_exec(h->admin, &sqe, NULL, 0, NVSIM_DIR_NONE, st);
}

int nvsim_host_rw(struct nvsim_host *h, uint16_t qid, bool write, uint32_t nsid, uint64_t slba,
		  uint32_t nlb, void *buf, size_t len, struct nvsim_host_status *st)
{
	struct nvsim_hq *q = nvsim_host_io(h, qid);
	struct nvsim_sqe sqe = { .opcode = write ? nvme_cmd_write : nvme_cmd_read,
				 .nsid = htole32(nsid) };
	struct nvsim_sqe_rw *rw = (void *)&sqe;

	if (!q || !nlb || nlb > 0x10000)
		return st->err = -EINVAL;
	rw->slba = htole64(slba);
	rw->nlb = htole16((uint16_t)(nlb - 1));
	return nvsim_hq_exec(q, &sqe, buf, len, write ? NVSIM_DIR_H2C : NVSIM_DIR_C2H, st);
}

int nvsim_host_flush(struct nvsim_host *h, uint16_t qid, uint32_t nsid,
		     struct nvsim_host_status *st)
{
	struct nvsim_hq *q = nvsim_host_io(h, qid);
	struct nvsim_sqe sqe = { .opcode = nvme_cmd_flush, .nsid = htole32(nsid) };

	if (!q)
		return st->err = -EINVAL;
	return nvsim_hq_exec(q, &sqe, NULL, 0, NVSIM_DIR_NONE, st);
}
