/* The in-process RDMA fake provider.
 *
 * Everything lives in a fabric: devices, memory regions, QPs, CM ids and the
 * CM messages in flight.  Nothing runs on its own.  A scheduler step (a poll
 * of a CQ or CM channel, or verbs_fake_step) delivers the CM messages that
 * are due, then lets every QP whose next send WR is due execute that one WR,
 * in an order drawn from the fabric's seeded generator.  Executing a WR does
 * the whole RC exchange at once: the requester's checks, the responder's
 * checks and data placement, and the completions on both sides.  Because a
 * QP executes its WRs strictly one after the other, RC ordering holds.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "verbs/fake.h"
#include "verbs/verbs_internal.h"

enum {
	FAKE_RNR_RETRY_FOREVER = 7,
	FAKE_DEFAULT_BACKLOG = 128,
	FAKE_MAX_SGE = 16,  /* the fabric refuses more: WR execution keeps SGEs on the stack */
};

#define FAKE_RNR_ALWAYS UINT32_MAX  /* FORCE_RNR with value 0 */

/* ---- object layouts ------------------------------------------------------ */

struct fault_slot {
	struct verbs_fake_fault fault;
	uint32_t seen;
	uint32_t applied;
};

struct cm_msg;
struct fake_qp;
struct fake_id;
struct fake_mr;

struct verbs_fake_fabric {
	uint64_t seed;
	uint64_t rng;
	uint64_t now;
	bool manual_step;
	bool is_default;
	uint32_t rnr_steps, retry_steps, cm_retry_steps, cm_retries;
	struct verbs_device_attr limits;
	uint32_t next_key, next_qp_num, next_id_num;
	unsigned int ndevices;
	struct fake_qp **qps;
	size_t nqps, qps_cap;
	struct fake_qp **ready;   /* scratch for one step, same capacity as qps */
	struct fake_id *ids;
	struct fake_mr *mrs;
	struct cm_msg *msg_head;  /* sorted by due step */
	struct fault_slot faults[VERBS_FAKE_MAX_FAULTS];
	unsigned int nfaults;
	verbs_fake_trace_fn *trace;
	void *trace_arg;
};

struct fake_device {
	struct verbs_device base;
	struct verbs_fake_fabric *fab;
	struct verbs_device_attr attr;
	bool removed;
	bool closed;
	uint32_t n_pd, n_mr, n_cq, n_qp, n_channel;
};

struct fake_pd {
	struct verbs_pd base;
	struct fake_device *dev;
	uint32_t users;  /* MRs and QPs */
};

struct fake_mr {
	struct verbs_mr base;
	struct fake_pd *pd;
	uint64_t addr;
	uint64_t length;
	unsigned int access;
	bool rkey_valid;  /* cleared by SEND_WITH_INV */
	struct fake_mr *next;
};

struct fake_cq {
	struct verbs_cq base;
	struct fake_device *dev;
	struct verbs_wc *ring;
	uint32_t cap, head, count;
	uint32_t users;
	bool overrun;
	bool armed;
	uint32_t pending_events;
};

struct fake_event {
	struct fake_event *next;
	struct verbs_cm_event ev;
};

struct fake_channel {
	struct verbs_cm_channel base;
	struct fake_device *dev;
	struct fake_event *head, *tail;
	uint32_t users;
};

enum id_state {
	ID_IDLE,
	ID_RESOLVING,
	ID_ROUTE_RESOLVED,
	ID_LISTEN,
	ID_CONNECTING,     /* active: REQ sent */
	ID_REQ_RECEIVED,   /* passive: CONNECT_REQUEST delivered */
	ID_ACCEPTED,       /* passive: REP sent, waiting for RTU */
	ID_CONNECTED,
	ID_DISCONNECTING,  /* DREQ sent */
	ID_DISCONNECTED,
	ID_REJECTED,
};

struct fake_id {
	struct verbs_cm_id base;
	struct fake_channel *ch;
	struct fake_device *dev;
	uint32_t num;
	enum id_state state;
	struct verbs_addr addr;
	int backlog;
	int pending_requests;   /* listener: CONNECT_REQUESTs not yet answered */
	uint32_t listener_num;  /* passive: the listener it came from */
	uint32_t peer_num;      /* the other end's id */
	uint32_t peer_qp_num;   /* passive: the requester's QP */
	struct verbs_conn_param param;  /* own connect/accept parameters */
	struct fake_id *next;
};

struct fake_swr {
	uint64_t wr_id;
	enum verbs_wr_opcode opcode;
	uint32_t flags;
	uint64_t remote_addr;
	uint32_t rkey;
	uint32_t invalidate_rkey;
	uint32_t num_sge;
	struct verbs_sge *sge;   /* points into the QP's SGE pool */
	uint8_t *inline_data;    /* points into the QP's inline pool */
	uint64_t length;
	uint64_t ready_at;
	uint32_t rnr_tries;
	uint32_t transport_tries;
	uint32_t forced_rnr;
	uint32_t corrupt_bytes;
	bool faults_evaluated;
	bool forced_access_error;
};

struct fake_rwr {
	uint64_t wr_id;
	uint32_t num_sge;
	struct verbs_sge *sge;
};

struct fake_qp {
	struct verbs_qp base;
	struct fake_device *dev;
	struct fake_pd *pd;
	struct fake_cq *send_cq, *recv_cq;
	struct fake_id *id;
	struct fake_qp *peer;
	enum verbs_qp_state state;
	struct verbs_qp_caps caps;
	bool sig_all;
	bool link_down;
	uint8_t retry_count, rnr_retry_count;
	struct fake_swr *sq;
	uint32_t sq_head, sq_count;
	uint32_t sq_unsignaled;  /* executed unsignaled WRs still holding a slot */
	struct fake_rwr *rq;
	uint32_t rq_head, rq_count;
	struct verbs_sge *sq_sges, *rq_sges;
	uint8_t *inline_pool;
	struct verbs_fake_qp_counters ctr;
};

enum cm_msg_type {
	MSG_ROUTE,       /* resolve finished */
	MSG_REQ,
	MSG_REP,
	MSG_RTU,
	MSG_REJ,
	MSG_DREQ,
	MSG_DREP,
	MSG_DREQ_TIMEOUT,
};

struct cm_msg {
	struct cm_msg *next;
	enum cm_msg_type type;
	uint64_t due;
	uint32_t from, to;  /* id numbers: an id may be gone by delivery */
	uint32_t qp_num;
	uint32_t tries;
	int status;
	struct verbs_addr addr;
	uint8_t responder_resources, initiator_depth;
	uint8_t pdata_len;
	uint8_t pdata[VERBS_CM_PDATA_MAX];
};

#define FAKE_OF(type, obj) verbs_container_of(obj, type, base)

static struct verbs_fake_fabric *default_fabric;

/* ---- small helpers --------------------------------------------------------- */

/* splitmix64: tiny, good enough, and the same sequence everywhere. */
static uint64_t rng_next(struct verbs_fake_fabric *fab)
{
	uint64_t z = (fab->rng += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint64_t rng_below(struct verbs_fake_fabric *fab, uint64_t bound)
{
	return bound ? rng_next(fab) % bound : 0;
}

static uint32_t take_key(struct verbs_fake_fabric *fab)
{
	/* Keys never repeat within a fabric, and never 0. */
	fab->next_key += 0x101;
	return fab->next_key;
}

static void default_limits(struct verbs_device_attr *a)
{
	a->max_pd = 64;
	a->max_mr = 1024;
	a->max_mr_size = 1ull << 40;
	a->max_cq = 256;
	a->max_cqe = 65536;
	a->max_qp = 256;
	a->max_qp_wr = 4096;
	a->max_sge = 16;
	a->max_inline_data = 256;
	a->max_msg_sz = 1u << 30;
	a->max_qp_rd_atom = 16;
	a->max_qp_init_rd_atom = 16;
}

#define FILL_LIMIT(dst, src, field) \
	do { if ((src)->field) (dst)->field = (src)->field; } while (0)

static void overlay_limits(struct verbs_device_attr *dst, const struct verbs_device_attr *src)
{
	FILL_LIMIT(dst, src, max_pd);
	FILL_LIMIT(dst, src, max_mr);
	FILL_LIMIT(dst, src, max_mr_size);
	FILL_LIMIT(dst, src, max_cq);
	FILL_LIMIT(dst, src, max_cqe);
	FILL_LIMIT(dst, src, max_qp);
	FILL_LIMIT(dst, src, max_qp_wr);
	FILL_LIMIT(dst, src, max_sge);
	FILL_LIMIT(dst, src, max_inline_data);
	FILL_LIMIT(dst, src, max_msg_sz);
	FILL_LIMIT(dst, src, max_qp_rd_atom);
	FILL_LIMIT(dst, src, max_qp_init_rd_atom);
}

/* ---- fabric ------------------------------------------------------------------ */

int verbs_fake_fabric_create(const struct verbs_fake_config *cfg, struct verbs_fake_fabric **out)
{
	static const struct verbs_fake_config defaults = { .seed = VERBS_FAKE_DEFAULT_SEED };
	struct verbs_fake_fabric *fab;

	if (!out)
		return -EINVAL;
	if (!cfg)
		cfg = &defaults;
	fab = calloc(1, sizeof(*fab));
	if (!fab)
		return -ENOMEM;
	fab->seed = cfg->seed;
	fab->rng = cfg->seed;
	fab->manual_step = cfg->manual_step;
	fab->rnr_steps = cfg->rnr_steps ? cfg->rnr_steps : 2;
	fab->retry_steps = cfg->retry_steps ? cfg->retry_steps : 4;
	fab->cm_retry_steps = cfg->cm_retry_steps ? cfg->cm_retry_steps : 8;
	fab->cm_retries = cfg->cm_retries ? cfg->cm_retries : 3;
	default_limits(&fab->limits);
	overlay_limits(&fab->limits, &cfg->limits);
	if (fab->limits.max_sge > FAKE_MAX_SGE) {
		free(fab);
		return -EINVAL;
	}
	fab->next_qp_num = 0x100;
	fab->next_id_num = 1;
	*out = fab;
	return 0;
}

static void free_msgs(struct verbs_fake_fabric *fab)
{
	while (fab->msg_head) {
		struct cm_msg *m = fab->msg_head;

		fab->msg_head = m->next;
		free(m);
	}
}

int verbs_fake_fabric_destroy(struct verbs_fake_fabric *fab)
{
	if (!fab)
		return -EINVAL;
	if (fab->ndevices)
		return -EBUSY;
	free_msgs(fab);
	free(fab->qps);
	free(fab->ready);
	if (default_fabric == fab)
		default_fabric = NULL;
	free(fab);
	return 0;
}

uint64_t verbs_fake_fabric_seed(const struct verbs_fake_fabric *fab)
{
	return fab ? fab->seed : 0;
}

uint64_t verbs_fake_now(const struct verbs_fake_fabric *fab)
{
	return fab ? fab->now : 0;
}

struct verbs_fake_fabric *verbs_fake_fabric_of(struct verbs_device *dev)
{
	if (!dev || dev->ops != &verbs_fake_ops)
		return NULL;
	return FAKE_OF(struct fake_device, dev)->fab;
}

void verbs_fake_set_trace(struct verbs_fake_fabric *fab, verbs_fake_trace_fn *fn, void *arg)
{
	if (!fab)
		return;
	fab->trace = fn;
	fab->trace_arg = arg;
}

static struct fake_id *id_by_num(struct verbs_fake_fabric *fab, uint32_t num)
{
	struct fake_id *id;

	for (id = fab->ids; id; id = id->next)
		if (id->num == num)
			return id;
	return NULL;
}

static struct fake_qp *qp_by_num(struct verbs_fake_fabric *fab, uint32_t num)
{
	size_t i;

	for (i = 0; i < fab->nqps; i++)
		if (fab->qps[i]->base.qp_num == num)
			return fab->qps[i];
	return NULL;
}

static struct cm_msg *msg_new(enum cm_msg_type type, uint32_t from, uint32_t to)
{
	struct cm_msg *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->type = type;
	m->from = from;
	m->to = to;
	return m;
}

/* Messages are delivered in due order, FIFO among equals, so that a run is
 * reproducible. */
static void msg_send(struct verbs_fake_fabric *fab, struct cm_msg *m, uint64_t delay)
{
	struct cm_msg **pos = &fab->msg_head;

	m->due = fab->now + (delay ? delay : 1);
	m->next = NULL;
	while (*pos && (*pos)->due <= m->due)
		pos = &(*pos)->next;
	m->next = *pos;
	*pos = m;
}

/* ---- device ---------------------------------------------------------------- */

static void device_release(struct fake_device *dev)
{
	struct verbs_fake_fabric *fab = dev->fab;

	if (!dev->closed || dev->n_pd || dev->n_mr || dev->n_cq || dev->n_qp || dev->n_channel)
		return;
	free(dev);
	fab->ndevices--;
	if (fab->ndevices == 0 && fab->is_default)
		verbs_fake_fabric_destroy(fab);
}

static int fake_device_open(const struct verbs_open_opts *opts, struct verbs_device **out)
{
	struct verbs_fake_fabric *fab = opts->fabric;
	struct fake_device *dev;
	int rc;

	if (!fab) {
		if (!default_fabric) {
			rc = verbs_fake_fabric_create(NULL, &default_fabric);
			if (rc)
				return rc;
			default_fabric->is_default = true;
		}
		fab = default_fabric;
	}
	dev = calloc(1, sizeof(*dev));
	if (!dev) {
		if (fab->is_default && fab->ndevices == 0)
			verbs_fake_fabric_destroy(fab);
		return -ENOMEM;
	}
	dev->base.ops = &verbs_fake_ops;
	dev->fab = fab;
	dev->attr = fab->limits;
	fab->ndevices++;
	*out = &dev->base;
	return 0;
}

static void fake_device_close(struct verbs_device *base)
{
	struct fake_device *dev = FAKE_OF(struct fake_device, base);

	dev->closed = true;
	device_release(dev);
}

static int fake_device_query(struct verbs_device *base, struct verbs_device_attr *attr)
{
	struct fake_device *dev = FAKE_OF(struct fake_device, base);

	if (dev->removed)
		return -ENODEV;
	*attr = dev->attr;
	return 0;
}

static bool limits_within(const struct verbs_device_attr *a, const struct verbs_device_attr *cap)
{
	return a->max_pd <= cap->max_pd && a->max_mr <= cap->max_mr &&
	       a->max_mr_size <= cap->max_mr_size && a->max_cq <= cap->max_cq &&
	       a->max_cqe <= cap->max_cqe && a->max_qp <= cap->max_qp &&
	       a->max_qp_wr <= cap->max_qp_wr && a->max_sge <= cap->max_sge &&
	       a->max_inline_data <= cap->max_inline_data && a->max_msg_sz <= cap->max_msg_sz &&
	       a->max_qp_rd_atom <= cap->max_qp_rd_atom &&
	       a->max_qp_init_rd_atom <= cap->max_qp_init_rd_atom;
}

int verbs_fake_device_set_limits(struct verbs_device *base, const struct verbs_device_attr *lim)
{
	struct verbs_device_attr next;
	struct fake_device *dev;

	if (!base || !lim || base->ops != &verbs_fake_ops)
		return -EINVAL;
	dev = FAKE_OF(struct fake_device, base);
	next = dev->attr;
	overlay_limits(&next, lim);
	/* Caps only lower: the fabric's limits are what the "hardware" has. */
	if (!limits_within(&next, &dev->fab->limits))
		return -EINVAL;
	dev->attr = next;
	return 0;
}

/* ---- PD and MR ------------------------------------------------------------- */

static int fake_pd_alloc(struct verbs_device *base, struct verbs_pd **out)
{
	struct fake_device *dev = FAKE_OF(struct fake_device, base);
	struct fake_pd *pd;

	if (dev->removed)
		return -ENODEV;
	if (dev->n_pd >= dev->attr.max_pd)
		return -ENOMEM;
	pd = calloc(1, sizeof(*pd));
	if (!pd)
		return -ENOMEM;
	pd->base.ops = &verbs_fake_ops;
	pd->dev = dev;
	dev->n_pd++;
	*out = &pd->base;
	return 0;
}

static int fake_pd_dealloc(struct verbs_pd *base)
{
	struct fake_pd *pd = FAKE_OF(struct fake_pd, base);
	struct fake_device *dev = pd->dev;

	if (pd->users)
		return -EBUSY;
	free(pd);
	dev->n_pd--;
	device_release(dev);
	return 0;
}

static int fake_mr_reg(struct verbs_pd *base, void *addr, size_t length, unsigned int access,
		       struct verbs_mr **out)
{
	struct fake_pd *pd = FAKE_OF(struct fake_pd, base);
	struct fake_device *dev = pd->dev;
	struct verbs_fake_fabric *fab = dev->fab;
	struct fake_mr *mr;

	if (dev->removed)
		return -ENODEV;
	if (length > dev->attr.max_mr_size)
		return -EINVAL;
	if (dev->n_mr >= dev->attr.max_mr)
		return -ENOMEM;
	mr = calloc(1, sizeof(*mr));
	if (!mr)
		return -ENOMEM;
	mr->base.ops = &verbs_fake_ops;
	mr->base.lkey = take_key(fab);
	mr->base.rkey = take_key(fab);
	mr->pd = pd;
	mr->addr = (uint64_t)(uintptr_t)addr;
	mr->length = length;
	mr->access = access;
	mr->rkey_valid = true;
	mr->next = fab->mrs;
	fab->mrs = mr;
	pd->users++;
	dev->n_mr++;
	*out = &mr->base;
	return 0;
}

static int fake_mr_dereg(struct verbs_mr *base)
{
	struct fake_mr *mr = FAKE_OF(struct fake_mr, base);
	struct fake_pd *pd = mr->pd;
	struct fake_device *dev = pd->dev;
	struct fake_mr **pos;

	for (pos = &dev->fab->mrs; *pos; pos = &(*pos)->next) {
		if (*pos == mr) {
			*pos = mr->next;
			break;
		}
	}
	free(mr);
	pd->users--;
	dev->n_mr--;
	device_release(dev);
	return 0;
}

/* [addr, addr + len) inside the MR, without u64 wrap. */
static bool mr_covers(const struct fake_mr *mr, uint64_t addr, uint64_t len)
{
	if (addr < mr->addr || len > mr->length)
		return false;
	return addr - mr->addr <= mr->length - len;
}

static struct fake_mr *mr_by_lkey(struct verbs_fake_fabric *fab, const struct fake_pd *pd,
				  uint32_t lkey)
{
	struct fake_mr *mr;

	for (mr = fab->mrs; mr; mr = mr->next)
		if (mr->base.lkey == lkey && mr->pd == pd)
			return mr;
	return NULL;
}

static struct fake_mr *mr_by_rkey(struct verbs_fake_fabric *fab, const struct fake_pd *pd,
				  uint32_t rkey)
{
	struct fake_mr *mr;

	for (mr = fab->mrs; mr; mr = mr->next)
		if (mr->base.rkey == rkey && mr->pd == pd)
			return mr;
	return NULL;
}

/* ---- CQ -------------------------------------------------------------------- */

static int fake_cq_create(struct verbs_device *base, const struct verbs_cq_attr *attr,
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
	cq->ring = calloc(attr->cqe, sizeof(*cq->ring));
	if (!cq->ring)
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
	cq->cap = attr->cqe;
	cq->dev = dev;
	dev->n_cq++;
	*out = &cq->base;
	return 0;

err_ring:
	free(cq->ring);
err_cq:
	free(cq);
	return rc;
}

static int fake_cq_destroy(struct verbs_cq *base)
{
	struct fake_cq *cq = FAKE_OF(struct fake_cq, base);
	struct fake_device *dev = cq->dev;

	if (cq->users)
		return -EBUSY;
	if (cq->base.fd >= 0)
		close(cq->base.fd);
	free(cq->ring);
	free(cq);
	dev->n_cq--;
	device_release(dev);
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

static void cq_push(struct fake_cq *cq, const struct verbs_wc *wc)
{
	if (cq->overrun)
		return;
	if (cq->count == cq->cap) {
		/* Like a CQ overrun on hardware: the CQ is lost, not the entry. */
		cq->overrun = true;
		return;
	}
	cq->ring[(cq->head + cq->count) % cq->cap] = *wc;
	cq->count++;
	cq_signal(cq);
}

static int fake_poll_cq(struct verbs_cq *base, int max, struct verbs_wc *wc)
{
	struct fake_cq *cq = FAKE_OF(struct fake_cq, base);
	int n = 0;

	if (!cq->dev->fab->manual_step)
		verbs_fake_step(cq->dev->fab);
	if (cq->overrun)
		return -EOVERFLOW;
	while (n < max && cq->count) {
		wc[n++] = cq->ring[cq->head];
		cq->head = (cq->head + 1) % cq->cap;
		cq->count--;
	}
	return n;
}

static int fake_cq_req_notify(struct verbs_cq *base)
{
	FAKE_OF(struct fake_cq, base)->armed = true;
	return 0;
}

static int fake_cq_get_event(struct verbs_cq *base)
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

/* ---- CM channel -------------------------------------------------------------- */

static int fake_channel_create(struct verbs_device *base, struct verbs_cm_channel **out)
{
	struct fake_device *dev = FAKE_OF(struct fake_device, base);
	struct fake_channel *ch;
	int rc;

	if (dev->removed)
		return -ENODEV;
	ch = calloc(1, sizeof(*ch));
	if (!ch)
		return -ENOMEM;
	ch->base.ops = &verbs_fake_ops;
	ch->base.fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC | EFD_SEMAPHORE);
	if (ch->base.fd < 0) {
		rc = -errno;
		free(ch);
		return rc;
	}
	ch->dev = dev;
	dev->n_channel++;
	*out = &ch->base;
	return 0;
}

static int fake_channel_destroy(struct verbs_cm_channel *base)
{
	struct fake_channel *ch = FAKE_OF(struct fake_channel, base);
	struct fake_device *dev = ch->dev;

	if (ch->users)
		return -EBUSY;
	while (ch->head) {
		struct fake_event *e = ch->head;

		ch->head = e->next;
		free(e);
	}
	close(ch->base.fd);
	free(ch);
	dev->n_channel--;
	device_release(dev);
	return 0;
}

/* Queues an event for id's channel; the payload is zero padded to pad_len
 * as the IB CM delivers it. */
static struct fake_event *event_post(struct fake_id *id, enum verbs_cm_event_type type, int status,
		       const struct cm_msg *m, uint8_t pad_len)
{
	struct fake_channel *ch = id->ch;
	struct fake_event *e = calloc(1, sizeof(*e));
	uint64_t one = 1;

	if (!e)
		return NULL;  /* an event lost to ENOMEM: the peer side times out */
	e->ev.type = type;
	e->ev.id = &id->base;
	e->ev.status = status;
	if (m) {
		e->ev.responder_resources = m->initiator_depth;
		e->ev.initiator_depth = m->responder_resources;
		memcpy(e->ev.private_data, m->pdata, m->pdata_len);
		e->ev.private_data_len = pad_len;
	}
	if (ch->tail)
		ch->tail->next = e;
	else
		ch->head = e;
	ch->tail = e;
	if (write(ch->base.fd, &one, sizeof(one)) < 0) {
		/* The fd is only a wake-up hint; the queue is authoritative. */
	}
	return e;
}

static void events_purge(struct fake_channel *ch, const struct fake_id *id)
{
	struct fake_event **pos = &ch->head;
	uint64_t value;

	ch->tail = NULL;
	while (*pos) {
		struct fake_event *e = *pos;

		if (e->ev.listen_id == &id->base)
			e->ev.listen_id = NULL;
		if (e->ev.id == &id->base) {
			*pos = e->next;
			free(e);
			if (read(ch->base.fd, &value, sizeof(value)) < 0) {
				/* counter already zero: nothing to undo */
			}
			continue;
		}
		ch->tail = e;
		pos = &e->next;
	}
}

static int fake_get_event(struct verbs_cm_channel *base, struct verbs_cm_event *ev)
{
	struct fake_channel *ch = FAKE_OF(struct fake_channel, base);
	struct fake_event *e;
	uint64_t value;

	if (!ch->dev->fab->manual_step)
		verbs_fake_step(ch->dev->fab);
	e = ch->head;
	if (!e)
		return -EAGAIN;
	ch->head = e->next;
	if (!ch->head)
		ch->tail = NULL;
	*ev = e->ev;
	free(e);
	if (read(ch->base.fd, &value, sizeof(value)) < 0) {
		/* see event_post */
	}
	return 0;
}

/* ---- QP state --------------------------------------------------------------- */

static void trace_wr(struct verbs_fake_fabric *fab, const struct fake_qp *qp,
		     const struct fake_swr *wr, enum verbs_wc_status status)
{
	struct verbs_fake_trace t;

	if (!fab->trace)
		return;
	t.step = fab->now;
	t.qp_num = qp->base.qp_num;
	t.opcode = wr->opcode;
	t.wr_id = wr->wr_id;
	t.status = status;
	fab->trace(fab->trace_arg, &t);
}

static void complete_error(struct fake_cq *cq, const struct fake_qp *qp, uint64_t wr_id,
			   enum verbs_wc_status status)
{
	struct verbs_wc wc = {
		.wr_id = wr_id,
		.status = status,
		.opcode = VERBS_WC_OPCODE_INVALID,
		.qp_num = qp->base.qp_num,
	};

	cq_push(cq, &wc);
}

/* Moves a QP to ERR and flushes every outstanding WR, send queue first. */
static void qp_fail(struct fake_qp *qp)
{
	qp->state = VERBS_QPS_ERR;
	while (qp->sq_count) {
		struct fake_swr *wr = &qp->sq[qp->sq_head];

		complete_error(qp->send_cq, qp, wr->wr_id, VERBS_WC_WR_FLUSH_ERR);
		qp->ctr.flushed++;
		qp->sq_head = (qp->sq_head + 1) % qp->caps.max_send_wr;
		qp->sq_count--;
	}
	qp->sq_unsignaled = 0;
	while (qp->rq_count) {
		struct fake_rwr *wr = &qp->rq[qp->rq_head];

		complete_error(qp->recv_cq, qp, wr->wr_id, VERBS_WC_WR_FLUSH_ERR);
		qp->ctr.flushed++;
		qp->rq_head = (qp->rq_head + 1) % qp->caps.max_recv_wr;
		qp->rq_count--;
	}
}

static int qp_caps_valid(const struct fake_device *dev, const struct verbs_qp_caps *c)
{
	if (c->max_send_wr == 0 || c->max_recv_wr == 0)
		return -EINVAL;
	if (c->max_send_wr > dev->attr.max_qp_wr || c->max_recv_wr > dev->attr.max_qp_wr)
		return -EINVAL;
	if (c->max_send_sge > dev->attr.max_sge || c->max_recv_sge > dev->attr.max_sge)
		return -EINVAL;
	if (c->max_inline_data > dev->attr.max_inline_data)
		return -EINVAL;
	return 0;
}

static void qp_free_queues(struct fake_qp *qp)
{
	free(qp->sq);
	free(qp->rq);
	free(qp->sq_sges);
	free(qp->rq_sges);
	free(qp->inline_pool);
}

static int qp_alloc_queues(struct fake_qp *qp)
{
	const struct verbs_qp_caps *c = &qp->caps;
	uint32_t i;

	qp->sq = calloc(c->max_send_wr, sizeof(*qp->sq));
	qp->rq = calloc(c->max_recv_wr, sizeof(*qp->rq));
	qp->sq_sges = calloc((size_t)c->max_send_wr * (c->max_send_sge ? c->max_send_sge : 1),
			     sizeof(*qp->sq_sges));
	qp->rq_sges = calloc((size_t)c->max_recv_wr * (c->max_recv_sge ? c->max_recv_sge : 1),
			     sizeof(*qp->rq_sges));
	qp->inline_pool = calloc((size_t)c->max_send_wr, c->max_inline_data ? c->max_inline_data : 1);
	if (!qp->sq || !qp->rq || !qp->sq_sges || !qp->rq_sges || !qp->inline_pool) {
		qp_free_queues(qp);
		return -ENOMEM;
	}
	for (i = 0; i < c->max_send_wr; i++) {
		qp->sq[i].sge = qp->sq_sges + (size_t)i * c->max_send_sge;
		qp->sq[i].inline_data = qp->inline_pool + (size_t)i * c->max_inline_data;
	}
	for (i = 0; i < c->max_recv_wr; i++)
		qp->rq[i].sge = qp->rq_sges + (size_t)i * c->max_recv_sge;
	return 0;
}

static int fabric_track_qp(struct verbs_fake_fabric *fab, struct fake_qp *qp)
{
	if (fab->nqps == fab->qps_cap) {
		size_t cap = fab->qps_cap ? fab->qps_cap * 2 : 8;
		struct fake_qp **qps = realloc(fab->qps, cap * sizeof(*qps));
		struct fake_qp **ready;

		if (!qps)
			return -ENOMEM;
		fab->qps = qps;
		ready = realloc(fab->ready, cap * sizeof(*ready));
		if (!ready)
			return -ENOMEM;
		fab->ready = ready;
		fab->qps_cap = cap;
	}
	fab->qps[fab->nqps++] = qp;
	return 0;
}

static void fabric_untrack_qp(struct verbs_fake_fabric *fab, struct fake_qp *qp)
{
	size_t i;

	for (i = 0; i < fab->nqps; i++) {
		if (fab->qps[i] == qp) {
			memmove(&fab->qps[i], &fab->qps[i + 1], (fab->nqps - i - 1) * sizeof(*fab->qps));
			fab->nqps--;
			return;
		}
	}
}

static bool id_may_create_qp(const struct fake_id *id)
{
	return id->state == ID_ROUTE_RESOLVED || id->state == ID_REQ_RECEIVED;
}

static int fake_qp_create(struct verbs_cm_id *id_base, struct verbs_pd *pd_base,
			  const struct verbs_qp_init_attr *attr, struct verbs_qp **out)
{
	struct fake_id *id = FAKE_OF(struct fake_id, id_base);
	struct fake_pd *pd = FAKE_OF(struct fake_pd, pd_base);
	struct fake_device *dev = pd->dev;
	struct fake_qp *qp;
	int rc;

	if (dev->removed || id->dev->removed)
		return -ENODEV;
	if (!id_may_create_qp(id) || id->dev != dev)
		return -EINVAL;
	if (FAKE_OF(struct fake_cq, attr->send_cq)->dev != dev ||
	    FAKE_OF(struct fake_cq, attr->recv_cq)->dev != dev)
		return -EINVAL;
	rc = qp_caps_valid(dev, &attr->cap);
	if (rc)
		return rc;
	if (dev->n_qp >= dev->attr.max_qp)
		return -ENOMEM;
	qp = calloc(1, sizeof(*qp));
	if (!qp)
		return -ENOMEM;
	qp->caps = attr->cap;
	rc = qp_alloc_queues(qp);
	if (rc)
		goto err_qp;
	rc = fabric_track_qp(dev->fab, qp);
	if (rc)
		goto err_queues;
	qp->base.ops = &verbs_fake_ops;
	qp->base.qp_num = dev->fab->next_qp_num++;
	qp->base.context = attr->context;
	qp->dev = dev;
	qp->pd = pd;
	qp->send_cq = FAKE_OF(struct fake_cq, attr->send_cq);
	qp->recv_cq = FAKE_OF(struct fake_cq, attr->recv_cq);
	qp->sig_all = attr->sq_sig_all;
	qp->id = id;
	/* rdma_create_qp leaves the QP in INIT; the CM does the rest. */
	qp->state = VERBS_QPS_INIT;
	qp->send_cq->users++;
	qp->recv_cq->users++;
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

static int fake_qp_destroy(struct verbs_qp *base)
{
	struct fake_qp *qp = FAKE_OF(struct fake_qp, base);
	struct fake_device *dev = qp->dev;

	if (qp->peer)
		qp->peer->peer = NULL;
	if (qp->id)
		qp->id->base.qp = NULL;
	fabric_untrack_qp(dev->fab, qp);
	qp->send_cq->users--;
	qp->recv_cq->users--;
	qp->pd->users--;
	qp_free_queues(qp);
	free(qp);
	dev->n_qp--;
	device_release(dev);
	return 0;
}

static int fake_qp_query(struct verbs_qp *base, enum verbs_qp_state *state,
			 struct verbs_qp_caps *caps)
{
	struct fake_qp *qp = FAKE_OF(struct fake_qp, base);

	if (state)
		*state = qp->state;
	if (caps)
		*caps = qp->caps;
	return 0;
}

static int fake_qp_to_error(struct verbs_qp *base)
{
	struct fake_qp *qp = FAKE_OF(struct fake_qp, base);

	/* The flush itself happens at the next step: nothing moves between
	 * polls. */
	qp->state = VERBS_QPS_ERR;
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

static uint64_t sge_total(const struct verbs_sge *sge, uint32_t n)
{
	uint64_t total = 0;
	uint32_t i;

	for (i = 0; i < n; i++)
		total += sge[i].length;  /* n <= max_sge, so no u64 wrap */
	return total;
}

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
		if (sge_total(wr->sg_list, wr->num_sge) > qp->caps.max_inline_data)
			return -EINVAL;
	}
	return 0;
}

static void send_wr_enqueue(struct fake_qp *qp, const struct verbs_send_wr *wr)
{
	uint32_t slot = (qp->sq_head + qp->sq_count) % qp->caps.max_send_wr;
	struct fake_swr *s = &qp->sq[slot];
	struct verbs_sge *sge = s->sge;
	uint8_t *inline_data = s->inline_data;
	uint32_t i;

	memset(s, 0, sizeof(*s));
	s->sge = sge;
	s->inline_data = inline_data;
	s->wr_id = wr->wr_id;
	s->opcode = wr->opcode;
	s->flags = wr->send_flags;
	s->remote_addr = wr->remote_addr;
	s->rkey = wr->rkey;
	s->invalidate_rkey = wr->invalidate_rkey;
	s->num_sge = wr->num_sge;
	s->length = sge_total(wr->sg_list, wr->num_sge);
	s->ready_at = qp->dev->fab->now + 1;
	if (wr->num_sge)
		memcpy(s->sge, wr->sg_list, wr->num_sge * sizeof(*s->sge));
	if (wr->send_flags & VERBS_SEND_INLINE) {
		uint64_t off = 0;

		/* Inline: the payload is taken now; the buffer may be reused
		 * as soon as post returns. */
		for (i = 0; i < wr->num_sge; i++) {
			if (!wr->sg_list[i].length)
				continue;
			memcpy(s->inline_data + off, (const void *)(uintptr_t)wr->sg_list[i].addr,
			       wr->sg_list[i].length);
			off += wr->sg_list[i].length;
		}
	}
	qp->sq_count++;
}

static int fake_post_send(struct verbs_qp *base, const struct verbs_send_wr *wr,
			  const struct verbs_send_wr **bad_wr)
{
	struct fake_qp *qp = FAKE_OF(struct fake_qp, base);
	int rc;

	if (qp->dev->removed)
		return -ENODEV;
	/* Send queue work needs RTS; in ERR posting is allowed and flushes. */
	if (qp->state != VERBS_QPS_RTS && qp->state != VERBS_QPS_ERR)
		return -EINVAL;
	for (; wr; wr = wr->next) {
		*bad_wr = wr;
		rc = send_wr_check(qp, wr);
		if (rc)
			return rc;
		if (qp->sq_count + qp->sq_unsignaled >= qp->caps.max_send_wr)
			return -ENOMEM;
		send_wr_enqueue(qp, wr);
	}
	*bad_wr = NULL;
	return 0;
}

static int fake_post_recv(struct verbs_qp *base, const struct verbs_recv_wr *wr,
			  const struct verbs_recv_wr **bad_wr)
{
	struct fake_qp *qp = FAKE_OF(struct fake_qp, base);

	if (qp->dev->removed)
		return -ENODEV;
	if (qp->state == VERBS_QPS_RESET)
		return -EINVAL;
	for (; wr; wr = wr->next) {
		struct fake_rwr *r;

		*bad_wr = wr;
		if (wr->num_sge > qp->caps.max_recv_sge || (wr->num_sge && !wr->sg_list))
			return -EINVAL;
		if (qp->rq_count >= qp->caps.max_recv_wr)
			return -ENOMEM;
		r = &qp->rq[(qp->rq_head + qp->rq_count) % qp->caps.max_recv_wr];
		r->wr_id = wr->wr_id;
		r->num_sge = wr->num_sge;
		if (wr->num_sge)
			memcpy(r->sge, wr->sg_list, wr->num_sge * sizeof(*r->sge));
		qp->rq_count++;
	}
	*bad_wr = NULL;
	return 0;
}

/* ---- data movement ------------------------------------------------------------ */

struct seg {
	uint8_t *p;
	uint64_t len;
};

enum { SEG_MAX = FAKE_MAX_SGE };

/* Resolves SGEs against MRs of pd: every byte must lie in an MR with the
 * lkey, and a destination needs LOCAL_WRITE. */
static bool sges_resolve(struct verbs_fake_fabric *fab, const struct fake_pd *pd,
			 const struct verbs_sge *sge, uint32_t n, bool writable, struct seg *out)
{
	uint32_t i;

	if (n > SEG_MAX)
		return false;
	for (i = 0; i < n; i++) {
		struct fake_mr *mr = mr_by_lkey(fab, pd, sge[i].lkey);

		if (!mr || !mr_covers(mr, sge[i].addr, sge[i].length))
			return false;
		if (writable && !(mr->access & VERBS_ACCESS_LOCAL_WRITE))
			return false;
		out[i].p = (uint8_t *)(uintptr_t)sge[i].addr;
		out[i].len = sge[i].length;
	}
	return true;
}

/* Copies len bytes from the src segments to the dst segments; the callers
 * have checked that both hold at least len. */
static void segs_copy(struct seg *dst, uint32_t nd, const struct seg *src, uint32_t ns,
		      uint64_t len)
{
	uint32_t di = 0, si = 0;
	uint64_t doff = 0, soff = 0;

	while (len && di < nd && si < ns) {
		uint64_t chunk = len;

		if (chunk > dst[di].len - doff)
			chunk = dst[di].len - doff;
		if (chunk > src[si].len - soff)
			chunk = src[si].len - soff;
		if (chunk)
			memmove(dst[di].p + doff, src[si].p + soff, chunk);
		doff += chunk;
		soff += chunk;
		len -= chunk;
		if (doff == dst[di].len) {
			di++;
			doff = 0;
		}
		if (soff == src[si].len) {
			si++;
			soff = 0;
		}
	}
}

static uint8_t *segs_byte(struct seg *segs, uint32_t n, uint64_t off)
{
	uint32_t i;

	for (i = 0; i < n; i++) {
		if (off < segs[i].len)
			return segs[i].p + off;
		off -= segs[i].len;
	}
	return NULL;
}

/* Flips bytes of a delivered payload: what a bad link would do if the ICRC
 * did not catch it. */
static void segs_corrupt(struct verbs_fake_fabric *fab, struct seg *segs, uint32_t n,
			 uint64_t len, uint32_t bytes)
{
	uint32_t i;

	for (i = 0; i < bytes && len; i++) {
		uint8_t *b = segs_byte(segs, n, rng_below(fab, len));

		if (b)
			*b ^= (uint8_t)(1 + rng_below(fab, 255));
	}
}

/* ---- fault injection ------------------------------------------------------------ */

static bool fault_is_data(enum verbs_fake_fault_kind kind)
{
	return kind != VERBS_FAKE_FAULT_REJECT_CONNECT;
}

int verbs_fake_inject(struct verbs_fake_fabric *fab, const struct verbs_fake_fault *fault)
{
	struct fault_slot *slot;

	if (!fab || !fault)
		return -EINVAL;
	if ((unsigned int)fault->kind > VERBS_FAKE_FAULT_REJECT_CONNECT)
		return -EINVAL;
	if (fault->ppm > 1000000 || fault->private_data_len > VERBS_REJECT_PDATA_MAX)
		return -EINVAL;
	if (fault->opcodes & ~((1u << (VERBS_WR_RDMA_READ + 1)) - 1))
		return -EINVAL;
	if (fab->nfaults == VERBS_FAKE_MAX_FAULTS)
		return -ENOSPC;
	slot = &fab->faults[fab->nfaults++];
	memset(slot, 0, sizeof(*slot));
	slot->fault = *fault;
	return 0;
}

void verbs_fake_clear_faults(struct verbs_fake_fabric *fab)
{
	if (fab)
		fab->nfaults = 0;
}

/* Counts a match and decides whether this one is hit (skip, count, ppm). */
static bool fault_fires(struct verbs_fake_fabric *fab, struct fault_slot *slot)
{
	slot->seen++;
	if (slot->seen <= slot->fault.skip)
		return false;
	if (slot->fault.count && slot->applied >= slot->fault.count)
		return false;
	if (slot->fault.ppm && rng_below(fab, 1000000) >= slot->fault.ppm)
		return false;
	slot->applied++;
	return true;
}

static void faults_apply_to_wr(struct verbs_fake_fabric *fab, struct fake_qp *qp,
			       struct fake_swr *wr)
{
	unsigned int i;

	wr->faults_evaluated = true;
	for (i = 0; i < fab->nfaults; i++) {
		struct fault_slot *slot = &fab->faults[i];
		const struct verbs_fake_fault *f = &slot->fault;

		if (!fault_is_data(f->kind))
			continue;
		if (f->qp_num && f->qp_num != qp->base.qp_num)
			continue;
		if (f->opcodes && !(f->opcodes & (1u << wr->opcode)))
			continue;
		if (!fault_fires(fab, slot))
			continue;
		switch (f->kind) {
		case VERBS_FAKE_FAULT_DELAY:
			wr->ready_at = fab->now + f->value;
			break;
		case VERBS_FAKE_FAULT_DROP_CONNECTION:
			qp->link_down = true;
			if (qp->peer)
				qp->peer->link_down = true;
			break;
		case VERBS_FAKE_FAULT_CORRUPT:
			wr->corrupt_bytes = f->value ? f->value : 1;
			break;
		case VERBS_FAKE_FAULT_FORCE_RNR:
			wr->forced_rnr = f->value ? f->value : FAKE_RNR_ALWAYS;
			break;
		case VERBS_FAKE_FAULT_REM_ACCESS:
			wr->forced_access_error = true;
			break;
		case VERBS_FAKE_FAULT_REJECT_CONNECT:
			break;
		}
	}
}

static const struct verbs_fake_fault *reject_fault(struct verbs_fake_fabric *fab, uint16_t port)
{
	unsigned int i;

	for (i = 0; i < fab->nfaults; i++) {
		struct fault_slot *slot = &fab->faults[i];

		if (slot->fault.kind != VERBS_FAKE_FAULT_REJECT_CONNECT)
			continue;
		if (slot->fault.port && slot->fault.port != port)
			continue;
		if (fault_fires(fab, slot))
			return &slot->fault;
	}
	return NULL;
}

/* ---- executing one send WR ------------------------------------------------------ */

enum exec_result {
	EXEC_DONE,     /* completed (success or error) */
	EXEC_WAIT,     /* held for a later step: delay, RNR or transport retry */
};

static void sq_pop(struct fake_qp *qp)
{
	qp->sq_head = (qp->sq_head + 1) % qp->caps.max_send_wr;
	qp->sq_count--;
}

static void requester_success(struct fake_qp *qp, struct fake_swr *wr, enum verbs_wc_opcode op,
			      uint32_t byte_len)
{
	struct verbs_wc wc = {
		.wr_id = wr->wr_id,
		.status = VERBS_WC_SUCCESS,
		.opcode = op,
		.byte_len = byte_len,
		.qp_num = qp->base.qp_num,
	};
	bool signaled = qp->sig_all || (wr->flags & VERBS_SEND_SIGNALED);

	trace_wr(qp->dev->fab, qp, wr, VERBS_WC_SUCCESS);
	sq_pop(qp);
	if (!signaled) {
		/* As on hardware, an unsignaled WR keeps its slot until a
		 * later signaled completion retires it. */
		qp->sq_unsignaled++;
		return;
	}
	qp->sq_unsignaled = 0;
	cq_push(qp->send_cq, &wc);
}

static void requester_error(struct fake_qp *qp, struct fake_swr *wr, enum verbs_wc_status status)
{
	trace_wr(qp->dev->fab, qp, wr, status);
	complete_error(qp->send_cq, qp, wr->wr_id, status);
	qp->ctr.errors++;
	sq_pop(qp);
	qp_fail(qp);
}

static void responder_error(struct fake_qp *peer, uint64_t wr_id, enum verbs_wc_status status)
{
	complete_error(peer->recv_cq, peer, wr_id, status);
	peer->ctr.errors++;
	qp_fail(peer);
}

static bool peer_reachable(const struct fake_qp *qp)
{
	const struct fake_qp *peer = qp->peer;

	if (qp->link_down || !peer || peer->dev->removed)
		return false;
	/* A responder below RTR (or in ERR) drops what it receives. */
	return peer->state == VERBS_QPS_RTR || peer->state == VERBS_QPS_RTS;
}

static enum exec_result transport_retry(struct fake_qp *qp, struct fake_swr *wr)
{
	struct verbs_fake_fabric *fab = qp->dev->fab;

	if (wr->transport_tries >= qp->retry_count) {
		requester_error(qp, wr, VERBS_WC_RETRY_EXC_ERR);
		return EXEC_DONE;
	}
	wr->transport_tries++;
	qp->ctr.retries++;
	wr->ready_at = fab->now + fab->retry_steps;
	return EXEC_WAIT;
}

static enum exec_result rnr_nak(struct fake_qp *qp, struct fake_swr *wr)
{
	struct verbs_fake_fabric *fab = qp->dev->fab;

	qp->ctr.rnr_naks++;
	if (qp->rnr_retry_count != FAKE_RNR_RETRY_FOREVER && wr->rnr_tries >= qp->rnr_retry_count) {
		requester_error(qp, wr, VERBS_WC_RNR_RETRY_EXC_ERR);
		return EXEC_DONE;
	}
	wr->rnr_tries++;
	wr->ready_at = fab->now + fab->rnr_steps;
	return EXEC_WAIT;
}

/* The local side of a WR: its SGEs, or the inline copy. */
static bool local_segs(struct fake_qp *qp, struct fake_swr *wr, bool writable, struct seg *segs,
		       uint32_t *n)
{
	if (wr->flags & VERBS_SEND_INLINE) {
		segs[0].p = wr->inline_data;
		segs[0].len = wr->length;
		*n = 1;
		return true;
	}
	*n = wr->num_sge;
	return sges_resolve(qp->dev->fab, qp->pd, wr->sge, wr->num_sge, writable, segs);
}

/* The responder's rkey check: right PD, not invalidated, the access the
 * operation needs, and the whole range inside the MR. */
static struct fake_mr *remote_mr_check(struct fake_qp *peer, struct fake_swr *wr,
				       unsigned int access)
{
	struct fake_mr *mr = mr_by_rkey(peer->dev->fab, peer->pd, wr->rkey);

	if (!mr || !mr->rkey_valid || !(mr->access & access))
		return NULL;
	if (!mr_covers(mr, wr->remote_addr, wr->length))
		return NULL;
	return mr;
}

static enum exec_result exec_rdma(struct fake_qp *qp, struct fake_swr *wr)
{
	struct verbs_fake_fabric *fab = qp->dev->fab;
	struct fake_qp *peer = qp->peer;
	bool is_read = wr->opcode == VERBS_WR_RDMA_READ;
	struct seg local[SEG_MAX], remote;
	uint32_t nlocal;

	if (!local_segs(qp, wr, is_read, local, &nlocal)) {
		requester_error(qp, wr, VERBS_WC_LOC_PROT_ERR);
		return EXEC_DONE;
	}
	/* Zero-length RDMA carries no rkey check, as on the wire. */
	if (wr->length) {
		if (wr->forced_access_error ||
		    !remote_mr_check(peer, wr, is_read ? VERBS_ACCESS_REMOTE_READ
						       : VERBS_ACCESS_REMOTE_WRITE)) {
			/* An rkey violation breaks the responder QP too. */
			peer->ctr.errors++;
			qp_fail(peer);
			requester_error(qp, wr, VERBS_WC_REM_ACCESS_ERR);
			return EXEC_DONE;
		}
	}
	remote.p = (uint8_t *)(uintptr_t)wr->remote_addr;
	remote.len = wr->length;
	if (is_read) {
		segs_copy(local, nlocal, &remote, 1, wr->length);
		segs_corrupt(fab, local, nlocal, wr->length, wr->corrupt_bytes);
		qp->ctr.read_ops++;
		qp->ctr.read_bytes += wr->length;
		requester_success(qp, wr, VERBS_WC_RDMA_READ, (uint32_t)wr->length);
	} else {
		segs_copy(&remote, 1, local, nlocal, wr->length);
		segs_corrupt(fab, &remote, 1, wr->length, wr->corrupt_bytes);
		qp->ctr.write_ops++;
		qp->ctr.write_bytes += wr->length;
		requester_success(qp, wr, VERBS_WC_RDMA_WRITE, 0);
	}
	return EXEC_DONE;
}

/* SEND_WITH_INV: the named rkey must be one the peer allowed us to
 * invalidate.  Returns the MR, or NULL for an invalid request. */
static struct fake_mr *invalidate_target(struct fake_qp *peer, uint32_t rkey)
{
	struct fake_mr *mr = mr_by_rkey(peer->dev->fab, peer->pd, rkey);

	if (!mr || !mr->rkey_valid || !(mr->access & VERBS_ACCESS_REMOTE_INVALIDATE))
		return NULL;
	return mr;
}

static enum exec_result exec_send(struct fake_qp *qp, struct fake_swr *wr)
{
	struct verbs_fake_fabric *fab = qp->dev->fab;
	struct fake_qp *peer = qp->peer;
	struct seg local[SEG_MAX], dst[SEG_MAX];
	struct fake_mr *inv = NULL;
	struct fake_rwr *recv;
	struct verbs_wc wc;
	uint32_t nlocal;

	if (!local_segs(qp, wr, false, local, &nlocal)) {
		requester_error(qp, wr, VERBS_WC_LOC_PROT_ERR);
		return EXEC_DONE;
	}
	if (wr->forced_rnr || peer->rq_count == 0) {
		if (wr->forced_rnr && wr->forced_rnr != FAKE_RNR_ALWAYS)
			wr->forced_rnr--;
		return rnr_nak(qp, wr);
	}
	recv = &peer->rq[peer->rq_head];
	peer->rq_head = (peer->rq_head + 1) % peer->caps.max_recv_wr;
	peer->rq_count--;
	if (!sges_resolve(fab, peer->pd, recv->sge, recv->num_sge, true, dst)) {
		responder_error(peer, recv->wr_id, VERBS_WC_LOC_PROT_ERR);
		requester_error(qp, wr, VERBS_WC_REM_OP_ERR);
		return EXEC_DONE;
	}
	if (sge_total(recv->sge, recv->num_sge) < wr->length) {
		responder_error(peer, recv->wr_id, VERBS_WC_LOC_LEN_ERR);
		requester_error(qp, wr, VERBS_WC_REM_INV_REQ_ERR);
		return EXEC_DONE;
	}
	if (wr->opcode == VERBS_WR_SEND_WITH_INV) {
		inv = invalidate_target(peer, wr->invalidate_rkey);
		if (!inv) {
			responder_error(peer, recv->wr_id, VERBS_WC_LOC_QP_OP_ERR);
			requester_error(qp, wr, VERBS_WC_REM_OP_ERR);
			return EXEC_DONE;
		}
		inv->rkey_valid = false;
	}
	segs_copy(dst, recv->num_sge, local, nlocal, wr->length);
	segs_corrupt(fab, dst, recv->num_sge, wr->length, wr->corrupt_bytes);
	memset(&wc, 0, sizeof(wc));
	wc.wr_id = recv->wr_id;
	wc.status = VERBS_WC_SUCCESS;
	wc.opcode = VERBS_WC_RECV;
	wc.byte_len = (uint32_t)wr->length;
	wc.qp_num = peer->base.qp_num;
	wc.src_qp = qp->base.qp_num;
	if (inv) {
		wc.wc_flags = VERBS_WC_WITH_INV;
		wc.invalidated_rkey = inv->base.rkey;
	}
	cq_push(peer->recv_cq, &wc);
	peer->ctr.recv_ops++;
	peer->ctr.recv_bytes += wr->length;
	qp->ctr.send_ops++;
	qp->ctr.send_bytes += wr->length;
	requester_success(qp, wr, VERBS_WC_SEND, 0);
	return EXEC_DONE;
}

static enum exec_result exec_head(struct fake_qp *qp)
{
	struct verbs_fake_fabric *fab = qp->dev->fab;
	struct fake_swr *wr = &qp->sq[qp->sq_head];

	if (!wr->faults_evaluated) {
		faults_apply_to_wr(fab, qp, wr);
		if (wr->ready_at > fab->now)
			return EXEC_WAIT;
	}
	if (wr->length > qp->dev->attr.max_msg_sz) {
		requester_error(qp, wr, VERBS_WC_LOC_LEN_ERR);
		return EXEC_DONE;
	}
	if (!peer_reachable(qp))
		return transport_retry(qp, wr);
	if (wr->opcode == VERBS_WR_RDMA_READ || wr->opcode == VERBS_WR_RDMA_WRITE)
		return exec_rdma(qp, wr);
	return exec_send(qp, wr);
}

/* ---- CM -------------------------------------------------------------------------- */

static int fake_id_create(struct verbs_cm_channel *ch_base, void *context, struct verbs_cm_id **out)
{
	struct fake_channel *ch = FAKE_OF(struct fake_channel, ch_base);
	struct verbs_fake_fabric *fab = ch->dev->fab;
	struct fake_id *id;

	if (ch->dev->removed)
		return -ENODEV;
	id = calloc(1, sizeof(*id));
	if (!id)
		return -ENOMEM;
	id->base.ops = &verbs_fake_ops;
	id->base.context = context;
	id->ch = ch;
	id->dev = ch->dev;
	id->num = fab->next_id_num++;
	id->next = fab->ids;
	fab->ids = id;
	ch->users++;
	*out = &id->base;
	return 0;
}

static void id_send_dreq(struct fake_id *id)
{
	struct cm_msg *m = msg_new(MSG_DREQ, id->num, id->peer_num);

	if (m)
		msg_send(id->dev->fab, m, 0);
}

static void listener_release_request(struct verbs_fake_fabric *fab, struct fake_id *id)
{
	struct fake_id *listener = id_by_num(fab, id->listener_num);

	if (listener && listener->pending_requests > 0)
		listener->pending_requests--;
}

static void id_send_rej(struct fake_id *id, uint8_t reason, const void *pdata, uint8_t len)
{
	struct cm_msg *m = msg_new(MSG_REJ, id->num, id->peer_num);

	if (!m)
		return;
	m->status = reason;
	if (len)
		memcpy(m->pdata, pdata, len);
	m->pdata_len = VERBS_REJECT_PDATA_MAX;
	msg_send(id->dev->fab, m, 0);
}

static int fake_id_destroy(struct verbs_cm_id *base)
{
	struct fake_id *id = FAKE_OF(struct fake_id, base);
	struct verbs_fake_fabric *fab = id->dev->fab;
	struct fake_channel *ch = id->ch;
	struct fake_id **pos;

	/* What the kernel does for an id destroyed mid-life. */
	if (id->state == ID_CONNECTED || id->state == ID_ACCEPTED)
		id_send_dreq(id);
	if (id->state == ID_REQ_RECEIVED) {
		id_send_rej(id, VERBS_REJ_CONSUMER_DEFINED, NULL, 0);
		listener_release_request(fab, id);
	}
	for (pos = &fab->ids; *pos; pos = &(*pos)->next) {
		if (*pos == id) {
			*pos = id->next;
			break;
		}
	}
	events_purge(ch, id);
	free(id);
	ch->users--;
	return 0;
}

static bool listener_conflicts(const struct fake_id *l, const struct verbs_addr *a)
{
	if (l->state != ID_LISTEN || l->addr.port != a->port)
		return false;
	return l->addr.wildcard || a->wildcard || strcmp(l->addr.host, a->host) == 0;
}

static int fake_listen(struct verbs_cm_id *base, const char *text, int backlog)
{
	struct fake_id *id = FAKE_OF(struct fake_id, base);
	struct verbs_addr addr;
	struct fake_id *other;
	int rc;

	if (id->dev->removed)
		return -ENODEV;
	if (id->state != ID_IDLE)
		return -EINVAL;
	rc = verbs_addr_parse(text, true, &addr);
	if (rc)
		return rc;
	if (addr.port == 0)
		return -EINVAL;
	for (other = id->dev->fab->ids; other; other = other->next)
		if (listener_conflicts(other, &addr))
			return -EADDRINUSE;
	id->addr = addr;
	id->backlog = backlog > 0 ? backlog : FAKE_DEFAULT_BACKLOG;
	id->state = ID_LISTEN;
	return 0;
}

static int fake_resolve(struct verbs_cm_id *base, const char *text, int timeout_ms)
{
	struct fake_id *id = FAKE_OF(struct fake_id, base);
	struct verbs_addr addr;
	struct cm_msg *m;
	int rc;

	(void)timeout_ms;  /* the fake resolves in one step */
	if (id->dev->removed)
		return -ENODEV;
	if (id->state != ID_IDLE)
		return -EINVAL;
	rc = verbs_addr_parse(text, true, &addr);
	if (rc)
		return rc;
	if (addr.port == 0)
		return -EINVAL;
	m = msg_new(MSG_ROUTE, id->num, id->num);
	if (!m)
		return -ENOMEM;
	m->status = addr.wildcard ? -EADDRNOTAVAIL : 0;
	id->addr = addr;
	id->state = ID_RESOLVING;
	msg_send(id->dev->fab, m, 0);
	return 0;
}

static int rd_atom_check(const struct fake_device *dev, const struct verbs_conn_param *p)
{
	if (p->responder_resources > dev->attr.max_qp_rd_atom)
		return -EINVAL;
	if (p->initiator_depth > dev->attr.max_qp_init_rd_atom)
		return -EINVAL;
	return 0;
}

static void fill_pdata(struct cm_msg *m, const struct verbs_conn_param *p)
{
	m->responder_resources = p->responder_resources;
	m->initiator_depth = p->initiator_depth;
	if (p->private_data_len)
		memcpy(m->pdata, p->private_data, p->private_data_len);
}

static int fake_connect(struct verbs_cm_id *base, const struct verbs_conn_param *param)
{
	struct fake_id *id = FAKE_OF(struct fake_id, base);
	struct cm_msg *m;
	int rc;

	if (id->dev->removed)
		return -ENODEV;
	if (id->state != ID_ROUTE_RESOLVED || !id->base.qp)
		return -EINVAL;
	rc = rd_atom_check(id->dev, param);
	if (rc)
		return rc;
	m = msg_new(MSG_REQ, id->num, 0);
	if (!m)
		return -ENOMEM;
	fill_pdata(m, param);
	m->pdata_len = VERBS_CONNECT_PDATA_MAX;
	m->addr = id->addr;
	m->qp_num = id->base.qp->qp_num;
	id->param = *param;
	id->param.private_data = NULL;
	id->state = ID_CONNECTING;
	msg_send(id->dev->fab, m, 0);
	return 0;
}

static void qp_set_retries(struct fake_qp *qp, const struct verbs_conn_param *p)
{
	qp->retry_count = p->retry_count;
	qp->rnr_retry_count = p->rnr_retry_count;
}

static int fake_accept(struct verbs_cm_id *base, const struct verbs_conn_param *param)
{
	struct fake_id *id = FAKE_OF(struct fake_id, base);
	struct verbs_fake_fabric *fab = id->dev->fab;
	struct fake_qp *qp, *peer;
	struct cm_msg *m;
	int rc;

	if (id->dev->removed)
		return -ENODEV;
	if (id->state != ID_REQ_RECEIVED || !id->base.qp)
		return -EINVAL;
	rc = rd_atom_check(id->dev, param);
	if (rc)
		return rc;
	m = msg_new(MSG_REP, id->num, id->peer_num);
	if (!m)
		return -ENOMEM;
	fill_pdata(m, param);
	m->pdata_len = VERBS_ACCEPT_PDATA_MAX;
	qp = FAKE_OF(struct fake_qp, id->base.qp);
	m->qp_num = qp->base.qp_num;
	/* rdma_accept takes the QP through RTR to RTS. */
	qp_set_retries(qp, param);
	qp->state = VERBS_QPS_RTS;
	peer = qp_by_num(fab, id->peer_qp_num);
	if (peer && !peer->peer) {
		qp->peer = peer;
		peer->peer = qp;
	}
	id->param = *param;
	id->param.private_data = NULL;
	id->state = ID_ACCEPTED;
	listener_release_request(fab, id);
	msg_send(fab, m, 0);
	return 0;
}

static int fake_reject(struct verbs_cm_id *base, const void *pdata, uint8_t len)
{
	struct fake_id *id = FAKE_OF(struct fake_id, base);

	if (id->state != ID_REQ_RECEIVED)
		return -EINVAL;
	id_send_rej(id, VERBS_REJ_CONSUMER_DEFINED, pdata, len);
	listener_release_request(id->dev->fab, id);
	id->state = ID_REJECTED;
	return 0;
}

static void id_qp_fail(struct fake_id *id)
{
	if (id->base.qp)
		qp_fail(FAKE_OF(struct fake_qp, id->base.qp));
}

static int fake_disconnect(struct verbs_cm_id *base)
{
	struct fake_id *id = FAKE_OF(struct fake_id, base);

	if (id->state != ID_CONNECTED && id->state != ID_ACCEPTED)
		return -EINVAL;
	id_qp_fail(id);
	id_send_dreq(id);
	id->state = ID_DISCONNECTING;
	return 0;
}

/* CM message handlers, one per message type. */

static void on_route(struct verbs_fake_fabric *fab, struct fake_id *id, struct cm_msg *m)
{
	(void)fab;
	if (id->state != ID_RESOLVING)
		return;
	if (m->status) {
		id->state = ID_IDLE;
		event_post(id, VERBS_CM_EVENT_ADDR_ERROR, m->status, NULL, 0);
		return;
	}
	id->state = ID_ROUTE_RESOLVED;
	event_post(id, VERBS_CM_EVENT_ROUTE_RESOLVED, 0, NULL, 0);
}

static struct fake_id *listener_find(struct verbs_fake_fabric *fab, const struct verbs_addr *a)
{
	struct fake_id *id;

	for (id = fab->ids; id; id = id->next) {
		if (id->state != ID_LISTEN || id->dev->removed || id->addr.port != a->port)
			continue;
		if (id->addr.wildcard || strcmp(id->addr.host, a->host) == 0)
			return id;
	}
	return NULL;
}

static void reply_rej(struct verbs_fake_fabric *fab, const struct cm_msg *req, uint8_t reason,
		      const uint8_t *pdata, uint8_t len)
{
	struct cm_msg *m = msg_new(MSG_REJ, 0, req->from);

	if (!m)
		return;
	m->status = reason;
	if (len)
		memcpy(m->pdata, pdata, len);
	m->pdata_len = VERBS_REJECT_PDATA_MAX;
	msg_send(fab, m, 0);
}

/* A full backlog drops the request; the requester retries and finally
 * reports UNREACHABLE. */
static void req_retry_or_give_up(struct verbs_fake_fabric *fab, struct cm_msg *m)
{
	struct fake_id *active = id_by_num(fab, m->from);
	struct cm_msg *again;

	if (!active || active->state != ID_CONNECTING)
		return;
	if (m->tries >= fab->cm_retries) {
		active->state = ID_IDLE;
		event_post(active, VERBS_CM_EVENT_UNREACHABLE, -ETIMEDOUT, NULL, 0);
		return;
	}
	again = msg_new(MSG_REQ, m->from, 0);
	if (!again)
		return;
	*again = *m;
	again->tries++;
	msg_send(fab, again, fab->cm_retry_steps);
}

static void on_req(struct verbs_fake_fabric *fab, struct cm_msg *m)
{
	struct fake_id *listener = listener_find(fab, &m->addr);
	const struct verbs_fake_fault *fault;
	struct verbs_cm_id *new_base;
	struct fake_id *id;
	struct fake_event *ev;

	if (!listener) {
		reply_rej(fab, m, VERBS_REJ_INVALID_SERVICE_ID, NULL, 0);
		return;
	}
	fault = reject_fault(fab, listener->addr.port);
	if (fault) {
		reply_rej(fab, m, fault->reject_reason ? fault->reject_reason
						       : VERBS_REJ_CONSUMER_DEFINED,
			  fault->private_data, fault->private_data_len);
		return;
	}
	if (listener->pending_requests >= listener->backlog ||
	    fake_id_create(&listener->ch->base, listener->base.context, &new_base)) {
		req_retry_or_give_up(fab, m);
		return;
	}
	id = FAKE_OF(struct fake_id, new_base);
	id->state = ID_REQ_RECEIVED;
	id->listener_num = listener->num;
	id->peer_num = m->from;
	id->peer_qp_num = m->qp_num;
	id->addr = listener->addr;
	listener->pending_requests++;
	ev = event_post(id, VERBS_CM_EVENT_CONNECT_REQUEST, 0, m, m->pdata_len);
	if (ev)
		ev->ev.listen_id = &listener->base;
}

static void on_rep(struct verbs_fake_fabric *fab, struct fake_id *id, struct cm_msg *m)
{
	struct fake_qp *qp;
	struct cm_msg *rtu;

	if (id->state != ID_CONNECTING || !id->base.qp)
		return;
	qp = FAKE_OF(struct fake_qp, id->base.qp);
	if (qp->state == VERBS_QPS_INIT) {
		qp_set_retries(qp, &id->param);
		qp->state = VERBS_QPS_RTS;
	}
	id->peer_num = m->from;
	id->state = ID_CONNECTED;
	event_post(id, VERBS_CM_EVENT_ESTABLISHED, 0, m, m->pdata_len);
	rtu = msg_new(MSG_RTU, id->num, m->from);
	if (rtu)
		msg_send(fab, rtu, 0);
}

static void on_rtu(struct fake_id *id)
{
	if (id->state != ID_ACCEPTED)
		return;
	id->state = ID_CONNECTED;
	event_post(id, VERBS_CM_EVENT_ESTABLISHED, 0, NULL, 0);
}

static void on_rej(struct fake_id *id, struct cm_msg *m)
{
	if (id->state != ID_CONNECTING)
		return;
	id->state = ID_REJECTED;
	event_post(id, VERBS_CM_EVENT_REJECTED, m->status, m, m->pdata_len);
}

static void on_dreq(struct verbs_fake_fabric *fab, struct fake_id *id, struct cm_msg *m)
{
	struct cm_msg *drep;

	if (id->state == ID_CONNECTED || id->state == ID_ACCEPTED) {
		id_qp_fail(id);
		id->state = ID_DISCONNECTED;
		event_post(id, VERBS_CM_EVENT_DISCONNECTED, 0, NULL, 0);
	}
	drep = msg_new(MSG_DREP, id->num, m->from);
	if (drep)
		msg_send(fab, drep, 0);
}

static void on_drep(struct fake_id *id, int status)
{
	if (id->state != ID_DISCONNECTING)
		return;
	id->state = ID_DISCONNECTED;
	event_post(id, VERBS_CM_EVENT_DISCONNECTED, status, NULL, 0);
}

static void deliver(struct verbs_fake_fabric *fab, struct cm_msg *m)
{
	struct fake_id *to = m->type == MSG_REQ ? NULL : id_by_num(fab, m->to);
	struct cm_msg *timeout;

	if (m->type == MSG_REQ) {
		on_req(fab, m);
		return;
	}
	if (!to || to->dev->removed) {
		/* A DREQ nobody answers ends in a timeout for its sender. */
		if (m->type == MSG_DREQ) {
			timeout = msg_new(MSG_DREQ_TIMEOUT, 0, m->from);
			if (timeout)
				msg_send(fab, timeout, (uint64_t)fab->cm_retries * fab->cm_retry_steps);
		}
		return;
	}
	switch (m->type) {
	case MSG_ROUTE:
		on_route(fab, to, m);
		break;
	case MSG_REP:
		on_rep(fab, to, m);
		break;
	case MSG_RTU:
		on_rtu(to);
		break;
	case MSG_REJ:
		on_rej(to, m);
		break;
	case MSG_DREQ:
		on_dreq(fab, to, m);
		break;
	case MSG_DREP:
		on_drep(to, 0);
		break;
	case MSG_DREQ_TIMEOUT:
		on_drep(to, -ETIMEDOUT);
		break;
	case MSG_REQ:
		break;
	}
}

static int deliver_due(struct verbs_fake_fabric *fab)
{
	int n = 0;

	while (fab->msg_head && fab->msg_head->due <= fab->now) {
		struct cm_msg *m = fab->msg_head;

		fab->msg_head = m->next;
		deliver(fab, m);
		free(m);
		n++;
	}
	return n;
}

int verbs_fake_device_remove(struct verbs_device *base)
{
	struct fake_device *dev;
	struct verbs_fake_fabric *fab;
	struct fake_id *id;
	size_t i;

	if (!base || base->ops != &verbs_fake_ops)
		return -EINVAL;
	dev = FAKE_OF(struct fake_device, base);
	fab = dev->fab;
	if (dev->removed)
		return -ENODEV;
	dev->removed = true;
	for (id = fab->ids; id; id = id->next) {
		struct fake_id *peer;

		if (id->dev != dev)
			continue;
		event_post(id, VERBS_CM_EVENT_DEVICE_REMOVAL, 0, NULL, 0);
		peer = id->peer_num ? id_by_num(fab, id->peer_num) : NULL;
		if (peer && peer->dev != dev &&
		    (peer->state == ID_CONNECTED || peer->state == ID_ACCEPTED)) {
			id_qp_fail(peer);
			peer->state = ID_DISCONNECTED;
			event_post(peer, VERBS_CM_EVENT_DISCONNECTED, 0, NULL, 0);
		}
	}
	for (i = 0; i < fab->nqps; i++)
		if (fab->qps[i]->dev == dev)
			qp_fail(fab->qps[i]);
	return 0;
}

/* ---- scheduler ------------------------------------------------------------------ */

static bool qp_due(const struct verbs_fake_fabric *fab, const struct fake_qp *qp)
{
	return qp->state == VERBS_QPS_RTS && qp->sq_count &&
	       qp->sq[qp->sq_head].ready_at <= fab->now;
}

static bool qp_needs_flush(const struct fake_qp *qp)
{
	return qp->state == VERBS_QPS_ERR && (qp->sq_count || qp->rq_count);
}

int verbs_fake_step(struct verbs_fake_fabric *fab)
{
	size_t i, nready = 0;
	int processed;

	if (!fab)
		return -EINVAL;
	fab->now++;
	processed = deliver_due(fab);
	for (i = 0; i < fab->nqps; i++) {
		struct fake_qp *qp = fab->qps[i];

		if (qp_needs_flush(qp)) {
			processed += (int)(qp->sq_count + qp->rq_count);
			qp_fail(qp);
		} else if (qp_due(fab, qp)) {
			fab->ready[nready++] = qp;
		}
	}
	/* Fisher-Yates from the seeded generator: the interleaving of QPs
	 * within a step is a function of the seed. */
	for (i = nready; i > 1; i--) {
		size_t j = (size_t)rng_below(fab, i);
		struct fake_qp *t = fab->ready[i - 1];

		fab->ready[i - 1] = fab->ready[j];
		fab->ready[j] = t;
	}
	for (i = 0; i < nready; i++) {
		struct fake_qp *qp = fab->ready[i];

		/* An earlier QP of this step may have failed this one. */
		if (!qp_due(fab, qp))
			continue;
		exec_head(qp);
		processed++;
	}
	return processed;
}

static bool fabric_busy(const struct verbs_fake_fabric *fab)
{
	size_t i;

	if (fab->msg_head)
		return true;
	for (i = 0; i < fab->nqps; i++) {
		const struct fake_qp *qp = fab->qps[i];

		if ((qp->state == VERBS_QPS_RTS && qp->sq_count) || qp_needs_flush(qp))
			return true;
	}
	return false;
}

int verbs_fake_run(struct verbs_fake_fabric *fab, int max_steps)
{
	int steps = 0;

	if (!fab || max_steps < 0)
		return -EINVAL;
	while (steps < max_steps && fabric_busy(fab)) {
		verbs_fake_step(fab);
		steps++;
	}
	return steps;
}

const struct verbs_ops verbs_fake_ops = {
	.name = "fake",
	.device_open = fake_device_open,
	.device_close = fake_device_close,
	.device_query = fake_device_query,
	.pd_alloc = fake_pd_alloc,
	.pd_dealloc = fake_pd_dealloc,
	.mr_reg = fake_mr_reg,
	.mr_dereg = fake_mr_dereg,
	.cq_create = fake_cq_create,
	.cq_destroy = fake_cq_destroy,
	.poll_cq = fake_poll_cq,
	.cq_req_notify = fake_cq_req_notify,
	.cq_get_event = fake_cq_get_event,
	.channel_create = fake_channel_create,
	.channel_destroy = fake_channel_destroy,
	.get_event = fake_get_event,
	.id_create = fake_id_create,
	.id_destroy = fake_id_destroy,
	.listen = fake_listen,
	.resolve = fake_resolve,
	.connect = fake_connect,
	.accept = fake_accept,
	.reject = fake_reject,
	.disconnect = fake_disconnect,
	.qp_create = fake_qp_create,
	.qp_destroy = fake_qp_destroy,
	.qp_query = fake_qp_query,
	.qp_to_error = fake_qp_to_error,
	.post_send = fake_post_send,
	.post_recv = fake_post_recv,
};
