/* The fake at the scale of a big RNIC: tens of thousands of QPs, hundreds
 * of thousands of MRs, thousands of listeners.  Each test asserts that
 * every object is found (the right peer, key, listener) and that the
 * fake's memory follows what is used, counted by verbs_fake_fabric_stats,
 * not by a timer.  How fast the lookups are is a benchmark's business. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmocka_main.h"
#include "verbs/fake.h"
#include "verbs/verbs.h"

enum { NCONN = 10000, NMR = 200000, NLISTEN = 1000, MSG = 8 };

struct end {
	struct verbs_device *dev;
	struct verbs_pd *pd;
	struct verbs_cq *cq;
	struct verbs_cm_channel *ch;
	uint8_t *buf;
	size_t len;
	struct verbs_mr *mr;
};

static struct verbs_fake_fabric *fab;
static struct end C, S;

static const struct verbs_conn_param param = { .retry_count = 3, .rnr_retry_count = 7 };

static void end_open(struct end *e, size_t len, uint32_t cqe)
{
	struct verbs_open_opts opts = { .provider = "fake", .fabric = fab };
	struct verbs_cq_attr cqa = { .cqe = cqe };
	unsigned int access = VERBS_ACCESS_LOCAL_WRITE | VERBS_ACCESS_REMOTE_WRITE |
			      VERBS_ACCESS_REMOTE_READ;

	assert_int_equal(verbs_device_open(&opts, &e->dev), 0);
	assert_int_equal(verbs_pd_alloc(e->dev, &e->pd), 0);
	assert_int_equal(verbs_cq_create(e->dev, &cqa, &e->cq), 0);
	assert_int_equal(verbs_cm_channel_create(e->dev, &e->ch), 0);
	e->len = len;
	e->buf = calloc(1, len);
	assert_non_null(e->buf);
	assert_int_equal(verbs_mr_reg(e->pd, e->buf, len, access, &e->mr), 0);
}

static void end_close(struct end *e)
{
	assert_int_equal(verbs_mr_dereg(e->mr), 0);
	free(e->buf);
	assert_int_equal(verbs_cq_destroy(e->cq), 0);
	assert_int_equal(verbs_cm_channel_destroy(e->ch), 0);
	assert_int_equal(verbs_pd_dealloc(e->pd), 0);
	verbs_device_close(e->dev);
}

static void up(size_t len, uint32_t cqe)
{
	struct verbs_fake_config cfg = { .seed = 11 };

	assert_int_equal(verbs_fake_fabric_create(&cfg, &fab), 0);
	end_open(&C, len, cqe);
	end_open(&S, len, cqe);
}

static void down(void)
{
	end_close(&C);
	end_close(&S);
	assert_int_equal(verbs_fake_fabric_destroy(fab), 0);
}

static void next_event(struct verbs_cm_channel *ch, struct verbs_cm_event *ev)
{
	int i, rc = -EAGAIN;

	for (i = 0; i < 1000 && rc == -EAGAIN; i++)
		rc = verbs_cm_get_event(ch, ev);
	assert_int_equal(rc, 0);
}

static struct verbs_fake_stats stats(void)
{
	struct verbs_fake_stats st;

	assert_int_equal(verbs_fake_fabric_stats(fab, &st), 0);
	return st;
}

/* ---- 10 000 connections ----------------------------------------------------------- */

struct conn {
	struct verbs_cm_id *cid, *sid;
	struct verbs_qp *cqp, *sqp;
};

/* Every QP asks for the device's largest queues: what it may hold, which
 * must cost nothing until used. */
static void qp_big(struct end *e, struct verbs_cm_id *id, void *ctx, struct verbs_qp **qp)
{
	struct verbs_device_attr a;
	struct verbs_qp_init_attr qa = { .send_cq = e->cq, .recv_cq = e->cq, .context = ctx };

	assert_int_equal(verbs_device_query(e->dev, &a), 0);
	qa.cap = (struct verbs_qp_caps){ .max_send_wr = a.max_qp_wr, .max_recv_wr = a.max_qp_wr,
					 .max_send_sge = 1, .max_recv_sge = 1 };
	assert_int_equal(verbs_qp_create(id, e->pd, &qa, qp), 0);
}

static void connect_all(struct conn *k, struct verbs_cm_id *listener)
{
	struct verbs_cm_event ev;
	size_t i, routed = 0, requests = 0, established = 0;

	for (i = 0; i < NCONN; i++) {
		assert_int_equal(verbs_cm_id_create(C.ch, &k[i], &k[i].cid), 0);
		assert_int_equal(verbs_cm_resolve(k[i].cid, "fake:target:4420", 0), 0);
	}
	while (routed < NCONN) {
		struct conn *c;

		next_event(C.ch, &ev);
		assert_int_equal(ev.type, VERBS_CM_EVENT_ROUTE_RESOLVED);
		c = verbs_cm_id_context(ev.id);
		qp_big(&C, c->cid, c, &c->cqp);
		assert_int_equal(verbs_cm_connect(c->cid, &param), 0);
		routed++;
	}
	while (requests < NCONN) {
		next_event(S.ch, &ev);
		assert_int_equal(ev.type, VERBS_CM_EVENT_CONNECT_REQUEST);
		assert_ptr_equal(ev.listen_id, listener);
		k[requests].sid = ev.id;
		qp_big(&S, ev.id, NULL, &k[requests].sqp);
		assert_int_equal(verbs_cm_accept(ev.id, &param), 0);
		requests++;
	}
	while (established < 2 * NCONN) {
		struct verbs_cm_channel *ch = established % 2 ? S.ch : C.ch;

		next_event(ch, &ev);
		assert_int_equal(ev.type, VERBS_CM_EVENT_ESTABLISHED);
		established++;
	}
}

static void test_ten_thousand_connections_reach_their_own_peer(void **state)
{
	struct conn *k = calloc(NCONN, sizeof(*k));
	struct verbs_cm_id *listener;
	struct verbs_fake_stats st;
	struct verbs_wc wc[64];
	size_t i, got = 0;

	(void)state;
	assert_non_null(k);
	up((size_t)NCONN * MSG, 4 * NCONN);
	assert_int_equal(verbs_cm_id_create(S.ch, NULL, &listener), 0);
	assert_int_equal(verbs_cm_listen(listener, "fake:target:4420", NCONN), 0);
	connect_all(k, listener);
	st = stats();
	assert_int_equal(st.qps, 2 * NCONN);
	assert_int_equal(st.cm_ids, 2 * NCONN + 1);
	/* 20 000 QPs that may each hold 2 x 32768 WRs: their rings hold what
	 * they held at once (nothing yet), a few slots each. */
	assert_true(st.queue_bytes / st.qps < 4096);
	assert_true(st.index_bytes / st.qps < 256);
	/* Each server QP gets one receive; each client SENDs its index. */
	for (i = 0; i < NCONN; i++) {
		struct verbs_sge rs = { (uint64_t)(uintptr_t)(S.buf + i * MSG), MSG,
					verbs_mr_lkey(S.mr) };
		struct verbs_recv_wr rw = { .wr_id = i, .sg_list = &rs, .num_sge = 1 };

		assert_int_equal(verbs_post_recv(k[i].sqp, &rw, NULL), 0);
	}
	for (i = 0; i < NCONN; i++) {
		uint64_t v = i;
		struct verbs_sge ss = { (uint64_t)(uintptr_t)(C.buf + i * MSG), MSG,
					verbs_mr_lkey(C.mr) };
		struct verbs_send_wr sw = { .wr_id = i, .sg_list = &ss, .num_sge = 1,
					    .opcode = VERBS_WR_SEND };

		memcpy(C.buf + i * MSG, &v, MSG);
		assert_int_equal(verbs_post_send(k[i].cqp, &sw, NULL), 0);
	}
	while (got < NCONN) {
		int n = verbs_poll_cq(S.cq, 64, wc), j;

		assert_true(n >= 0);
		for (j = 0; j < n; j++) {
			uint64_t v;

			assert_int_equal(wc[j].status, VERBS_WC_SUCCESS);
			/* The receive of the QP the client is connected to. */
			assert_int_equal(wc[j].qp_num, verbs_qp_num(k[wc[j].wr_id].sqp));
			memcpy(&v, S.buf + wc[j].wr_id * MSG, MSG);
			assert_int_equal(v, wc[j].wr_id);
		}
		got += (size_t)n;
	}
	for (i = 0; i < NCONN; i++) {
		assert_int_equal(verbs_qp_destroy(k[i].cqp), 0);
		assert_int_equal(verbs_qp_destroy(k[i].sqp), 0);
		assert_int_equal(verbs_cm_id_destroy(k[i].cid), 0);
		assert_int_equal(verbs_cm_id_destroy(k[i].sid), 0);
	}
	assert_int_equal(verbs_cm_id_destroy(listener), 0);
	st = stats();
	assert_int_equal(st.qps, 0);
	assert_int_equal(st.cm_ids, 0);
	free(k);
	down();
}

/* ---- many MRs -------------------------------------------------------------------- */

/* One connected pair, client side in c, server side in s. */
static void pair(struct verbs_cm_id **cid, struct verbs_qp **cqp, struct verbs_cm_id **sid,
		 struct verbs_qp **sqp, struct verbs_cm_id **listener)
{
	struct verbs_qp_init_attr qa = { .cap = { 64, 64, 1, 1, 0 } };
	struct verbs_cm_event ev;

	assert_int_equal(verbs_cm_id_create(S.ch, NULL, listener), 0);
	assert_int_equal(verbs_cm_listen(*listener, "fake:t:1", 8), 0);
	assert_int_equal(verbs_cm_id_create(C.ch, NULL, cid), 0);
	assert_int_equal(verbs_cm_resolve(*cid, "fake:t:1", 0), 0);
	next_event(C.ch, &ev);
	qa.send_cq = qa.recv_cq = C.cq;
	assert_int_equal(verbs_qp_create(*cid, C.pd, &qa, cqp), 0);
	assert_int_equal(verbs_cm_connect(*cid, &param), 0);
	next_event(S.ch, &ev);
	*sid = ev.id;
	qa.send_cq = qa.recv_cq = S.cq;
	assert_int_equal(verbs_qp_create(*sid, S.pd, &qa, sqp), 0);
	assert_int_equal(verbs_cm_accept(*sid, &param), 0);
	next_event(C.ch, &ev);
	next_event(S.ch, &ev);
}

static enum verbs_wc_status write_via(struct verbs_qp *qp, uint32_t rkey, uint64_t raddr,
				      uint64_t value)
{
	struct verbs_sge sge = { (uint64_t)(uintptr_t)C.buf, 8, verbs_mr_lkey(C.mr) };
	struct verbs_send_wr wr = { .wr_id = value, .sg_list = &sge, .num_sge = 1,
				    .opcode = VERBS_WR_RDMA_WRITE,
				    .send_flags = VERBS_SEND_SIGNALED, .remote_addr = raddr,
				    .rkey = rkey };
	struct verbs_wc wc;
	int i, n = 0;

	memcpy(C.buf, &value, 8);
	assert_int_equal(verbs_post_send(qp, &wr, NULL), 0);
	for (i = 0; i < 100 && n == 0; i++)
		n = verbs_poll_cq(C.cq, 1, &wc);
	assert_int_equal(n, 1);
	return wc.status;
}

static int u32_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Every lkey and rkey differs from every other (and none is 0). */
static void keys_unique(struct verbs_mr **mrs)
{
	uint32_t *keys = calloc(2 * (size_t)NMR, sizeof(*keys));
	size_t i;

	assert_non_null(keys);
	for (i = 0; i < NMR; i++) {
		keys[2 * i] = verbs_mr_lkey(mrs[i]);
		keys[2 * i + 1] = verbs_mr_rkey(mrs[i]);
	}
	qsort(keys, 2 * (size_t)NMR, sizeof(*keys), u32_cmp);
	assert_int_not_equal(keys[0], 0);
	for (i = 1; i < 2 * (size_t)NMR; i++)
		if (keys[i] == keys[i - 1])
			fail_msg("key %08x given twice", keys[i]);
	free(keys);
}

static void test_many_mrs_each_answer_to_their_own_rkey(void **state)
{
	struct verbs_mr **mrs = calloc(NMR, sizeof(*mrs));
	struct verbs_cm_id *cid, *sid, *listener;
	struct verbs_qp *cqp, *sqp;
	struct verbs_fake_stats st;
	uint32_t dead_rkey;
	uint64_t v;
	size_t i;

	(void)state;
	assert_non_null(mrs);
	up((size_t)NMR * 8, 256);
	/* One 8-byte MR per slot of the server buffer. */
	for (i = 0; i < NMR; i++)
		assert_int_equal(verbs_mr_reg(S.pd, S.buf + i * 8, 8, VERBS_ACCESS_LOCAL_WRITE |
					      VERBS_ACCESS_REMOTE_WRITE, &mrs[i]), 0);
	st = stats();
	assert_int_equal(st.mrs, NMR + 2);
	pair(&cid, &cqp, &sid, &sqp, &listener);
	for (i = 0; i < NMR; i += NMR / 97) {
		uint32_t rkey = verbs_mr_rkey(mrs[i]);

		assert_int_equal(write_via(cqp, rkey, (uint64_t)(uintptr_t)(S.buf + i * 8), i + 1),
				 VERBS_WC_SUCCESS);
		memcpy(&v, S.buf + i * 8, 8);
		assert_int_equal(v, i + 1);
	}
	keys_unique(mrs);
	dead_rkey = verbs_mr_rkey(mrs[NMR - 2]);
	for (i = 0; i < NMR; i += 2)
		assert_int_equal(verbs_mr_dereg(mrs[i]), 0);
	assert_int_equal(stats().mrs, NMR / 2 + 2);
	/* A surviving MR still works; a deregistered rkey is refused (which
	 * breaks the connection, so it comes last). */
	assert_int_equal(write_via(cqp, verbs_mr_rkey(mrs[NMR - 1]),
				   (uint64_t)(uintptr_t)(S.buf + (NMR - 1) * 8), 5),
			 VERBS_WC_SUCCESS);
	assert_int_equal(write_via(cqp, dead_rkey, (uint64_t)(uintptr_t)(S.buf + (NMR - 2) * 8), 6),
			 VERBS_WC_REM_ACCESS_ERR);
	for (i = 1; i < NMR; i += 2)
		assert_int_equal(verbs_mr_dereg(mrs[i]), 0);
	/* The index shrinks with what it holds. */
	assert_int_equal(stats().mrs, 2);
	assert_true(stats().index_bytes < st.index_bytes / 64);
	assert_int_equal(verbs_qp_destroy(cqp), 0);
	assert_int_equal(verbs_qp_destroy(sqp), 0);
	assert_int_equal(verbs_cm_id_destroy(cid), 0);
	assert_int_equal(verbs_cm_id_destroy(sid), 0);
	assert_int_equal(verbs_cm_id_destroy(listener), 0);
	free(mrs);
	down();
}

/* ---- many listeners ---------------------------------------------------------------- */

static void test_thousands_of_listeners_route_by_address(void **state)
{
	struct verbs_cm_id *byhost[NLISTEN], *byport[NLISTEN], *clash;
	struct verbs_qp_init_attr qa = { .cap = { 4, 4, 1, 1, 0 } };
	char addr[64];
	size_t i;

	(void)state;
	up(4096, 256);
	/* Host names on one port, and every name on many ports. */
	for (i = 0; i < NLISTEN; i++) {
		snprintf(addr, sizeof(addr), "fake:h%zu:4420", i);
		assert_int_equal(verbs_cm_id_create(S.ch, &byhost[i], &byhost[i]), 0);
		assert_int_equal(verbs_cm_listen(byhost[i], addr, 4), 0);
		snprintf(addr, sizeof(addr), "*:%zu", 5000 + i);
		assert_int_equal(verbs_cm_id_create(S.ch, &byport[i], &byport[i]), 0);
		assert_int_equal(verbs_cm_listen(byport[i], addr, 4), 0);
	}
	assert_int_equal(verbs_cm_id_create(S.ch, NULL, &clash), 0);
	assert_int_equal(verbs_cm_listen(clash, "*:4420", 4), -EADDRINUSE);
	assert_int_equal(verbs_cm_listen(clash, "fake:h7:5007", 4), -EADDRINUSE);
	assert_int_equal(verbs_cm_listen(clash, "fake:h7:4421", 4), 0);
	qa.send_cq = qa.recv_cq = C.cq;
	for (i = 0; i < NLISTEN; i += 37) {
		struct verbs_cm_id *cid;
		struct verbs_qp *qp;
		struct verbs_cm_event ev;
		int port;

		for (port = 0; port < 2; port++) {
			if (port)
				snprintf(addr, sizeof(addr), "fake:any%zu:%zu", i, 5000 + i);
			else
				snprintf(addr, sizeof(addr), "fake:h%zu:4420", i);
			assert_int_equal(verbs_cm_id_create(C.ch, NULL, &cid), 0);
			assert_int_equal(verbs_cm_resolve(cid, addr, 0), 0);
			next_event(C.ch, &ev);
			assert_int_equal(verbs_qp_create(cid, C.pd, &qa, &qp), 0);
			assert_int_equal(verbs_cm_connect(cid, &param), 0);
			next_event(S.ch, &ev);
			assert_int_equal(ev.type, VERBS_CM_EVENT_CONNECT_REQUEST);
			assert_ptr_equal(ev.listen_id, port ? byport[i] : byhost[i]);
			assert_ptr_equal(verbs_cm_id_context(ev.id),
					 port ? &byport[i] : &byhost[i]);
			assert_int_equal(verbs_cm_reject(ev.id, NULL, 0), 0);
			assert_int_equal(verbs_cm_id_destroy(ev.id), 0);
			next_event(C.ch, &ev);
			assert_int_equal(ev.type, VERBS_CM_EVENT_REJECTED);
			assert_int_equal(verbs_qp_destroy(qp), 0);
			assert_int_equal(verbs_cm_id_destroy(cid), 0);
		}
	}
	for (i = 0; i < NLISTEN; i++) {
		assert_int_equal(verbs_cm_id_destroy(byhost[i]), 0);
		assert_int_equal(verbs_cm_id_destroy(byport[i]), 0);
	}
	/* The addresses are free again. */
	assert_int_equal(verbs_cm_id_destroy(clash), 0);
	assert_int_equal(verbs_cm_id_create(S.ch, NULL, &clash), 0);
	assert_int_equal(verbs_cm_listen(clash, "*:4420", 4), 0);
	assert_int_equal(verbs_cm_id_destroy(clash), 0);
	down();
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(test_ten_thousand_connections_reach_their_own_peer),
	cmocka_unit_test(test_many_mrs_each_answer_to_their_own_rkey),
	cmocka_unit_test(test_thousands_of_listeners_route_by_address),
};

NVMFSIM_TEST_MAIN(tests)
