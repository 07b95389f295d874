/* The target's data buffer pool (see pool.h).  A binary buddy allocator
 * over 4 KiB units: a run of 2^k units splits into two buddies of 2^(k-1)
 * and merges back when both are free, so whatever the mix of sizes, a
 * pool whose runs are all given back is whole again and the largest
 * request fits.  Bookkeeping lives beside the region (one tag byte and two
 * list links per unit), never in the buffers, so a buffer nobody uses is
 * never touched.  Every operation is bounded by the number of orders
 * (at most NVSIM_POOL_ORDERS), whatever the pool's size. */
#include <errno.h>
#include <stdlib.h>

#include "target/pool.h"

#define NVSIM_POOL_ORDERS 21u /* runs of up to 2^20 units (4 GiB) */
#define UNIT_NONE UINT32_MAX
#define TAG_FREE 0x40u
#define TAG_HELD 0x80u
#define TAG_ORDER 0x1fu

struct nvsim_pool {
	uint8_t *base;
	size_t size;
	uint32_t nr_units;
	uint8_t max_order;
	/* Per unit: the head of a run carries its state and order; links
	 * chain the free heads of one order. */
	uint8_t *tag;
	uint32_t *next, *prev;
	uint32_t free_head[NVSIM_POOL_ORDERS];
	struct nvsim_pool_req *wait_head, *wait_tail;
	bool kicking;
	struct nvsim_pool_stats st;
};

static uint8_t order_for_units(size_t units)
{
	uint8_t order = 0;

	while (((size_t)1 << order) < units)
		order++;
	return order;
}

static size_t units_of(size_t len)
{
	return (len + NVSIM_POOL_UNIT - 1) / NVSIM_POOL_UNIT;
}

size_t nvsim_pool_size_for(size_t size, size_t max_xfer)
{
	size_t run;
	uint8_t order;

	if (!max_xfer || units_of(max_xfer) > ((size_t)1 << (NVSIM_POOL_ORDERS - 1)))
		return 0;
	order = order_for_units(units_of(max_xfer));
	run = (size_t)NVSIM_POOL_UNIT << order;
	if (size / NVSIM_POOL_UNIT > UINT32_MAX - run / NVSIM_POOL_UNIT)
		return 0;
	return size / run * run;
}

static void list_add(struct nvsim_pool *p, uint32_t u, uint8_t order)
{
	uint32_t head = p->free_head[order];

	p->tag[u] = (uint8_t)(TAG_FREE | order);
	p->prev[u] = UNIT_NONE;
	p->next[u] = head;
	if (head != UNIT_NONE)
		p->prev[head] = u;
	p->free_head[order] = u;
}

static void list_del(struct nvsim_pool *p, uint32_t u, uint8_t order)
{
	if (p->prev[u] != UNIT_NONE)
		p->next[p->prev[u]] = p->next[u];
	else
		p->free_head[order] = p->next[u];
	if (p->next[u] != UNIT_NONE)
		p->prev[p->next[u]] = p->prev[u];
	p->tag[u] = 0;
}

int nvsim_pool_create(size_t size, size_t max_xfer, struct nvsim_pool **out)
{
	struct nvsim_pool *p;
	size_t bytes = nvsim_pool_size_for(size, max_xfer);
	uint32_t run;

	if (!bytes)
		return -EINVAL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->size = bytes;
	p->nr_units = (uint32_t)(bytes / NVSIM_POOL_UNIT);
	p->max_order = order_for_units(units_of(max_xfer));
	p->base = aligned_alloc(NVSIM_POOL_UNIT, bytes);
	p->tag = calloc(p->nr_units, sizeof(*p->tag));
	p->next = calloc(p->nr_units, sizeof(*p->next));
	p->prev = calloc(p->nr_units, sizeof(*p->prev));
	if (!p->base || !p->tag || !p->next || !p->prev) {
		nvsim_pool_destroy(p);
		return -ENOMEM;
	}
	for (unsigned int o = 0; o < NVSIM_POOL_ORDERS; o++)
		p->free_head[o] = UNIT_NONE;
	/* Highest address first, so the lowest comes out first. */
	run = 1u << p->max_order;
	for (uint32_t u = p->nr_units; u >= run; u -= run)
		list_add(p, u - run, p->max_order);
	p->st.size_bytes = bytes;
	p->st.max_xfer_bytes = (size_t)NVSIM_POOL_UNIT << p->max_order;
	p->st.meta_bytes = sizeof(*p) +
			   (size_t)p->nr_units * (sizeof(*p->tag) + 2 * sizeof(*p->next));
	*out = p;
	return 0;
}

void nvsim_pool_destroy(struct nvsim_pool *p)
{
	if (!p)
		return;
	free(p->base);
	free(p->tag);
	free(p->next);
	free(p->prev);
	free(p);
}

void *nvsim_pool_base(const struct nvsim_pool *p)
{
	return p->base;
}

size_t nvsim_pool_size(const struct nvsim_pool *p)
{
	return p->size;
}

/* The smallest free run of at least order, split down to order. */
static uint32_t run_alloc(struct nvsim_pool *p, uint8_t order)
{
	uint8_t o = order;
	uint32_t u;

	while (o <= p->max_order && p->free_head[o] == UNIT_NONE)
		o++;
	if (o > p->max_order)
		return UNIT_NONE;
	u = p->free_head[o];
	list_del(p, u, o);
	while (o > order) {
		o--;
		list_add(p, u + (1u << o), o);
	}
	p->tag[u] = (uint8_t)(TAG_HELD | order);
	return u;
}

static void run_free(struct nvsim_pool *p, uint32_t u, uint8_t order)
{
	p->tag[u] = 0;
	while (order < p->max_order) {
		uint32_t buddy = u ^ (1u << order);

		if (p->tag[buddy] != (TAG_FREE | order))
			break;
		list_del(p, buddy, order);
		if (buddy < u)
			u = buddy;
		order++;
	}
	list_add(p, u, order);
}

static bool try_grant(struct nvsim_pool *p, struct nvsim_pool_req *r)
{
	uint32_t u = run_alloc(p, r->order);

	if (u == UNIT_NONE)
		return false;
	r->first = u;
	r->buf = p->base + (size_t)u * NVSIM_POOL_UNIT;
	r->held = true;
	p->st.in_use_bytes += (size_t)NVSIM_POOL_UNIT << r->order;
	if (p->st.in_use_bytes > p->st.high_water_bytes)
		p->st.high_water_bytes = p->st.in_use_bytes;
	p->st.grants++;
	return true;
}

static void fifo_del(struct nvsim_pool *p, struct nvsim_pool_req *r)
{
	if (r->prev)
		r->prev->next = r->next;
	else
		p->wait_head = r->next;
	if (r->next)
		r->next->prev = r->prev;
	else
		p->wait_tail = r->prev;
	r->next = r->prev = NULL;
	r->waiting = false;
	p->st.waiting--;
}

/* Serve the FIFO from its head while runs fit.  A callback may give runs
 * back, cancel or ask again: the loop that is already running serves
 * whatever that frees, so callbacks never nest. */
static void kick(struct nvsim_pool *p)
{
	if (p->kicking)
		return;
	p->kicking = true;
	while (p->wait_head && try_grant(p, p->wait_head)) {
		struct nvsim_pool_req *r = p->wait_head;

		fifo_del(p, r);
		r->granted(r);
	}
	p->kicking = false;
}

int nvsim_pool_get(struct nvsim_pool *p, struct nvsim_pool_req *req, size_t len)
{
	if (!len || len > p->st.max_xfer_bytes)
		return -EINVAL;
	if (req->held || req->waiting)
		return -EBUSY;
	req->order = order_for_units(units_of(len));
	/* Behind a waiter even when a run is free: first come, first served. */
	if (!p->wait_head && try_grant(p, req))
		return 0;
	req->next = NULL;
	req->prev = p->wait_tail;
	if (p->wait_tail)
		p->wait_tail->next = req;
	else
		p->wait_head = req;
	p->wait_tail = req;
	req->waiting = true;
	p->st.waits++;
	if (++p->st.waiting > p->st.max_waiting)
		p->st.max_waiting = p->st.waiting;
	return 1;
}

void nvsim_pool_put(struct nvsim_pool *p, struct nvsim_pool_req *req)
{
	if (!req->held)
		return;
	run_free(p, req->first, req->order);
	p->st.in_use_bytes -= (size_t)NVSIM_POOL_UNIT << req->order;
	req->held = false;
	req->buf = NULL;
	kick(p);
}

void nvsim_pool_cancel(struct nvsim_pool *p, struct nvsim_pool_req *req)
{
	bool was_head = req == p->wait_head;

	if (!req->waiting)
		return;
	fifo_del(p, req);
	/* The one behind may fit where the cancelled one did not. */
	if (was_head)
		kick(p);
}

void nvsim_pool_get_stats(const struct nvsim_pool *p, struct nvsim_pool_stats *st)
{
	*st = p->st;
}
