/* Controller life cycle, queues, namespaces and the submit/complete path. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctrl/ctrl_priv.h"

static uint64_t monotonic_now_ns(void *ctx)
{
	struct timespec ts;

	(void)ctx;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

struct nvsim_clock nvsim_clock_monotonic(void)
{
	return (struct nvsim_clock){ .now_ns = monotonic_now_ns, .ctx = NULL };
}

uint64_t nvsim_now(const struct nvsim_ctrl *ctrl)
{
	return ctrl->cfg.clock.now_ns(ctrl->cfg.clock.ctx);
}

void nvsim_ctrl_config_init(struct nvsim_ctrl_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->cntlid = 1;
	strcpy(cfg->subnqn, "nqn.2026-11.io.nvmf-sim:subsys0");
	strcpy(cfg->serial, "NVMFSIM0000000000001");
	strcpy(cfg->model, "nvmf-sim emulated controller");
	strcpy(cfg->firmware, "0.1");
	cfg->mqes = 1023;
	cfg->max_io_queues = 128;
	cfg->mdts = 8;
	cfg->aerl = 3;
	cfg->elpe = 63;
	cfg->acl = 3;
	cfg->kas = 10;
	cfg->max_namespaces = 1024;
	cfg->kato_zero = NVSIM_KATO_ZERO_DISABLES;
	cfg->require_sgl = true;
	cfg->keep_alive_from_connect = true;
	cfg->keyed_sgl = true;
	cfg->volatile_write_cache = true;
	cfg->ioccsz = (64 + 4096) / 16;
	cfg->iorcsz = 1;
	cfg->msdbd = 1;
	cfg->trtype = NVMF_TRTYPE_LOOP;
	cfg->seed = 1;
	cfg->clock = nvsim_clock_monotonic();
}

static int ctrl_check_config(const struct nvsim_ctrl_config *cfg)
{
	/* CAP.MQES is 0's based and shall be at least 1 (two entries). */
	if (cfg->mqes < 1 || !cfg->max_io_queues || cfg->max_io_queues == 0xffff)
		return -EINVAL;
	if (!cfg->max_namespaces || cfg->max_namespaces > 0xfffffffeu)
		return -EINVAL;
	if (!cfg->clock.now_ns || !cfg->kas)
		return -EINVAL;
	if (cfg->mdts > 20) /* 4 GiB per command is already absurd for a model */
		return -EINVAL;
	if (!memchr(cfg->subnqn, 0, sizeof(cfg->subnqn)) || !memchr(cfg->serial, 0, sizeof(cfg->serial)))
		return -EINVAL;
	return 0;
}

int nvsim_ctrl_create(const struct nvsim_ctrl_config *cfg, struct nvsim_ctrl **out)
{
	struct nvsim_ctrl *ctrl;
	int ret = ctrl_check_config(cfg);

	if (ret)
		return ret;
	ctrl = calloc(1, sizeof(*ctrl));
	if (!ctrl)
		return -ENOMEM;
	ctrl->cfg = *cfg;
	ctrl->ioq = calloc((size_t)cfg->max_io_queues + 1, sizeof(*ctrl->ioq));
	ctrl->ns = calloc(cfg->max_namespaces, sizeof(*ctrl->ns));
	if (!ctrl->ioq || !ctrl->ns) {
		ret = -ENOMEM;
		goto err;
	}
	ret = nvsim_errlog_init(ctrl);
	if (ret)
		goto err;
	ctrl->admin.qid = 0;
	ctrl->admin.sqsize = 31;
	ctrl->prng = cfg->seed;
	ctrl->temperature_k = NVSIM_TEMP_DEFAULT_K;
	ctrl->created_ns = nvsim_now(ctrl);
	ctrl->last_keep_alive_ns = ctrl->created_ns;
	nvsim_regs_init(ctrl);
	nvsim_features_reset(ctrl);
	*out = ctrl;
	return 0;
err:
	nvsim_ctrl_destroy(ctrl);
	return ret;
}

static void req_discard(struct nvsim_req *req);

void nvsim_ctrl_destroy(struct nvsim_ctrl *ctrl)
{
	if (!ctrl)
		return;
	while (ctrl->pending_head) {
		struct nvsim_req *req = ctrl->pending_head;

		nvsim_req_unpark(req);
		req_discard(req);
	}
	if (ctrl->ioq)
		for (uint32_t q = 1; q <= ctrl->cfg.max_io_queues; q++)
			free(ctrl->ioq[q]);
	if (ctrl->ns)
		for (uint32_t i = 0; i < ctrl->cfg.max_namespaces; i++)
			nvsim_ns_put(ctrl->ns[i]);
	free(ctrl->ioq);
	free(ctrl->ns);
	free(ctrl->errlog);
	free(ctrl->delayed);
	free(ctrl);
}

/* ---- namespaces ---------------------------------------------------------- */

static struct nvsim_ns **ns_slot(struct nvsim_ctrl *ctrl, uint32_t nsid)
{
	if (!nsid || nsid > ctrl->cfg.max_namespaces)
		return NULL;
	return &ctrl->ns[nsid - 1];
}

bool nvsim_nsid_in_range(const struct nvsim_ctrl *ctrl, uint32_t nsid)
{
	return nsid && nsid <= ctrl->cfg.max_namespaces;
}

struct nvsim_ns *nvsim_ns_get(struct nvsim_ctrl *ctrl, uint32_t nsid)
{
	struct nvsim_ns **slot = ns_slot(ctrl, nsid);

	return slot ? *slot : NULL;
}

int nvsim_ctrl_attach_ns(struct nvsim_ctrl *ctrl, uint32_t nsid, struct nvsim_ns *ns)
{
	struct nvsim_ns **slot = ns_slot(ctrl, nsid);

	if (!slot || !ns || ns->nsid != nsid)
		return -EINVAL;
	if (*slot)
		return -EEXIST;
	nvsim_ns_hold(ns);
	*slot = ns;
	nvsim_aen_notice_ns_changed(ctrl, nsid);
	return 0;
}

int nvsim_ctrl_add_ns(struct nvsim_ctrl *ctrl, uint32_t nsid, const struct nvsim_ns_config *cfg)
{
	struct nvsim_ns *ns;
	int ret;

	if (!ns_slot(ctrl, nsid))
		return -EINVAL;
	if (nvsim_ns_get(ctrl, nsid))
		return -EEXIST;
	ret = nvsim_ns_open(cfg, ctrl->cfg.serial, ctrl->cfg.subnqn, nsid, &ns);
	if (ret)
		return ret;
	ret = nvsim_ctrl_attach_ns(ctrl, nsid, ns);
	nvsim_ns_put(ns);
	return ret;
}

int nvsim_ctrl_remove_ns(struct nvsim_ctrl *ctrl, uint32_t nsid)
{
	struct nvsim_ns **slot = ns_slot(ctrl, nsid);

	if (!slot || !*slot)
		return -ENOENT;
	nvsim_ns_put(*slot);
	*slot = NULL;
	nvsim_aen_notice_ns_changed(ctrl, nsid);
	return 0;
}

int nvsim_ctrl_ns_mem_bytes(struct nvsim_ctrl *ctrl, uint32_t nsid, uint64_t *bytes)
{
	struct nvsim_ns **slot = ns_slot(ctrl, nsid);
	struct nvsim_ns_usage u = { 0 };

	if (!slot || !*slot)
		return -ENOENT;
	(*slot)->ops->usage((*slot)->be, &u);
	*bytes = u.data_bytes + u.index_bytes;
	return 0;
}

int nvsim_ctrl_ns_usage(struct nvsim_ctrl *ctrl, uint32_t nsid, struct nvsim_ns_usage *u)
{
	struct nvsim_ns **slot = ns_slot(ctrl, nsid);

	if (!slot || !*slot)
		return -ENOENT;
	memset(u, 0, sizeof(*u));
	(*slot)->ops->usage((*slot)->be, u);
	return 0;
}

/* ---- queues -------------------------------------------------------------- */

/* Free a command that will never complete, telling its submitter. */
static void req_discard(struct nvsim_req *req)
{
	const struct nvsim_ctrl_events *ev = &req->ctrl->cfg.events;

	if (ev->command_discarded)
		ev->command_discarded(ev->arg, req->done_arg);
	req->ctrl->nr_reqs--;
	free(req);
}

struct nvsim_queue *nvsim_queue_get(struct nvsim_ctrl *ctrl, uint16_t qid)
{
	if (qid == 0)
		return &ctrl->admin;
	if (qid > ctrl->cfg.max_io_queues)
		return NULL;
	return ctrl->ioq[qid];
}

int nvsim_ctrl_set_admin_queue_size(struct nvsim_ctrl *ctrl, uint16_t sqsize)
{
	if ((!sqsize && !nvsim_quirk(ctrl, NVSIM_QUIRK_SQSIZE_ZERO_OK)) ||
	    (sqsize > ctrl->cfg.mqes && !nvsim_quirk(ctrl, NVSIM_QUIRK_QUEUE_SIZE_UNCHECKED)))
		return -EINVAL;
	ctrl->admin.sqsize = sqsize;
	return 0;
}

int nvsim_ctrl_add_io_queue(struct nvsim_ctrl *ctrl, uint16_t qid, uint16_t sqsize)
{
	struct nvsim_queue *q;

	if (!qid || qid > ctrl->io_queues_granted)
		return -EINVAL;
	if ((!sqsize && !nvsim_quirk(ctrl, NVSIM_QUIRK_SQSIZE_ZERO_OK)) ||
	    (sqsize > ctrl->cfg.mqes && !nvsim_quirk(ctrl, NVSIM_QUIRK_QUEUE_SIZE_UNCHECKED)))
		return -EINVAL;
	if (!nvsim_ctrl_ready(ctrl) && !nvsim_quirk(ctrl, NVSIM_QUIRK_IO_CONNECT_BEFORE_ENABLE))
		return -EAGAIN;
	if (ctrl->ioq[qid])
		return -EEXIST;
	q = calloc(1, sizeof(*q));
	if (!q)
		return -ENOMEM;
	q->qid = qid;
	q->sqsize = sqsize;
	ctrl->ioq[qid] = q;
	ctrl->nr_io_queues_live++;
	return 0;
}

/* A parked command ends: a dropped one is discarded, others complete with
 * Aborted - SQ Deletion. */
static void abort_one(struct nvsim_ctrl *ctrl, struct nvsim_req *req)
{
	nvsim_req_unpark(req);
	if (req->state == NVSIM_REQ_DROPPED) {
		req->queue->outstanding--;
		req_discard(req);
		return;
	}
	if (req->state == NVSIM_REQ_AER_WAITING)
		ctrl->aer_outstanding--;
	req->status = nvsim_status(NVME_SCT_GENERIC, NVME_SC_ABORT_QUEUE, false);
	req->dw0 = 0;
	nvsim_req_complete(req);
}

/* Complete every parked command of one queue (or of all, q == NULL).  Each
 * round takes the list's head afresh: a completion callback may park or
 * complete others.  The queue's own list keeps this O(its commands). */
static void abort_parked(struct nvsim_ctrl *ctrl, const struct nvsim_queue *q)
{
	struct nvsim_req *req;

	while ((req = q ? q->parked_head : ctrl->pending_head))
		abort_one(ctrl, req);
}

int nvsim_ctrl_delete_io_queue(struct nvsim_ctrl *ctrl, uint16_t qid)
{
	struct nvsim_queue *q = qid ? nvsim_queue_get(ctrl, qid) : NULL;

	if (!q)
		return -ENOENT;
	abort_parked(ctrl, q);
	ctrl->ioq[qid] = NULL;
	ctrl->nr_io_queues_live--;
	free(q);
	return 0;
}

/* Controller reset deletes every I/O queue; the host reconnects them. */
void nvsim_ctrl_reset_queues(struct nvsim_ctrl *ctrl)
{
	abort_parked(ctrl, NULL);
	for (uint32_t qid = 1; qid <= ctrl->cfg.max_io_queues; qid++) {
		if (!ctrl->ioq[qid])
			continue;
		free(ctrl->ioq[qid]);
		ctrl->ioq[qid] = NULL;
	}
	ctrl->nr_io_queues_live = 0;
}

void nvsim_ctrl_set_hostid(struct nvsim_ctrl *ctrl, const uint8_t hostid[16])
{
	memcpy(ctrl->hostid, hostid, sizeof(ctrl->hostid));
}

uint16_t nvsim_ctrl_io_queues_granted(const struct nvsim_ctrl *ctrl)
{
	return ctrl->io_queues_granted;
}

void nvsim_ctrl_teardown(struct nvsim_ctrl *ctrl)
{
	abort_parked(ctrl, NULL);
}

/* ---- the delayed heap ------------------------------------------------------
 * The next due completion in O(1), park and unpark in O(log n), whatever
 * the number of commands the host keeps waiting. */

static bool due_before(const struct nvsim_req *a, const struct nvsim_req *b)
{
	return a->complete_at_ns < b->complete_at_ns ||
	       (a->complete_at_ns == b->complete_at_ns && a->seq < b->seq);
}

static void heap_set(struct nvsim_ctrl *ctrl, uint32_t i, struct nvsim_req *req)
{
	ctrl->delayed[i] = req;
	req->heap_idx = i;
}

static void heap_sift(struct nvsim_ctrl *ctrl, uint32_t i)
{
	struct nvsim_req *req = ctrl->delayed[i];

	while (i && due_before(req, ctrl->delayed[(i - 1) / 2])) {
		heap_set(ctrl, i, ctrl->delayed[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
	for (;;) {
		uint32_t c = 2 * i + 1;

		if (c >= ctrl->nr_delayed)
			break;
		if (c + 1 < ctrl->nr_delayed && due_before(ctrl->delayed[c + 1], ctrl->delayed[c]))
			c++;
		if (!due_before(ctrl->delayed[c], req))
			break;
		heap_set(ctrl, i, ctrl->delayed[c]);
		i = c;
	}
	heap_set(ctrl, i, req);
}

static void heap_push(struct nvsim_ctrl *ctrl, struct nvsim_req *req)
{
	heap_set(ctrl, ctrl->nr_delayed++, req);
	heap_sift(ctrl, req->heap_idx);
}

static void heap_remove(struct nvsim_ctrl *ctrl, struct nvsim_req *req)
{
	uint32_t i = req->heap_idx;

	if (i != --ctrl->nr_delayed) {
		heap_set(ctrl, i, ctrl->delayed[ctrl->nr_delayed]);
		heap_sift(ctrl, i);
	}
}

/* Room in the heap for every live request plus one more. */
static int heap_reserve(struct nvsim_ctrl *ctrl)
{
	uint32_t cap = ctrl->delayed_cap ? ctrl->delayed_cap * 2 : 64;
	struct nvsim_req **d;

	if (ctrl->nr_reqs < ctrl->delayed_cap)
		return 0;
	if (cap < ctrl->delayed_cap)
		return -ENOMEM;
	d = realloc(ctrl->delayed, cap * sizeof(*d));
	if (!d)
		return -ENOMEM;
	ctrl->delayed = d;
	ctrl->delayed_cap = cap;
	return 0;
}

/* ---- requests ------------------------------------------------------------ */

void nvsim_req_park(struct nvsim_req *req, enum nvsim_req_state state)
{
	struct nvsim_ctrl *ctrl = req->ctrl;
	struct nvsim_queue *q = req->queue;

	req->state = state;
	req->next = NULL;
	req->prev = ctrl->pending_tail;
	if (ctrl->pending_tail)
		ctrl->pending_tail->next = req;
	else
		ctrl->pending_head = req;
	ctrl->pending_tail = req;
	req->qnext = NULL;
	req->qprev = q->parked_tail;
	if (q->parked_tail)
		q->parked_tail->qnext = req;
	else
		q->parked_head = req;
	q->parked_tail = req;
	if (state == NVSIM_REQ_DELAYED)
		heap_push(ctrl, req);
}

void nvsim_req_unpark(struct nvsim_req *req)
{
	struct nvsim_ctrl *ctrl = req->ctrl;
	struct nvsim_queue *q = req->queue;

	if (req->prev)
		req->prev->next = req->next;
	else
		ctrl->pending_head = req->next;
	if (req->next)
		req->next->prev = req->prev;
	else
		ctrl->pending_tail = req->prev;
	req->prev = req->next = NULL;
	if (req->qprev)
		req->qprev->qnext = req->qnext;
	else
		q->parked_head = req->qnext;
	if (req->qnext)
		req->qnext->qprev = req->qprev;
	else
		q->parked_tail = req->qprev;
	req->qprev = req->qnext = NULL;
	if (req->state == NVSIM_REQ_DELAYED)
		heap_remove(ctrl, req);
}

uint16_t nvsim_req_fail(struct nvsim_req *req, uint16_t status, uint16_t err_loc)
{
	req->err_loc = err_loc;
	return status;
}

size_t nvsim_req_data_len(const struct nvsim_req *req)
{
	return req->data ? req->data->len : 0;
}

uint64_t nvsim_mdts_bytes(const struct nvsim_ctrl *ctrl)
{
	if (!ctrl->cfg.mdts || nvsim_quirk(ctrl, NVSIM_QUIRK_NO_MDTS))
		return UINT64_MAX;
	return (uint64_t)NVSIM_PAGE_SIZE << ctrl->cfg.mdts;
}

/* The data the host described must match what the command moves; a longer
 * SGL is allowed only when Identify Controller SGLS bit 18 says so
 * (NVMe Base 2.0 §5.17.2.1 (approx.), SGLS). */
uint16_t nvsim_req_check_data_len(struct nvsim_req *req, uint64_t need)
{
	uint64_t len = nvsim_req_data_len(req);

	if (len < need || (len > need && !req->ctrl->cfg.sgl_oversize_ok))
		return nvsim_req_fail(req, NVSIM_SC_GENERIC(NVME_SC_SGL_INVALID_DATA),
				      NVSIM_SQE_OFF_DPTR);
	return 0;
}

void nvsim_req_complete(struct nvsim_req *req)
{
	struct nvsim_ctrl *ctrl = req->ctrl;
	struct nvsim_queue *q = req->queue;
	nvsim_done_fn done = req->done;
	void *arg = req->done_arg;
	struct nvsim_cqe cqe;

	if (nvsim_quirk(ctrl, NVSIM_QUIRK_DNR_CLEAR))
		req->status &= (uint16_t)~NVME_SC_DNR;
	cqe = (struct nvsim_cqe){
		.dw0 = htole32(req->dw0),
		.dw1 = htole32(req->dw1),
		.sqhd = htole16(q->sqhd),
		.sqid = htole16(q->qid),
		.cid = req->sqe.cid,
		.status = htole16((uint16_t)(req->status << 1)),
	};

	if (req->status) {
		nvsim_errlog_record(ctrl, req);
		if (ctrl->cfg.events.command_failed)
			ctrl->cfg.events.command_failed(ctrl->cfg.events.arg, arg, req->status,
							req->err_loc);
	}
	q->outstanding--;
	ctrl->nr_reqs--;
	free(req);
	done(arg, &cqe);
}

/* Checks every command shares, before dispatch (Linux nvmet_req_init). */
static uint16_t req_check_common(struct nvsim_req *req)
{
	const struct nvsim_sqe *sqe = &req->sqe;

	if (sqe->opcode == NVSIM_FABRICS_OPCODE)
		return 0;
	/* FUSES is 0: fused operations are not supported. */
	if (sqe->flags & NVSIM_SQE_FUSE_MASK)
		return nvsim_req_fail(req, NVSIM_SC_GENERIC(NVME_SC_INVALID_FIELD),
				      NVSIM_SQE_OFF_FLAGS);
	/* Fabrics carry data only in SGLs (NVMe-oF 1.1 §2.3 (approx.)). */
	if (req->ctrl->cfg.require_sgl && nvsim_sqe_psdt(sqe) != NVSIM_PSDT_SGL_MPTR_CONTIG)
		return nvsim_req_fail(req, NVSIM_SC_GENERIC(NVME_SC_INVALID_FIELD),
				      NVSIM_SQE_OFF_FLAGS);
	return 0;
}

static int req_dispatch(struct nvsim_req *req)
{
	int ret = req_check_common(req);

	if (ret)
		return ret;
	if (req->sqe.opcode == NVSIM_FABRICS_OPCODE)
		return nvsim_exec_fabrics(req);
	if (req->queue->qid == 0)
		return nvsim_exec_admin(req);
	if (!nvsim_ctrl_ready(req->ctrl))
		return nvsim_req_fail(req, NVSIM_SC_GENERIC(NVME_SC_CMD_SEQ_ERROR),
				      NVSIM_SQE_OFF_OPCODE);
	return nvsim_exec_io(req);
}

/* A request for a command the host placed on queue qid. */
static int req_new(struct nvsim_ctrl *ctrl, uint16_t qid, const struct nvsim_sqe *sqe,
		   struct nvsim_data *data, nvsim_done_fn done, void *arg, struct nvsim_req **out)
{
	struct nvsim_queue *q = nvsim_queue_get(ctrl, qid);
	struct nvsim_req *req;

	if (!q)
		return -ENOENT;
	if (!done)
		return -EINVAL;
	if (q->outstanding > q->sqsize)
		return -EBUSY;
	if (heap_reserve(ctrl))
		return -ENOMEM;
	req = calloc(1, sizeof(*req));
	if (!req)
		return -ENOMEM;
	ctrl->nr_reqs++;
	req->ctrl = ctrl;
	req->queue = q;
	req->sqe = *sqe;
	req->data = data;
	req->done = done;
	req->done_arg = arg;
	req->err_loc = NVSIM_ERR_LOC_NONE;
	req->seq = ctrl->next_seq++;
	q->outstanding++;
	q->sqhd = (uint16_t)((q->sqhd + 1u) % ((uint32_t)q->sqsize + 1u));
	if (ctrl->cfg.traffic_based_keep_alive)
		nvsim_keep_alive_touch(ctrl);
	*out = req;
	return 0;
}

int nvsim_ctrl_submit(struct nvsim_ctrl *ctrl, uint16_t qid, const struct nvsim_sqe *sqe,
		      struct nvsim_data *data, nvsim_done_fn done, void *arg)
{
	struct nvsim_req *req;
	uint64_t inject_delay = 0;
	int ret = req_new(ctrl, qid, sqe, data, done, arg, &req);

	if (ret)
		return ret;
	if (nvsim_inject_apply(ctrl, req, &inject_delay))
		return 0;
	ret = req_dispatch(req);
	if (ret == NVSIM_REQ_DEFERRED)
		return 0;
	req->status = (uint16_t)ret;
	if (inject_delay > req->delay_ns)
		req->delay_ns = inject_delay;
	if (req->delay_ns) {
		req->complete_at_ns = nvsim_now(ctrl) + req->delay_ns;
		nvsim_req_park(req, NVSIM_REQ_DELAYED);
		return 0;
	}
	nvsim_req_complete(req);
	return 0;
}

int nvsim_ctrl_fail_command(struct nvsim_ctrl *ctrl, uint16_t qid, const struct nvsim_sqe *sqe,
			    uint16_t status, uint16_t err_loc, nvsim_done_fn done, void *arg)
{
	struct nvsim_req *req;
	int ret = req_new(ctrl, qid, sqe, NULL, done, arg, &req);

	if (ret)
		return ret;
	req->status = status;
	req->err_loc = err_loc;
	nvsim_req_complete(req);
	return 0;
}

/* The delayed request due first; ties go in submission order. */
static struct nvsim_req *next_due(struct nvsim_ctrl *ctrl, uint64_t now)
{
	if (!ctrl->nr_delayed || ctrl->delayed[0]->complete_at_ns > now)
		return NULL;
	return ctrl->delayed[0];
}

int nvsim_ctrl_poll(struct nvsim_ctrl *ctrl)
{
	uint64_t now = nvsim_now(ctrl);
	struct nvsim_req *req;
	int completed = 0;

	while ((req = next_due(ctrl, now))) {
		nvsim_req_unpark(req);
		nvsim_req_complete(req);
		completed++;
	}
	nvsim_keep_alive_check(ctrl);
	return completed;
}
