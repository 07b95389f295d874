/* Fabric queues: the per-connection state a transport binds to.  Connect
 * happens here first; after it, Fabrics commands that belong to the queue
 * (Disconnect, Authentication, a repeated Connect) are answered here and
 * everything else goes to the controller, whose CQE gets the queue's SQ
 * head (or FFFFh when the host disabled SQ flow control). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
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
	uint8_t opcode;
	uint8_t fctype;
	uint16_t err_loc; /* where the controller found its error (command_failed) */
	bool tracked;	  /* its CID is in tq->cids */
	bool logged;	  /* its error was logged where the target wing found it */
	struct tq_cmd *next_free;
};

/* ---- why the target refused what a host sent ---------------------------------
 * Once per queue and reason at the reason's level, every later one at
 * debug, and the counts when the queue goes: enough for whoever runs the
 * target to tell a host's bug from ours, without a line per command. */

void nvsim_tq_set_peer(struct nvsim_tq *tq, const char *peer)
{
	snprintf(tq->peer, sizeof(tq->peer), "%s", peer ? peer : "");
}

void nvsim_tq_set_transport_queue(struct nvsim_tq *tq, uint16_t qid, uint16_t sqsize)
{
	tq->xport_known = true;
	tq->xport_qid = qid;
	tq->xport_sqsize = sqsize;
}

static const char *tq_who(const struct nvsim_tq *tq, char *buf, size_t len)
{
	const char *sep = tq->peer[0] ? ", " : "";

	if (tq->assoc)
		snprintf(buf, len, "%s%scontroller %u queue %u", tq->peer, sep, tq->assoc->cntlid,
			 tq->qid);
	else
		snprintf(buf, len, "%s%snew queue", tq->peer, sep);
	return buf;
}

void nvsim_tq_note(struct nvsim_tq *tq, enum nvsim_log_level level, const char *what,
		   const char *fmt, ...)
{
	struct nvsim_target *t = tq->target;
	struct nvsim_tq_reason *r = NULL;
	char who[160], detail[320] = "";
	va_list ap;

	if (!t->cfg.log)
		return;
	for (unsigned int i = 0; i < tq->nr_reasons && !r; i++)
		if (!strcmp(tq->reasons[i].what, what))
			r = &tq->reasons[i];
	if (!r && tq->nr_reasons < NVSIM_TQ_REASONS) {
		r = &tq->reasons[tq->nr_reasons++];
		snprintf(r->what, sizeof(r->what), "%s", what);
	}
	if (r)
		r->count++;
	else
		tq->other_reasons++;
	if (r && r->count > 1)
		level = NVSIM_LOG_DEBUG;
	if (!nvsim_target_logs(t, level))
		return;
	if (fmt) {
		va_start(ap, fmt);
		vsnprintf(detail, sizeof(detail), fmt, ap);
		va_end(ap);
	}
	if (r && r->count > 1)
		nvsim_target_log(t, level, "%s: %s%s%s (#%u)", tq_who(tq, who, sizeof(who)), what,
				 detail[0] ? ": " : "", detail, r->count);
	else
		nvsim_target_log(t, level, "%s: %s%s%s", tq_who(tq, who, sizeof(who)), what,
				 detail[0] ? ": " : "", detail);
}

void nvsim_tq_log_host_error(struct nvsim_tq *tq, const char *what, const char *detail)
{
	nvsim_tq_note(tq, NVSIM_LOG_INFO, what, detail ? "%s" : NULL, detail);
}

/* The reasons counted on a queue that goes away, in one line. */
static void tq_log_counts(struct nvsim_tq *tq)
{
	char line[400], who[160];
	bool repeated = tq->other_reasons != 0;
	size_t off = 0;

	for (unsigned int i = 0; i < tq->nr_reasons; i++)
		repeated |= tq->reasons[i].count > 1;
	/* Each reason seen once is already told in full. */
	if (!nvsim_target_logs(tq->target, NVSIM_LOG_INFO) || !repeated)
		return;
	line[0] = 0;
	for (unsigned int i = 0; i < tq->nr_reasons && off < sizeof(line); i++) {
		int n = snprintf(line + off, sizeof(line) - off, "%s%s x%u", i ? ", " : "",
				 tq->reasons[i].what, tq->reasons[i].count);

		off += n > 0 ? (size_t)n : 0;
	}
	if (tq->other_reasons && off < sizeof(line))
		snprintf(line + off, sizeof(line) - off, "%sother x%u", off ? ", " : "",
			 tq->other_reasons);
	nvsim_target_log(tq->target, NVSIM_LOG_INFO, "%s closed; refused from its host: %s",
			 tq_who(tq, who, sizeof(who)), line);
}

static const char *fabrics_name(uint8_t fctype)
{
	switch (fctype) {
	case nvme_fabrics_type_property_set: return "Property Set";
	case nvme_fabrics_type_connect: return "Connect";
	case nvme_fabrics_type_property_get: return "Property Get";
	case nvme_fabrics_type_auth_send: return "Authentication Send";
	case nvme_fabrics_type_auth_receive: return "Authentication Receive";
	case nvme_fabrics_type_disconnect: return "Disconnect";
	default: return "Fabrics command";
	}
}

static const char *admin_name(uint8_t opcode)
{
	switch (opcode) {
	case nvme_admin_get_log_page: return "Get Log Page";
	case nvme_admin_identify: return "Identify";
	case nvme_admin_abort_cmd: return "Abort";
	case nvme_admin_set_features: return "Set Features";
	case nvme_admin_get_features: return "Get Features";
	case nvme_admin_async_event: return "Asynchronous Event Request";
	case nvme_admin_keep_alive: return "Keep Alive";
	default: return NULL;
	}
}

static const char *io_name(uint8_t opcode)
{
	switch (opcode) {
	case nvme_cmd_flush: return "Flush";
	case nvme_cmd_write: return "Write";
	case nvme_cmd_read: return "Read";
	case nvme_cmd_write_uncor: return "Write Uncorrectable";
	case nvme_cmd_compare: return "Compare";
	case nvme_cmd_write_zeroes: return "Write Zeroes";
	case nvme_cmd_dsm: return "Dataset Management";
	case nvme_cmd_verify: return "Verify";
	default: return NULL;
	}
}

/* "Read (02h)", "Connect (7Fh/01h)" */
static const char *opcode_name(uint16_t qid, uint8_t opcode, uint8_t fctype, char *buf,
			       size_t len)
{
	const char *name;

	if (opcode == NVSIM_FABRICS_OPCODE) {
		snprintf(buf, len, "%s (7Fh/%02Xh)", fabrics_name(fctype), fctype);
		return buf;
	}
	name = qid ? io_name(opcode) : admin_name(opcode);
	snprintf(buf, len, "%s (%02Xh)", name ? name : qid ? "I/O command" : "admin command",
		 opcode);
	return buf;
}

/* Statuses that say the host sent something wrong, not that the target or
 * its media failed or that the command was cut short. */
static bool host_caused(uint16_t status)
{
	unsigned int sct = nvsim_status_sct(status), sc = nvsim_status_sc(status);

	if (sct == NVME_SCT_CMD_SPECIFIC)
		return true;
	if (sct != NVME_SCT_GENERIC)
		return false;
	switch (sc) {
	case NVME_SC_SUCCESS:
	case NVME_SC_POWER_LOSS:
	case NVME_SC_INTERNAL:
	case NVME_SC_ABORT_REQ:
	case NVME_SC_ABORT_QUEUE:
	case NVME_SC_FUSED_FAIL:
	case NVME_SC_FUSED_MISSING:
	case NVME_SC_KAT_EXPIRED:
	case NVME_SC_CAP_EXCEEDED:
	case NVME_SC_NS_NOT_READY:
		return false;
	default:
		return true;
	}
}

/* A command answered with a host-caused error: what names the check the
 * target wing made (NULL: the controller's, named by opcode and status). */
static void tq_log_cmd_error(struct nvsim_tq *tq, uint8_t opcode, uint8_t fctype, uint16_t cid,
			     uint16_t status, uint16_t err_loc, const char *what,
			     const char *detail)
{
	char op[64], st[96], key[72], loc[24] = "";

	if (!tq->target->cfg.log || !host_caused(status))
		return;
	opcode_name(tq->qid, opcode, fctype, op, sizeof(op));
	nvsim_status_name(status, opcode == NVSIM_FABRICS_OPCODE, st, sizeof(st));
	if (err_loc != NVSIM_ERR_LOC_NONE)
		snprintf(loc, sizeof(loc), " at SQE byte %u", err_loc);
	if (!what) {
		snprintf(key, sizeof(key), "%.30s: %.38s", op, st);
		nvsim_tq_note(tq, NVSIM_LOG_INFO, key, "CID 0x%x%s", cid, loc);
		return;
	}
	nvsim_tq_note(tq, NVSIM_LOG_INFO, what, "%s CID 0x%x answered %s%s%s%s", op, cid, st, loc,
		      detail ? "; " : "", detail ? detail : "");
}

/* Every CQE the target wing hands to a transport passes here. */
static void tq_deliver(struct nvsim_tq *tq, struct nvsim_cqe *cqe, nvsim_done_fn done, void *arg)
{
	/* cid0-on-error: a real target's bug, error completions answered
	 * with CID 0 */
	if ((tq->target->cfg.quirks & NVSIM_QUIRK_CID0_ON_ERROR) && nvsim_cqe_status_field(cqe))
		cqe->cid = 0;
	done(arg, cqe);
}

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
	if (t->queues)
		t->queues->pprev_live = &tq->next_live;
	tq->pprev_live = &t->queues;
	t->queues = tq;
	*out = tq;
	return 0;
}

static void tq_unlink(struct nvsim_tq *tq)
{
	*tq->pprev_live = tq->next_live;
	if (tq->next_live)
		tq->next_live->pprev_live = tq->pprev_live;
}

int nvsim_tq_cmds_init(struct nvsim_tq *tq, uint32_t n)
{
	free(tq->cmds);
	tq->free_cmds = NULL;
	tq->cmds = calloc(n, sizeof(*tq->cmds));
	if (!tq->cmds)
		return -ENOMEM;
	for (uint32_t i = n; i-- > 0;) {
		tq->cmds[i].next_free = tq->free_cmds;
		tq->free_cmds = &tq->cmds[i];
	}
	return 0;
}

static void tq_cmd_put(struct tq_cmd *c)
{
	c->next_free = c->tq->free_cmds;
	c->tq->free_cmds = c;
}

void nvsim_tq_destroy(struct nvsim_tq *tq)
{
	struct nvsim_assoc *a;

	if (!tq)
		return;
	/* while its association, which names it, is still there */
	tq_log_counts(tq);
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
	free(tq->cmds);
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

static uint8_t sqe_fctype(const struct nvsim_sqe *sqe)
{
	return sqe->opcode == NVSIM_FABRICS_OPCODE ? ((const struct nvsim_sqe_fabrics *)sqe)->fctype
						   : 0;
}

/* Answer a capsule here and now; an error the host caused is logged with
 * what (the check that refused it). */
static void tq_complete_now(struct nvsim_tq *tq, const struct nvsim_sqe *sqe, uint16_t status,
			    uint32_t dw0, const char *what, nvsim_done_fn done, void *arg)
{
	struct nvsim_cqe cqe;

	if (status && what)
		tq_log_cmd_error(tq, sqe->opcode, sqe_fctype(sqe), le16toh(sqe->cid), status,
				 NVSIM_ERR_LOC_NONE, what, NULL);
	if (tq_quirk(tq, NVSIM_QUIRK_DNR_CLEAR))
		status &= (uint16_t)~NVME_SC_DNR;
	cqe = (struct nvsim_cqe){
		.dw0 = htole32(dw0),
		.sqhd = htole16(tq_sqhd(tq)),
		.sqid = htole16(tq_sqid(tq)),
		.cid = sqe->cid,
		.status = htole16((uint16_t)(status << 1)),
	};

	tq_deliver(tq, &cqe, done, arg);
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
	if (!c->logged && cqe.status)
		tq_log_cmd_error(tq, c->opcode, c->fctype, c->cid, nvsim_cqe_status_field(&cqe),
				 c->err_loc, NULL, NULL);
	/* Free before delivering: the host may send its next command from
	 * the callback, into this context. */
	tq_cmd_put(c);
	tq_deliver(tq, &cqe, c->done, c->arg);
}

void nvsim_tq_command_failed(void *events_arg, void *done_arg, uint16_t status, uint16_t err_loc)
{
	struct tq_cmd *c = done_arg;

	(void)events_arg;
	(void)status;
	c->err_loc = err_loc;
}

void nvsim_tq_command_discarded(void *events_arg, void *done_arg)
{
	struct tq_cmd *c = done_arg;

	(void)events_arg;
	c->tq->outstanding--;
	if (c->tracked)
		nvsim_cid_set_del(&c->tq->cids, c->cid);
	tq_cmd_put(c);
}

static struct tq_cmd *tq_cmd_new(struct nvsim_tq *tq, const struct nvsim_sqe *sqe,
				 nvsim_done_fn done, void *arg);
static int tq_fail_counted(struct nvsim_tq *tq, const struct nvsim_sqe *sqe, uint16_t status,
			   uint16_t err_loc, const char *what, const char *detail,
			   nvsim_done_fn done, void *arg);

static int tq_forward(struct nvsim_tq *tq, const struct nvsim_sqe *sqe, struct nvsim_data *data,
		      nvsim_done_fn done, void *arg)
{
	struct tq_cmd *c;
	int ret;

	/* A CID still in flight on this queue: the host broke uniqueness. */
	if (!nvsim_cid_set_add(&tq->cids, le16toh(sqe->cid)))
		return tq_fail_counted(tq, sqe, NVSIM_SC_GENERIC(NVME_SC_CMDID_CONFLICT),
				       offsetof(struct nvsim_sqe, cid), "Command ID Conflict",
				       "a command with this CID is still in flight on the queue",
				       done, arg);
	c = tq_cmd_new(tq, sqe, done, arg);
	if (!c) {
		nvsim_cid_set_del(&tq->cids, le16toh(sqe->cid));
		return -ENOMEM;
	}
	c->tracked = true;
	ret = nvsim_ctrl_submit(tq->assoc->ctrl, tq->qid, sqe, data, tq_cmd_done, c);
	if (ret) {
		tq->outstanding--;
		nvsim_cid_set_del(&tq->cids, c->cid);
		tq_cmd_put(c);
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
	tq_deliver(tq, &cqe, done, arg);
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
		tq_complete_now(tq, sqe, NVSIM_SC_CMD_SPECIFIC(NVME_SC_CONNECT_CTRL_BUSY), 0,
				"Connect on a queue already connected", done, arg);
		return 0;
	case nvme_fabrics_type_disconnect:
		/* Disconnect ends an I/O queue; the admin queue ends with the
		 * association (NVMe Base 2.0 §6.4 (approx.)).  Its RECFMT is 0
		 * like Connect's. */
		if (((const struct nvsim_sqe_disconnect *)sqe)->recfmt) {
			tq_complete_now(tq, sqe, NVSIM_SC_CMD_SPECIFIC(NVME_SC_CONNECT_FORMAT), 0,
					"Disconnect RECFMT not 0", done, arg);
			return 0;
		}
		if (tq->qid == 0 && !tq_quirk(tq, NVSIM_QUIRK_DISCONNECT_ADMIN_OK)) {
			tq_complete_now(tq, sqe,
					NVSIM_SC_CMD_SPECIFIC(NVSIM_SC_INVALID_QUEUE_TYPE), 0,
					"Disconnect on the admin queue", done, arg);
			return 0;
		}
		tq_complete_now(tq, sqe, 0, 0, NULL, done, arg);
		if (tq->qid)
			nvsim_tq_terminate(tq);
		return 0;
	case nvme_fabrics_type_property_get:
	case nvme_fabrics_type_property_set:
		return 1;
	default:
		/* Authentication is not offered (Connect never sets AUTHREQ);
		 * unknown types likewise: Invalid Opcode at FCTYPE, as nvmet. */
		tq_complete_now(tq, sqe, NVSIM_SC_GENERIC(NVME_SC_INVALID_OPCODE), 0,
				"Fabrics command type not supported", done, arg);
		return 0;
	}
}

static struct tq_cmd *tq_cmd_new(struct nvsim_tq *tq, const struct nvsim_sqe *sqe,
				 nvsim_done_fn done, void *arg)
{
	struct tq_cmd *c = tq->free_cmds;

	/* sqsize + 1 contexts and at most sqsize + 1 outstanding: never empty
	 * on a connected queue. */
	if (!c)
		return NULL;
	tq->free_cmds = c->next_free;
	memset(c, 0, sizeof(*c));
	c->tq = tq;
	c->cid = le16toh(sqe->cid);
	c->opcode = sqe->opcode;
	c->fctype = sqe_fctype(sqe);
	c->err_loc = NVSIM_ERR_LOC_NONE;
	c->done = done;
	c->arg = arg;
	tq->outstanding++;
	return c;
}

/* A command of a live queue, already counted in SQ head, that the
 * controller answers with status (and records in its error log). */
static int tq_fail_counted(struct nvsim_tq *tq, const struct nvsim_sqe *sqe, uint16_t status,
			   uint16_t err_loc, const char *what, const char *detail,
			   nvsim_done_fn done, void *arg)
{
	struct tq_cmd *c = tq_cmd_new(tq, sqe, done, arg);
	int ret;

	if (!c)
		return -ENOMEM;
	if (what) {
		tq_log_cmd_error(tq, sqe->opcode, sqe_fctype(sqe), c->cid, status, err_loc, what,
				 detail);
		c->logged = true;
	}
	ret = nvsim_ctrl_fail_command(tq->assoc->ctrl, tq->qid, sqe, status, err_loc, tq_cmd_done,
				      c);
	if (ret) {
		tq->outstanding--;
		tq_cmd_put(c);
	}
	return ret;
}

/* The transport drops the connection of a host that overran its SQ. */
static void tq_log_overrun(struct nvsim_tq *tq, const struct nvsim_sqe *sqe)
{
	char op[64];

	nvsim_tq_note(tq, NVSIM_LOG_INFO, "SQ overrun",
		      "%s CID 0x%x arrived with %u commands outstanding, SQSIZE %u (0's based)",
		      opcode_name(tq->qid, sqe->opcode, sqe_fctype(sqe), op, sizeof(op)),
		      le16toh(sqe->cid), tq->outstanding, tq->sqsize);
}

int nvsim_tq_fail_why(struct nvsim_tq *tq, const struct nvsim_sqe *sqe, uint16_t status,
		      uint16_t err_loc, const char *what, const char *detail, nvsim_done_fn done,
		      void *arg)
{
	if (!done)
		return -EINVAL;
	if (tq->state == NVSIM_TQ_TERMINATED)
		return -ESHUTDOWN;
	if (tq->state == NVSIM_TQ_WAIT_CONNECT) {
		if (what)
			tq_log_cmd_error(tq, sqe->opcode, sqe_fctype(sqe), le16toh(sqe->cid),
					 status, err_loc, what, detail);
		tq_complete_now(tq, sqe, status, 0, NULL, done, arg);
		return 0;
	}
	if (tq->outstanding > tq->sqsize) {
		tq_log_overrun(tq, sqe);
		return -EBUSY;
	}
	tq->sqhd = (uint16_t)((tq->sqhd + 1u) % ((uint32_t)tq->sqsize + 1u));
	return tq_fail_counted(tq, sqe, status, err_loc, what, detail, done, arg);
}

int nvsim_tq_fail(struct nvsim_tq *tq, const struct nvsim_sqe *sqe, uint16_t status,
		  uint16_t err_loc, nvsim_done_fn done, void *arg)
{
	return nvsim_tq_fail_why(tq, sqe, status, err_loc, NULL, NULL, done, arg);
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
		tq_complete_now(tq, sqe, NVSIM_SC_GENERIC(NVME_SC_CMD_SEQ_ERROR), 0,
				"command before Connect", done, arg);
		return 0;
	}
	/* More than SQSIZE + 1 outstanding: the host overran its queue. */
	if (tq->outstanding > tq->sqsize) {
		tq_log_overrun(tq, sqe);
		return -EBUSY;
	}
	tq->sqhd = (uint16_t)((tq->sqhd + 1u) % ((uint32_t)tq->sqsize + 1u));
	if (sqe->opcode == NVSIM_FABRICS_OPCODE && tq_fabrics(tq, sqe, done, arg) == 0)
		return 0;
	return tq_forward(tq, sqe, data, done, arg);
}
