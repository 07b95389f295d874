/* Connect (NVMe-oF 1.1 §3.3; NVMe Base 2.0 §6.3 (approx.)): creates a
 * controller on an admin queue (dynamic model) or binds an I/O queue to an
 * existing one.  Every rejection names the offending field: IATTR 0 means
 * the byte offset (IPO) is in the SQE, IATTR 1 in the 1024-byte Connect
 * data, as Linux nvmet and SPDK report them. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "spec/nqn.h"
#include "target/target_priv.h"

#define CONNECT_CNTLID_DYNAMIC 0xffffu

struct connect_ctx {
	struct nvsim_tq *tq;
	const struct nvsim_sqe_connect *cmd;
	struct nvmf_connect_data cd;
	struct nvsim_cqe *cqe;
	uint16_t qid;
	uint16_t sqsize;
	uint32_t kato;
	bool have_data;	   /* cd holds the host's Connect data */
	char why[72];	   /* the check that refused it, for the log */
	uint16_t ipo;	   /* Invalid Parameters: where */
	uint8_t iattr;
	bool invalid_param;
};

static bool quirk(const struct connect_ctx *c, nvsim_quirks_t q)
{
	return (c->tq->target->cfg.quirks & q) != 0;
}

static int connect_status(struct connect_ctx *c, const char *why, uint16_t status)
{
	snprintf(c->why, sizeof(c->why), "%s", why);
	if (quirk(c, NVSIM_QUIRK_DNR_CLEAR))
		status &= (uint16_t)~NVME_SC_DNR;
	c->cqe->status = htole16((uint16_t)(status << 1));
	return 0;
}

/* Connect Invalid Parameters with the offending field's location. */
static int invalid_param(struct connect_ctx *c, const char *why, unsigned iattr, uint16_t ipo)
{
	if (!quirk(c, NVSIM_QUIRK_NO_IPO))
		c->cqe->dw0 = htole32(nvsim_connect_invalid_param_dw0(iattr, ipo));
	c->invalid_param = true;
	c->iattr = (uint8_t)iattr;
	c->ipo = ipo;
	return connect_status(c, why, NVSIM_SC_CMD_SPECIFIC(NVME_SC_CONNECT_INVALID_PARAM));
}

/* "HOSTNQN empty", "SUBNQN not NUL-terminated" */
static const char *nqn_why(char *buf, size_t len, const char *field, const char *problem)
{
	snprintf(buf, len, "%s %s", field, problem);
	return buf;
}

#define IPO_DATA(field) \
	NVSIM_IATTR_CONNECT_DATA, (uint16_t)offsetof(struct nvmf_connect_data, field)
#define IPO_SQE(field) NVSIM_IATTR_SQE, (uint16_t)offsetof(struct nvsim_sqe_connect, field)

static bool hostid_is_zero(const uint8_t id[16])
{
	for (int i = 0; i < 16; i++)
		if (id[i])
			return false;
	return true;
}

/* A port serves the subsystems linked to it, and discovery; another
 * port's subsystem is unknown here, as in Linux nvmet (nvmet_find_get_subsys
 * looks in the port's list).  No port: a loopback queue of the tests. */
static bool port_serves(const struct nvsim_port *p, const struct nvsim_subsys *s)
{
	if (!p || s->discovery)
		return true;
	for (unsigned int i = 0; i < p->nr_subsys; i++)
		if (p->subsys[i] == s)
			return true;
	return false;
}

/* Checks both kinds of Connect share: the data and the NQNs in it. */
static int check_common(struct connect_ctx *c, struct nvsim_subsys **out)
{
	struct nvsim_subsys *s;
	const char *bad;
	char why[72];

	bad = nvsim_nqn_check(c->cd.subsysnqn, sizeof(c->cd.subsysnqn));
	if (bad)
		return invalid_param(c, nqn_why(why, sizeof(why), "SUBNQN", bad),
				     IPO_DATA(subsysnqn));
	bad = nvsim_nqn_check(c->cd.hostnqn, sizeof(c->cd.hostnqn));
	if (bad) {
		if (!quirk(c, NVSIM_QUIRK_HOSTNQN_UNCHECKED))
			return invalid_param(c, nqn_why(why, sizeof(why), "HOSTNQN", bad),
					     IPO_DATA(hostnqn));
		/* Taken as it is, but still a C string from here on. */
		c->cd.hostnqn[sizeof(c->cd.hostnqn) - 1] = 0;
	}
	s = nvsim_subsys_find(c->tq->target, c->cd.subsysnqn);
	if (!s)
		return invalid_param(c, "SUBNQN names no subsystem of this target",
				     IPO_DATA(subsysnqn));
	if (!port_serves(c->tq->port, s))
		return invalid_param(c, "SUBNQN names a subsystem not exported on this port",
				     IPO_DATA(subsysnqn));
	/* A zero Host Identifier is invalid (NVMe-oF 1.1 §3.3 (approx.)). */
	if (hostid_is_zero(c->cd.hostid) && !quirk(c, NVSIM_QUIRK_ZERO_HOSTID_OK))
		return invalid_param(c, "HOSTID zero", IPO_DATA(hostid));
	if (!nvsim_subsys_host_allowed(s, c->cd.hostnqn)) {
		c->cqe->dw0 = htole32(nvsim_connect_invalid_param_dw0(IPO_DATA(hostnqn)));
		return connect_status(c, "host not allowed by the subsystem",
				      NVSIM_SC_CMD_SPECIFIC(NVME_SC_CONNECT_INVALID_HOST));
	}
	if (c->sqsize == 0 && !quirk(c, NVSIM_QUIRK_SQSIZE_ZERO_OK))
		return invalid_param(c, "SQSIZE 0", IPO_SQE(sqsize));
	*out = s;
	return 1;
}

static void bind_queue(struct connect_ctx *c, struct nvsim_assoc *a)
{
	struct nvsim_tq *tq = c->tq;

	tq->assoc = a;
	tq->qid = c->qid;
	tq->sqsize = c->sqsize;
	tq->sqflow_disabled = c->cmd->cattr & NVSIM_CONNECT_CATTR_DISABLE_SQFLOW;
	/* The Connect capsule itself took the first slot. */
	tq->sqhd = (uint16_t)(1u % ((uint32_t)c->sqsize + 1u));
	tq->state = NVSIM_TQ_LIVE;
	a->refs++;
	c->cqe->dw0 = htole32(quirk(c, NVSIM_QUIRK_CNTLID_ZERO) ? 0 : a->cntlid);
}

static int connect_admin(struct connect_ctx *c, struct nvsim_subsys *s)
{
	const struct nvsim_target_config *tc = &c->tq->target->cfg;
	uint16_t max = tc->mqes < NVSIM_ADMIN_SQSIZE_MAX ? tc->mqes : NVSIM_ADMIN_SQSIZE_MAX;
	struct nvsim_assoc *a;
	uint32_t kato = c->kato;
	int ret;

	if (c->sqsize > max && !quirk(c, NVSIM_QUIRK_QUEUE_SIZE_UNCHECKED))
		return invalid_param(c, "SQSIZE above the admin queue's 32 entries",
				     IPO_SQE(sqsize));
	/* Only the dynamic controller model: the host must ask for any
	 * controller (Linux nvmet; NVMe-oF 1.1 §3.3 (approx.)). */
	if (le16toh(c->cd.cntlid) != CONNECT_CNTLID_DYNAMIC &&
	    !quirk(c, NVSIM_QUIRK_STATIC_CNTLID_OK))
		return invalid_param(c, "CNTLID not FFFFh (dynamic controllers only)",
				     IPO_DATA(cntlid));
	ret = nvsim_assoc_create(s, c->tq->port, c->cd.hostnqn, c->cd.hostid, &a);
	if (ret == -EBUSY)
		return connect_status(c, "every CNTLID in use",
				      NVSIM_SC_CMD_SPECIFIC(NVME_SC_CONNECT_CTRL_BUSY));
	if (ret)
		return connect_status(c, "no memory for the controller",
				      NVSIM_SC_GENERIC(NVME_SC_INTERNAL));
	nvsim_ctrl_set_admin_queue_size(a->ctrl, c->sqsize);
	/* A discovery controller asked for no keep alive still gets one, or
	 * a host that forgets it holds a controller forever (nvmet, SPDK). */
	if (s->discovery && kato == 0)
		kato = tc->discovery_kato_ms;
	nvsim_ctrl_set_kato(a->ctrl, kato);
	a->admin = c->tq;
	bind_queue(c, a);
	/* dies-mid-run: this Connect is answered, then nothing more is. */
	if (++c->tq->target->admin_connects >= NVSIM_DIES_AFTER_CONNECTS &&
	    quirk(c, NVSIM_QUIRK_DIES_MID_RUN))
		c->tq->target->dead = true;
	return 0;
}

static int connect_io(struct connect_ctx *c, struct nvsim_subsys *s)
{
	struct nvsim_assoc *a = nvsim_assoc_find(s, le16toh(c->cd.cntlid));
	int ret;

	/* An I/O queue joins the controller its admin queue created, from
	 * the same host (NVMe-oF 1.1 §3.3 (approx.)). */
	if (!a || strcmp(a->hostnqn, c->cd.hostnqn) != 0)
		return invalid_param(c, "CNTLID names no controller of this host",
				     IPO_DATA(cntlid));
	if (memcmp(a->hostid, c->cd.hostid, sizeof(a->hostid)) != 0 &&
	    !quirk(c, NVSIM_QUIRK_HOSTID_NOT_COMPARED))
		return invalid_param(c, "HOSTID differs from the admin queue's", IPO_DATA(hostid));
	if (s->discovery)
		return invalid_param(c, "I/O queue on a discovery controller", IPO_SQE(qid));
	if (c->qid > nvsim_ctrl_io_queues_granted(a->ctrl))
		return invalid_param(c, "QID above the I/O queues granted", IPO_SQE(qid));
	if (!nvsim_ctrl_ready(a->ctrl) && !quirk(c, NVSIM_QUIRK_IO_CONNECT_BEFORE_ENABLE))
		return invalid_param(c, "I/O queue before CC.EN = 1 and CSTS.RDY = 1",
				     IPO_SQE(qid));
	if (c->sqsize > c->tq->target->cfg.mqes && !quirk(c, NVSIM_QUIRK_QUEUE_SIZE_UNCHECKED))
		return invalid_param(c, "SQSIZE above CAP.MQES", IPO_SQE(sqsize));
	if (a->io[c->qid])
		return connect_status(c, "QID already connected",
				      NVSIM_SC_GENERIC(NVME_SC_CMD_SEQ_ERROR));
	ret = nvsim_ctrl_add_io_queue(a->ctrl, c->qid, c->sqsize);
	if (ret)
		return connect_status(c, "could not add the I/O queue",
				      NVSIM_SC_GENERIC(NVME_SC_INTERNAL));
	a->io[c->qid] = c->tq;
	bind_queue(c, a);
	return 0;
}

/* What the host named itself, printable whatever it sent. */
static void host_printable(const struct connect_ctx *c, char *buf, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < sizeof(c->cd.hostnqn) && c->cd.hostnqn[i] && n + 1 < len; i++) {
		char ch = c->cd.hostnqn[i];

		buf[n++] = ch >= 0x20 && ch < 0x7f ? ch : '?';
	}
	buf[n] = 0;
}

/* One line per refused Connect (per queue and reason: see nvsim_tq_note). */
static void log_refusal(struct connect_ctx *c)
{
	uint16_t status = (uint16_t)(le16toh(c->cqe->status) >> 1);
	enum nvsim_log_level level = nvsim_status_sc(status) == NVME_SC_INTERNAL &&
						     nvsim_status_sct(status) == NVME_SCT_GENERIC
					     ? NVSIM_LOG_ERROR
					     : NVSIM_LOG_WARN;
	char what[96], st[96], host[NVSIM_NQN_MAX + 1] = "", from[300] = "";
	const uint8_t *id = c->cd.hostid;

	if (!nvsim_target_logs(c->tq->target, level) &&
	    !nvsim_target_logs(c->tq->target, NVSIM_LOG_DEBUG))
		return;
	nvsim_status_name(status, true, st, sizeof(st));
	if (c->invalid_param)
		snprintf(st + strlen(st), sizeof(st) - strlen(st), " at %s byte %u",
			 c->iattr == NVSIM_IATTR_CONNECT_DATA ? "data" : "SQE", c->ipo);
	if (c->have_data) {
		host_printable(c, host, sizeof(host));
		snprintf(from, sizeof(from),
			 "; QID %u, host '%s', hostid %02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
			 "%02x%02x%02x%02x%02x%02x", c->qid, host, id[0], id[1], id[2], id[3],
			 id[4], id[5], id[6], id[7], id[8], id[9], id[10], id[11], id[12], id[13],
			 id[14], id[15]);
	} else {
		snprintf(from, sizeof(from), "; QID %u", c->qid);
	}
	snprintf(what, sizeof(what), "Connect refused: %s", c->why);
	nvsim_tq_note(c->tq, level, what, "%s%s", st, from);
}

static int connect_checks(struct connect_ctx *c, struct nvsim_data *data);

int nvsim_connect_exec(struct nvsim_tq *tq, const struct nvsim_sqe *sqe, struct nvsim_data *data,
		       struct nvsim_cqe *cqe)
{
	struct connect_ctx c = { .tq = tq, .cmd = (const void *)sqe, .cqe = cqe };
	int ret = connect_checks(&c, data);

	if (cqe->status)
		log_refusal(&c);
	return ret;
}

/* The transport named and sized this queue before Connect (NVMe/RDMA: the
 * CM request's QID and HSQSIZE, NVMe-oF 1.1 §7.3.3 (approx.)); its receive
 * buffers, flow control and READ credits follow those, so a Connect for
 * another queue, or a deeper one, cannot be served on it.  1: agreed. */
static int check_transport_queue(struct connect_ctx *c)
{
	const struct nvsim_tq *tq = c->tq;
	char why[72];

	if (!tq->xport_known || quirk(c, NVSIM_QUIRK_CM_CONNECT_UNCHECKED))
		return 1;
	if (c->qid != tq->xport_qid) {
		snprintf(why, sizeof(why), "QID %u on a queue the transport set up as QID %u",
			 c->qid, tq->xport_qid);
		return invalid_param(c, why, IPO_SQE(qid));
	}
	if (c->sqsize > tq->xport_sqsize) {
		snprintf(why, sizeof(why), "SQSIZE %u above the transport's HSQSIZE %u", c->sqsize,
			 tq->xport_sqsize);
		return invalid_param(c, why, IPO_SQE(sqsize));
	}
	return 1;
}

static int connect_checks(struct connect_ctx *c, struct nvsim_data *data)
{
	struct nvsim_tq *tq = c->tq;
	struct nvsim_subsys *s = NULL;
	char why[48];
	int ok;

	c->qid = le16toh(c->cmd->qid);
	c->sqsize = le16toh(c->cmd->sqsize);
	c->kato = le32toh(c->cmd->kato);
	/* Exactly 1024 bytes of Connect data, in an SGL (Linux nvmet
	 * nvmet_check_transfer_len). */
	if (!data || data->len != NVSIM_CONNECT_DATA_LEN) {
		snprintf(why, sizeof(why), "Connect data of %zu bytes, not 1024",
			 data ? data->len : 0);
		return connect_status(c, why, NVSIM_SC_GENERIC(NVME_SC_SGL_INVALID_DATA));
	}
	if (le16toh(c->cmd->recfmt) != 0 && !quirk(c, NVSIM_QUIRK_RECFMT_IGNORED))
		return connect_status(c, "RECFMT not 0",
				      NVSIM_SC_CMD_SPECIFIC(NVME_SC_CONNECT_FORMAT));
	if (nvsim_data_copy_out(data, 0, &c->cd, sizeof(c->cd)))
		return connect_status(c, "Connect data unreadable",
				      NVSIM_SC_GENERIC(NVME_SC_DATA_XFER_ERROR));
	c->have_data = true;
	ok = check_common(c, &s);
	if (ok > 0)
		ok = check_transport_queue(c);
	if (ok <= 0)
		return ok;
	/* Room to track every CID the queue may have in flight. */
	nvsim_cid_set_free(&tq->cids);
	if (nvsim_cid_set_init(&tq->cids, (uint32_t)c->sqsize + 1) ||
	    nvsim_tq_cmds_init(tq, (uint32_t)c->sqsize + 1))
		return connect_status(c, "no memory for the queue's commands",
				      NVSIM_SC_GENERIC(NVME_SC_INTERNAL));
	return c->qid == 0 ? connect_admin(c, s) : connect_io(c, s);
}
