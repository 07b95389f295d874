/* NVMe/RDMA, target side.  One RC queue pair per NVMe queue: the host SENDs
 * command capsules into our posted receive buffers; data moves by RDMA READ
 * (host to controller) and RDMA WRITE (controller to host) against the
 * host's keyed SGL descriptors, or rides in the capsule; we SEND the
 * response capsule (with invalidate when the host asked for it).
 *
 * Everything from the wire is hostile: capsule length, SGL type, offset,
 * length and count are bounded before use, without u64 wrap, and each
 * violation gets its own status (NVMe Base 2.0 §4.3.2; catalogue §4.7).  A
 * host that breaks the transport itself (a runt capsule, more capsules
 * than its queue holds) loses the connection.
 *
 * Nor does a host decide what we hold (docs/target-resources.md):
 * - Data buffers come from the listener's pool (pool.c), one registered
 *   region; a command waits there in order, never fails for want of one.
 *   In-capsule data is used where it arrived, in the receive buffer.
 * - Before Fabrics Connect a queue has one receive buffer (from a shared,
 *   registered slab) and NR_BOOT_CMDS contexts; the rest of its receive
 *   ring and its 2 x depth contexts come with a successful Connect.
 * - Connections are capped per port and per host address, and one that
 *   has not connected within connect_timeout_ms is dropped; the pending
 *   ones sit in a FIFO in accept order, so the check costs O(1) a poll.
 * - Every QP completes into a few shared CQs (as Linux's ib_cq_pool), each
 *   QP reserving the entries it can ever have outstanding; a work
 *   request's wr_id is the address of its receive buffer or command, so a
 *   completion costs O(1) whatever the number of queues.  A connection is
 *   freed only when all its work requests have completed (drained). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spec/rdma_cm.h"
#include "target/pool.h"
#include "target/rdma.h"
#include "target/target_priv.h"

#define SQE_LEN 64u
#define MSDBD_MAX 16u
#define WR_KIND_MASK 7u
/* Before Connect: the capsule being answered and the one before it, whose
 * response SEND may not have completed yet. */
#define NR_BOOT_CMDS 2u
#define BOOT_PER_SLAB 64u
#define SCQ_DEFAULT_CQE 32768u
#define SCQ_QPS_PER_CQ 32u
/* Controller-to-host commands of one queue holding pool runs at once: their
 * RDMA WRITEs stall behind a response SEND that retries RNR, so this bounds
 * what a host withholding receives pins (as ORD bounds its Writes). */
#define C2H_RUNS_MAX 16u
#define HOST_BUCKETS_MIN 64u
#define HOST_BUCKETS_MAX 65536u
#define NSEC_PER_MSEC 1000000ull

#define container_of(p, type, member) ((type *)(void *)((char *)(p) - offsetof(type, member)))

enum wr_kind { WR_RECV = 1, WR_READ, WR_WRITE, WR_SEND };

enum xfer_dir { XFER_NONE, XFER_H2C, XFER_C2H };

struct remote_seg {
	uint64_t addr;
	uint32_t len;
	uint32_t key;
};

/* A receive buffer; its address (8-aligned, kind in the low bits) is the
 * RECV's wr_id. */
struct rdma_recv {
	_Alignas(8) struct rdma_conn *conn;
	uint8_t *buf;
	uint32_t lkey;
};

struct rdma_cmd {
	_Alignas(8) struct rdma_conn *conn;
	bool busy;
	struct nvsim_sqe sqe;
	enum xfer_dir dir;
	struct rdma_recv *recv; /* held: the capsule is still needed */
	bool icd_in_place;	/* the data is the capsule's, where it arrived */
	bool icd_copy;		/* icd-offset-unchecked: copied into a pool buffer */
	uint64_t icd_off;
	struct nvsim_pool_req pool;
	uint8_t *buf;
	size_t data_len;
	struct nvsim_iov iov;
	struct nvsim_data data;
	struct remote_seg *rd; /* MSDBD of them */
	unsigned int nr_rd;
	unsigned int reads_left;
	bool invalidate;
	uint32_t inv_rkey;
	struct nvsim_cqe *rsp; /* registered, rsp_lkey */
	uint32_t rsp_lkey;
	unsigned int wrs_inflight; /* posted send-side WRs not yet completed */
	unsigned int writes_left;  /* of those, RDMA WRITEs of the data */
	bool answered;		   /* the CQE has been handed to us */
	bool kept;		   /* never-complete-icd-read: held until the queue goes */
	bool c2h_slot;		   /* counted in conn->c2h_runs */
	struct rdma_cmd *next_wait;
};

/* Receive buffers and responses of queues before Connect: BOOT_PER_SLAB
 * of them in one registered allocation. */
struct boot_slab {
	struct boot_slab *prev, *next; /* on the list of slabs with room */
	uint8_t *mem;
	struct verbs_mr *mr;
	uint32_t nr_free;
	bool listed;
	uint16_t free[BOOT_PER_SLAB];
};

/* A completion queue shared by many QPs. */
struct rdma_scq {
	struct rdma_scq *next;
	struct verbs_cq *cq;
	uint32_t cap, reserved;
	bool lost; /* overran: never polled again */
};

struct host_count {
	struct host_count *next;
	uint32_t conns;
	char host[VERBS_ADDR_STR_MAX];
};

struct rdma_conn {
	struct nvsim_rdma_target *rt;
	struct rdma_conn *prev, *next;		 /* rt->conns */
	struct rdma_conn *pend_prev, *pend_next; /* waiting for Connect, oldest first */
	struct rdma_conn *disc_prev, *disc_next; /* disconnected, no DISCONNECTED yet */
	struct rdma_conn *reap_next;
	uint64_t accepted_ns;
	uint64_t disconnect_ns;
	struct host_count *host;
	struct verbs_cm_id *id;
	struct verbs_qp *qp;
	struct rdma_scq *scq;
	uint32_t cqe_need; /* reserved on scq */
	size_t ring_reserve; /* of recv_ring_bytes_max */
	struct nvsim_tq *tq;
	uint16_t qid;
	uint32_t depth; /* receive buffers: the host's SQ size */
	uint32_t nr_cmds; /* command contexts: twice the depth (see conn_grow) */
	/* Before Connect. */
	struct boot_slab *bslab;
	uint32_t bidx;
	struct rdma_recv boot_recv;
	struct rdma_cmd *boot_cmds;
	struct rdma_cmd *boot_free[NR_BOOT_CMDS];
	/* With Connect: the rest of the ring (one registered region holding
	 * depth - 1 receive buffers and the new contexts' responses). */
	bool grown;
	uint8_t *ring;
	size_t ring_bytes;
	struct verbs_mr *ring_mr;
	struct rdma_recv *recvs;
	struct rdma_cmd *cmds;
	struct remote_seg *segs;
	struct rdma_cmd **free_cmds;
	uint32_t nr_free;
	uint32_t ord; /* RDMA READs we may have outstanding against the host */
	uint32_t reads_inflight;
	struct rdma_cmd *wait_head, *wait_tail;
	struct rdma_cmd *pool_reader; /* the head of the READ queue, waiting for the pool */
	struct rdma_cmd *c2h_head, *c2h_tail; /* waiting for a C2H slot */
	uint32_t c2h_runs; /* controller-to-host commands holding (or asking for) a run */
	uint32_t send_inflight;
	uint32_t recv_posted;
	uint64_t pool_waits;
	bool pending;		/* on the Connect timer's FIFO */
	bool disc_listed;	/* on the disconnect timer's FIFO */
	bool disconnect_wanted; /* after the send queue drains */
	bool disconnected;	/* verbs_cm_disconnect called */
	bool dead;		/* DISCONNECTED seen: free once drained */
	bool reaping;		/* on rt->reap */
	char peer[96];
};

struct nvsim_rdma_target {
	struct nvsim_target *target;
	struct nvsim_port *port;
	struct nvsim_rdma_target_config cfg;
	struct verbs_device *dev;
	struct verbs_device_attr attr;
	struct verbs_pd *pd;
	struct verbs_cm_channel *ch;
	struct verbs_cm_id *listen_id;
	struct rdma_conn *conns;
	struct rdma_conn *pend_head, *pend_tail;
	struct rdma_conn *disc_head, *disc_tail;
	struct rdma_conn *reap;
	unsigned int nr_conns, nr_pending;
	uint32_t icd;	     /* in-capsule data bytes */
	uint32_t recv_size;  /* SQE + in-capsule data */
	size_t boot_elem;    /* a receive buffer and NR_BOOT_CMDS responses */
	uint32_t max_io;     /* bytes per command */
	unsigned int msdbd;
	uint32_t conns_seen; /* numbers connections in log lines */
	struct nvsim_pool *pool;
	struct verbs_mr *pool_mr;
	struct boot_slab *boot_room; /* slabs with a free element */
	struct rdma_scq *scqs;
	struct host_count **hosts;
	uint32_t host_mask;
	struct nvsim_rdma_target_stats st;
};

void nvsim_rdma_target_config_init(struct nvsim_rdma_target_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->provider = "fake";
	cfg->addr = "0.0.0.0:4420";
	cfg->backlog = 128;
}

static bool rt_quirk(const struct nvsim_rdma_target *rt, nvsim_quirks_t q)
{
	return (rt->target->cfg.quirks & q) != 0;
}

static uint64_t rt_now(const struct nvsim_rdma_target *rt)
{
	const struct nvsim_clock *clk = &rt->target->cfg.clock;

	return clk->now_ns(clk->ctx);
}

static uint64_t wr_id_of(const void *p, enum wr_kind kind)
{
	return (uint64_t)(uintptr_t)p | kind;
}

/* ---- what we allocate, counted --------------------------------------------- */

static void mem_add(struct nvsim_rdma_target *rt, size_t n)
{
	rt->st.mem_bytes += n;
	if (rt->st.mem_bytes > rt->st.mem_high_water)
		rt->st.mem_high_water = rt->st.mem_bytes;
}

static void *rt_calloc(struct nvsim_rdma_target *rt, size_t n, size_t size)
{
	void *p = n && size ? calloc(n, size) : NULL;

	if (p)
		mem_add(rt, n * size);
	return p;
}

static void *rt_malloc(struct nvsim_rdma_target *rt, size_t size)
{
	void *p = size ? malloc(size) : NULL;

	if (p)
		mem_add(rt, size);
	return p;
}

static void rt_free(struct nvsim_rdma_target *rt, void *p, size_t size)
{
	if (!p)
		return;
	rt->st.mem_bytes -= size;
	free(p);
}

/* "64 MiB", "4 KiB", "1.5 MiB": for log lines. */
static const char *fmt_bytes(uint64_t n, char *buf, size_t len)
{
	if (n >= (1ull << 30) && !(n % (1ull << 30)))
		snprintf(buf, len, "%llu GiB", (unsigned long long)(n >> 30));
	else if (n >= (1ull << 20) && !(n % (1ull << 20)))
		snprintf(buf, len, "%llu MiB", (unsigned long long)(n >> 20));
	else if (n >= (1ull << 20))
		snprintf(buf, len, "%.1f MiB", (double)n / (1 << 20));
	else
		snprintf(buf, len, "%llu KiB", (unsigned long long)(n >> 10));
	return buf;
}

/* ---- connections per host address ----------------------------------------- */

/* "10.0.0.1:49152" -> "10.0.0.1", "[fe80::1]:4420" -> "[fe80::1]"; a peer
 * the provider could not name counts as the host "". */
static void host_of(const char *peer, char *host, size_t len)
{
	const char *colon = strrchr(peer, ':');
	size_t n = colon ? (size_t)(colon - peer) : strlen(peer);

	if (n >= len)
		n = len - 1;
	memcpy(host, peer, n);
	host[n] = 0;
}

static uint32_t host_hash(const char *host)
{
	uint32_t h = 2166136261u;

	for (; *host; host++)
		h = (h ^ (uint8_t)*host) * 16777619u;
	return h;
}

static struct host_count **host_slot(struct nvsim_rdma_target *rt, const char *host)
{
	struct host_count **pp = &rt->hosts[host_hash(host) & rt->host_mask];

	while (*pp && strcmp((*pp)->host, host))
		pp = &(*pp)->next;
	return pp;
}

static struct host_count *host_get(struct nvsim_rdma_target *rt, const char *host)
{
	struct host_count **pp = host_slot(rt, host);

	if (!*pp) {
		*pp = rt_calloc(rt, 1, sizeof(**pp));
		if (!*pp)
			return NULL;
		snprintf((*pp)->host, sizeof((*pp)->host), "%s", host);
	}
	(*pp)->conns++;
	return *pp;
}

static void host_put(struct nvsim_rdma_target *rt, struct host_count *hc)
{
	struct host_count **pp;

	if (!hc || --hc->conns)
		return;
	pp = host_slot(rt, hc->host);
	*pp = hc->next;
	rt_free(rt, hc, sizeof(*hc));
}

/* ---- receive buffers before Connect: shared slabs ---------------------------- */

static void boot_room_add(struct nvsim_rdma_target *rt, struct boot_slab *s)
{
	s->prev = NULL;
	s->next = rt->boot_room;
	if (rt->boot_room)
		rt->boot_room->prev = s;
	rt->boot_room = s;
	s->listed = true;
}

static void boot_room_del(struct nvsim_rdma_target *rt, struct boot_slab *s)
{
	if (s->prev)
		s->prev->next = s->next;
	else
		rt->boot_room = s->next;
	if (s->next)
		s->next->prev = s->prev;
	s->listed = false;
}

static void boot_slab_free(struct nvsim_rdma_target *rt, struct boot_slab *s)
{
	if (s->mr)
		verbs_mr_dereg(s->mr);
	rt_free(rt, s->mem, BOOT_PER_SLAB * rt->boot_elem);
	rt_free(rt, s, sizeof(*s));
}

static struct boot_slab *boot_slab_new(struct nvsim_rdma_target *rt)
{
	struct boot_slab *s = rt_calloc(rt, 1, sizeof(*s));

	if (!s)
		return NULL;
	/* Receives and responses overwrite what they use: no clearing. */
	s->mem = rt_malloc(rt, BOOT_PER_SLAB * rt->boot_elem);
	if (!s->mem || verbs_mr_reg(rt->pd, s->mem, BOOT_PER_SLAB * rt->boot_elem,
				    VERBS_ACCESS_LOCAL_WRITE, &s->mr)) {
		boot_slab_free(rt, s);
		return NULL;
	}
	for (uint32_t i = 0; i < BOOT_PER_SLAB; i++)
		s->free[i] = (uint16_t)(BOOT_PER_SLAB - 1 - i);
	s->nr_free = BOOT_PER_SLAB;
	boot_room_add(rt, s);
	return s;
}

static int boot_get(struct nvsim_rdma_target *rt, struct boot_slab **slab, uint32_t *idx)
{
	struct boot_slab *s = rt->boot_room ? rt->boot_room : boot_slab_new(rt);

	if (!s)
		return -ENOMEM;
	*slab = s;
	*idx = s->free[--s->nr_free];
	if (!s->nr_free)
		boot_room_del(rt, s);
	return 0;
}

static void boot_put(struct nvsim_rdma_target *rt, struct boot_slab *s, uint32_t idx)
{
	s->free[s->nr_free++] = (uint16_t)idx;
	if (!s->listed)
		boot_room_add(rt, s);
	/* An empty slab goes, unless it is the only one with room. */
	if (s->nr_free == BOOT_PER_SLAB && (s->prev || s->next)) {
		boot_room_del(rt, s);
		boot_slab_free(rt, s);
	}
}

static uint8_t *boot_mem(const struct nvsim_rdma_target *rt, const struct boot_slab *s,
			 uint32_t idx)
{
	return s->mem + (size_t)idx * rt->boot_elem;
}

/* ---- shared completion queues ---------------------------------------------- */

static int scq_reserve(struct nvsim_rdma_target *rt, uint32_t need, struct rdma_scq **out)
{
	struct verbs_cq_attr attr = { 0 };
	struct rdma_scq *q;
	int ret;

	for (q = rt->scqs; q; q = q->next) {
		if (!q->lost && q->cap - q->reserved >= need)
			goto found;
	}
	/* Room for SCQ_QPS_PER_CQ such QPs, so the CQs polled stay few
	 * whatever the QPs' size; the device's max_cqe bounds it. */
	if (need > UINT32_MAX / SCQ_QPS_PER_CQ)
		attr.cqe = need;
	else if (need > SCQ_DEFAULT_CQE / SCQ_QPS_PER_CQ)
		attr.cqe = need * SCQ_QPS_PER_CQ;
	else
		attr.cqe = SCQ_DEFAULT_CQE;
	if (rt->attr.max_cqe && attr.cqe > rt->attr.max_cqe)
		attr.cqe = rt->attr.max_cqe;
	if (attr.cqe < need)
		return -ENOSPC;
	q = rt_calloc(rt, 1, sizeof(*q));
	if (!q)
		return -ENOMEM;
	ret = verbs_cq_create(rt->dev, &attr, &q->cq);
	if (ret) {
		rt_free(rt, q, sizeof(*q));
		return ret;
	}
	q->cap = attr.cqe;
	q->next = rt->scqs;
	rt->scqs = q;
	rt->st.shared_cqs++;
found:
	q->reserved += need;
	rt->st.cqe_reserved += need;
	*out = q;
	return 0;
}

/* Only once no QP completes into it any more (every connection on it
 * drained and gone); the last one stays for the next connection. */
static void scq_release(struct nvsim_rdma_target *rt, struct rdma_scq *q, uint32_t need)
{
	struct rdma_scq **pp;

	q->reserved -= need;
	rt->st.cqe_reserved -= need;
	if (q->reserved || (rt->scqs == q && !q->next))
		return;
	for (pp = &rt->scqs; *pp != q; pp = &(*pp)->next)
		;
	*pp = q->next;
	verbs_cq_destroy(q->cq);
	rt_free(rt, q, sizeof(*q));
	rt->st.shared_cqs--;
}

/* ---- connection lists ------------------------------------------------------ */

static void conn_link(struct nvsim_rdma_target *rt, struct rdma_conn *c)
{
	c->prev = NULL;
	c->next = rt->conns;
	if (rt->conns)
		rt->conns->prev = c;
	rt->conns = c;
	if (++rt->nr_conns > rt->st.conns_high_water)
		rt->st.conns_high_water = rt->nr_conns;
}

static void conn_unlink(struct nvsim_rdma_target *rt, struct rdma_conn *c)
{
	if (c->prev)
		c->prev->next = c->next;
	else
		rt->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	rt->nr_conns--;
}

/* Accepted connections join at the tail, in the order of the target's
 * clock, so the oldest is always the head. */
static void pend_add(struct nvsim_rdma_target *rt, struct rdma_conn *c)
{
	c->accepted_ns = rt_now(rt);
	c->pend_next = NULL;
	c->pend_prev = rt->pend_tail;
	if (rt->pend_tail)
		rt->pend_tail->pend_next = c;
	else
		rt->pend_head = c;
	rt->pend_tail = c;
	c->pending = true;
	rt->nr_pending++;
}

static void pend_del(struct nvsim_rdma_target *rt, struct rdma_conn *c)
{
	if (!c->pending)
		return;
	if (c->pend_prev)
		c->pend_prev->pend_next = c->pend_next;
	else
		rt->pend_head = c->pend_next;
	if (c->pend_next)
		c->pend_next->pend_prev = c->pend_prev;
	else
		rt->pend_tail = c->pend_prev;
	c->pending = false;
	rt->nr_pending--;
}

/* Disconnected ones wait for DISCONNECTED in the order they asked, for
 * at most NVSIM_RDMA_DISCONNECT_TIMEOUT_MS (one clock, one bound: the
 * head is the oldest). */
static void disc_add(struct nvsim_rdma_target *rt, struct rdma_conn *c)
{
	c->disconnect_ns = rt_now(rt);
	c->disc_next = NULL;
	c->disc_prev = rt->disc_tail;
	if (rt->disc_tail)
		rt->disc_tail->disc_next = c;
	else
		rt->disc_head = c;
	rt->disc_tail = c;
	c->disc_listed = true;
}

static void disc_del(struct nvsim_rdma_target *rt, struct rdma_conn *c)
{
	if (!c->disc_listed)
		return;
	if (c->disc_prev)
		c->disc_prev->disc_next = c->disc_next;
	else
		rt->disc_head = c->disc_next;
	if (c->disc_next)
		c->disc_next->disc_prev = c->disc_prev;
	else
		rt->disc_tail = c->disc_prev;
	c->disc_listed = false;
}

/* ---- connection teardown ------------------------------------------------- */

static void conn_mark_dead(struct rdma_conn *c);

static void conn_disconnect(struct rdma_conn *c)
{
	int ret;

	if (c->disconnected || c->dead)
		return;
	c->disconnected = true;
	ret = verbs_cm_disconnect(c->id);
	if (ret) {
		/* No DISCONNECTED will come: the QP's flushes end it. */
		nvsim_target_log(c->rt->target, NVSIM_LOG_WARN,
				 "%s: RDMA CM disconnect failed (%s): the queue pair is moved "
				 "to error and the connection dropped",
				 c->peer, strerror(-ret));
		conn_mark_dead(c);
		return;
	}
	disc_add(c->rt, c);
}

/* The target ends the queue: let the responses already posted leave first
 * (a Disconnect's own CQE, say), then disconnect. */
static void conn_terminate(void *arg, struct nvsim_tq *tq)
{
	struct rdma_conn *c = arg;

	(void)tq;
	c->disconnect_wanted = true;
	if (!c->send_inflight)
		conn_disconnect(c);
}

static const struct nvsim_tq_ops conn_tq_ops = { .terminate = conn_terminate };

/* No work request of the connection can complete any more. */
static bool conn_drained(const struct rdma_conn *c)
{
	return (!c->send_inflight && !c->recv_posted) || !c->scq || c->scq->lost;
}

static void conn_check_reap(struct rdma_conn *c)
{
	struct nvsim_rdma_target *rt = c->rt;

	if (!c->dead || c->reaping || !conn_drained(c))
		return;
	c->reaping = true;
	c->reap_next = rt->reap;
	rt->reap = c;
}

/* DISCONNECTED (or an error event): the QP flushes what is outstanding,
 * and the connection goes when the last flush has been polled. */
static void conn_mark_dead(struct rdma_conn *c)
{
	if (c->dead)
		return;
	c->dead = true;
	pend_del(c->rt, c);
	disc_del(c->rt, c);
	if (!conn_drained(c) && c->qp)
		verbs_qp_to_error(c->qp);
	conn_check_reap(c);
}

static void conn_log_close(struct rdma_conn *c)
{
	struct nvsim_rdma_target *rt = c->rt;
	struct nvsim_pool_stats ps;
	char size[24], unit[24], high[24];

	if (!c->grown || !c->tq)
		return;
	nvsim_pool_get_stats(rt->pool, &ps);
	if (c->qid == 0)
		nvsim_target_log(rt->target, NVSIM_LOG_INFO,
				 "%s, controller %u queue 0 closed; data buffer pool %s in %s "
				 "units: high-water %s, %llu of %llu commands waited for buffers "
				 "(%llu on this queue)",
				 c->peer, nvsim_tq_cntlid(c->tq), fmt_bytes(ps.size_bytes, size,
									   sizeof(size)),
				 fmt_bytes(NVSIM_POOL_UNIT, unit, sizeof(unit)),
				 fmt_bytes(ps.high_water_bytes, high, sizeof(high)),
				 (unsigned long long)ps.waits, (unsigned long long)ps.grants,
				 (unsigned long long)c->pool_waits);
	else if (c->pool_waits)
		nvsim_target_log(rt->target, NVSIM_LOG_DEBUG,
				 "%s, controller %u queue %u closed; %llu commands waited for data "
				 "buffers",
				 c->peer, nvsim_tq_cntlid(c->tq), c->qid,
				 (unsigned long long)c->pool_waits);
}

static void cmd_pool_release(struct nvsim_rdma_target *rt, struct rdma_cmd *cmds, uint32_t n,
			     bool waiting)
{
	for (uint32_t i = 0; cmds && i < n; i++) {
		if (waiting)
			nvsim_pool_cancel(rt->pool, &cmds[i].pool);
		else
			nvsim_pool_put(rt->pool, &cmds[i].pool);
	}
}

static size_t ring_cmds(const struct rdma_conn *c)
{
	return c->nr_cmds > NR_BOOT_CMDS ? c->nr_cmds - NR_BOOT_CMDS : 0;
}

static void conn_free_ring(struct rdma_conn *c)
{
	struct nvsim_rdma_target *rt = c->rt;
	size_t n = ring_cmds(c);

	if (c->ring_mr)
		verbs_mr_dereg(c->ring_mr);
	rt_free(rt, c->ring, c->ring_bytes);
	rt_free(rt, c->recvs, (size_t)(c->depth - 1) * sizeof(*c->recvs));
	rt_free(rt, c->cmds, n * sizeof(*c->cmds));
	rt_free(rt, c->segs, n * rt->msdbd * sizeof(*c->segs));
	if (c->free_cmds != c->boot_free)
		rt_free(rt, c->free_cmds, (size_t)c->nr_cmds * sizeof(*c->free_cmds));
}

static void conn_free(struct rdma_conn *c)
{
	struct nvsim_rdma_target *rt = c->rt;
	struct nvsim_tq *tq = c->tq;

	conn_log_close(c);
	c->dead = true;
	pend_del(rt, c);
	disc_del(rt, c);
	c->tq = NULL;
	/* Outstanding commands complete into cmd_done, which sees dead. */
	if (tq) {
		nvsim_tq_destroy(tq);
		rt->st.mem_bytes -= sizeof(*tq);
	}
	if (c->qp)
		verbs_qp_destroy(c->qp);
	/* Waiters leave the FIFO before our runs go back, so none of them is
	 * granted in between. */
	cmd_pool_release(rt, c->boot_cmds, NR_BOOT_CMDS, true);
	cmd_pool_release(rt, c->cmds, (uint32_t)ring_cmds(c), true);
	cmd_pool_release(rt, c->boot_cmds, NR_BOOT_CMDS, false);
	cmd_pool_release(rt, c->cmds, (uint32_t)ring_cmds(c), false);
	conn_free_ring(c);
	if (c->bslab)
		boot_put(rt, c->bslab, c->bidx);
	rt_free(rt, c->boot_cmds,
		NR_BOOT_CMDS * (sizeof(*c->boot_cmds) + rt->msdbd * sizeof(struct remote_seg)));
	if (c->scq)
		scq_release(rt, c->scq, c->cqe_need);
	rt->st.recv_ring_reserved -= c->ring_reserve;
	host_put(rt, c->host);
	if (c->id)
		verbs_cm_id_destroy(c->id);
	rt_free(rt, c, sizeof(*c));
}

/* ---- command slots ------------------------------------------------------- */

static int post_recv(struct rdma_conn *c, struct rdma_recv *r)
{
	struct verbs_sge sge = { (uintptr_t)r->buf, c->rt->recv_size, r->lkey };
	struct verbs_recv_wr wr = { .wr_id = wr_id_of(r, WR_RECV), .sg_list = &sge,
				    .num_sge = 1 };
	const struct verbs_recv_wr *bad;
	int ret = verbs_post_recv(c->qp, &wr, &bad);

	if (!ret)
		c->recv_posted++;
	return ret;
}

/* The capsule is no longer needed: its buffer takes the next one. */
static int cmd_release_recv(struct rdma_cmd *cmd)
{
	struct rdma_conn *c = cmd->conn;
	struct rdma_recv *r = cmd->recv;

	if (!r)
		return 0;
	cmd->recv = NULL;
	if (c->dead || c->disconnected)
		return 0;
	return post_recv(c, r);
}

static struct rdma_cmd *cmd_get(struct rdma_conn *c)
{
	struct rdma_cmd *cmd;

	if (!c->nr_free)
		return NULL;
	cmd = c->free_cmds[--c->nr_free];
	cmd->busy = true;
	cmd->dir = XFER_NONE;
	cmd->recv = NULL;
	cmd->icd_in_place = false;
	cmd->icd_copy = false;
	cmd->buf = NULL;
	cmd->data_len = 0;
	cmd->nr_rd = 0;
	cmd->reads_left = 0;
	cmd->invalidate = false;
	cmd->wrs_inflight = 0;
	cmd->writes_left = 0;
	cmd->answered = false;
	cmd->kept = false;
	cmd->c2h_slot = false;
	cmd->next_wait = NULL;
	return cmd;
}

static void c2h_kick(struct rdma_conn *c);

/* Gives the command's C2H slot back; the next waiter may take it. */
static void c2h_slot_put(struct rdma_cmd *cmd)
{
	if (!cmd->c2h_slot)
		return;
	cmd->c2h_slot = false;
	cmd->conn->c2h_runs--;
	c2h_kick(cmd->conn);
}

static void cmd_put(struct rdma_cmd *cmd)
{
	struct rdma_conn *c = cmd->conn;

	cmd->busy = false;
	if (cmd_release_recv(cmd))
		conn_disconnect(c);
	c->free_cmds[c->nr_free++] = cmd;
	cmd->buf = NULL;
	/* Last: giving the run back may start a waiting command right now. */
	nvsim_pool_put(c->rt->pool, &cmd->pool);
	c2h_slot_put(cmd);
}

/* The data has moved: the run goes back now, not when the response SEND
 * completes, for a host that posts no receives (RNR retried forever)
 * would otherwise pin runs every other host waits for.  The context
 * stays until the SEND completes. */
static void cmd_drop_buffer(struct rdma_cmd *cmd)
{
	if (!cmd->pool.held)
		return;
	cmd->buf = NULL;
	nvsim_pool_put(cmd->conn->rt->pool, &cmd->pool);
	c2h_slot_put(cmd);
}

static void cmd_maybe_release(struct rdma_cmd *cmd)
{
	/* busy: a slot already returned must not go on the free list twice. */
	if (cmd->busy && cmd->answered && !cmd->wrs_inflight && !cmd->reads_left && !cmd->kept)
		cmd_put(cmd);
}

static void cmd_buffer_granted(struct nvsim_pool_req *req);

static void cmd_init(struct rdma_conn *c, struct rdma_cmd *cmd, struct remote_seg *rd,
		     struct nvsim_cqe *rsp, uint32_t rsp_lkey)
{
	cmd->conn = c;
	cmd->rd = rd;
	cmd->rsp = rsp;
	cmd->rsp_lkey = rsp_lkey;
	cmd->pool.granted = cmd_buffer_granted;
	c->free_cmds[c->nr_free++] = cmd;
}

/* ---- posting --------------------------------------------------------------- */

/* Posts n chained WRs; *posted says how many went (those before the one
 * refused), each of which will complete. */
static int post_send_list(struct rdma_conn *c, const struct verbs_send_wr *wrs, unsigned int n,
			  unsigned int *posted)
{
	const struct verbs_send_wr *bad = NULL;
	int ret = verbs_post_send(c->qp, wrs, &bad);
	unsigned int k = n;

	if (ret)
		for (k = 0; bad && k < n && &wrs[k] != bad; k++)
			;
	c->send_inflight += k;
	*posted = k;
	return ret;
}

static uint32_t pool_lkey(const struct rdma_conn *c)
{
	return verbs_mr_lkey(c->rt->pool_mr);
}

static int post_response(struct rdma_cmd *cmd)
{
	struct rdma_conn *c = cmd->conn;
	struct verbs_send_wr wrs[MSDBD_MAX + 1];
	struct verbs_sge sges[MSDBD_MAX + 1];
	bool ok = nvsim_cqe_status_field(cmd->rsp) == 0;
	unsigned int n = 0, posted;
	size_t off = 0;
	int ret;

	/* Data first: RC delivers the WRITEs before the SEND that follows. */
	for (unsigned int i = 0; ok && cmd->dir == XFER_C2H && i < cmd->nr_rd; i++) {
		sges[n] = (struct verbs_sge){ (uintptr_t)cmd->buf + off, cmd->rd[i].len,
					      pool_lkey(c) };
		wrs[n] = (struct verbs_send_wr){ .wr_id = wr_id_of(cmd, WR_WRITE),
						 .sg_list = &sges[n], .num_sge = 1,
						 .opcode = VERBS_WR_RDMA_WRITE,
						 .send_flags = VERBS_SEND_SIGNALED,
						 .remote_addr = cmd->rd[i].addr,
						 .rkey = cmd->rd[i].key };
		off += cmd->rd[i].len;
		n++;
	}
	sges[n] = (struct verbs_sge){ (uintptr_t)cmd->rsp, sizeof(struct nvsim_cqe),
				      cmd->rsp_lkey };
	wrs[n] = (struct verbs_send_wr){ .wr_id = wr_id_of(cmd, WR_SEND), .sg_list = &sges[n],
					 .num_sge = 1, .opcode = VERBS_WR_SEND,
					 .send_flags = VERBS_SEND_SIGNALED };
	if (cmd->invalidate) {
		wrs[n].opcode = VERBS_WR_SEND_WITH_INV;
		wrs[n].invalidate_rkey = cmd->inv_rkey;
	}
	n++;
	for (unsigned int i = 0; i + 1 < n; i++)
		wrs[i].next = &wrs[i + 1];
	ret = post_send_list(c, wrs, n, &posted);
	cmd->wrs_inflight += posted;
	cmd->writes_left = posted < n - 1 ? posted : n - 1;
	return ret;
}

/* ---- Connect done: the rest of the queue --------------------------------------- */

static int conn_grow_alloc(struct rdma_conn *c, size_t n_recv, size_t n_cmds, size_t rsp_off)
{
	struct nvsim_rdma_target *rt = c->rt;

	/* Receives and responses overwrite what they use: no clearing. */
	c->ring_bytes = rsp_off + n_cmds * sizeof(struct nvsim_cqe);
	c->ring = rt_malloc(rt, c->ring_bytes);
	c->recvs = rt_calloc(rt, n_recv, sizeof(*c->recvs));
	c->cmds = rt_calloc(rt, n_cmds, sizeof(*c->cmds));
	c->segs = rt_calloc(rt, n_cmds * rt->msdbd, sizeof(*c->segs));
	c->free_cmds = rt_malloc(rt, (size_t)c->nr_cmds * sizeof(*c->free_cmds));
	if (!c->ring || (n_recv && !c->recvs) || !c->cmds || !c->segs || !c->free_cmds)
		return -ENOMEM;
	return verbs_mr_reg(rt->pd, c->ring, c->ring_bytes, VERBS_ACCESS_LOCAL_WRITE, &c->ring_mr);
}

/* A host may send its next capsule as soon as it sees a response, before
 * our SEND of that response has completed here: a context is busy until
 * then, so keep twice as many as the queue holds (as nvmet-rdma does with
 * its responses).  All of it is posted before the Connect response goes. */
static int conn_grow(struct rdma_conn *c)
{
	struct nvsim_rdma_target *rt = c->rt;
	size_t n_recv = c->depth - 1, n_cmds = ring_cmds(c);
	size_t rsp_off = (n_recv * rt->recv_size + 63) & ~(size_t)63;
	struct rdma_cmd **boot_free = c->boot_free;
	uint32_t nr_boot_free = c->nr_free;
	int ret;

	c->grown = true;
	pend_del(rt, c);
	if (!n_cmds)
		return 0;
	c->free_cmds = NULL;
	ret = conn_grow_alloc(c, n_recv, n_cmds, rsp_off);
	if (!c->free_cmds) {
		c->free_cmds = boot_free;
		return ret;
	}
	c->nr_free = 0;
	for (uint32_t i = 0; i < nr_boot_free; i++)
		c->free_cmds[c->nr_free++] = boot_free[i];
	if (ret)
		return ret;
	for (size_t i = 0; i < n_cmds; i++)
		cmd_init(c, &c->cmds[i], c->segs + i * rt->msdbd,
			 (struct nvsim_cqe *)(void *)(c->ring + rsp_off) + i,
			 verbs_mr_lkey(c->ring_mr));
	for (size_t i = 0; i < n_recv; i++) {
		c->recvs[i] = (struct rdma_recv){ c, c->ring + i * rt->recv_size,
						  verbs_mr_lkey(c->ring_mr) };
		ret = post_recv(c, &c->recvs[i]);
		if (ret)
			return ret;
	}
	return 0;
}

static void cmd_done(void *arg, const struct nvsim_cqe *cqe)
{
	struct rdma_cmd *cmd = arg;
	struct rdma_conn *c = cmd->conn;
	int ret = 0;

	cmd->answered = true;
	if (c->dead || c->disconnected) {
		cmd_maybe_release(cmd);
		return;
	}
	if (!c->grown && c->tq && nvsim_tq_connected(c->tq)) {
		ret = conn_grow(c);
		if (ret)
			nvsim_target_log(c->rt->target, NVSIM_LOG_ERROR,
					 "%s: no resources for the %u entries of queue %u after "
					 "its Connect (%s): the connection is dropped",
					 c->peer, c->depth, c->qid, strerror(-ret));
	}
	if (!ret)
		ret = cmd_release_recv(cmd);
	if (!ret) {
		*cmd->rsp = *cqe;
		ret = post_response(cmd);
	}
	/* Last, for a waiter it grants may run now. */
	if (!cmd->writes_left)
		cmd_drop_buffer(cmd);
	if (ret) {
		conn_disconnect(c);
		cmd_maybe_release(cmd);
	}
}

/* ---- SGL parsing ------------------------------------------------------------ */

static enum xfer_dir xfer_dir_of(const struct nvsim_sqe *sqe)
{
	if (sqe->opcode == NVSIM_FABRICS_OPCODE) {
		switch (((const struct nvsim_sqe_fabrics *)sqe)->fctype) {
		case nvme_fabrics_type_connect:
		case nvme_fabrics_type_auth_send:
			return XFER_H2C;
		case nvme_fabrics_type_auth_receive:
			return XFER_C2H;
		default:
			return XFER_NONE;
		}
	}
	switch (nvsim_opcode_xfer(sqe->opcode)) {
	case 1:
		return XFER_H2C;
	case 2:
		return XFER_C2H;
	default:
		return XFER_NONE;
	}
}

struct sgl_error {
	uint16_t status;
	uint16_t loc;
	const char *what;  /* the check, for the target's log */
	char detail[96];
};

/* A capsule held without an answer (never-complete-icd-read). */
#define SGL_KEEP 1

static int sgl_fail(struct sgl_error *e, unsigned int sc, uint16_t loc, const char *what,
		    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int sgl_fail(struct sgl_error *e, unsigned int sc, uint16_t loc, const char *what,
		    const char *fmt, ...)
{
	va_list ap;

	e->status = NVSIM_SC_GENERIC(sc);
	e->loc = loc;
	e->what = what;
	e->detail[0] = 0;
	if (fmt) {
		va_start(ap, fmt);
		vsnprintf(e->detail, sizeof(e->detail), fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* A keyed descriptor becomes a remote segment. */
static int take_keyed(struct rdma_cmd *cmd, const struct nvsim_sgl_keyed *k, struct sgl_error *e)
{
	enum nvsim_sgl_subtype sub = nvsim_sgl_subtype_of(k->id);
	uint32_t len = nvsim_sgl_keyed_len(k);

	if (nvsim_sgl_type_of(k->id) != NVSIM_SGL_TYPE_KEYED_DATA_BLOCK ||
	    (sub != NVSIM_SGL_SUBTYPE_ADDRESS && sub != NVSIM_SGL_SUBTYPE_INVALIDATE_KEY))
		return sgl_fail(e, NVME_SC_SGL_INVALID_TYPE, NVSIM_SQE_OFF_DPTR,
				"SGL descriptor type not supported", "SGL identifier %02Xh", k->id);
	/* Above MDTS: Invalid Field in Command, as the Identify Controller
	 * MDTS field defines it (SPDK answers Data SGL Length Invalid). */
	if (len > cmd->conn->rt->max_io - cmd->data_len &&
	    !rt_quirk(cmd->conn->rt, NVSIM_QUIRK_NO_MDTS))
		return sgl_fail(e, NVME_SC_INVALID_FIELD, NVSIM_SQE_OFF_DPTR,
				"keyed SGL length above MDTS", "%u bytes, %u at most", len,
				cmd->conn->rt->max_io);
	if (sub == NVSIM_SGL_SUBTYPE_INVALIDATE_KEY) {
		cmd->invalidate = true;
		cmd->inv_rkey = le32toh(k->key);
	}
	if (!len)
		return 0;
	cmd->rd[cmd->nr_rd++] =
		(struct remote_seg){ le64toh(k->addr), len, le32toh(k->key) };
	cmd->data_len += len;
	return 0;
}

/* [off, off + len) must lie in the in-capsule data the host sent. */
static int check_in_capsule(struct rdma_cmd *cmd, uint64_t off, uint64_t len, uint32_t icd_rx,
			    struct sgl_error *e)
{
	uint32_t icd = cmd->conn->rt->icd;

	/* icd-offset-unchecked: bounded as if the offset were 0; icd_copy
	 * keeps the copy inside the receive buffer. */
	if (rt_quirk(cmd->conn->rt, NVSIM_QUIRK_ICD_OFFSET_UNCHECKED))
		off = 0;
	if (off > icd)
		return sgl_fail(e, NVME_SC_SGL_INVALID_OFFSET, NVSIM_SQE_OFF_DPTR,
				"in-capsule offset past the in-capsule data",
				"offset %llu, %u bytes of in-capsule data", (unsigned long long)off,
				icd);
	if (len > icd - off)
		return sgl_fail(e, NVME_SC_SGL_INVALID_DATA, NVSIM_SQE_OFF_DPTR,
				"in-capsule offset + length past the in-capsule data",
				"offset %llu + length %llu > %u bytes", (unsigned long long)off,
				(unsigned long long)len, icd);
	if (len > icd_rx - (off < icd_rx ? off : icd_rx))
		return sgl_fail(e, NVME_SC_SGL_INVALID_DATA, NVSIM_SQE_OFF_DPTR,
				"in-capsule descriptor longer than the data sent",
				"offset %llu + length %llu, the capsule carried %u bytes",
				(unsigned long long)off, (unsigned long long)len, icd_rx);
	return 0;
}

/* Copy [off, off + len) of the in-capsule data area, which check_in_capsule
 * bounded; only with icd-offset-unchecked does part of it lie past the
 * area, and that part reads as zeros. */
static void icd_copy(const struct rdma_cmd *cmd, void *dst, const uint8_t *icd_data,
		     uint64_t off, size_t len)
{
	uint32_t icd = cmd->conn->rt->icd;
	size_t n = off < icd ? (size_t)(icd - off) : 0;

	if (!len)
		return;
	if (n > len)
		n = len;
	if (n)
		memcpy(dst, icd_data + off, n);
	memset((uint8_t *)dst + n, 0, len - n);
}

static int parse_last_segment(struct rdma_cmd *cmd, const struct nvsim_sgl_unkeyed *d,
			      const uint8_t *icd_data, uint32_t icd_rx, struct sgl_error *e)
{
	uint64_t off = le64toh(d->addr), len = le32toh(d->length);
	struct nvsim_sgl_keyed k;
	uint64_t count;
	int ret;

	if (nvsim_sgl_subtype_of(d->id) != NVSIM_SGL_SUBTYPE_OFFSET)
		return sgl_fail(e, NVME_SC_SGL_INVALID_TYPE, NVSIM_SQE_OFF_DPTR,
				"Last Segment not by in-capsule offset", "SGL identifier %02Xh",
				d->id);
	if (!len || len % sizeof(k))
		return sgl_fail(e, NVME_SC_SGL_INVALID_LAST, NVSIM_SQE_OFF_DPTR,
				"Last Segment length not a non-zero multiple of 16",
				"length %llu", (unsigned long long)len);
	count = len / sizeof(k);
	if (count > cmd->conn->rt->msdbd)
		return sgl_fail(e, NVME_SC_SGL_INVALID_COUNT, NVSIM_SQE_OFF_DPTR,
				"more SGL descriptors than MSDBD", "%llu descriptors, MSDBD %u",
				(unsigned long long)count, cmd->conn->rt->msdbd);
	ret = check_in_capsule(cmd, off, len, icd_rx, e);
	if (ret)
		return ret;
	for (uint64_t i = 0; i < count; i++) {
		icd_copy(cmd, &k, icd_data, off + i * sizeof(k), sizeof(k));
		ret = take_keyed(cmd, &k, e);
		if (ret)
			return ret;
	}
	return 0;
}

/* Decide where the command's data is: in the capsule (used in place, the
 * receive buffer held until the command is answered) or behind keyed
 * descriptors (a pool buffer, taken by cmd_start). */
static int parse_sgl(struct rdma_cmd *cmd, const uint8_t *icd_data, uint32_t icd_rx,
		     struct sgl_error *e)
{
	const union nvsim_dptr *dptr = &cmd->sqe.dptr;
	uint8_t id = dptr->sgl.id;
	int ret;

	cmd->dir = xfer_dir_of(&cmd->sqe);
	/* Not an SGL: the controller refuses it (fabrics need SGLs). */
	if (nvsim_sqe_psdt(&cmd->sqe) != NVSIM_PSDT_SGL_MPTR_CONTIG)
		return 0;
	switch (nvsim_sgl_type_of(id)) {
	case NVSIM_SGL_TYPE_KEYED_DATA_BLOCK:
		ret = take_keyed(cmd, &dptr->keyed, e);
		break;
	case NVSIM_SGL_TYPE_DATA_BLOCK: {
		uint64_t off = le64toh(dptr->unkeyed.addr), len = le32toh(dptr->unkeyed.length);

		if (nvsim_sgl_subtype_of(id) != NVSIM_SGL_SUBTYPE_OFFSET)
			return sgl_fail(e, NVME_SC_SGL_INVALID_TYPE, NVSIM_SQE_OFF_DPTR,
					"Data Block descriptor not by in-capsule offset",
					"SGL identifier %02Xh", id);
		/* never-complete-icd-read: a real target's bug, the Read is
		 * taken and never answered. */
		if (len && cmd->sqe.opcode == nvme_cmd_read && cmd->conn->qid &&
		    rt_quirk(cmd->conn->rt, NVSIM_QUIRK_NEVER_COMPLETE_ICD_READ))
			return SGL_KEEP;
		/* In-capsule data is host to controller only (nvmet). */
		if (len && cmd->dir != XFER_H2C)
			return sgl_fail(e, NVME_SC_INVALID_FIELD, NVSIM_SQE_OFF_OPCODE,
					"in-capsule data on a command that moves no data to the "
					"controller", "%llu bytes", (unsigned long long)len);
		ret = check_in_capsule(cmd, off, len, icd_rx, e);
		if (ret)
			return ret;
		cmd->data_len = (size_t)len;
		cmd->icd_off = off;
		/* Checked to lie in what arrived: used in place.  Only
		 * icd-offset-unchecked may reach past it, and copies. */
		if (len && rt_quirk(cmd->conn->rt, NVSIM_QUIRK_ICD_OFFSET_UNCHECKED))
			cmd->icd_copy = true;
		else if (len)
			cmd->icd_in_place = true;
		return 0;
	}
	case NVSIM_SGL_TYPE_LAST_SEGMENT:
		ret = parse_last_segment(cmd, &dptr->unkeyed, icd_data, icd_rx, e);
		break;
	default:
		return sgl_fail(e, NVME_SC_SGL_INVALID_TYPE, NVSIM_SQE_OFF_DPTR,
				"SGL descriptor type not supported", "SGL identifier %02Xh", id);
	}
	return ret;
}


/* ---- executing a capsule ----------------------------------------------------- */

static void cmd_submit(struct rdma_cmd *cmd)
{
	struct rdma_conn *c = cmd->conn;
	void *buf = cmd->icd_in_place ? cmd->recv->buf + SQE_LEN + cmd->icd_off : cmd->buf;
	int ret;

	nvsim_data_init_flat(&cmd->data, &cmd->iov, buf, cmd->data_len);
	ret = nvsim_tq_submit(c->tq, &cmd->sqe, cmd->data_len ? &cmd->data : NULL, cmd_done, cmd);
	if (ret) {
		/* Overrun (logged by the queue) or a queue already ending:
		 * the host broke the transport's flow control, or is being
		 * dropped anyway.  Disconnected first, so the run given back
		 * goes to no command of this queue. */
		conn_disconnect(c);
		cmd->answered = true;
		cmd_maybe_release(cmd);
	}
}

/* Answer a capsule the transport refuses, without its data. */
static void cmd_fail(struct rdma_cmd *cmd, uint16_t status, uint16_t loc, const char *what,
		     const char *detail)
{
	struct rdma_conn *c = cmd->conn;

	cmd->data_len = 0;
	cmd->nr_rd = 0;
	cmd->dir = XFER_NONE;
	if (nvsim_tq_fail_why(c->tq, &cmd->sqe, status, loc, what, detail, cmd_done, cmd)) {
		conn_disconnect(c);
		cmd->answered = true;
		cmd_maybe_release(cmd);
	}
}

static int post_read(struct rdma_cmd *cmd)
{
	struct rdma_conn *c = cmd->conn;
	struct verbs_send_wr wrs[MSDBD_MAX];
	struct verbs_sge sges[MSDBD_MAX];
	unsigned int posted;
	size_t off = 0;
	int ret;

	for (unsigned int i = 0; i < cmd->nr_rd; i++) {
		sges[i] = (struct verbs_sge){ (uintptr_t)cmd->buf + off, cmd->rd[i].len,
					      pool_lkey(c) };
		wrs[i] = (struct verbs_send_wr){ .wr_id = wr_id_of(cmd, WR_READ),
						 .sg_list = &sges[i], .num_sge = 1,
						 .opcode = VERBS_WR_RDMA_READ,
						 .send_flags = VERBS_SEND_SIGNALED,
						 .remote_addr = cmd->rd[i].addr,
						 .rkey = cmd->rd[i].key,
						 .next = i + 1 < cmd->nr_rd ? &wrs[i + 1] : NULL };
		off += cmd->rd[i].len;
	}
	ret = post_send_list(c, wrs, cmd->nr_rd, &posted);
	cmd->reads_left = posted;
	c->reads_inflight += posted;
	return ret;
}

/* Whether the controller writes every byte a successful command's buffer
 * holds: a Read fills what its SGL describes, for the controller refuses
 * any other length (Data SGL Length Invalid).  Anything else (an Identify
 * into a longer buffer, quirks) is cleared first, or a pool buffer would
 * carry another command's, perhaps another host's, data back. */
static bool c2h_fully_written(const struct rdma_cmd *cmd)
{
	const struct nvsim_rdma_target *rt = cmd->conn->rt;

	return cmd->conn->qid && cmd->sqe.opcode == nvme_cmd_read &&
	       !rt_quirk(rt, NVSIM_QUIRK_KEYED_LEN_UNCHECKED | NVSIM_QUIRK_NO_LBA_CHECK);
}

static void reads_kick(struct rdma_conn *c);

static void cmd_have_buffer(struct rdma_cmd *cmd)
{
	struct rdma_conn *c = cmd->conn;

	cmd->buf = cmd->pool.buf;
	if (cmd->icd_copy) {
		icd_copy(cmd, cmd->buf, cmd->recv->buf + SQE_LEN, cmd->icd_off, cmd->data_len);
		if (c->grown && cmd_release_recv(cmd)) {
			conn_disconnect(c);
			cmd->answered = true;
			cmd_maybe_release(cmd);
			return;
		}
	}
	if (cmd->dir == XFER_C2H && !c2h_fully_written(cmd))
		memset(cmd->buf, 0, cmd->data_len);
	if (cmd->dir == XFER_H2C && cmd->nr_rd) {
		if (post_read(cmd)) {
			conn_disconnect(c);
			cmd->answered = true;
			cmd_maybe_release(cmd);
		}
		return;
	}
	cmd_submit(cmd);
}

/* A command that waited for the pool has its buffer. */
static void cmd_buffer_granted(struct nvsim_pool_req *req)
{
	struct rdma_cmd *cmd = container_of(req, struct rdma_cmd, pool);
	struct rdma_conn *c = cmd->conn;
	bool reader = c->pool_reader == cmd;

	if (reader)
		c->pool_reader = NULL;
	if (c->dead || c->disconnected) {
		cmd->answered = true;
		cmd_maybe_release(cmd);
	} else {
		cmd_have_buffer(cmd);
	}
	if (reader)
		reads_kick(c);
}

/* The pool cannot serve the transfer at all (only no-mdts lets one exceed
 * the largest run). */
static void cmd_pool_refused(struct rdma_cmd *cmd)
{
	struct rdma_conn *c = cmd->conn;
	char detail[96];

	snprintf(detail, sizeof(detail), "%zu bytes, the buffer pool's runs hold %zu at most",
		 cmd->data_len, c->rt->st.pool_max_xfer);
	if (c->grown && cmd_release_recv(cmd)) {
		conn_disconnect(c);
		cmd->answered = true;
		cmd_maybe_release(cmd);
		return;
	}
	cmd_fail(cmd, NVSIM_SC_GENERIC(NVME_SC_INTERNAL), NVSIM_ERR_LOC_NONE,
		 "transfer larger than any data buffer", detail);
}

static void reads_drain(struct rdma_conn *c)
{
	while (c->wait_head) {
		struct rdma_cmd *cmd = c->wait_head;

		c->wait_head = cmd->next_wait;
		if (!c->wait_head)
			c->wait_tail = NULL;
		cmd->answered = true;
		cmd_maybe_release(cmd);
	}
	if (c->pool_reader) {
		struct rdma_cmd *cmd = c->pool_reader;

		c->pool_reader = NULL;
		nvsim_pool_cancel(c->rt->pool, &cmd->pool);
		cmd->answered = true;
		cmd_maybe_release(cmd);
	}
}

/* Issue waiting RDMA READs while the host's responder resources allow; a
 * command with more descriptors than that still goes alone.  A Write
 * takes its pool run only here, when its READs may go: a host whose READs
 * stall (its SEND queue stuck behind an RNR-retried response, say) holds
 * at most ORD commands' runs, not one per queued Write.  One command at a
 * time waits for the pool, so the READs keep their order. */
static void reads_kick(struct rdma_conn *c)
{
	while (c->wait_head && !c->pool_reader) {
		struct rdma_cmd *cmd = c->wait_head;
		int ret;

		if (c->dead || c->disconnected) {
			reads_drain(c);
			return;
		}
		if (c->reads_inflight && c->reads_inflight + cmd->nr_rd > c->ord)
			return;
		c->wait_head = cmd->next_wait;
		if (!c->wait_head)
			c->wait_tail = NULL;
		ret = nvsim_pool_get(c->rt->pool, &cmd->pool, cmd->data_len);
		if (ret == 1) {
			c->pool_reader = cmd;
			c->pool_waits++;
			return;
		}
		if (ret)
			cmd_pool_refused(cmd);
		else
			cmd_have_buffer(cmd);
	}
	if (c->dead || c->disconnected)
		reads_drain(c);
}

static void cmd_fetch_then_submit(struct rdma_cmd *cmd)
{
	struct rdma_conn *c = cmd->conn;

	if (c->wait_tail)
		c->wait_tail->next_wait = cmd;
	else
		c->wait_head = cmd;
	c->wait_tail = cmd;
	reads_kick(c);
}

static bool is_connect(const struct nvsim_sqe *sqe)
{
	return sqe->opcode == NVSIM_FABRICS_OPCODE &&
	       ((const struct nvsim_sqe_fabrics *)sqe)->fctype == nvme_fabrics_type_connect;
}

/* Before Connect no command but Connect moves data, and Connect's is
 * its 1024 bytes: refused before the pool is asked, so a pending
 * connection never holds more than one Connect's run.  Other commands
 * go to the queue without their data, which answers them as it answers
 * any command before Connect. */
static bool boot_data_refused(struct rdma_cmd *cmd)
{
	struct rdma_conn *c = cmd->conn;
	char detail[64];

	if (c->grown || !cmd->data_len)
		return false;
	if (!is_connect(&cmd->sqe)) {
		cmd->data_len = 0;
		cmd->nr_rd = 0;
		cmd->icd_in_place = false;
		cmd->icd_copy = false;
		return false;
	}
	if (cmd->data_len == NVSIM_CONNECT_DATA_LEN)
		return false;
	snprintf(detail, sizeof(detail), "%zu bytes, Connect data is %u", cmd->data_len,
		 NVSIM_CONNECT_DATA_LEN);
	cmd_fail(cmd, NVSIM_SC_GENERIC(NVME_SC_SGL_INVALID_DATA), NVSIM_SQE_OFF_DPTR,
		 "Connect data length not 1024 bytes", detail);
	return true;
}

static void c2h_take(struct rdma_cmd *cmd)
{
	struct rdma_conn *c = cmd->conn;
	int ret;

	cmd->c2h_slot = true;
	c->c2h_runs++;
	ret = nvsim_pool_get(c->rt->pool, &cmd->pool, cmd->data_len);
	if (ret == 0) {
		cmd_have_buffer(cmd);
	} else if (ret == 1) {
		c->pool_waits++;
	} else {
		c2h_slot_put(cmd);
		cmd_pool_refused(cmd);
	}
}

/* Waiters take freed slots in order; a queue going away starts none. */
static void c2h_kick(struct rdma_conn *c)
{
	while (c->c2h_head && (c->dead || c->disconnected || c->c2h_runs < C2H_RUNS_MAX)) {
		struct rdma_cmd *cmd = c->c2h_head;

		c->c2h_head = cmd->next_wait;
		if (!c->c2h_head)
			c->c2h_tail = NULL;
		cmd->next_wait = NULL;
		if (c->dead || c->disconnected) {
			cmd->answered = true;
			cmd_maybe_release(cmd);
		} else {
			c2h_take(cmd);
		}
	}
}

static void c2h_start(struct rdma_cmd *cmd)
{
	struct rdma_conn *c = cmd->conn;

	if (!c->c2h_head && c->c2h_runs < C2H_RUNS_MAX) {
		c2h_take(cmd);
		return;
	}
	if (c->c2h_tail)
		c->c2h_tail->next_wait = cmd;
	else
		c->c2h_head = cmd;
	c->c2h_tail = cmd;
}

static void cmd_start(struct rdma_cmd *cmd)
{
	struct rdma_conn *c = cmd->conn;
	int ret;

	if (boot_data_refused(cmd))
		return;
	if (cmd->icd_in_place || !cmd->data_len) {
		cmd_submit(cmd);
		return;
	}
	if (cmd->dir == XFER_H2C && cmd->nr_rd) {
		cmd_fetch_then_submit(cmd);
		return;
	}
	if (cmd->dir == XFER_C2H) {
		c2h_start(cmd);
		return;
	}
	ret = nvsim_pool_get(c->rt->pool, &cmd->pool, cmd->data_len);
	if (ret == 0)
		cmd_have_buffer(cmd);
	else if (ret == 1)
		c->pool_waits++;
	else
		cmd_pool_refused(cmd);
}

static void on_capsule(struct rdma_conn *c, struct rdma_recv *r, uint32_t len)
{
	struct sgl_error err = { 0 };
	struct rdma_cmd *cmd;
	int ret;

	/* A runt capsule has no CID to answer: the host broke the binding. */
	if (len < SQE_LEN || len > c->rt->recv_size) {
		char detail[64];

		snprintf(detail, sizeof(detail), "%u bytes; the connection is dropped", len);
		nvsim_tq_log_host_error(c->tq, "capsule shorter than an SQE", detail);
		conn_disconnect(c);
		return;
	}
	cmd = cmd_get(c);
	if (!cmd) {
		/* More capsules than the queue negotiated. */
		nvsim_tq_log_host_error(c->tq, "SQ overrun",
					"more capsules in flight than the queue holds; the "
					"connection is dropped");
		conn_disconnect(c);
		return;
	}
	/* Held until the command is answered before Connect (one capsule at
	 * a time there) and while its in-capsule data is used; posted again
	 * at once otherwise. */
	cmd->recv = r;
	memcpy(&cmd->sqe, r->buf, SQE_LEN);
	ret = parse_sgl(cmd, r->buf + SQE_LEN, len - SQE_LEN, &err);
	if ((ret || (c->grown && !cmd->icd_in_place && !cmd->icd_copy)) && cmd_release_recv(cmd)) {
		conn_disconnect(c);
		cmd_put(cmd);
		return;
	}
	if (ret == SGL_KEEP) {
		/* freed with the connection (conn_free) */
		cmd->kept = true;
		return;
	}
	if (ret) {
		cmd_fail(cmd, err.status, err.loc, err.what, err.detail[0] ? err.detail : NULL);
		return;
	}
	cmd_start(cmd);
}

/* An RDMA READ or WRITE against the host's keyed SGL failed: the region
 * it names is not registered for us, or is shorter (NVMe-oF 1.1 §7.3
 * (approx.): the host's keys and lengths bound what the target may
 * touch). */
static void log_remote_refusal(struct rdma_conn *c, const struct rdma_cmd *cmd, const char *op,
			       const struct verbs_wc *wc)
{
	char detail[160];

	if (!c->tq)
		return;
	snprintf(detail, sizeof(detail),
		 "opcode %02Xh CID 0x%x: RDMA %s of its keyed SGL (key %#x, address %#llx, "
		 "%u bytes) failed with work completion status %d; the connection is dropped",
		 cmd->sqe.opcode, le16toh(cmd->sqe.cid), op, cmd->nr_rd ? cmd->rd[0].key : 0,
		 cmd->nr_rd ? (unsigned long long)cmd->rd[0].addr : 0ull,
		 cmd->nr_rd ? cmd->rd[0].len : 0, (int)wc->status);
	nvsim_tq_log_host_error(c->tq, "keyed SGL outside the host's registered memory", detail);
}

static void on_recv(struct rdma_recv *r, const struct verbs_wc *wc)
{
	struct rdma_conn *c = r->conn;

	c->recv_posted--;
	if (wc->status == VERBS_WC_SUCCESS && !c->dead && !c->disconnected)
		on_capsule(c, r, wc->byte_len);
	else if (wc->status != VERBS_WC_WR_FLUSH_ERR)
		conn_disconnect(c);
	conn_check_reap(c);
}

static bool on_read_done(struct rdma_conn *c, struct rdma_cmd *cmd, const struct verbs_wc *wc)
{
	bool submitted = false;

	c->reads_inflight--;
	cmd->reads_left--;
	if (wc->status != VERBS_WC_SUCCESS) {
		/* The host's buffer refused us: nothing to execute. */
		cmd->answered = true;
		if (wc->status != VERBS_WC_WR_FLUSH_ERR) {
			log_remote_refusal(c, cmd, "READ", wc);
			conn_disconnect(c);
		}
	} else if (!cmd->reads_left && !c->disconnected && !c->dead) {
		/* From here cmd_done (or cmd_submit's failure path) owns the
		 * slot and may already have released it. */
		submitted = true;
		cmd_submit(cmd);
	} else if (!cmd->reads_left) {
		/* The queue went while the data came: nothing to execute. */
		cmd->answered = true;
	}
	reads_kick(c);
	return submitted;
}

static void on_send_done(struct rdma_cmd *cmd, enum wr_kind kind, const struct verbs_wc *wc)
{
	struct rdma_conn *c = cmd->conn;
	bool submitted = false;

	c->send_inflight--;
	if (kind == WR_READ) {
		submitted = on_read_done(c, cmd, wc);
	} else {
		cmd->wrs_inflight--;
		if (kind == WR_WRITE && !--cmd->writes_left)
			cmd_drop_buffer(cmd);
		if (wc->status != VERBS_WC_SUCCESS && wc->status != VERBS_WC_WR_FLUSH_ERR) {
			if (kind == WR_WRITE)
				log_remote_refusal(c, cmd, "WRITE", wc);
			conn_disconnect(c);
		}
	}
	if (!submitted)
		cmd_maybe_release(cmd);
	if (c->disconnect_wanted && !c->send_inflight)
		conn_disconnect(c);
	conn_check_reap(c);
}

static void on_completion(const struct verbs_wc *wc)
{
	enum wr_kind kind = (enum wr_kind)(wc->wr_id & WR_KIND_MASK);
	void *p = (void *)(uintptr_t)(wc->wr_id & ~(uint64_t)WR_KIND_MASK);

	if (kind == WR_RECV)
		on_recv(p, wc);
	else
		on_send_done(p, kind, wc);
}

/* ---- accepting a queue ------------------------------------------------------- */

static int reject(struct verbs_cm_id *id, enum nvsim_rdma_cm_reject_sts sts)
{
	struct nvsim_rdma_cm_reject rej = { .recfmt = 0, .sts = htole16(sts) };

	return verbs_cm_reject(id, &rej, sizeof(rej));
}

/* NVMe/RDMA private data (NVMe-oF 1.1 §7.3.3 (approx.)).  Returns 0 and the
 * queue's depth, or the reject status. */
static int check_private_data(struct nvsim_rdma_target *rt, const struct verbs_cm_event *ev,
			      uint16_t *qid, uint32_t *depth, char *why, size_t why_len)
{
	struct nvsim_rdma_cm_req copy, *req = &copy;
	uint32_t max_io_depth = rt->cfg.max_queue_depth;
	uint32_t hsq, hrq, max;

	if (ev->private_data_len < sizeof(*req)) {
		snprintf(why, why_len, "private data of %u bytes, not %zu", ev->private_data_len,
			 sizeof(*req));
		return NVSIM_RDMA_CM_INVALID_LEN;
	}
	/* The event's bytes carry no alignment promise. */
	memcpy(&copy, ev->private_data, sizeof(copy));
	if (le16toh(req->recfmt) != 0) {
		snprintf(why, why_len, "RECFMT %u, not 0", le16toh(req->recfmt));
		return NVSIM_RDMA_CM_INVALID_RECFMT;
	}
	*qid = le16toh(req->qid);
	if (*qid > rt->target->cfg.max_io_queues) {
		snprintf(why, why_len, "QID %u above the %u I/O queues served", *qid,
			 rt->target->cfg.max_io_queues);
		return NVSIM_RDMA_CM_INVALID_QID;
	}
	hsq = (uint32_t)le16toh(req->hsqsize) + 1;
	hrq = le16toh(req->hrqsize);
	/* The admin queue holds at most 32 entries (Linux NVME_AQ_DEPTH). */
	max = *qid ? max_io_depth : NVSIM_RDMA_ADMIN_QUEUE_MAX;
	if (hsq > max && !rt_quirk(rt, NVSIM_QUIRK_QUEUE_SIZE_UNCHECKED)) {
		snprintf(why, why_len, "HSQSIZE %u: %u entries, %u at most for QID %u", hsq - 1,
			 hsq, max, *qid);
		return NVSIM_RDMA_CM_INVALID_HSQSIZE;
	}
	/* Every command gets a response: the host must be able to take one
	 * per SQ entry. */
	if (hrq < hsq) {
		snprintf(why, why_len, "HRQSIZE %u below the %u SQ entries", hrq, hsq);
		return NVSIM_RDMA_CM_INVALID_HRQSIZE;
	}
	/* We fetch write data with RDMA READ: the host must serve reads. */
	if (ev->initiator_depth == 0) {
		snprintf(why, why_len, "the host serves no RDMA READ (responder resources 0)");
		return NVSIM_RDMA_CM_INVALID_IRD;
	}
	*depth = hsq;
	return 0;
}

/* "rdma conn 7 from 10.0.0.1:49152 on 0.0.0.0:4420" */
static void conn_name(const struct nvsim_rdma_target *rt, uint32_t no, const char *peer_addr,
		      char *buf, size_t len)
{
	if (peer_addr[0])
		snprintf(buf, len, "rdma conn %u from %s on %s", no, peer_addr, rt->cfg.addr);
	else
		snprintf(buf, len, "rdma conn %u on %s", no, rt->cfg.addr);
}

/* Room for one more connection from host?  Else the reject is logged and
 * counted: NO_RSC, "not enough resources" (NVMe RDMA Transport
 * Specification 1.0 §3.4 (approx.)). */
static size_t ring_bytes_of(const struct nvsim_rdma_target *rt, uint32_t depth)
{
	return (size_t)depth * rt->recv_size;
}

static bool conn_room(struct nvsim_rdma_target *rt, const char *host, const char *peer,
		      size_t ring)
{
	struct host_count *hc = *host_slot(rt, host);

	if (rt->nr_conns >= rt->cfg.max_conns_per_port) {
		rt->st.refused_port_cap++;
		nvsim_target_log(rt->target, NVSIM_LOG_WARN,
				 "%s: queue refused: %u connections on the port, the most "
				 "max_conns_per_port allows: RDMA CM reject, status %02Xh (NO_RSC)",
				 peer, rt->nr_conns, NVSIM_RDMA_CM_NO_RSC);
		return false;
	}
	if (rt->nr_pending >= rt->cfg.max_pending_conns) {
		rt->st.refused_pending_cap++;
		nvsim_target_log(rt->target, NVSIM_LOG_WARN,
				 "%s: queue refused: %u connections waiting for Fabrics Connect, "
				 "the most max_pending_conns allows: RDMA CM reject, status %02Xh "
				 "(NO_RSC)",
				 peer, rt->nr_pending, NVSIM_RDMA_CM_NO_RSC);
		return false;
	}
	if (ring > rt->cfg.recv_ring_bytes_max - rt->st.recv_ring_reserved) {
		rt->st.refused_ring_cap++;
		nvsim_target_log(rt->target, NVSIM_LOG_WARN,
				 "%s: queue refused: its receive ring of %zu bytes would take the "
				 "rings past recv_ring_bytes_max %zu (%zu reserved): RDMA CM "
				 "reject, status %02Xh (NO_RSC)",
				 peer, ring, rt->cfg.recv_ring_bytes_max,
				 rt->st.recv_ring_reserved, NVSIM_RDMA_CM_NO_RSC);
		return false;
	}
	if (hc && hc->conns >= rt->cfg.max_conns_per_host) {
		rt->st.refused_host_cap++;
		nvsim_target_log(rt->target, NVSIM_LOG_WARN,
				 "%s: queue refused: %u connections from host '%s', the most "
				 "max_conns_per_host allows: RDMA CM reject, status %02Xh (NO_RSC)",
				 peer, hc->conns, host, NVSIM_RDMA_CM_NO_RSC);
		return false;
	}
	return true;
}

/* The connection as it is before Connect: one receive buffer from a boot
 * slab, NR_BOOT_CMDS contexts, nothing sized by the queue's depth. */
static int conn_alloc_boot(struct rdma_conn *c)
{
	struct nvsim_rdma_target *rt = c->rt;
	struct remote_seg *segs;
	struct nvsim_cqe *rsp;
	uint8_t *mem;
	int ret;

	c->nr_cmds = 2 * c->depth;
	c->free_cmds = c->boot_free;
	c->boot_cmds = rt_calloc(rt, 1, NR_BOOT_CMDS * (sizeof(*c->boot_cmds) +
							rt->msdbd * sizeof(*segs)));
	if (!c->boot_cmds)
		return -ENOMEM;
	ret = boot_get(rt, &c->bslab, &c->bidx);
	if (ret)
		return ret;
	mem = boot_mem(rt, c->bslab, c->bidx);
	c->boot_recv = (struct rdma_recv){ c, mem, verbs_mr_lkey(c->bslab->mr) };
	rsp = (struct nvsim_cqe *)(void *)(mem + rt->boot_elem -
					   NR_BOOT_CMDS * sizeof(struct nvsim_cqe));
	segs = (struct remote_seg *)(void *)(c->boot_cmds + NR_BOOT_CMDS);
	for (uint32_t i = 0; i < NR_BOOT_CMDS && i < c->nr_cmds; i++)
		cmd_init(c, &c->boot_cmds[i], segs + i * rt->msdbd, rsp + i,
			 verbs_mr_lkey(c->bslab->mr));
	return 0;
}

static int conn_setup_qp(struct rdma_conn *c)
{
	struct nvsim_rdma_target *rt = c->rt;
	uint32_t send_wr = 2 * c->depth * (rt->msdbd + 1);
	struct verbs_qp_init_attr qp_attr = { 0 };
	int ret;

	/* Each flush or completion of every WR the QP may hold. */
	c->cqe_need = send_wr + c->depth;
	ret = scq_reserve(rt, c->cqe_need, &c->scq);
	if (ret)
		return ret;
	qp_attr.send_cq = c->scq->cq;
	qp_attr.recv_cq = c->scq->cq;
	qp_attr.cap.max_send_wr = send_wr;
	qp_attr.cap.max_recv_wr = c->depth;
	qp_attr.cap.max_send_sge = 1;
	qp_attr.cap.max_recv_sge = 1;
	qp_attr.context = c;
	ret = verbs_qp_create(c->id, rt->pd, &qp_attr, &c->qp);
	if (ret)
		return ret;
	return post_recv(c, &c->boot_recv);
}

static int conn_accept(struct rdma_conn *c)
{
	struct nvsim_rdma_cm_accept acc = { 0 };
	struct verbs_conn_param param = { 0 };

	acc.crqsize = htole16((uint16_t)c->depth);
	param.private_data = &acc;
	param.private_data_len = sizeof(acc);
	param.initiator_depth = (uint8_t)c->ord;
	param.responder_resources = 0; /* the host never reads from us */
	param.rnr_retry_count = 7;
	param.retry_count = 7;
	return verbs_cm_accept(c->id, &param);
}

static struct rdma_conn *conn_new(struct nvsim_rdma_target *rt, const struct verbs_cm_event *ev,
				  uint16_t qid, uint32_t depth, const char *host)
{
	struct rdma_conn *c = rt_calloc(rt, 1, sizeof(*c));

	if (!c)
		return NULL;
	c->rt = rt;
	c->id = ev->id;
	c->qid = qid;
	c->depth = depth;
	c->ord = ev->initiator_depth < rt->attr.max_qp_init_rd_atom ? ev->initiator_depth
								   : rt->attr.max_qp_init_rd_atom;
	if (!c->ord)
		c->ord = 1;
	c->host = host_get(rt, host);
	if (!c->host) {
		c->id = NULL;
		rt_free(rt, c, sizeof(*c));
		return NULL;
	}
	verbs_cm_id_set_context(c->id, c);
	return c;
}

static void on_connect_request(struct nvsim_rdma_target *rt, const struct verbs_cm_event *ev)
{
	struct rdma_conn *c;
	uint32_t depth = 0, no = ++rt->conns_seen;
	uint16_t qid = 0;
	char why[96], host[VERBS_ADDR_STR_MAX];
	int sts = check_private_data(rt, ev, &qid, &depth, why, sizeof(why));
	char peer[sizeof(c->peer)];

	conn_name(rt, no, ev->peer_addr, peer, sizeof(peer));
	if (sts) {
		nvsim_target_log(rt->target, NVSIM_LOG_WARN,
				 "%s: queue refused: %s: RDMA CM reject, status %02Xh", peer, why,
				 sts);
		goto refuse;
	}
	sts = NVSIM_RDMA_CM_NO_RSC;
	host_of(ev->peer_addr, host, sizeof(host));
	if (!conn_room(rt, host, peer, ring_bytes_of(rt, depth)))
		goto refuse;
	c = conn_new(rt, ev, qid, depth, host);
	if (!c)
		goto refuse;
	c->ring_reserve = ring_bytes_of(rt, depth);
	rt->st.recv_ring_reserved += c->ring_reserve;
	snprintf(c->peer, sizeof(c->peer), "%s", peer);
	conn_link(rt, c);
	if (conn_alloc_boot(c) || conn_setup_qp(c) ||
	    nvsim_tq_create(rt->target, rt->port, &conn_tq_ops, c, &c->tq)) {
		nvsim_target_log(rt->target, NVSIM_LOG_ERROR,
				 "%s: queue refused: no resources for %u entries", peer, depth);
		reject(ev->id, NVSIM_RDMA_CM_NO_RSC);
		conn_unlink(rt, c);
		conn_free(c);
		return;
	}
	mem_add(rt, sizeof(struct nvsim_tq));
	nvsim_tq_set_peer(c->tq, peer);
	nvsim_tq_set_transport_queue(c->tq, qid, (uint16_t)(depth - 1));
	if (conn_accept(c)) {
		conn_unlink(rt, c);
		conn_free(c);
		return;
	}
	rt->st.conns_accepted++;
	pend_add(rt, c);
	return;
refuse:
	reject(ev->id, (enum nvsim_rdma_cm_reject_sts)sts);
	verbs_cm_id_destroy(ev->id);
}

static void on_cm_event(struct nvsim_rdma_target *rt, const struct verbs_cm_event *ev)
{
	struct rdma_conn *c;

	if (ev->type == VERBS_CM_EVENT_CONNECT_REQUEST) {
		on_connect_request(rt, ev);
		return;
	}
	c = ev->id ? verbs_cm_id_context(ev->id) : NULL;
	if (!c || ev->id == rt->listen_id)
		return;
	/* Every event but ESTABLISHED ends the connection: over rdma-core a
	 * passive id may see REJECTED after our accept, and then never
	 * DISCONNECTED. */
	switch (ev->type) {
	case VERBS_CM_EVENT_ESTABLISHED:
	case VERBS_CM_EVENT_ROUTE_RESOLVED:
		break;
	default:
		conn_mark_dead(c);
		break;
	}
}

/* ---- listener ---------------------------------------------------------------- */

static uint32_t max_io_of(const struct nvsim_target_config *tcfg)
{
	return tcfg->mdts ? 4096u << tcfg->mdts : 1u << 24;
}

/* The largest run the pool must serve: one maximum transfer, or with
 * no-mdts one keyed descriptor's most. */
static size_t pool_max_xfer_of(const struct nvsim_target_config *tcfg)
{
	size_t max = max_io_of(tcfg);

	if ((tcfg->quirks & NVSIM_QUIRK_NO_MDTS) && max < NVSIM_SGL_KEYED_MAX_LEN + 1u)
		max = NVSIM_SGL_KEYED_MAX_LEN + 1u;
	return max;
}

static size_t pool_bytes_of(const struct nvsim_rdma_target_config *cfg)
{
	return cfg->buffer_pool_bytes ? cfg->buffer_pool_bytes : NVSIM_RDMA_POOL_DEFAULT_BYTES;
}

int nvsim_rdma_target_config_check(const struct nvsim_rdma_target_config *cfg,
				   const struct nvsim_target_config *tcfg, char *why, size_t len)
{
	size_t pool = pool_bytes_of(cfg), max_xfer = pool_max_xfer_of(tcfg);
	char a[24], b[24];

	if (max_io_of(tcfg) > NVSIM_SGL_KEYED_MAX_LEN + 1u) {
		snprintf(why, len, "MDTS %u: %s per command, above a keyed SGL's %u bytes",
			 tcfg->mdts, fmt_bytes(max_io_of(tcfg), a, sizeof(a)),
			 NVSIM_SGL_KEYED_MAX_LEN);
		return -EINVAL;
	}
	if ((tcfg->msdbd ? tcfg->msdbd : 1) > MSDBD_MAX) {
		snprintf(why, len, "MSDBD %u above the %u descriptors served", tcfg->msdbd,
			 MSDBD_MAX);
		return -EINVAL;
	}
	if (pool > NVSIM_RDMA_POOL_MAX_BYTES) {
		snprintf(why, len, "buffer_pool_bytes %zu (%s) above the cap of %s", pool,
			 fmt_bytes(pool, a, sizeof(a)),
			 fmt_bytes(NVSIM_RDMA_POOL_MAX_BYTES, b, sizeof(b)));
		return -EINVAL;
	}
	if (!nvsim_pool_size_for(pool, max_xfer)) {
		snprintf(why, len,
			 "buffer_pool_bytes %zu (%s) holds no maximum transfer (%s, MDTS %u)",
			 pool, fmt_bytes(pool, a, sizeof(a)), fmt_bytes(max_xfer, b, sizeof(b)),
			 tcfg->mdts);
		return -EINVAL;
	}
	return 0;
}

static void apply_defaults(struct nvsim_rdma_target *rt, const struct nvsim_rdma_target_config *cfg)
{
	rt->cfg = *cfg;
	rt->cfg.buffer_pool_bytes = pool_bytes_of(cfg);
	if (!rt->cfg.max_conns_per_port)
		rt->cfg.max_conns_per_port = NVSIM_RDMA_CONNS_PER_PORT_DEFAULT;
	if (!rt->cfg.max_conns_per_host)
		rt->cfg.max_conns_per_host = NVSIM_RDMA_CONNS_PER_HOST_DEFAULT;
	if (!rt->cfg.max_pending_conns)
		rt->cfg.max_pending_conns = NVSIM_RDMA_PENDING_CONNS_DEFAULT;
	if (!rt->cfg.recv_ring_bytes_max)
		rt->cfg.recv_ring_bytes_max = NVSIM_RDMA_RECV_RING_DEFAULT_BYTES;
	if (!rt->cfg.connect_timeout_ms)
		rt->cfg.connect_timeout_ms = NVSIM_RDMA_CONNECT_TIMEOUT_DEFAULT_MS;
	rt->icd = rt->target->cfg.in_capsule_data;
	rt->recv_size = SQE_LEN + rt->icd;
	rt->boot_elem = ((size_t)rt->recv_size + NR_BOOT_CMDS * sizeof(struct nvsim_cqe) + 63) &
			~(size_t)63;
	rt->max_io = max_io_of(&rt->target->cfg);
	rt->msdbd = rt->target->cfg.msdbd ? rt->target->cfg.msdbd : 1;
}

/* The device's limits bound the queues: each of twice the depth's
 * contexts may need a SEND plus one WR per descriptor. */
static void clamp_depth(struct nvsim_rdma_target *rt)
{
	uint32_t mqes_depth = (uint32_t)rt->target->cfg.mqes + 1;
	uint32_t per_entry = 2 * (rt->msdbd + 1);

	if (!rt->cfg.max_queue_depth || rt->cfg.max_queue_depth > mqes_depth)
		rt->cfg.max_queue_depth = mqes_depth;
	if (rt->attr.max_qp_wr && rt->cfg.max_queue_depth * per_entry > rt->attr.max_qp_wr) {
		rt->cfg.max_queue_depth = rt->attr.max_qp_wr / per_entry;
		nvsim_target_log(rt->target, NVSIM_LOG_INFO,
				 "rdma target on %s: I/O queues hold at most %u entries, as the "
				 "device's max_qp_wr %u allows (%u WRs per entry)",
				 rt->cfg.addr, rt->cfg.max_queue_depth, rt->attr.max_qp_wr,
				 per_entry);
	}
}

static int pool_start(struct nvsim_rdma_target *rt)
{
	struct nvsim_pool_stats ps;
	int ret = nvsim_pool_create(rt->cfg.buffer_pool_bytes, pool_max_xfer_of(&rt->target->cfg),
				    &rt->pool);

	if (ret)
		return ret;
	ret = verbs_mr_reg(rt->pd, nvsim_pool_base(rt->pool), nvsim_pool_size(rt->pool),
			   VERBS_ACCESS_LOCAL_WRITE, &rt->pool_mr);
	if (ret)
		return ret;
	nvsim_pool_get_stats(rt->pool, &ps);
	rt->st.pool_bytes = ps.size_bytes;
	rt->st.pool_unit = NVSIM_POOL_UNIT;
	rt->st.pool_max_xfer = ps.max_xfer_bytes;
	mem_add(rt, ps.size_bytes + ps.meta_bytes);
	return 0;
}

static uint32_t host_buckets(unsigned int max_conns)
{
	uint32_t n = HOST_BUCKETS_MIN;

	while (n < max_conns / 4 && n < HOST_BUCKETS_MAX)
		n <<= 1;
	return n;
}

int nvsim_rdma_target_start(struct nvsim_target *t, struct nvsim_port *port,
			    const struct nvsim_rdma_target_config *cfg,
			    struct nvsim_rdma_target **out)
{
	struct verbs_open_opts opts = { .provider = cfg->provider, .device = cfg->device,
					.fabric = cfg->fabric };
	struct nvsim_rdma_target *rt;
	char why[160];
	uint32_t buckets;
	int ret = nvsim_rdma_target_config_check(cfg, &t->cfg, why, sizeof(why));

	if (ret) {
		nvsim_target_log(t, NVSIM_LOG_ERROR, "rdma target on %s: %s", cfg->addr, why);
		return ret;
	}
	rt = calloc(1, sizeof(*rt));
	if (!rt)
		return -ENOMEM;
	rt->target = t;
	rt->port = port;
	apply_defaults(rt, cfg);
	mem_add(rt, sizeof(*rt));
	buckets = host_buckets(rt->cfg.max_conns_per_port);
	rt->hosts = rt_calloc(rt, buckets, sizeof(*rt->hosts));
	rt->host_mask = buckets - 1;
	ret = rt->hosts ? verbs_device_open(&opts, &rt->dev) : -ENOMEM;
	if (!ret)
		ret = verbs_device_query(rt->dev, &rt->attr);
	if (ret)
		goto err;
	clamp_depth(rt);
	ret = verbs_pd_alloc(rt->dev, &rt->pd);
	if (!ret)
		ret = pool_start(rt);
	if (!ret)
		ret = verbs_cm_channel_create(rt->dev, &rt->ch);
	if (!ret)
		ret = verbs_cm_id_create(rt->ch, NULL, &rt->listen_id);
	if (!ret)
		ret = verbs_cm_listen(rt->listen_id, cfg->addr, cfg->backlog ? cfg->backlog : 128);
	if (ret)
		goto err;
	*out = rt;
	return 0;
err:
	nvsim_rdma_target_stop(rt);
	return ret;
}

/* Connections still waiting for Connect past the timeout are dropped,
 * oldest first; the rest are younger. */
static int expire_pending(struct nvsim_rdma_target *rt)
{
	uint64_t now = rt_now(rt), limit = rt->cfg.connect_timeout_ms * NSEC_PER_MSEC;
	int n = 0;

	while (rt->pend_head) {
		struct rdma_conn *c = rt->pend_head;
		uint64_t age = now > c->accepted_ns ? now - c->accepted_ns : 0;

		if (age < limit)
			break;
		pend_del(rt, c);
		rt->st.connect_timeouts++;
		nvsim_target_log(rt->target, NVSIM_LOG_WARN,
				 "%s: no Fabrics Connect %llu ms after the CM accept (QID %u, "
				 "connect_timeout_ms %u): the connection is dropped",
				 c->peer, (unsigned long long)(age / NSEC_PER_MSEC), c->qid,
				 rt->cfg.connect_timeout_ms);
		conn_disconnect(c);
		n++;
	}
	return n;
}

/* A disconnect the CM never confirmed: the QP goes to error and the
 * connection is dropped anyway, so it frees its cap slots and memory. */
static int expire_disconnects(struct nvsim_rdma_target *rt)
{
	uint64_t now = rt_now(rt), limit = NVSIM_RDMA_DISCONNECT_TIMEOUT_MS * NSEC_PER_MSEC;
	int n = 0;

	while (rt->disc_head) {
		struct rdma_conn *c = rt->disc_head;
		uint64_t age = now > c->disconnect_ns ? now - c->disconnect_ns : 0;

		if (age < limit)
			break;
		rt->st.disconnect_timeouts++;
		nvsim_target_log(rt->target, NVSIM_LOG_WARN,
				 "%s: no RDMA CM DISCONNECTED %llu ms after our disconnect: the "
				 "queue pair is moved to error and the connection dropped",
				 c->peer, (unsigned long long)(age / NSEC_PER_MSEC));
		conn_mark_dead(c);
		n++;
	}
	return n;
}

static void reap(struct nvsim_rdma_target *rt)
{
	while (rt->reap) {
		struct rdma_conn *c = rt->reap;

		rt->reap = c->reap_next;
		conn_unlink(rt, c);
		conn_free(c);
	}
}

/* A CQ that overran has lost completions: every queue on it is dropped,
 * and since it is never polled again, its connections count as drained. */
static void scq_lost(struct nvsim_rdma_target *rt, struct rdma_scq *q, int err)
{
	q->lost = true;
	nvsim_target_log(rt->target, NVSIM_LOG_ERROR,
			 "rdma target on %s: a shared completion queue of %u entries failed (%s): "
			 "its queues are dropped",
			 rt->cfg.addr, q->cap, strerror(-err));
	for (struct rdma_conn *c = rt->conns; c; c = c->next)
		if (c->scq == q) {
			conn_disconnect(c);
			conn_check_reap(c);
		}
}

static int poll_scq(struct nvsim_rdma_target *rt, struct rdma_scq *q)
{
	struct verbs_wc wc[32];
	int n = 0, work = 0;

	while (!nvsim_target_dead(rt->target) && (n = verbs_poll_cq(q->cq, 32, wc)) > 0) {
		for (int i = 0; i < n && !nvsim_target_dead(rt->target); i++)
			on_completion(&wc[i]);
		work += n;
	}
	if (n < 0 && n != -EAGAIN)
		scq_lost(rt, q, n);
	return work;
}

int nvsim_rdma_target_poll(struct nvsim_rdma_target *rt)
{
	struct verbs_cm_event ev;
	int work = 0;

	/* dies-mid-run: a crashed target takes no event and answers nothing;
	 * what the host sends waits in the fabric until we are stopped. */
	if (nvsim_target_dead(rt->target))
		return 0;
	while (verbs_cm_get_event(rt->ch, &ev) == 0) {
		on_cm_event(rt, &ev);
		work++;
	}
	for (struct rdma_scq *q = rt->scqs; q; q = q->next)
		if (!q->lost)
			work += poll_scq(rt, q);
	work += expire_pending(rt);
	work += expire_disconnects(rt);
	work += nvsim_target_poll(rt->target);
	reap(rt);
	return work;
}

void nvsim_rdma_target_stop(struct nvsim_rdma_target *rt)
{
	if (!rt)
		return;
	/* All first, so that buffers one queue gives back are not granted to
	 * a command of the next one. */
	for (struct rdma_conn *c = rt->conns; c; c = c->next)
		conn_disconnect(c);
	while (rt->conns) {
		struct rdma_conn *c = rt->conns;

		conn_unlink(rt, c);
		conn_free(c);
	}
	/* Connect requests never taken (a dead target's, or ones that came
	 * after the last poll) hold ids on the channel: refuse them. */
	if (rt->ch) {
		struct verbs_cm_event ev;

		while (verbs_cm_get_event(rt->ch, &ev) == 0)
			if (ev.type == VERBS_CM_EVENT_CONNECT_REQUEST)
				verbs_cm_id_destroy(ev.id);
	}
	while (rt->scqs) {
		struct rdma_scq *q = rt->scqs;

		rt->scqs = q->next;
		verbs_cq_destroy(q->cq);
		rt_free(rt, q, sizeof(*q));
	}
	while (rt->boot_room) {
		struct boot_slab *s = rt->boot_room;

		boot_room_del(rt, s);
		boot_slab_free(rt, s);
	}
	if (rt->pool_mr)
		verbs_mr_dereg(rt->pool_mr);
	nvsim_pool_destroy(rt->pool);
	if (rt->listen_id)
		verbs_cm_id_destroy(rt->listen_id);
	if (rt->ch)
		verbs_cm_channel_destroy(rt->ch);
	if (rt->pd)
		verbs_pd_dealloc(rt->pd);
	if (rt->dev)
		verbs_device_close(rt->dev);
	free(rt->hosts);
	free(rt);
}

unsigned int nvsim_rdma_target_nr_queues(const struct nvsim_rdma_target *rt)
{
	return rt->nr_conns;
}

void nvsim_rdma_target_get_stats(const struct nvsim_rdma_target *rt,
				 struct nvsim_rdma_target_stats *st)
{
	struct nvsim_pool_stats ps;

	*st = rt->st;
	nvsim_pool_get_stats(rt->pool, &ps);
	st->pool_in_use = ps.in_use_bytes;
	st->pool_high_water = ps.high_water_bytes;
	st->pool_grants = ps.grants;
	st->pool_waits = ps.waits;
	st->pool_waiting = ps.waiting;
	st->pool_max_waiting = ps.max_waiting;
	st->conns = rt->nr_conns;
	st->conns_pending = rt->nr_pending;
}
