/* Fabric queues: the per-connection state a transport binds to.  Connect
 * happens here first; after it, Fabrics commands that belong to the queue
 * (Disconnect, Authentication, a repeated Connect) are answered here and
 * everything else goes to the controller, whose CQE gets the queue's SQ
 * head (or FFFFh when the host disabled SQ flow control). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "target/target_priv.h"

#define SQHD_FLOW_DISABLED 0xffffu

/* What a forwarded command needs to find its way back. */
struct tq_cmd {
	struct nvsim_tq *tq;
	nvsim_done_fn done;
	void *arg;
	uint16_t cid;
	bool tracked; /* its CID is in tq->cids */
};

int nvsim_tq_create(struct nvsim_target *t, struct nvsim_port *port,
		    const struct nvsim_tq_ops *ops, void *arg, struct nvsim_tq **out)
{
	struct nvsim_tq *tq = calloc(1, sizeof(*tq));

	if (!tq)
		return -ENOMEM;
	tq->target = t;
	tq->port = port;
	tq->ops = ops;
	tq->ops_arg = arg;
	tq->state = NVSIM_TQ_WAIT_CONNECT;
	tq->next_live = t->queues;
	t->queues = tq;
	*out = tq;
	return 0;
}

static void tq_unlink(struct nvsim_tq *tq)
{
	for (struct nvsim_tq **pp = &tq->target->queues; *pp; pp = &(*pp)->next_live) {
		if (*pp == tq) {
			*pp = tq->next_live;
			return;
		}
	}
}

void nvsim_tq_destroy(struct nvsim_tq *tq)
{
	struct nvsim_assoc *a;

	if (!tq)
		return;
	tq_unlink(tq);
	tq->state = NVSIM_TQ_TERMINATED;
	a = tq->assoc;
	if (a) {
		if (a->admin == tq) {
			/* The association ends with its admin queue: every
			 * command of every queue completes now, while the
			 * queues still exist. */
			a->admin = NULL;
			nvsim_ctrl_teardown(a->ctrl);
			if (!a->ending)
				nvsim_assoc_end(a);
		} else {
			nvsim_ctrl_delete_io_queue(a->ctrl, tq->qid);
			a->io[tq->qid] = NULL;
		}
		nvsim_assoc_put(a);
	}
	nvsim_cid_set_free(&tq->cids);
	free(tq);
}

void nvsim_tq_terminate(struct nvsim_tq *tq)
{
	if (tq->state == NVSIM_TQ_TERMINATED)
		return;
	tq->state = NVSIM_TQ_TERMINATED;
	if (tq->ops && tq->ops->terminate)
		tq->ops->terminate(tq->ops_arg, tq);
}

bool nvsim_tq_connected(const struct nvsim_tq *tq)
{
	return tq->state == NVSIM_TQ_LIVE;
}

uint16_t nvsim_tq_qid(const struct nvsim_tq *tq)
{
	return tq->qid;
}

uint16_t nvsim_tq_sqsize(const struct nvsim_tq *tq)
{
	return tq->state == NVSIM_TQ_WAIT_CONNECT ? 0 : tq->sqsize;
}

uint16_t nvsim_tq_cntlid(const struct nvsim_tq *tq)
{
	return tq->assoc ? tq->assoc->cntlid : 0xffff;
}

static bool tq_quirk(const struct nvsim_tq *tq, nvsim_quirks_t q)
{
	return (tq->target->cfg.quirks & q) != 0;
}

static uint16_t tq_sqhd(const struct nvsim_tq *tq)
{
	if (tq->sqflow_disabled)
		return SQHD_FLOW_DISABLED;
	if (tq_quirk(tq, NVSIM_QUIRK_WRONG_SQHD))
		return (uint16_t)((tq->sqhd + 1u) % ((uint32_t)tq->sqsize + 1u));
	return tq->sqhd;
}

static uint16_t tq_sqid(const struct nvsim_tq *tq)
{
	return (uint16_t)(tq->qid + tq_quirk(tq, NVSIM_QUIRK_WRONG_SQID));
}

/* Answer a capsule here and now. */
static void tq_complete_now(struct nvsim_tq *tq, const struct nvsim_sqe *sqe, uint16_t status,
			    uint32_t dw0, nvsim_done_fn done, void *arg)
{
	struct nvsim_cqe cqe;

	if (tq_quirk(tq, NVSIM_QUIRK_DNR_CLEAR))
		status &= (uint16_t)~NVME_SC_DNR;
	cqe = (struct nvsim_cqe){
		.dw0 = htole32(dw0),
		.sqhd = htole16(tq_sqhd(tq)),
		.sqid = htole16(tq_sqid(tq)),
		.cid = sqe->cid,
		.status = htole16((uint16_t)(status << 1)),
	};

	done(arg, &cqe);
}

static void tq_cmd_done(void *arg, const struct nvsim_cqe *ctrl_cqe)
{
	struct tq_cmd *c = arg;
	struct nvsim_tq *tq = c->tq;
	struct nvsim_cqe cqe = *ctrl_cqe;

	cqe.sqhd = htole16(tq_sqhd(tq));
	cqe.sqid = htole16(tq_sqid(tq));
	tq->outstanding--;
	if (c->tracked)
		nvsim_cid_set_del(&tq->cids, c->cid);
	c->done(c->arg, &cqe);
	free(c);
}

void nvsim_tq_command_discarded(void *events_arg, void *done_arg)
{
	struct tq_cmd *c = done_arg;

	(void)events_arg;
	c->tq->outstanding--;
	if (c->tracked)
		nvsim_cid_set_del(&c->tq->cids, c->cid);
	free(c);
}

static struct tq_cmd *tq_cmd_new(struct nvsim_tq *tq, nvsim_done_fn done, void *arg);
static int tq_fail_counted(struct nvsim_tq *tq, const struct nvsim_sqe *sqe, uint16_t status,
			   uint16_t err_loc, nvsim_done_fn done, void *arg);

static int tq_forward(struct nvsim_tq *tq, const struct nvsim_sqe *sqe, struct nvsim_data *data,
		      nvsim_done_fn done, void *arg)
{
	struct tq_cmd *c;
	int ret;

	/* A CID still in flight on this queue: the host broke uniqueness. */
	if (!nvsim_cid_set_add(&tq->cids, le16toh(sqe->cid)))
		return tq_fail_counted(tq, sqe, NVSIM_SC_GENERIC(NVME_SC_CMDID_CONFLICT),
				       offsetof(struct nvsim_sqe, cid), done, arg);
	c = tq_cmd_new(tq, done, arg);
	if (!c) {
		nvsim_cid_set_del(&tq->cids, le16toh(sqe->cid));
		return -ENOMEM;
	}
	c->cid = le16toh(sqe->cid);
	c->tracked = true;
	ret = nvsim_ctrl_submit(tq->assoc->ctrl, tq->qid, sqe, data, tq_cmd_done, c);
	if (ret) {
		tq->outstanding--;
		nvsim_cid_set_del(&tq->cids, c->cid);
		free(c);
	}
	return ret;
}

static int tq_connect(struct nvsim_tq *tq, const struct nvsim_sqe *sqe, struct nvsim_data *data,
		      nvsim_done_fn done, void *arg)
{
	struct nvsim_cqe cqe = { .cid = sqe->cid };

	nvsim_connect_exec(tq, sqe, data, &cqe);
	cqe.sqid = htole16(tq->qid);
	cqe.sqhd = htole16(tq->state == NVSIM_TQ_LIVE ? tq_sqhd(tq) : 0);
	done(arg, &cqe);
	return 0;
}

/* Fabrics commands on a connected queue that the queue itself answers.
 * Returns 1 when it was not one of them. */
static int tq_fabrics(struct nvsim_tq *tq, const struct nvsim_sqe *sqe, nvsim_done_fn done,
		      void *arg)
{
	const struct nvsim_sqe_fabrics *f = (const void *)sqe;

	switch (f->fctype) {
	case nvme_fabrics_type_connect:
		/* The queue is already bound (nvmet, SPDK). */
		tq_complete_now(tq, sqe, NVSIM_SC_CMD_SPECIFIC(NVME_SC_CONNECT_CTRL_BUSY), 0, done,
				arg);
		return 0;
	case nvme_fabrics_type_disconnect:
		/* Disconnect ends an I/O queue; the admin queue ends with the
		 * association (NVMe Base 2.0 §6.4 (approx.)).  Its RECFMT is 0
		 * like Connect's. */
		if (((const struct nvsim_sqe_disconnect *)sqe)->recfmt) {
			tq_complete_now(tq, sqe, NVSIM_SC_CMD_SPECIFIC(NVME_SC_CONNECT_FORMAT), 0,
					done, arg);
			return 0;
		}
		if (tq->qid == 0 && !tq_quirk(tq, NVSIM_QUIRK_DISCONNECT_ADMIN_OK)) {
			tq_complete_now(tq, sqe,
					NVSIM_SC_CMD_SPECIFIC(NVSIM_SC_INVALID_QUEUE_TYPE), 0,
					done, arg);
			return 0;
		}
		tq_complete_now(tq, sqe, 0, 0, done, arg);
		if (tq->qid)
			nvsim_tq_terminate(tq);
		return 0;
	case nvme_fabrics_type_property_get:
	case nvme_fabrics_type_property_set:
		return 1;
	default:
		/* Authentication is not offered (Connect never sets AUTHREQ);
		 * unknown types likewise: Invalid Opcode at FCTYPE, as nvmet. */
		tq_complete_now(tq, sqe, NVSIM_SC_GENERIC(NVME_SC_INVALID_OPCODE), 0, done, arg);
		return 0;
	}
}

static struct tq_cmd *tq_cmd_new(struct nvsim_tq *tq, nvsim_done_fn done, void *arg)
{
	struct tq_cmd *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->tq = tq;
	c->done = done;
	c->arg = arg;
	tq->outstanding++;
	return c;
}

/* A command of a live queue, already counted in SQ head, that the
 * controller answers with status (and records in its error log). */
static int tq_fail_counted(struct nvsim_tq *tq, const struct nvsim_sqe *sqe, uint16_t status,
			   uint16_t err_loc, nvsim_done_fn done, void *arg)
{
	struct tq_cmd *c = tq_cmd_new(tq, done, arg);
	int ret;

	if (!c)
		return -ENOMEM;
	ret = nvsim_ctrl_fail_command(tq->assoc->ctrl, tq->qid, sqe, status, err_loc, tq_cmd_done,
				      c);
	if (ret) {
		tq->outstanding--;
		free(c);
	}
	return ret;
}

int nvsim_tq_fail(struct nvsim_tq *tq, const struct nvsim_sqe *sqe, uint16_t status,
		  uint16_t err_loc, nvsim_done_fn done, void *arg)
{
	if (!done)
		return -EINVAL;
	if (tq->state == NVSIM_TQ_TERMINATED)
		return -ESHUTDOWN;
	if (tq->state == NVSIM_TQ_WAIT_CONNECT) {
		tq_complete_now(tq, sqe, status, 0, done, arg);
		return 0;
	}
	if (tq->outstanding > tq->sqsize)
		return -EBUSY;
	tq->sqhd = (uint16_t)((tq->sqhd + 1u) % ((uint32_t)tq->sqsize + 1u));
	return tq_fail_counted(tq, sqe, status, err_loc, done, arg);
}

int nvsim_tq_submit(struct nvsim_tq *tq, const struct nvsim_sqe *sqe, struct nvsim_data *data,
		    nvsim_done_fn done, void *arg)
{
	if (!done)
		return -EINVAL;
	if (tq->state == NVSIM_TQ_TERMINATED)
		return -ESHUTDOWN;
	if (tq->state == NVSIM_TQ_WAIT_CONNECT) {
		if (sqe->opcode == NVSIM_FABRICS_OPCODE &&
		    ((const struct nvsim_sqe_fabrics *)sqe)->fctype == nvme_fabrics_type_connect)
			return tq_connect(tq, sqe, data, done, arg);
		/* Nothing but Connect before Connect (SPDK: Command Sequence
		 * Error; nvmet answers Invalid Opcode). */
		tq_complete_now(tq, sqe, NVSIM_SC_GENERIC(NVME_SC_CMD_SEQ_ERROR), 0, done, arg);
		return 0;
	}
	/* More than SQSIZE + 1 outstanding: the host overran its queue. */
	if (tq->outstanding > tq->sqsize)
		return -EBUSY;
	tq->sqhd = (uint16_t)((tq->sqhd + 1u) % ((uint32_t)tq->sqsize + 1u));
	if (sqe->opcode == NVSIM_FABRICS_OPCODE && tq_fabrics(tq, sqe, done, arg) == 0)
		return 0;
	return tq_forward(tq, sqe, data, done, arg);
}
