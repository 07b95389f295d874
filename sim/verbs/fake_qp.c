/* The fake's queues: CQs, SRQs and RC QPs, and posting work to them.
 *
 * Every queue is a ring of fixed-size slots that starts small and doubles
 * up to the size asked for, so a QP or CQ costs what it has held at once,
 * not its capacity.  What happens to a posted send WR is fake_rc.c's. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "verbs/fake_priv.h"

/* ---- rings ------------------------------------------------------------------ */

static size_t ring_bytes(const struct fake_ring *r)
{
	return (size_t)(r->alloc ? r->alloc : 1) * r->stride;
}

static int ring_init(struct fake_ring *r, struct verbs_fake_fabric *fab, size_t stride,
		     uint32_t cap)
{
	memset(r, 0, sizeof(*r));
	r->stride = (stride + 7) & ~(size_t)7;
	r->cap = cap;
	r->alloc = cap < FAKE_RING_INITIAL ? cap : FAKE_RING_INITIAL;
	r->mem = calloc(r->alloc ? r->alloc : 1, r->stride);
	if (!r->mem)
		return -ENOMEM;
	r->bytes = &fab->queue_bytes;
	*r->bytes += ring_bytes(r);
	return 0;
}

static void ring_free(struct fake_ring *r)
{
	if (!r->mem)
		return;
	*r->bytes -= ring_bytes(r);
	free(r->mem);
	r->mem = NULL;
}

void *fake_ring_slot(const struct fake_ring *r, uint32_t i)
{
	return r->mem + (size_t)((r->head + i) % r->alloc) * r->stride;
}

void *fake_ring_head(const struct fake_ring *r)
{
	return r->mem + (size_t)r->head * r->stride;
}

void fake_ring_pop(struct fake_ring *r)
{
	r->head = (r->head + 1) % r->alloc;
	r->count--;
}

/* Room for one more entry: doubles the allocation (up to cap) when full.
 * The entries are copied out in order, so the ring restarts at slot 0. */
static int ring_make_room(struct fake_ring *r)
{
	uint32_t alloc, first;
	uint8_t *mem;

	if (r->count < r->alloc)
		return 0;
	if (r->alloc >= r->cap)
		return -ENOMEM;
	alloc = r->alloc > r->cap / 2 ? r->cap : r->alloc * 2;
	mem = malloc((size_t)alloc * r->stride);
	if (!mem)
		return -ENOMEM;
	first = r->alloc - r->head;  /* entries from head to the end of the old ring */
	memcpy(mem, r->mem + (size_t)r->head * r->stride, (size_t)first * r->stride);
	memcpy(mem + (size_t)first * r->stride, r->mem, (size_t)r->head * r->stride);
	free(r->mem);
	*r->bytes -= ring_bytes(r);
	r->mem = mem;
	r->alloc = alloc;
	r->head = 0;
	*r->bytes += ring_bytes(r);
	return 0;
}

/* The next free slot; ring_make_room must have succeeded. */
static void *ring_tail(struct fake_ring *r)
{
	return fake_ring_slot(r, r->count);
}

struct verbs_sge *fake_swr_sge(struct fake_swr *wr)
{
	return (struct verbs_sge *)(void *)(wr + 1);
}

uint8_t *fake_swr_inline(const struct fake_qp *qp, struct fake_swr *wr)
{
	return (uint8_t *)(fake_swr_sge(wr) + qp->caps.max_send_sge);
}

struct verbs_sge *fake_rwr_sge(struct fake_rwr *wr)
{
	return (struct verbs_sge *)(void *)(wr + 1);
}

uint64_t fake_sge_total(const struct verbs_sge *sge, uint32_t n)
{
	uint64_t total = 0;
	uint32_t i;

	for (i = 0; i < n; i++)
		total += sge[i].length;  /* n <= max_sge, so no u64 wrap */
	return total;
}

/* ---- CQ -------------------------------------------------------------------- */

int fake_cq_create(struct verbs_device *base, const struct verbs_cq_attr *attr,
		   struct verbs_cq **out)
{
	struct fake_device *dev = FAKE_OF(struct fake_device, base);
	struct fake_cq *cq;
	int rc = -ENOMEM;

	if (dev->removed)
		return -ENODEV;
	if (attr->cqe > dev->attr.max_cqe)
		return -EINVAL;
	if (dev->n_cq >= dev->attr.max_cq)
		return -ENOMEM;
	cq = calloc(1, sizeof(*cq));
	if (!cq)
		return -ENOMEM;
	if (ring_init(&cq->ring, dev->fab, sizeof(struct verbs_wc), attr->cqe))
		goto err_cq;
	cq->base.ops = &verbs_fake_ops;
	cq->base.fd = -1;
	if (attr->notify) {
		cq->base.fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (cq->base.fd < 0) {
			rc = -errno;
			goto err_ring;
		}
	}
	cq->dev = dev;
	dev->n_cq++;
	*out = &cq->base;
	return 0;

err_ring:
	ring_free(&cq->ring);
err_cq:
	free(cq);
	return rc;
}

int fake_cq_destroy(struct verbs_cq *base)
{
	struct fake_cq *cq = FAKE_OF(struct fake_cq, base);
	struct fake_device *dev = cq->dev;

	if (cq->users)
		return -EBUSY;
	if (cq->base.fd >= 0)
		close(cq->base.fd);
	ring_free(&cq->ring);
	free(cq);
	dev->n_cq--;
	fake_device_release(dev);
	return 0;
}

static void cq_signal(struct fake_cq *cq)
{
	uint64_t one = 1;

	if (!cq->armed || cq->base.fd < 0)
		return;
	cq->armed = false;
	cq->pending_events++;
	if (write(cq->base.fd, &one, sizeof(one)) != (ssize_t)sizeof(one))
		cq->pending_events--;
}

void fake_cq_push(struct fake_cq *cq, const struct verbs_wc *wc)
{
	if (cq->overrun)
		return;
	/* Full at its size: a CQ overrun, as on hardware the CQ is lost, not
	 * the entry.  Failing to grow below its size is reported the same
	 * way: the completion cannot be kept. */
	if (cq->ring.count == cq->ring.cap || ring_make_room(&cq->ring)) {
		cq->overrun = true;
		return;
	}
	memcpy(ring_tail(&cq->ring), wc, sizeof(*wc));
	cq->ring.count++;
	cq_signal(cq);
}

int fake_poll_cq(struct verbs_cq *base, int max, struct verbs_wc *wc)
{
	struct fake_cq *cq = FAKE_OF(struct fake_cq, base);
	int n = 0;

	if (!cq->dev->fab->manual_step)
		verbs_fake_step(cq->dev->fab);
	if (cq->overrun)
		return -EOVERFLOW;
	while (n < max && cq->ring.count) {
		memcpy(&wc[n++], fake_ring_head(&cq->ring), sizeof(*wc));
		fake_ring_pop(&cq->ring);
	}
	return n;
}

int fake_cq_req_notify(struct verbs_cq *base)
{
	FAKE_OF(struct fake_cq, base)->armed = true;
	return 0;
}

int fake_cq_get_event(struct verbs_cq *base)
{
	struct fake_cq *cq = FAKE_OF(struct fake_cq, base);
	uint64_t value;

	if (!cq->pending_events)
		return -EAGAIN;
	/* The eventfd counts pending notifications; drain it once all are
	 * consumed so the fd stops polling readable. */
	cq->pending_events--;
	if (!cq->pending_events && read(cq->base.fd, &value, sizeof(value)) < 0)
		return -errno;
	return 0;
}

void fake_complete_error(struct fake_cq *cq, const struct fake_qp *qp, uint64_t wr_id,
			 enum verbs_wc_status status)
{
	struct verbs_wc wc = {
		.wr_id = wr_id,
		.status = status,
		.opcode = VERBS_WC_OPCODE_INVALID,
		.qp_num = qp->base.qp_num,
	};

	fake_cq_push(cq, &wc);
}

/* ---- receive lists (QP and SRQ) -------------------------------------------- */

static int recv_list_post(struct fake_ring *rq, uint32_t max_sge, const struct verbs_recv_wr *wr,
			  const struct verbs_recv_wr **bad_wr)
{
	for (; wr; wr = wr->next) {
		struct fake_rwr *r;

		*bad_wr = wr;
		if (wr->num_sge > max_sge || (wr->num_sge && !wr->sg_list))
			return -EINVAL;
		if (rq->count >= rq->cap || ring_make_room(rq))
			return -ENOMEM;
		r = ring_tail(rq);
		r->wr_id = wr->wr_id;
		r->num_sge = wr->num_sge;
		if (wr->num_sge)
			memcpy(fake_rwr_sge(r), wr->sg_list,
			       wr->num_sge * sizeof(struct verbs_sge));
		rq->count++;
	}
	*bad_wr = NULL;
	return 0;
}

/* ---- SRQ ------------------------------------------------------------------- */

int fake_srq_create(struct verbs_pd *pd_base, const struct verbs_srq_attr *attr,
		    struct verbs_srq **out)
{
	struct fake_pd *pd = FAKE_OF(struct fake_pd, pd_base);
	struct fake_device *dev = pd->dev;
	struct fake_srq *srq;

	if (dev->removed)
		return -ENODEV;
	if (!dev->attr.max_srq)
		return -EOPNOTSUPP;
	if (attr->max_wr > dev->attr.max_srq_wr || attr->max_sge > dev->attr.max_srq_sge)
		return -EINVAL;
	if (dev->n_srq >= dev->attr.max_srq)
		return -ENOMEM;
	srq = calloc(1, sizeof(*srq));
	if (!srq)
		return -ENOMEM;
	if (ring_init(&srq->rq, dev->fab,
		      sizeof(struct fake_rwr) + attr->max_sge * sizeof(struct verbs_sge),
		      attr->max_wr)) {
		free(srq);
		return -ENOMEM;
	}
	srq->base.ops = &verbs_fake_ops;
	srq->dev = dev;
	srq->pd = pd;
	srq->max_wr = attr->max_wr;
	srq->max_sge = attr->max_sge;
	pd->users++;
	dev->n_srq++;
	*out = &srq->base;
	return 0;
}

int fake_srq_destroy(struct verbs_srq *base)
{
	struct fake_srq *srq = FAKE_OF(struct fake_srq, base);
	struct fake_device *dev = srq->dev;

	if (srq->users)
		return -EBUSY;
	ring_free(&srq->rq);
	srq->pd->users--;
	free(srq);
	dev->n_srq--;
	fake_device_release(dev);
	return 0;
}

int fake_srq_query(struct verbs_srq *base, struct verbs_srq_attr *attr)
{
	struct fake_srq *srq = FAKE_OF(struct fake_srq, base);

	attr->max_wr = srq->max_wr;
	attr->max_sge = srq->max_sge;
	return 0;
}

int fake_post_srq_recv(struct verbs_srq *base, const struct verbs_recv_wr *wr,
		       const struct verbs_recv_wr **bad_wr)
{
	struct fake_srq *srq = FAKE_OF(struct fake_srq, base);

	if (srq->dev->removed)
		return -ENODEV;
	return recv_list_post(&srq->rq, srq->max_sge, wr, bad_wr);
}

/* ---- QP state --------------------------------------------------------------- */

struct fake_qp *fake_qp_by_num(struct verbs_fake_fabric *fab, uint32_t num)
{
	return fake_map_get(&fab->qp_by_num, num);
}

/* Moves a QP to ERR and flushes every outstanding WR, send queue first.  The
 * receives of an SRQ belong to the SRQ and stay for its other QPs. */
void fake_qp_fail(struct fake_qp *qp)
{
	qp->state = VERBS_QPS_ERR;
	while (qp->sq.count) {
		struct fake_swr *wr = fake_ring_head(&qp->sq);

		fake_complete_error(qp->send_cq, qp, wr->wr_id, VERBS_WC_WR_FLUSH_ERR);
		qp->ctr.flushed++;
		fake_ring_pop(&qp->sq);
	}
	qp->sq_unsignaled = 0;
	while (qp->rq.count) {
		struct fake_rwr *wr = fake_ring_head(&qp->rq);

		fake_complete_error(qp->recv_cq, qp, wr->wr_id, VERBS_WC_WR_FLUSH_ERR);
		qp->ctr.flushed++;
		fake_ring_pop(&qp->rq);
	}
	fake_sched_qp(qp);
}

static int qp_caps_valid(const struct fake_device *dev, const struct verbs_qp_caps *c, bool srq)
{
	if (c->max_send_wr == 0 || (!srq && c->max_recv_wr == 0))
		return -EINVAL;
	if (c->max_send_wr > dev->attr.max_qp_wr || (!srq && c->max_recv_wr > dev->attr.max_qp_wr))
		return -EINVAL;
	if (c->max_send_sge > dev->attr.max_sge || (!srq && c->max_recv_sge > dev->attr.max_sge))
		return -EINVAL;
	if (c->max_inline_data > dev->attr.max_inline_data)
		return -EINVAL;
	return 0;
}

static int qp_alloc_queues(struct fake_qp *qp, struct verbs_fake_fabric *fab)
{
	const struct verbs_qp_caps *c = &qp->caps;
	size_t sq_stride = sizeof(struct fake_swr) + c->max_send_sge * sizeof(struct verbs_sge) +
			   c->max_inline_data;
	size_t rq_stride = sizeof(struct fake_rwr) + c->max_recv_sge * sizeof(struct verbs_sge);

	if (ring_init(&qp->sq, fab, sq_stride, c->max_send_wr))
		return -ENOMEM;
	if (ring_init(&qp->rq, fab, rq_stride, c->max_recv_wr)) {
		ring_free(&qp->sq);
		return -ENOMEM;
	}
	return 0;
}

static void qp_free_queues(struct fake_qp *qp)
{
	ring_free(&qp->sq);
	ring_free(&qp->rq);
}

/* QP numbers count up from FAKE_FIRST_QP_NUM, skipping any still in use
 * once the counter wraps. */
static uint32_t take_qp_num(struct verbs_fake_fabric *fab)
{
	while (fab->next_qp_num < FAKE_FIRST_QP_NUM || fake_qp_by_num(fab, fab->next_qp_num))
		fab->next_qp_num++;
	return fab->next_qp_num++;
}

static bool id_may_create_qp(const struct fake_id *id)
{
	return id->state == ID_ROUTE_RESOLVED || id->state == ID_REQ_RECEIVED;
}

static int qp_create_check(const struct fake_id *id, const struct fake_pd *pd,
			   const struct verbs_qp_init_attr *attr)
{
	const struct fake_device *dev = pd->dev;

	if (dev->removed || id->dev->removed)
		return -ENODEV;
	if (!id_may_create_qp(id) || id->dev != dev)
		return -EINVAL;
	if (FAKE_OF(struct fake_cq, attr->send_cq)->dev != dev ||
	    FAKE_OF(struct fake_cq, attr->recv_cq)->dev != dev)
		return -EINVAL;
	if (attr->srq && FAKE_OF(struct fake_srq, attr->srq)->dev != dev)
		return -EINVAL;
	if (qp_caps_valid(dev, &attr->cap, attr->srq != NULL))
		return -EINVAL;
	if (dev->n_qp >= dev->attr.max_qp)
		return -ENOMEM;
	return 0;
}

int fake_qp_create(struct verbs_cm_id *id_base, struct verbs_pd *pd_base,
		   const struct verbs_qp_init_attr *attr, struct verbs_qp **out)
{
	struct fake_id *id = FAKE_OF(struct fake_id, id_base);
	struct fake_pd *pd = FAKE_OF(struct fake_pd, pd_base);
	struct fake_device *dev = pd->dev;
	struct verbs_fake_fabric *fab = dev->fab;
	struct fake_qp *qp;
	int rc;

	rc = qp_create_check(id, pd, attr);
	if (rc)
		return rc;
	qp = calloc(1, sizeof(*qp));
	if (!qp)
		return -ENOMEM;
	qp->caps = attr->cap;
	if (attr->srq) {
		qp->srq = FAKE_OF(struct fake_srq, attr->srq);
		qp->caps.max_recv_wr = 0;
		qp->caps.max_recv_sge = 0;
	}
	rc = qp_alloc_queues(qp, fab);
	if (rc)
		goto err_qp;
	rc = fake_sched_reserve(fab, fab->nqps + 1);
	if (rc)
		goto err_queues;
	qp->base.qp_num = take_qp_num(fab);
	rc = fake_map_put(&fab->qp_by_num, qp->base.qp_num, qp);
	if (rc)
		goto err_queues;
	qp->base.ops = &verbs_fake_ops;
	qp->base.context = attr->context;
	qp->dev = dev;
	qp->pd = pd;
	qp->send_cq = FAKE_OF(struct fake_cq, attr->send_cq);
	qp->recv_cq = FAKE_OF(struct fake_cq, attr->recv_cq);
	qp->sig_all = attr->sq_sig_all;
	qp->id = id;
	qp->due.idx = FAKE_HEAP_NONE;
	qp->due.tie = qp->base.qp_num;
	/* rdma_create_qp leaves the QP in INIT; the CM does the rest. */
	qp->state = VERBS_QPS_INIT;
	fake_list_add_tail(&dev->qps, &qp->dev_link);
	fab->nqps++;
	qp->send_cq->users++;
	qp->recv_cq->users++;
	if (qp->srq)
		qp->srq->users++;
	pd->users++;
	dev->n_qp++;
	id->base.qp = &qp->base;
	*out = &qp->base;
	return 0;

err_queues:
	qp_free_queues(qp);
err_qp:
	free(qp);
	return rc;
}

int fake_qp_destroy(struct verbs_qp *base)
{
	struct fake_qp *qp = FAKE_OF(struct fake_qp, base);
	struct fake_device *dev = qp->dev;
	struct verbs_fake_fabric *fab = dev->fab;

	if (qp->peer)
		qp->peer->peer = NULL;
	if (qp->id)
		qp->id->base.qp = NULL;
	fake_sched_forget(qp);
	fake_map_del(&fab->qp_by_num, qp->base.qp_num);
	fake_list_del(&qp->dev_link);
	fab->nqps--;
	qp->send_cq->users--;
	qp->recv_cq->users--;
	if (qp->srq)
		qp->srq->users--;
	qp->pd->users--;
	qp_free_queues(qp);
	free(qp);
	dev->n_qp--;
	fake_device_release(dev);
	return 0;
}

int fake_qp_query(struct verbs_qp *base, enum verbs_qp_state *state, struct verbs_qp_caps *caps)
{
	struct fake_qp *qp = FAKE_OF(struct fake_qp, base);

	if (state)
		*state = qp->state;
	if (caps)
		*caps = qp->caps;
	return 0;
}

int fake_qp_to_error(struct verbs_qp *base)
{
	struct fake_qp *qp = FAKE_OF(struct fake_qp, base);

	/* The flush itself happens at the next step: nothing moves between
	 * polls. */
	qp->state = VERBS_QPS_ERR;
	fake_sched_qp(qp);
	return 0;
}

int verbs_fake_qp_counters(const struct verbs_qp *base, struct verbs_fake_qp_counters *out)
{
	if (!base || !out || base->ops != &verbs_fake_ops)
		return -EINVAL;
	*out = FAKE_OF(const struct fake_qp, base)->ctr;
	return 0;
}

int verbs_fake_drop_connection(struct verbs_qp *base)
{
	struct fake_qp *qp;

	if (!base || base->ops != &verbs_fake_ops)
		return -EINVAL;
	qp = FAKE_OF(struct fake_qp, base);
	qp->link_down = true;
	if (qp->peer)
		qp->peer->link_down = true;
	return 0;
}

/* ---- posting ------------------------------------------------------------------ */

static int send_wr_check(const struct fake_qp *qp, const struct verbs_send_wr *wr)
{
	if (wr->opcode > VERBS_WR_RDMA_READ)
		return -EINVAL;
	if (wr->num_sge > qp->caps.max_send_sge || (wr->num_sge && !wr->sg_list))
		return -EINVAL;
	if (wr->send_flags & ~(uint32_t)(VERBS_SEND_SIGNALED | VERBS_SEND_INLINE | VERBS_SEND_FENCE))
		return -EINVAL;
	if (wr->send_flags & VERBS_SEND_INLINE) {
		if (wr->opcode == VERBS_WR_RDMA_READ)
			return -EINVAL;
		if (fake_sge_total(wr->sg_list, wr->num_sge) > qp->caps.max_inline_data)
			return -EINVAL;
	}
	return 0;
}

static void send_wr_enqueue(struct fake_qp *qp, const struct verbs_send_wr *wr)
{
	struct fake_swr *s = ring_tail(&qp->sq);
	uint8_t *inline_data = fake_swr_inline(qp, s);
	uint32_t i;

	memset(s, 0, sizeof(*s));
	s->wr_id = wr->wr_id;
	s->opcode = wr->opcode;
	s->flags = wr->send_flags;
	s->remote_addr = wr->remote_addr;
	s->rkey = wr->rkey;
	s->invalidate_rkey = wr->invalidate_rkey;
	s->num_sge = wr->num_sge;
	s->length = fake_sge_total(wr->sg_list, wr->num_sge);
	s->ready_at = qp->dev->fab->now + 1;
	if (wr->num_sge)
		memcpy(fake_swr_sge(s), wr->sg_list, wr->num_sge * sizeof(struct verbs_sge));
	if (wr->send_flags & VERBS_SEND_INLINE) {
		uint64_t off = 0;

		/* Inline: the payload is taken now; the buffer may be reused
		 * as soon as post returns. */
		for (i = 0; i < wr->num_sge; i++) {
			if (!wr->sg_list[i].length)
				continue;
			memcpy(inline_data + off, (const void *)(uintptr_t)wr->sg_list[i].addr,
			       wr->sg_list[i].length);
			off += wr->sg_list[i].length;
		}
	}
	qp->sq.count++;
}

static int send_list_post(struct fake_qp *qp, const struct verbs_send_wr *wr,
			  const struct verbs_send_wr **bad_wr)
{
	int rc;

	for (; wr; wr = wr->next) {
		*bad_wr = wr;
		rc = send_wr_check(qp, wr);
		if (rc)
			return rc;
		if (qp->sq.count + qp->sq_unsignaled >= qp->caps.max_send_wr ||
		    ring_make_room(&qp->sq))
			return -ENOMEM;
		send_wr_enqueue(qp, wr);
	}
	*bad_wr = NULL;
	return 0;
}

int fake_post_send(struct verbs_qp *base, const struct verbs_send_wr *wr,
		   const struct verbs_send_wr **bad_wr)
{
	struct fake_qp *qp = FAKE_OF(struct fake_qp, base);
	int rc;

	if (qp->dev->removed)
		return -ENODEV;
	/* Send queue work needs RTS; in ERR posting is allowed and flushes. */
	if (qp->state != VERBS_QPS_RTS && qp->state != VERBS_QPS_ERR)
		return -EINVAL;
	rc = send_list_post(qp, wr, bad_wr);
	/* The WRs before a bad one are posted: schedule them either way. */
	fake_sched_qp(qp);
	return rc;
}

int fake_post_recv(struct verbs_qp *base, const struct verbs_recv_wr *wr,
		   const struct verbs_recv_wr **bad_wr)
{
	struct fake_qp *qp = FAKE_OF(struct fake_qp, base);
	int rc;

	if (qp->dev->removed)
		return -ENODEV;
	/* A QP on an SRQ has no receive queue of its own (as ibv_post_recv). */
	if (qp->state == VERBS_QPS_RESET || qp->srq)
		return -EINVAL;
	rc = recv_list_post(&qp->rq, qp->caps.max_recv_sge, wr, bad_wr);
	fake_sched_qp(qp);
	return rc;
}
