/* The data buffer pool alone (pool.c): sizes refused and rounded, first
 * come first served even when a later, smaller request would fit, all or
 * nothing (never a part of a run), cancelling, grants from inside a grant,
 * and a seeded random run whose invariants hold at every step: runs never
 * overlap, in use never exceeds the pool, grants follow request order, and
 * the pool is whole again at the end. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cmocka_main.h"
#include "target/pool.h"

#define KIB 1024u
#define SEED 0x9001u

struct req {
	struct nvsim_pool_req r;
	struct nvsim_pool *pool;
	unsigned int seq;	/* order of the request */
	unsigned int granted_as; /* order of its grant, from 1 */
	bool put_when_granted;
};

static unsigned int grant_counter;
/* The request order (seq) of every grant, in grant order. */
static unsigned int grant_log[1u << 16];

static void note_grant(struct req *q)
{
	q->granted_as = ++grant_counter;
	if (grant_counter < sizeof(grant_log) / sizeof(grant_log[0]))
		grant_log[grant_counter] = q->seq;
}

static void on_granted(struct nvsim_pool_req *r)
{
	struct req *q = (struct req *)(void *)r;

	note_grant(q);
	if (q->put_when_granted)
		nvsim_pool_put(q->pool, &q->r);
}

static void req_init(struct req *q, struct nvsim_pool *p, unsigned int seq)
{
	memset(q, 0, sizeof(*q));
	q->r.granted = on_granted;
	q->pool = p;
	q->seq = seq;
}

static struct nvsim_pool *pool_new(size_t size, size_t max_xfer)
{
	struct nvsim_pool *p = NULL;

	assert_int_equal(nvsim_pool_create(size, max_xfer, &p), 0);
	grant_counter = 0;
	return p;
}

static size_t in_use(const struct nvsim_pool *p)
{
	struct nvsim_pool_stats st;

	nvsim_pool_get_stats(p, &st);
	return st.in_use_bytes;
}

static void test_sizes_below_one_run_are_refused_and_others_rounded(void **state)
{
	struct nvsim_pool *p = NULL;
	struct nvsim_pool_stats st;
	struct req q;

	(void)state;
	assert_int_equal(nvsim_pool_create(64 * KIB - 1, 64 * KIB, &p), -EINVAL);
	assert_int_equal(nvsim_pool_create(1u << 20, 0, &p), -EINVAL);
	assert_int_equal(nvsim_pool_size_for(100 * KIB, 48 * KIB), 64 * KIB);
	p = pool_new(300 * KIB, 64 * KIB);
	nvsim_pool_get_stats(p, &st);
	assert_int_equal(st.size_bytes, 256 * KIB); /* whole 64 KiB runs */
	assert_int_equal(st.max_xfer_bytes, 64 * KIB);
	req_init(&q, p, 0);
	assert_int_equal(nvsim_pool_get(p, &q.r, 0), -EINVAL);
	assert_int_equal(nvsim_pool_get(p, &q.r, 64 * KIB + 1), -EINVAL);
	assert_int_equal(nvsim_pool_get(p, &q.r, 1), 0);
	assert_int_equal(nvsim_pool_get(p, &q.r, 1), -EBUSY);
	assert_int_equal(in_use(p), NVSIM_POOL_UNIT); /* one byte takes one unit */
	nvsim_pool_put(p, &q.r);
	assert_int_equal(in_use(p), 0);
	nvsim_pool_destroy(p);
}

/* Four 64 KiB runs: three held whole and one half, so 32 KiB is free.  A
 * 64 KiB request must wait; a 4 KiB one behind it would fit but waits too,
 * and both are served in order once a run comes back. */
static void test_a_small_request_never_overtakes_a_waiting_large_one(void **state)
{
	struct nvsim_pool *p = pool_new(256 * KIB, 64 * KIB);
	struct req held[4], big, small;

	(void)state;
	for (unsigned int i = 0; i < 4; i++) {
		req_init(&held[i], p, i);
		assert_int_equal(nvsim_pool_get(p, &held[i].r, i == 3 ? 32 * KIB : 64 * KIB), 0);
	}
	req_init(&big, p, 4);
	req_init(&small, p, 5);
	assert_int_equal(nvsim_pool_get(p, &big.r, 64 * KIB), 1);
	assert_int_equal(nvsim_pool_get(p, &small.r, 4 * KIB), 1);
	assert_true(small.r.waiting);
	assert_null(small.r.buf);
	nvsim_pool_put(p, &held[0].r);
	assert_int_equal(big.granted_as, 1);
	assert_int_equal(small.granted_as, 2);
	assert_non_null(big.r.buf);
	assert_non_null(small.r.buf);
	/* Distinct memory: the small run is in the half run still free. */
	assert_true(small.r.buf >= held[3].r.buf + 32 * KIB &&
		    small.r.buf < held[3].r.buf + 64 * KIB);
	for (unsigned int i = 1; i < 4; i++)
		nvsim_pool_put(p, &held[i].r);
	nvsim_pool_put(p, &big.r);
	nvsim_pool_put(p, &small.r);
	assert_int_equal(in_use(p), 0);
	nvsim_pool_destroy(p);
}

/* 64 KiB free in two separate halves is not 64 KiB: the request holds
 * nothing while it waits and gets its whole run when one is whole. */
static void test_a_request_gets_its_whole_run_or_nothing(void **state)
{
	struct nvsim_pool *p = pool_new(128 * KIB, 64 * KIB);
	struct req a, b, c, d, big;

	(void)state;
	req_init(&a, p, 0);
	req_init(&b, p, 1);
	req_init(&c, p, 2);
	req_init(&d, p, 3);
	req_init(&big, p, 4);
	assert_int_equal(nvsim_pool_get(p, &a.r, 32 * KIB), 0);
	assert_int_equal(nvsim_pool_get(p, &b.r, 32 * KIB), 0);
	assert_int_equal(nvsim_pool_get(p, &c.r, 32 * KIB), 0);
	assert_int_equal(nvsim_pool_get(p, &d.r, 32 * KIB), 0);
	nvsim_pool_put(p, &b.r); /* one half of each run free */
	nvsim_pool_put(p, &c.r);
	assert_int_equal(in_use(p), 64 * KIB);
	assert_int_equal(nvsim_pool_get(p, &big.r, 64 * KIB), 1);
	assert_int_equal(in_use(p), 64 * KIB);
	assert_false(big.r.held);
	nvsim_pool_put(p, &a.r); /* the first run is whole again */
	assert_int_equal(big.granted_as, 1);
	assert_true(big.r.held);
	assert_int_equal(in_use(p), 96 * KIB);
	nvsim_pool_put(p, &big.r);
	nvsim_pool_put(p, &d.r);
	assert_int_equal(in_use(p), 0);
	nvsim_pool_destroy(p);
}

static void test_cancelling_the_head_serves_the_one_behind(void **state)
{
	struct nvsim_pool *p = pool_new(128 * KIB, 64 * KIB);
	struct req a, b, big, small;
	struct nvsim_pool_stats st;

	(void)state;
	req_init(&a, p, 0);
	req_init(&b, p, 1);
	req_init(&big, p, 2);
	req_init(&small, p, 3);
	assert_int_equal(nvsim_pool_get(p, &a.r, 64 * KIB), 0);
	assert_int_equal(nvsim_pool_get(p, &b.r, 32 * KIB), 0);
	assert_int_equal(nvsim_pool_get(p, &big.r, 64 * KIB), 1);
	assert_int_equal(nvsim_pool_get(p, &small.r, 16 * KIB), 1);
	nvsim_pool_cancel(p, &big.r);
	assert_false(big.r.waiting);
	assert_int_equal(big.granted_as, 0);
	assert_int_equal(small.granted_as, 1);
	nvsim_pool_get_stats(p, &st);
	assert_int_equal(st.waiting, 0);
	assert_int_equal(st.waits, 2);
	assert_int_equal(st.max_waiting, 2);
	nvsim_pool_put(p, &a.r);
	nvsim_pool_put(p, &b.r);
	nvsim_pool_put(p, &small.r);
	nvsim_pool_destroy(p);
}

/* A grant whose owner gives the run straight back (its connection went
 * away meanwhile) lets the next waiters through in the same put. */
static void test_a_run_given_back_inside_a_grant_serves_the_next(void **state)
{
	struct nvsim_pool *p = pool_new(64 * KIB, 64 * KIB);
	struct req a, w[3];

	(void)state;
	req_init(&a, p, 0);
	assert_int_equal(nvsim_pool_get(p, &a.r, 64 * KIB), 0);
	for (unsigned int i = 0; i < 3; i++) {
		req_init(&w[i], p, i + 1);
		w[i].put_when_granted = i < 2;
		assert_int_equal(nvsim_pool_get(p, &w[i].r, 64 * KIB), 1);
	}
	nvsim_pool_put(p, &a.r);
	assert_int_equal(w[0].granted_as, 1);
	assert_int_equal(w[1].granted_as, 2);
	assert_int_equal(w[2].granted_as, 3);
	assert_true(w[2].r.held);
	assert_int_equal(in_use(p), 64 * KIB);
	nvsim_pool_put(p, &w[2].r);
	nvsim_pool_destroy(p);
}

static uint64_t rng_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static void assert_disjoint(const struct req *r, unsigned int n, const size_t *len)
{
	for (unsigned int i = 0; i < n; i++) {
		for (unsigned int j = i + 1; r[i].r.held && j < n; j++) {
			if (!r[j].r.held)
				continue;
			assert_true(r[i].r.buf + len[i] <= r[j].r.buf ||
				    r[j].r.buf + len[j] <= r[i].r.buf);
		}
	}
}

/* Random sizes from 1 byte to the largest run, held and given back at
 * random: grants come in request order, runs never overlap, and in the
 * end the whole pool is one free run per maximum transfer again. */
static void test_random_requests_keep_order_and_disjoint_runs(void **state)
{
	enum { N = 32, STEPS = 20000, MAX = 128 * KIB, POOL = 2048 * KIB };
	struct nvsim_pool *p = pool_new(POOL, MAX);
	struct req *r = calloc(N, sizeof(*r));
	size_t len[N] = { 0 };
	unsigned int seq = 0;
	uint64_t s = SEED;
	struct nvsim_pool_stats st;

	(void)state;
	assert_non_null(r);
	print_message("seed %#x\n", SEED);
	for (unsigned int i = 0; i < N; i++)
		req_init(&r[i], p, 0);
	for (unsigned int step = 0; step < STEPS; step++) {
		struct req *q = &r[rng_next(&s) % N];

		if (q->r.held) {
			nvsim_pool_put(p, &q->r);
		} else if (!q->r.waiting) {
			len[q - r] = 1 + (size_t)(rng_next(&s) % MAX);
			q->seq = ++seq;
			if (nvsim_pool_get(p, &q->r, len[q - r]) == 0)
				note_grant(q);
		}
		assert_true(in_use(p) <= POOL);
		assert_disjoint(r, N, len);
	}
	/* First come, first served: grants in the order of the requests. */
	assert_true(grant_counter < sizeof(grant_log) / sizeof(grant_log[0]));
	for (unsigned int i = 2; i <= grant_counter; i++)
		assert_true(grant_log[i] > grant_log[i - 1]);
	for (unsigned int i = 0; i < N; i++)
		nvsim_pool_cancel(p, &r[i].r);
	for (unsigned int i = 0; i < N; i++)
		nvsim_pool_put(p, &r[i].r);
	nvsim_pool_get_stats(p, &st);
	assert_int_equal(st.in_use_bytes, 0);
	assert_true(st.high_water_bytes <= POOL);
	assert_true(st.waits > 0);
	/* Coalesced: every maximum run can be had at once. */
	for (unsigned int i = 0; i < POOL / MAX; i++)
		assert_int_equal(nvsim_pool_get(p, &r[i].r, MAX), 0);
	for (unsigned int i = 0; i < POOL / MAX; i++)
		nvsim_pool_put(p, &r[i].r);
	print_message("%u requests, %llu waited, at most %u waiting, high-water %zu KiB of %u\n",
		      seq, (unsigned long long)st.waits, st.max_waiting,
		      st.high_water_bytes / KIB, POOL / KIB);
	free(r);
	nvsim_pool_destroy(p);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(test_sizes_below_one_run_are_refused_and_others_rounded),
	cmocka_unit_test(test_a_small_request_never_overtakes_a_waiting_large_one),
	cmocka_unit_test(test_a_request_gets_its_whole_run_or_nothing),
	cmocka_unit_test(test_cancelling_the_head_serves_the_one_behind),
	cmocka_unit_test(test_a_run_given_back_inside_a_grant_serves_the_next),
	cmocka_unit_test(test_random_requests_keep_order_and_disjoint_runs),
};

NVMFSIM_TEST_MAIN(tests)
