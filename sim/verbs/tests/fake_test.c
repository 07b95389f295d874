/* The fake provider's semantic rules, one test per rule.  Every test builds
 * a connected client/server pair on a fresh fabric, breaks or exercises one
 * rule, and tears everything down (ASan checks the unwinding too). */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "cmocka_main.h"
#include "verbs/fake.h"
#include "verbs/verbs.h"

enum { BUF_SIZE = 4096, MAX_POLLS = 200 };

#define LISTEN_ADDR "fake:target:4420"

struct side {
	struct verbs_device *dev;
	struct verbs_pd *pd;
	struct verbs_cq *cq;
	struct verbs_cm_channel *ch;
	struct verbs_cm_id *id;
	struct verbs_qp *qp;
	uint8_t *buf;
	struct verbs_mr *mr;
};

struct pair {
	struct verbs_fake_fabric *fab;
	struct side c, s;
	struct verbs_cm_id *listener;
};

static struct pair P;

static const struct verbs_qp_caps default_caps = {
	.max_send_wr = 16, .max_recv_wr = 16, .max_send_sge = 4, .max_recv_sge = 4,
	.max_inline_data = 64,
};

static const struct verbs_conn_param default_param = {
	.retry_count = 3, .rnr_retry_count = 3, .responder_resources = 4, .initiator_depth = 4,
};

static const unsigned int all_access = VERBS_ACCESS_LOCAL_WRITE | VERBS_ACCESS_REMOTE_WRITE |
				       VERBS_ACCESS_REMOTE_READ |
				       VERBS_ACCESS_REMOTE_INVALIDATE;

/* ---- fixture helpers --------------------------------------------------------- */

static void fabric_up(const struct verbs_fake_config *cfg)
{
	memset(&P, 0, sizeof(P));
	assert_int_equal(verbs_fake_fabric_create(cfg, &P.fab), 0);
}

static void side_open(struct side *sd, unsigned int access)
{
	struct verbs_open_opts opts = { .provider = "fake", .fabric = P.fab };
	struct verbs_cq_attr cqa = { .cqe = 256 };

	assert_int_equal(verbs_device_open(&opts, &sd->dev), 0);
	assert_int_equal(verbs_pd_alloc(sd->dev, &sd->pd), 0);
	assert_int_equal(verbs_cq_create(sd->dev, &cqa, &sd->cq), 0);
	assert_int_equal(verbs_cm_channel_create(sd->dev, &sd->ch), 0);
	sd->buf = calloc(1, BUF_SIZE);
	assert_non_null(sd->buf);
	assert_int_equal(verbs_mr_reg(sd->pd, sd->buf, BUF_SIZE, access, &sd->mr), 0);
}

static void expect_event(struct verbs_cm_channel *ch, enum verbs_cm_event_type type,
			 struct verbs_cm_event *ev)
{
	struct verbs_cm_event local;
	int i, rc = -EAGAIN;

	if (!ev)
		ev = &local;
	/* Stepping by hand as well keeps this working on manual fabrics. */
	for (i = 0; i < MAX_POLLS && rc == -EAGAIN; i++) {
		rc = verbs_cm_get_event(ch, ev);
		if (rc == -EAGAIN)
			verbs_fake_step(P.fab);
	}
	assert_int_equal(rc, 0);
	if (ev->type != type)
		fail_msg("expected %s, got %s", verbs_cm_event_str(type),
			 verbs_cm_event_str(ev->type));
}

static void qp_on(struct side *sd, const struct verbs_qp_caps *caps)
{
	struct verbs_qp_init_attr qa = { .send_cq = sd->cq, .recv_cq = sd->cq, .cap = *caps };

	assert_int_equal(verbs_qp_create(sd->id, sd->pd, &qa, &sd->qp), 0);
}

/* Listener up, client resolved with its QP in INIT: ready to connect. */
static void pair_prepare(const struct verbs_fake_config *cfg, const struct verbs_qp_caps *caps)
{
	fabric_up(cfg);
	side_open(&P.c, all_access);
	side_open(&P.s, all_access);
	assert_int_equal(verbs_cm_id_create(P.s.ch, NULL, &P.listener), 0);
	assert_int_equal(verbs_cm_listen(P.listener, LISTEN_ADDR, 8), 0);
	assert_int_equal(verbs_cm_id_create(P.c.ch, NULL, &P.c.id), 0);
	assert_int_equal(verbs_cm_resolve(P.c.id, LISTEN_ADDR, 1000), 0);
	expect_event(P.c.ch, VERBS_CM_EVENT_ROUTE_RESOLVED, NULL);
	qp_on(&P.c, caps);
}

static void pair_connect(const struct verbs_conn_param *cparam,
			 const struct verbs_conn_param *aparam, const struct verbs_qp_caps *caps)
{
	struct verbs_cm_event ev;

	assert_int_equal(verbs_cm_connect(P.c.id, cparam), 0);
	expect_event(P.s.ch, VERBS_CM_EVENT_CONNECT_REQUEST, &ev);
	P.s.id = ev.id;
	qp_on(&P.s, caps);
	assert_int_equal(verbs_cm_accept(P.s.id, aparam), 0);
	expect_event(P.c.ch, VERBS_CM_EVENT_ESTABLISHED, NULL);
	expect_event(P.s.ch, VERBS_CM_EVENT_ESTABLISHED, NULL);
}

static void pair_up_with(const struct verbs_fake_config *cfg, const struct verbs_qp_caps *caps,
			 const struct verbs_conn_param *param)
{
	pair_prepare(cfg, caps);
	pair_connect(param, param, caps);
}

static void pair_up(void)
{
	pair_up_with(NULL, &default_caps, &default_param);
}

static void side_close(struct side *sd)
{
	if (sd->qp)
		assert_int_equal(verbs_qp_destroy(sd->qp), 0);
	if (sd->id)
		assert_int_equal(verbs_cm_id_destroy(sd->id), 0);
	if (sd->mr)
		assert_int_equal(verbs_mr_dereg(sd->mr), 0);
	free(sd->buf);
	assert_int_equal(verbs_cq_destroy(sd->cq), 0);
	assert_int_equal(verbs_cm_channel_destroy(sd->ch), 0);
	assert_int_equal(verbs_pd_dealloc(sd->pd), 0);
	verbs_device_close(sd->dev);
}

static void pair_down(void)
{
	if (P.listener)
		assert_int_equal(verbs_cm_id_destroy(P.listener), 0);
	side_close(&P.c);
	side_close(&P.s);
	assert_int_equal(verbs_fake_fabric_destroy(P.fab), 0);
	memset(&P, 0, sizeof(P));
}

/* ---- work request helpers ------------------------------------------------------ */

static int post_recv_at(struct side *sd, uint64_t wr_id, uint32_t off, uint32_t len)
{
	struct verbs_sge sge = { (uint64_t)(uintptr_t)(sd->buf + off), len, verbs_mr_lkey(sd->mr) };
	struct verbs_recv_wr wr = { .wr_id = wr_id, .sg_list = &sge, .num_sge = 1 };

	return verbs_post_recv(sd->qp, &wr, NULL);
}

struct op {
	enum verbs_wr_opcode opcode;
	uint64_t wr_id;
	uint32_t off, len;
	uint32_t flags;
	uint64_t remote_addr;
	uint32_t rkey;
	uint32_t invalidate_rkey;
};

static int post_op(struct side *sd, const struct op *op)
{
	struct verbs_sge sge = { (uint64_t)(uintptr_t)(sd->buf + op->off), op->len,
				 verbs_mr_lkey(sd->mr) };
	struct verbs_send_wr wr = {
		.wr_id = op->wr_id, .sg_list = &sge, .num_sge = 1, .opcode = op->opcode,
		.send_flags = op->flags, .remote_addr = op->remote_addr, .rkey = op->rkey,
		.invalidate_rkey = op->invalidate_rkey,
	};

	return verbs_post_send(sd->qp, &wr, NULL);
}

static int post_send_msg(struct side *sd, uint64_t wr_id, uint32_t off, uint32_t len)
{
	struct op op = { VERBS_WR_SEND, wr_id, off, len, VERBS_SEND_SIGNALED, 0, 0, 0 };

	return post_op(sd, &op);
}

/* RDMA from the client's buffer at off to the server's buffer at roff. */
static int post_rdma(enum verbs_wr_opcode opcode, uint64_t wr_id, uint32_t off, uint32_t len,
		     uint64_t roff, uint32_t rkey)
{
	struct op op = { opcode, wr_id, off, len, VERBS_SEND_SIGNALED,
			 (uint64_t)(uintptr_t)P.s.buf + roff, rkey, 0 };

	return post_op(&P.c, &op);
}

/* Polls until want completions arrived (or MAX_POLLS); returns how many. */
static int poll_n(struct verbs_cq *cq, struct verbs_wc *wc, int want)
{
	int got = 0, i;

	for (i = 0; i < MAX_POLLS && got < want; i++) {
		int rc = verbs_poll_cq(cq, want - got, wc + got);

		assert_true(rc >= 0);
		got += rc;
	}
	return got;
}

static void expect_wc(struct verbs_cq *cq, uint64_t wr_id, enum verbs_wc_status status)
{
	struct verbs_wc wc;

	assert_int_equal(poll_n(cq, &wc, 1), 1);
	if (wc.status != status)
		fail_msg("wr %llu: expected %s, got %s", (unsigned long long)wc.wr_id,
			 verbs_wc_status_str(status), verbs_wc_status_str(wc.status));
	assert_int_equal(wc.wr_id, wr_id);
}

static void expect_no_wc(struct verbs_cq *cq, int polls)
{
	struct verbs_wc wc;
	int i;

	for (i = 0; i < polls; i++)
		assert_int_equal(verbs_poll_cq(cq, 1, &wc), 0);
}

static enum verbs_qp_state qp_state(struct verbs_qp *qp)
{
	enum verbs_qp_state st;

	assert_int_equal(verbs_qp_query(qp, &st, NULL), 0);
	return st;
}

static struct verbs_fake_qp_counters counters(struct verbs_qp *qp)
{
	struct verbs_fake_qp_counters c;

	assert_int_equal(verbs_fake_qp_counters(qp, &c), 0);
	return c;
}

static struct verbs_fake_fault fault_of(enum verbs_fake_fault_kind kind)
{
	struct verbs_fake_fault f;

	memset(&f, 0, sizeof(f));
	f.kind = kind;
	return f;
}

/* ---- SEND / RECV ------------------------------------------------------------------ */

static void test_send_consumes_oldest_posted_recv_of_peer(void **state)
{
	struct verbs_wc wc;

	(void)state;
	pair_up();
	assert_int_equal(post_recv_at(&P.s, 1, 0, 64), 0);
	assert_int_equal(post_recv_at(&P.s, 2, 64, 64), 0);
	memcpy(P.c.buf, "first", 5);
	assert_int_equal(post_send_msg(&P.c, 10, 0, 5), 0);
	expect_wc(P.c.cq, 10, VERBS_WC_SUCCESS);
	assert_int_equal(poll_n(P.s.cq, &wc, 1), 1);
	assert_int_equal(wc.wr_id, 1);
	assert_int_equal(wc.opcode, VERBS_WC_RECV);
	assert_int_equal(wc.byte_len, 5);
	assert_int_equal(wc.src_qp, verbs_qp_num(P.c.qp));
	assert_memory_equal(P.s.buf, "first", 5);
	pair_down();
}

static void test_send_without_posted_recv_ends_in_rnr_retry_exc_err(void **state)
{
	(void)state;
	pair_up();
	assert_int_equal(post_send_msg(&P.c, 7, 0, 16), 0);
	expect_wc(P.c.cq, 7, VERBS_WC_RNR_RETRY_EXC_ERR);
	assert_int_equal(qp_state(P.c.qp), VERBS_QPS_ERR);
	pair_down();
}

static void test_rnr_nak_count_is_rnr_retry_count_plus_one(void **state)
{
	struct verbs_conn_param param = default_param;

	(void)state;
	param.rnr_retry_count = 5;
	pair_up_with(NULL, &default_caps, &param);
	assert_int_equal(post_send_msg(&P.c, 7, 0, 16), 0);
	expect_wc(P.c.cq, 7, VERBS_WC_RNR_RETRY_EXC_ERR);
	assert_int_equal(counters(P.c.qp).rnr_naks, 6);
	pair_down();
}

static void test_recv_posted_during_rnr_retries_completes_the_send(void **state)
{
	(void)state;
	pair_up();
	assert_int_equal(post_send_msg(&P.c, 7, 0, 16), 0);
	expect_no_wc(P.c.cq, 2);  /* first RNR NAK taken */
	assert_true(counters(P.c.qp).rnr_naks >= 1);
	assert_int_equal(post_recv_at(&P.s, 1, 0, 64), 0);
	expect_wc(P.c.cq, 7, VERBS_WC_SUCCESS);
	expect_wc(P.s.cq, 1, VERBS_WC_SUCCESS);
	pair_down();
}

static void test_rnr_retry_count_seven_retries_forever(void **state)
{
	struct verbs_conn_param param = default_param;

	(void)state;
	param.rnr_retry_count = 7;
	pair_up_with(NULL, &default_caps, &param);
	assert_int_equal(post_send_msg(&P.c, 7, 0, 16), 0);
	expect_no_wc(P.c.cq, 100);
	assert_true(counters(P.c.qp).rnr_naks > 8);
	assert_int_equal(qp_state(P.c.qp), VERBS_QPS_RTS);
	pair_down();
}

static void test_recv_buffer_too_small_gives_loc_len_err_on_receiver(void **state)
{
	(void)state;
	pair_up();
	assert_int_equal(post_recv_at(&P.s, 1, 0, 8), 0);
	assert_int_equal(post_send_msg(&P.c, 7, 0, 9), 0);
	expect_wc(P.s.cq, 1, VERBS_WC_LOC_LEN_ERR);
	assert_int_equal(qp_state(P.s.qp), VERBS_QPS_ERR);
	pair_down();
}

static void test_recv_too_small_fails_sender_with_rem_inv_req_err(void **state)
{
	(void)state;
	pair_up();
	assert_int_equal(post_recv_at(&P.s, 1, 0, 8), 0);
	assert_int_equal(post_send_msg(&P.c, 7, 0, 9), 0);
	expect_wc(P.c.cq, 7, VERBS_WC_REM_INV_REQ_ERR);
	pair_down();
}

static void test_recv_sge_list_scatters_in_order(void **state)
{
	struct verbs_sge sges[2] = {
		{ (uint64_t)(uintptr_t)(P.s.buf), 0, 0 },
	};
	struct verbs_recv_wr rwr = { .wr_id = 1, .sg_list = sges, .num_sge = 2 };
	struct verbs_wc wc;

	(void)state;
	pair_up();
	sges[0] = (struct verbs_sge){ (uint64_t)(uintptr_t)(P.s.buf + 100), 3, verbs_mr_lkey(P.s.mr) };
	sges[1] = (struct verbs_sge){ (uint64_t)(uintptr_t)(P.s.buf + 200), 8, verbs_mr_lkey(P.s.mr) };
	assert_int_equal(verbs_post_recv(P.s.qp, &rwr, NULL), 0);
	memcpy(P.c.buf, "abcdefg", 7);
	assert_int_equal(post_send_msg(&P.c, 7, 0, 7), 0);
	assert_int_equal(poll_n(P.s.cq, &wc, 1), 1);
	assert_int_equal(wc.status, VERBS_WC_SUCCESS);
	assert_memory_equal(P.s.buf + 100, "abc", 3);
	assert_memory_equal(P.s.buf + 200, "defg", 4);
	assert_int_equal(P.s.buf[204], 0);
	pair_down();
}

static void test_send_sge_list_gathers_in_order(void **state)
{
	struct verbs_sge sges[2];
	struct verbs_send_wr wr = { .wr_id = 7, .num_sge = 2, .opcode = VERBS_WR_SEND,
				    .send_flags = VERBS_SEND_SIGNALED };
	struct verbs_wc wc;

	(void)state;
	pair_up();
	memcpy(P.c.buf + 10, "xy", 2);
	memcpy(P.c.buf + 50, "zw!", 3);
	sges[0] = (struct verbs_sge){ (uint64_t)(uintptr_t)(P.c.buf + 10), 2, verbs_mr_lkey(P.c.mr) };
	sges[1] = (struct verbs_sge){ (uint64_t)(uintptr_t)(P.c.buf + 50), 3, verbs_mr_lkey(P.c.mr) };
	wr.sg_list = sges;
	assert_int_equal(post_recv_at(&P.s, 1, 0, 64), 0);
	assert_int_equal(verbs_post_send(P.c.qp, &wr, NULL), 0);
	assert_int_equal(poll_n(P.s.cq, &wc, 1), 1);
	assert_int_equal(wc.byte_len, 5);
	assert_memory_equal(P.s.buf, "xyzw!", 5);
	pair_down();
}

static void test_recv_into_mr_without_local_write_gives_loc_prot_err(void **state)
{
	struct verbs_mr *ro;
	struct verbs_sge sge;
	struct verbs_recv_wr rwr = { .wr_id = 1, .sg_list = &sge, .num_sge = 1 };

	(void)state;
	pair_up();
	assert_int_equal(verbs_mr_reg(P.s.pd, P.s.buf, BUF_SIZE, VERBS_ACCESS_REMOTE_READ, &ro), 0);
	sge = (struct verbs_sge){ (uint64_t)(uintptr_t)P.s.buf, 64, verbs_mr_lkey(ro) };
	assert_int_equal(verbs_post_recv(P.s.qp, &rwr, NULL), 0);
	assert_int_equal(post_send_msg(&P.c, 7, 0, 4), 0);
	expect_wc(P.s.cq, 1, VERBS_WC_LOC_PROT_ERR);
	expect_wc(P.c.cq, 7, VERBS_WC_REM_OP_ERR);
	assert_int_equal(verbs_mr_dereg(ro), 0);
	pair_down();
}

static void test_send_with_unknown_lkey_gives_loc_prot_err(void **state)
{
	struct verbs_sge sge;
	struct verbs_send_wr wr = { .wr_id = 7, .sg_list = &sge, .num_sge = 1,
				    .opcode = VERBS_WR_SEND, .send_flags = VERBS_SEND_SIGNALED };

	(void)state;
	pair_up();
	sge = (struct verbs_sge){ (uint64_t)(uintptr_t)P.c.buf, 4, verbs_mr_lkey(P.c.mr) + 1 };
	assert_int_equal(post_recv_at(&P.s, 1, 0, 64), 0);
	assert_int_equal(verbs_post_send(P.c.qp, &wr, NULL), 0);
	expect_wc(P.c.cq, 7, VERBS_WC_LOC_PROT_ERR);
	pair_down();
}

static void test_send_sge_outside_its_mr_gives_loc_prot_err(void **state)
{
	(void)state;
	pair_up();
	assert_int_equal(post_recv_at(&P.s, 1, 0, 64), 0);
	assert_int_equal(post_send_msg(&P.c, 7, BUF_SIZE - 2, 4), 0);
	expect_wc(P.c.cq, 7, VERBS_WC_LOC_PROT_ERR);
	pair_down();
}

/* ---- RDMA WRITE / READ -------------------------------------------------------------- */

static void test_rdma_write_places_bytes_in_remote_mr(void **state)
{
	(void)state;
	pair_up();
	memcpy(P.c.buf, "payload", 7);
	assert_int_equal(post_rdma(VERBS_WR_RDMA_WRITE, 1, 0, 7, 100, verbs_mr_rkey(P.s.mr)), 0);
	expect_wc(P.c.cq, 1, VERBS_WC_SUCCESS);
	assert_memory_equal(P.s.buf + 100, "payload", 7);
	expect_no_wc(P.s.cq, 2);  /* a WRITE consumes no RECV and completes nothing remotely */
	pair_down();
}

static void test_rdma_read_returns_remote_bytes_and_byte_len(void **state)
{
	struct verbs_wc wc;

	(void)state;
	pair_up();
	memcpy(P.s.buf + 300, "remote!", 7);
	assert_int_equal(post_rdma(VERBS_WR_RDMA_READ, 1, 8, 7, 300, verbs_mr_rkey(P.s.mr)), 0);
	assert_int_equal(poll_n(P.c.cq, &wc, 1), 1);
	assert_int_equal(wc.status, VERBS_WC_SUCCESS);
	assert_int_equal(wc.opcode, VERBS_WC_RDMA_READ);
	assert_int_equal(wc.byte_len, 7);
	assert_memory_equal(P.c.buf + 8, "remote!", 7);
	pair_down();
}

static void test_rdma_write_with_wrong_rkey_gives_rem_access_err(void **state)
{
	(void)state;
	pair_up();
	assert_int_equal(post_rdma(VERBS_WR_RDMA_WRITE, 1, 0, 8, 0, verbs_mr_rkey(P.s.mr) ^ 0x40), 0);
	expect_wc(P.c.cq, 1, VERBS_WC_REM_ACCESS_ERR);
	pair_down();
}

static void test_rdma_with_lkey_instead_of_rkey_gives_rem_access_err(void **state)
{
	(void)state;
	pair_up();
	assert_int_equal(post_rdma(VERBS_WR_RDMA_WRITE, 1, 0, 8, 0, verbs_mr_lkey(P.s.mr)), 0);
	expect_wc(P.c.cq, 1, VERBS_WC_REM_ACCESS_ERR);
	pair_down();
}

static void test_rdma_write_past_mr_end_gives_rem_access_err(void **state)
{
	(void)state;
	pair_up();
	assert_int_equal(post_rdma(VERBS_WR_RDMA_WRITE, 1, 0, 16, BUF_SIZE - 8,
				   verbs_mr_rkey(P.s.mr)), 0);
	expect_wc(P.c.cq, 1, VERBS_WC_REM_ACCESS_ERR);
	pair_down();
}

static void test_rdma_write_before_mr_start_gives_rem_access_err(void **state)
{
	struct op op = { VERBS_WR_RDMA_WRITE, 1, 0, 8, VERBS_SEND_SIGNALED, 0, 0, 0 };

	(void)state;
	pair_up();
	op.remote_addr = (uint64_t)(uintptr_t)P.s.buf - 4;
	op.rkey = verbs_mr_rkey(P.s.mr);
	assert_int_equal(post_op(&P.c, &op), 0);
	expect_wc(P.c.cq, 1, VERBS_WC_REM_ACCESS_ERR);
	pair_down();
}

static void test_rdma_remote_range_wrapping_u64_gives_rem_access_err(void **state)
{
	struct op op = { VERBS_WR_RDMA_WRITE, 1, 0, 16, VERBS_SEND_SIGNALED, UINT64_MAX - 7, 0, 0 };

	(void)state;
	pair_up();
	op.rkey = verbs_mr_rkey(P.s.mr);
	assert_int_equal(post_op(&P.c, &op), 0);
	expect_wc(P.c.cq, 1, VERBS_WC_REM_ACCESS_ERR);
	pair_down();
}

static void test_rdma_write_without_remote_write_access_gives_rem_access_err(void **state)
{
	struct verbs_mr *ro;

	(void)state;
	pair_up();
	assert_int_equal(verbs_mr_reg(P.s.pd, P.s.buf, BUF_SIZE, VERBS_ACCESS_REMOTE_READ, &ro), 0);
	assert_int_equal(post_rdma(VERBS_WR_RDMA_WRITE, 1, 0, 8, 0, verbs_mr_rkey(ro)), 0);
	expect_wc(P.c.cq, 1, VERBS_WC_REM_ACCESS_ERR);
	assert_int_equal(verbs_mr_dereg(ro), 0);
	pair_down();
}

static void test_rdma_read_without_remote_read_access_gives_rem_access_err(void **state)
{
	struct verbs_mr *wo;

	(void)state;
	pair_up();
	assert_int_equal(verbs_mr_reg(P.s.pd, P.s.buf, BUF_SIZE,
				      VERBS_ACCESS_LOCAL_WRITE | VERBS_ACCESS_REMOTE_WRITE, &wo), 0);
	assert_int_equal(post_rdma(VERBS_WR_RDMA_READ, 1, 0, 8, 0, verbs_mr_rkey(wo)), 0);
	expect_wc(P.c.cq, 1, VERBS_WC_REM_ACCESS_ERR);
	assert_int_equal(verbs_mr_dereg(wo), 0);
	pair_down();
}

static void test_rkey_of_mr_in_another_pd_gives_rem_access_err(void **state)
{
	struct verbs_pd *other;
	struct verbs_mr *mr;

	(void)state;
	pair_up();
	assert_int_equal(verbs_pd_alloc(P.s.dev, &other), 0);
	assert_int_equal(verbs_mr_reg(other, P.s.buf, BUF_SIZE, all_access, &mr), 0);
	assert_int_equal(post_rdma(VERBS_WR_RDMA_WRITE, 1, 0, 8, 0, verbs_mr_rkey(mr)), 0);
	expect_wc(P.c.cq, 1, VERBS_WC_REM_ACCESS_ERR);
	assert_int_equal(verbs_mr_dereg(mr), 0);
	assert_int_equal(verbs_pd_dealloc(other), 0);
	pair_down();
}

static void test_rdma_read_into_mr_without_local_write_gives_loc_prot_err(void **state)
{
	struct verbs_mr *ro;
	struct verbs_sge sge;
	struct verbs_send_wr wr = { .wr_id = 1, .sg_list = &sge, .num_sge = 1,
				    .opcode = VERBS_WR_RDMA_READ, .send_flags = VERBS_SEND_SIGNALED };

	(void)state;
	pair_up();
	assert_int_equal(verbs_mr_reg(P.c.pd, P.c.buf, BUF_SIZE, VERBS_ACCESS_REMOTE_READ, &ro), 0);
	sge = (struct verbs_sge){ (uint64_t)(uintptr_t)P.c.buf, 8, verbs_mr_lkey(ro) };
	wr.remote_addr = (uint64_t)(uintptr_t)P.s.buf;
	wr.rkey = verbs_mr_rkey(P.s.mr);
	assert_int_equal(verbs_post_send(P.c.qp, &wr, NULL), 0);
	expect_wc(P.c.cq, 1, VERBS_WC_LOC_PROT_ERR);
	assert_int_equal(verbs_mr_dereg(ro), 0);
	pair_down();
}

static void test_rdma_access_error_moves_responder_qp_to_err(void **state)
{
	(void)state;
	pair_up();
	assert_int_equal(post_recv_at(&P.s, 5, 0, 64), 0);
	assert_int_equal(post_rdma(VERBS_WR_RDMA_WRITE, 1, 0, 8, 0, 0xdead), 0);
	expect_wc(P.c.cq, 1, VERBS_WC_REM_ACCESS_ERR);
	assert_int_equal(qp_state(P.s.qp), VERBS_QPS_ERR);
	expect_wc(P.s.cq, 5, VERBS_WC_WR_FLUSH_ERR);
	pair_down();
}

static void test_rdma_read_after_write_on_same_qp_sees_written_data(void **state)
{
	(void)state;
	pair_up();
	memcpy(P.c.buf, "ordered", 7);
	assert_int_equal(post_rdma(VERBS_WR_RDMA_WRITE, 1, 0, 7, 500, verbs_mr_rkey(P.s.mr)), 0);
	assert_int_equal(post_rdma(VERBS_WR_RDMA_READ, 2, 1000, 7, 500, verbs_mr_rkey(P.s.mr)), 0);
	expect_wc(P.c.cq, 1, VERBS_WC_SUCCESS);
	expect_wc(P.c.cq, 2, VERBS_WC_SUCCESS);
	assert_memory_equal(P.c.buf + 1000, "ordered", 7);
	pair_down();
}

/* ---- SEND_WITH_INV ------------------------------------------------------------------ */

static void test_send_with_inv_invalidates_named_rkey(void **state)
{
	struct op op = { VERBS_WR_SEND_WITH_INV, 7, 0, 4, VERBS_SEND_SIGNALED, 0, 0, 0 };

	(void)state;
	pair_up();
	op.invalidate_rkey = verbs_mr_rkey(P.s.mr);
	assert_int_equal(post_recv_at(&P.s, 1, 0, 64), 0);
	assert_int_equal(post_op(&P.c, &op), 0);
	expect_wc(P.c.cq, 7, VERBS_WC_SUCCESS);
	assert_int_equal(post_rdma(VERBS_WR_RDMA_WRITE, 8, 0, 4, 0, verbs_mr_rkey(P.s.mr)), 0);
	expect_wc(P.c.cq, 8, VERBS_WC_REM_ACCESS_ERR);
	pair_down();
}

static void test_send_with_inv_reports_with_inv_and_rkey_on_recv(void **state)
{
	struct op op = { VERBS_WR_SEND_WITH_INV, 7, 0, 4, VERBS_SEND_SIGNALED, 0, 0, 0 };
	struct verbs_wc wc;

	(void)state;
	pair_up();
	op.invalidate_rkey = verbs_mr_rkey(P.s.mr);
	assert_int_equal(post_recv_at(&P.s, 1, 0, 64), 0);
	assert_int_equal(post_op(&P.c, &op), 0);
	assert_int_equal(poll_n(P.s.cq, &wc, 1), 1);
	assert_int_equal(wc.status, VERBS_WC_SUCCESS);
	assert_true(wc.wc_flags & VERBS_WC_WITH_INV);
	assert_int_equal(wc.invalidated_rkey, verbs_mr_rkey(P.s.mr));
	pair_down();
}

static void test_send_with_inv_of_rkey_without_invalidate_access_fails_rem_op_err(void **state)
{
	struct op op = { VERBS_WR_SEND_WITH_INV, 7, 0, 4, VERBS_SEND_SIGNALED, 0, 0, 0 };
	struct verbs_mr *plain;

	(void)state;
	pair_up();
	assert_int_equal(verbs_mr_reg(P.s.pd, P.s.buf, BUF_SIZE,
				      VERBS_ACCESS_LOCAL_WRITE | VERBS_ACCESS_REMOTE_WRITE, &plain), 0);
	op.invalidate_rkey = verbs_mr_rkey(plain);
	assert_int_equal(post_recv_at(&P.s, 1, 0, 64), 0);
	assert_int_equal(post_op(&P.c, &op), 0);
	expect_wc(P.c.cq, 7, VERBS_WC_REM_OP_ERR);
	expect_wc(P.s.cq, 1, VERBS_WC_LOC_QP_OP_ERR);
	assert_int_equal(verbs_mr_dereg(plain), 0);
	pair_down();
}

/* ---- errors, ERR state and flushing ----------------------------------------------------- */

static void test_error_flushes_outstanding_send_wrs_with_wr_flush_err(void **state)
{
	(void)state;
	pair_up();
	assert_int_equal(post_rdma(VERBS_WR_RDMA_WRITE, 1, 0, 8, 0, 0xbad), 0);
	assert_int_equal(post_rdma(VERBS_WR_RDMA_WRITE, 2, 0, 8, 0, verbs_mr_rkey(P.s.mr)), 0);
	assert_int_equal(post_rdma(VERBS_WR_RDMA_READ, 3, 0, 8, 0, verbs_mr_rkey(P.s.mr)), 0);
	expect_wc(P.c.cq, 1, VERBS_WC_REM_ACCESS_ERR);
	expect_wc(P.c.cq, 2, VERBS_WC_WR_FLUSH_ERR);
	expect_wc(P.c.cq, 3, VERBS_WC_WR_FLUSH_ERR);
	assert_int_equal(counters(P.c.qp).flushed, 2);
	pair_down();
}

static void test_error_flushes_posted_recvs_with_wr_flush_err(void **state)
{
	(void)state;
	pair_up();
	assert_int_equal(post_recv_at(&P.c, 11, 0, 64), 0);
	assert_int_equal(post_recv_at(&P.c, 12, 64, 64), 0);
	assert_int_equal(post_rdma(VERBS_WR_RDMA_WRITE, 1, 0, 8, 0, 0xbad), 0);
	expect_wc(P.c.cq, 1, VERBS_WC_REM_ACCESS_ERR);
	expect_wc(P.c.cq, 11, VERBS_WC_WR_FLUSH_ERR);
	expect_wc(P.c.cq, 12, VERBS_WC_WR_FLUSH_ERR);
	pair_down();
}

static void test_error_completion_carries_invalid_opcode(void **state)
{
	struct verbs_wc wc;

	(void)state;
	pair_up();
	assert_int_equal(post_rdma(VERBS_WR_RDMA_WRITE, 1, 0, 8, 0, 0xbad), 0);
	assert_int_equal(poll_n(P.c.cq, &wc, 1), 1);
	assert_int_not_equal(wc.status, VERBS_WC_SUCCESS);
	assert_int_equal(wc.opcode, VERBS_WC_OPCODE_INVALID);
	assert_int_equal(wc.qp_num, verbs_qp_num(P.c.qp));
	pair_down();
}

static void test_qp_to_error_flushes_on_next_poll_not_before(void **state)
{
	struct verbs_fake_config cfg = { .seed = 1, .manual_step = true };
	struct verbs_wc wc;

	(void)state;
	pair_prepare(&cfg, &default_caps);
	assert_int_equal(post_recv_at(&P.c, 3, 0, 64), 0);
	assert_int_equal(verbs_qp_to_error(P.c.qp), 0);
	assert_int_equal(verbs_poll_cq(P.c.cq, 1, &wc), 0);  /* manual: nothing moved */
	assert_true(verbs_fake_step(P.fab) >= 1);
	expect_wc(P.c.cq, 3, VERBS_WC_WR_FLUSH_ERR);
	assert_int_equal(verbs_qp_destroy(P.c.qp), 0);
	P.c.qp = NULL;
	pair_down();
}

static void test_post_send_in_err_completes_with_wr_flush_err(void **state)
{
	(void)state;
	pair_up();
	assert_int_equal(verbs_qp_to_error(P.c.qp), 0);
	assert_int_equal(post_rdma(VERBS_WR_RDMA_WRITE, 9, 0, 8, 0, verbs_mr_rkey(P.s.mr)), 0);
	expect_wc(P.c.cq, 9, VERBS_WC_WR_FLUSH_ERR);
	assert_int_equal(qp_state(P.c.qp), VERBS_QPS_ERR);
	pair_down();
}

static void test_post_send_before_rts_is_einval(void **state)
{
	(void)state;
	pair_prepare(NULL, &default_caps);
	assert_int_equal(qp_state(P.c.qp), VERBS_QPS_INIT);
	assert_int_equal(post_send_msg(&P.c, 1, 0, 4), -EINVAL);
	/* RECVs may be posted from INIT on, as with ibv_post_recv. */
	assert_int_equal(post_recv_at(&P.c, 2, 0, 64), 0);
	assert_int_equal(verbs_qp_destroy(P.c.qp), 0);
	P.c.qp = NULL;
	pair_down();
}

static void test_qp_moves_from_init_to_rts_when_connection_established(void **state)
{
	(void)state;
	pair_prepare(NULL, &default_caps);
	assert_int_equal(qp_state(P.c.qp), VERBS_QPS_INIT);
	pair_connect(&default_param, &default_param, &default_caps);
	assert_int_equal(qp_state(P.c.qp), VERBS_QPS_RTS);
	assert_int_equal(qp_state(P.s.qp), VERBS_QPS_RTS);
	pair_down();
}

/* ---- ordering ---------------------------------------------------------------------------- */

static void test_send_completions_follow_post_order_on_one_qp(void **state)
{
	struct verbs_wc wc[8];
	int i;

	(void)state;
	pair_up();
	for (i = 0; i < 8; i++)
		assert_int_equal(post_recv_at(&P.s, 100 + (uint64_t)i, (uint32_t)i * 16, 16), 0);
	for (i = 0; i < 8; i++) {
		if (i % 2)
			assert_int_equal(post_send_msg(&P.c, (uint64_t)i, 0, 8), 0);
		else
			assert_int_equal(post_rdma(VERBS_WR_RDMA_WRITE, (uint64_t)i, 0, 8, 2048,
						   verbs_mr_rkey(P.s.mr)), 0);
	}
	assert_int_equal(poll_n(P.c.cq, wc, 8), 8);
	for (i = 0; i < 8; i++)
		assert_int_equal(wc[i].wr_id, (uint64_t)i);
	pair_down();
}

static void test_sends_land_in_recvs_in_post_order(void **state)
{
	struct verbs_wc wc[4];
	int i;

	(void)state;
	pair_up();
	for (i = 0; i < 4; i++)
		assert_int_equal(post_recv_at(&P.s, 100 + (uint64_t)i, (uint32_t)i * 16, 16), 0);
	for (i = 0; i < 4; i++) {
		P.c.buf[i] = (uint8_t)('a' + i);
		assert_int_equal(post_send_msg(&P.c, (uint64_t)i, (uint32_t)i, 1), 0);
	}
	assert_int_equal(poll_n(P.s.cq, wc, 4), 4);
	for (i = 0; i < 4; i++) {
		assert_int_equal(wc[i].wr_id, 100 + (uint64_t)i);
		assert_int_equal(P.s.buf[i * 16], 'a' + i);
	}
	pair_down();
}

/* ---- limits -------------------------------------------------------------------------------- */

static void test_post_send_beyond_max_send_wr_is_enomem(void **state)
{
	int i;

	(void)state;
	pair_up();
	for (i = 0; i < (int)default_caps.max_send_wr; i++)
		assert_int_equal(post_send_msg(&P.c, (uint64_t)i, 0, 4), 0);
	assert_int_equal(post_send_msg(&P.c, 99, 0, 4), -ENOMEM);
	pair_down();
}

static void test_post_recv_beyond_max_recv_wr_is_enomem(void **state)
{
	int i;

	(void)state;
	pair_up();
	for (i = 0; i < (int)default_caps.max_recv_wr; i++)
		assert_int_equal(post_recv_at(&P.s, (uint64_t)i, 0, 4), 0);
	assert_int_equal(post_recv_at(&P.s, 99, 0, 4), -ENOMEM);
	pair_down();
}

static void test_post_list_stops_at_bad_wr_and_keeps_earlier_ones(void **state)
{
	struct verbs_sge sge;
	struct verbs_send_wr second = { .wr_id = 2, .sg_list = &sge, .num_sge = 9,
					.opcode = VERBS_WR_SEND };
	struct verbs_send_wr first = { .next = &second, .wr_id = 1, .sg_list = &sge, .num_sge = 1,
				       .opcode = VERBS_WR_SEND, .send_flags = VERBS_SEND_SIGNALED };
	const struct verbs_send_wr *bad = NULL;

	(void)state;
	pair_up();
	sge = (struct verbs_sge){ (uint64_t)(uintptr_t)P.c.buf, 4, verbs_mr_lkey(P.c.mr) };
	assert_int_equal(post_recv_at(&P.s, 5, 0, 64), 0);
	assert_int_equal(verbs_post_send(P.c.qp, &first, &bad), -EINVAL);
	assert_ptr_equal(bad, &second);
	expect_wc(P.c.cq, 1, VERBS_WC_SUCCESS);
	pair_down();
}

static void test_post_send_with_more_sges_than_max_send_sge_is_einval(void **state)
{
	struct verbs_sge sges[5];
	struct verbs_send_wr wr = { .wr_id = 1, .sg_list = sges, .num_sge = 5,
				    .opcode = VERBS_WR_SEND };

	(void)state;
	pair_up();
	memset(sges, 0, sizeof(sges));
	assert_int_equal(verbs_post_send(P.c.qp, &wr, NULL), -EINVAL);
	pair_down();
}

static void test_post_recv_with_more_sges_than_max_recv_sge_is_einval(void **state)
{
	struct verbs_sge sges[5];
	struct verbs_recv_wr wr = { .wr_id = 1, .sg_list = sges, .num_sge = 5 };

	(void)state;
	pair_up();
	memset(sges, 0, sizeof(sges));
	assert_int_equal(verbs_post_recv(P.c.qp, &wr, NULL), -EINVAL);
	pair_down();
}

static void test_inline_beyond_max_inline_data_is_einval(void **state)
{
	struct op op = { VERBS_WR_SEND, 1, 0, 65, VERBS_SEND_INLINE | VERBS_SEND_SIGNALED, 0, 0, 0 };

	(void)state;
	pair_up();
	assert_int_equal(post_op(&P.c, &op), -EINVAL);
	op.len = 64;
	assert_int_equal(post_op(&P.c, &op), 0);
	pair_down();
}

static void test_inline_payload_is_captured_at_post_time(void **state)
{
	struct op op = { VERBS_WR_SEND, 1, 0, 4, VERBS_SEND_INLINE | VERBS_SEND_SIGNALED, 0, 0, 0 };

	(void)state;
	pair_up();
	assert_int_equal(post_recv_at(&P.s, 5, 0, 64), 0);
	memcpy(P.c.buf, "old!", 4);
	assert_int_equal(post_op(&P.c, &op), 0);
	memcpy(P.c.buf, "new!", 4);  /* reusing the buffer at once is allowed */
	expect_wc(P.s.cq, 5, VERBS_WC_SUCCESS);
	assert_memory_equal(P.s.buf, "old!", 4);
	pair_down();
}

static void test_inline_rdma_read_is_einval(void **state)
{
	struct op op = { VERBS_WR_RDMA_READ, 1, 0, 4, VERBS_SEND_INLINE, 0, 0, 0 };

	(void)state;
	pair_up();
	op.remote_addr = (uint64_t)(uintptr_t)P.s.buf;
	op.rkey = verbs_mr_rkey(P.s.mr);
	assert_int_equal(post_op(&P.c, &op), -EINVAL);
	pair_down();
}

static void test_mr_registration_beyond_max_mr_is_enomem(void **state)
{
	struct verbs_device_attr lim = { .max_mr = 2 };
	struct verbs_mr *extra, *refused;

	(void)state;
	pair_up();
	/* The server holds one MR already. */
	assert_int_equal(verbs_fake_device_set_limits(P.s.dev, &lim), 0);
	assert_int_equal(verbs_mr_reg(P.s.pd, P.s.buf, 16, all_access, &extra), 0);
	assert_int_equal(verbs_mr_reg(P.s.pd, P.s.buf, 16, all_access, &refused),
			 -ENOMEM);
	assert_int_equal(verbs_mr_dereg(extra), 0);
	pair_down();
}

static void test_qp_caps_above_device_limits_are_einval(void **state)
{
	struct verbs_qp_caps caps = default_caps;
	struct verbs_device_attr attr;
	struct verbs_qp_init_attr qa;
	struct verbs_qp *qp;

	(void)state;
	pair_prepare(NULL, &default_caps);
	assert_int_equal(verbs_device_query(P.c.dev, &attr), 0);
	assert_int_equal(verbs_qp_destroy(P.c.qp), 0);
	P.c.qp = NULL;
	caps.max_send_sge = attr.max_sge + 1;
	qa = (struct verbs_qp_init_attr){ .send_cq = P.c.cq, .recv_cq = P.c.cq, .cap = caps };
	assert_int_equal(verbs_qp_create(P.c.id, P.c.pd, &qa, &qp), -EINVAL);
	qa.cap = default_caps;
	qa.cap.max_inline_data = attr.max_inline_data + 1;
	assert_int_equal(verbs_qp_create(P.c.id, P.c.pd, &qa, &qp), -EINVAL);
	qa.cap = default_caps;
	qa.cap.max_send_wr = attr.max_qp_wr + 1;
	assert_int_equal(verbs_qp_create(P.c.id, P.c.pd, &qa, &qp), -EINVAL);
	qa.cap = default_caps;
	qa.cap.max_recv_wr = attr.max_qp_wr + 1;
	assert_int_equal(verbs_qp_create(P.c.id, P.c.pd, &qa, &qp), -EINVAL);
	/* At the limits exactly, the QP is created. */
	qa.cap.max_send_wr = attr.max_qp_wr;
	qa.cap.max_recv_wr = attr.max_qp_wr;
	qa.cap.max_send_sge = attr.max_sge;
	qa.cap.max_recv_sge = attr.max_sge;
	qa.cap.max_inline_data = attr.max_inline_data;
	assert_int_equal(verbs_qp_create(P.c.id, P.c.pd, &qa, &P.c.qp), 0);
	pair_down();
}

static void test_device_limit_caps_lower_later_allocations(void **state)
{
	struct verbs_device_attr lim = { .max_qp_wr = 8, .max_cq = 1 };
	struct verbs_cq_attr cqa = { .cqe = 4 };
	struct verbs_qp_init_attr qa;
	struct verbs_cq *cq;
	struct verbs_qp *qp;

	(void)state;
	pair_prepare(NULL, &default_caps);
	assert_int_equal(verbs_qp_destroy(P.c.qp), 0);
	P.c.qp = NULL;
	assert_int_equal(verbs_fake_device_set_limits(P.c.dev, &lim), 0);
	qa = (struct verbs_qp_init_attr){ .send_cq = P.c.cq, .recv_cq = P.c.cq, .cap = default_caps };
	assert_int_equal(verbs_qp_create(P.c.id, P.c.pd, &qa, &qp), -EINVAL);
	assert_int_equal(verbs_cq_create(P.c.dev, &cqa, &cq), -ENOMEM);
	/* Caps lower, never raise above the fabric's limits. */
	lim = (struct verbs_device_attr){ .max_qp_wr = 32769 };
	assert_int_equal(verbs_fake_device_set_limits(P.c.dev, &lim), -EINVAL);
	pair_down();
}

/* ---- signalling and CQ ------------------------------------------------------------------------ */

static void test_unsignaled_success_produces_no_completion(void **state)
{
	struct op op = { VERBS_WR_RDMA_WRITE, 1, 0, 4, 0, 0, 0, 0 };

	(void)state;
	pair_up();
	op.remote_addr = (uint64_t)(uintptr_t)P.s.buf;
	op.rkey = verbs_mr_rkey(P.s.mr);
	assert_int_equal(post_op(&P.c, &op), 0);
	expect_no_wc(P.c.cq, 5);
	assert_int_equal(counters(P.c.qp).write_ops, 1);
	pair_down();
}

static void test_unsignaled_error_still_completes(void **state)
{
	struct op op = { VERBS_WR_RDMA_WRITE, 1, 0, 4, 0, 0, 0xbad, 0 };

	(void)state;
	pair_up();
	op.remote_addr = (uint64_t)(uintptr_t)P.s.buf;
	assert_int_equal(post_op(&P.c, &op), 0);
	expect_wc(P.c.cq, 1, VERBS_WC_REM_ACCESS_ERR);
	pair_down();
}

static void test_unsignaled_wrs_hold_send_slots_until_a_signaled_completion(void **state)
{
	struct op op = { VERBS_WR_RDMA_WRITE, 1, 0, 4, 0, 0, 0, 0 };
	int i;

	(void)state;
	pair_up();
	op.remote_addr = (uint64_t)(uintptr_t)P.s.buf;
	op.rkey = verbs_mr_rkey(P.s.mr);
	for (i = 0; i < (int)default_caps.max_send_wr; i++)
		assert_int_equal(post_op(&P.c, &op), 0);
	assert_int_equal(verbs_fake_run(P.fab, 100) > 0, 1);
	assert_int_equal(counters(P.c.qp).write_ops, default_caps.max_send_wr);
	/* All executed, yet no slot came back: nothing signaled retired them. */
	assert_int_equal(post_op(&P.c, &op), -ENOMEM);
	pair_down();
}

static void test_sq_sig_all_signals_every_wr(void **state)
{
	struct verbs_qp_init_attr qa;
	struct op op = { VERBS_WR_RDMA_WRITE, 4, 0, 4, 0, 0, 0, 0 };

	(void)state;
	pair_prepare(NULL, &default_caps);
	assert_int_equal(verbs_qp_destroy(P.c.qp), 0);
	qa = (struct verbs_qp_init_attr){ .send_cq = P.c.cq, .recv_cq = P.c.cq, .cap = default_caps,
					  .sq_sig_all = true };
	assert_int_equal(verbs_qp_create(P.c.id, P.c.pd, &qa, &P.c.qp), 0);
	pair_connect(&default_param, &default_param, &default_caps);
	op.remote_addr = (uint64_t)(uintptr_t)P.s.buf;
	op.rkey = verbs_mr_rkey(P.s.mr);
	assert_int_equal(post_op(&P.c, &op), 0);
	expect_wc(P.c.cq, 4, VERBS_WC_SUCCESS);
	pair_down();
}

static void test_cq_overrun_makes_poll_return_eoverflow(void **state)
{
	struct verbs_cq_attr cqa = { .cqe = 2 };
	struct verbs_cq *small;
	struct verbs_wc wc;
	int i;

	(void)state;
	pair_prepare(NULL, &default_caps);
	assert_int_equal(verbs_cq_create(P.c.dev, &cqa, &small), 0);
	assert_int_equal(verbs_qp_destroy(P.c.qp), 0);
	P.c.qp = NULL;
	{
		struct verbs_qp_init_attr qa = { .send_cq = small, .recv_cq = small,
						 .cap = default_caps };

		assert_int_equal(verbs_qp_create(P.c.id, P.c.pd, &qa, &P.c.qp), 0);
	}
	for (i = 0; i < 3; i++)
		assert_int_equal(post_recv_at(&P.c, (uint64_t)i, 0, 4), 0);
	assert_int_equal(verbs_qp_to_error(P.c.qp), 0);
	assert_int_equal(verbs_poll_cq(small, 1, &wc), -EOVERFLOW);
	assert_int_equal(verbs_cq_destroy(small), -EBUSY);
	assert_int_equal(verbs_qp_destroy(P.c.qp), 0);
	P.c.qp = NULL;
	assert_int_equal(verbs_cq_destroy(small), 0);
	pair_down();
}

static void test_armed_cq_makes_notify_fd_readable_once(void **state)
{
	struct verbs_cq_attr cqa = { .cqe = 16, .notify = true };
	struct verbs_qp_init_attr qa;
	struct verbs_cq *cq;
	struct pollfd pfd;
	struct verbs_wc wc;

	(void)state;
	pair_prepare(NULL, &default_caps);
	assert_int_equal(verbs_cq_create(P.c.dev, &cqa, &cq), 0);
	assert_int_equal(verbs_qp_destroy(P.c.qp), 0);
	qa = (struct verbs_qp_init_attr){ .send_cq = cq, .recv_cq = cq, .cap = default_caps };
	assert_int_equal(verbs_qp_create(P.c.id, P.c.pd, &qa, &P.c.qp), 0);
	assert_int_equal(post_recv_at(&P.c, 1, 0, 4), 0);
	assert_int_equal(post_recv_at(&P.c, 2, 0, 4), 0);
	assert_int_equal(verbs_cq_req_notify(cq), 0);
	assert_int_equal(verbs_qp_to_error(P.c.qp), 0);
	assert_int_equal(verbs_fake_step(P.fab), 2);
	pfd = (struct pollfd){ .fd = verbs_cq_fd(cq), .events = POLLIN };
	assert_int_equal(poll(&pfd, 1, 0), 1);
	assert_int_equal(verbs_cq_get_event(cq), 0);
	assert_int_equal(verbs_cq_get_event(cq), -EAGAIN);  /* two entries, one event */
	assert_int_equal(poll(&pfd, 1, 0), 0);
	assert_int_equal(poll_n(cq, &wc, 1), 1);
	assert_int_equal(verbs_qp_destroy(P.c.qp), 0);
	P.c.qp = NULL;
	assert_int_equal(verbs_cq_destroy(cq), 0);
	pair_down();
}

/* ---- scheduler ------------------------------------------------------------------------------ */

static void test_nothing_moves_until_a_step(void **state)
{
	struct verbs_fake_config cfg = { .seed = 3, .manual_step = true };
	struct verbs_wc wc;
	uint64_t before;
	int i;

	(void)state;
	fabric_up(&cfg);
	/* A manual fabric connects only when stepped. */
	side_open(&P.c, all_access);
	side_open(&P.s, all_access);
	assert_int_equal(verbs_cm_id_create(P.s.ch, NULL, &P.listener), 0);
	assert_int_equal(verbs_cm_listen(P.listener, LISTEN_ADDR, 8), 0);
	assert_int_equal(verbs_cm_id_create(P.c.ch, NULL, &P.c.id), 0);
	assert_int_equal(verbs_cm_resolve(P.c.id, LISTEN_ADDR, 1000), 0);
	{
		struct verbs_cm_event ev;

		assert_int_equal(verbs_cm_get_event(P.c.ch, &ev), -EAGAIN);
		assert_int_equal(verbs_fake_step(P.fab), 1);
		assert_int_equal(verbs_cm_get_event(P.c.ch, &ev), 0);
		assert_int_equal(ev.type, VERBS_CM_EVENT_ROUTE_RESOLVED);
	}
	qp_on(&P.c, &default_caps);
	assert_int_equal(verbs_qp_to_error(P.c.qp), 0);
	assert_int_equal(post_recv_at(&P.c, 1, 0, 4), 0);
	before = verbs_fake_now(P.fab);
	for (i = 0; i < 10; i++)
		assert_int_equal(verbs_poll_cq(P.c.cq, 1, &wc), 0);
	assert_int_equal(verbs_fake_now(P.fab), before);
	assert_int_equal(verbs_fake_step(P.fab), 1);
	assert_int_equal(verbs_poll_cq(P.c.cq, 1, &wc), 1);
	pair_down();
}

struct trace_log {
	uint32_t qp[64];
	uint64_t wr[64];
	int n;
};

static void record(void *arg, const struct verbs_fake_trace *t)
{
	struct trace_log *log = arg;

	if (log->n < 64) {
		log->qp[log->n] = t->qp_num;
		log->wr[log->n] = t->wr_id;
		log->n++;
	}
}

/* Both ends WRITE to each other; which QP runs first in a step is seeded. */
static void run_crossing_writes(uint64_t seed, struct trace_log *log)
{
	struct verbs_fake_config cfg = { .seed = seed };
	struct op op = { VERBS_WR_RDMA_WRITE, 0, 0, 8, VERBS_SEND_SIGNALED, 0, 0, 0 };
	int i;

	memset(log, 0, sizeof(*log));
	pair_up_with(&cfg, &default_caps, &default_param);
	verbs_fake_set_trace(P.fab, record, log);
	for (i = 0; i < 12; i++) {
		op.wr_id = (uint64_t)i;
		op.remote_addr = (uint64_t)(uintptr_t)P.s.buf;
		op.rkey = verbs_mr_rkey(P.s.mr);
		assert_int_equal(post_op(&P.c, &op), 0);
		op.remote_addr = (uint64_t)(uintptr_t)P.c.buf;
		op.rkey = verbs_mr_rkey(P.c.mr);
		assert_int_equal(post_op(&P.s, &op), 0);
	}
	verbs_fake_run(P.fab, 1000);
	assert_int_equal(log->n, 24);
	pair_down();
}

static void test_same_seed_gives_same_interleaving(void **state)
{
	struct trace_log a, b, c;

	(void)state;
	run_crossing_writes(42, &a);
	run_crossing_writes(42, &b);
	run_crossing_writes(43, &c);
	assert_memory_equal(a.qp, b.qp, sizeof(a.qp));
	/* And the seed matters: another one orders the QPs differently. */
	assert_memory_not_equal(a.qp, c.qp, sizeof(a.qp));
}

static void test_fabric_reports_its_seed(void **state)
{
	struct verbs_fake_config cfg = { .seed = 0x5eed };
	struct verbs_fake_fabric *fab;

	(void)state;
	assert_int_equal(verbs_fake_fabric_create(&cfg, &fab), 0);
	assert_int_equal(verbs_fake_fabric_seed(fab), 0x5eed);
	assert_int_equal(verbs_fake_fabric_destroy(fab), 0);
}

/* ---- fault injection ---------------------------------------------------------------------------- */

static void test_fault_delay_holds_wr_for_n_steps(void **state)
{
	struct verbs_fake_fault f = fault_of(VERBS_FAKE_FAULT_DELAY);
	struct verbs_fake_config cfg = { .seed = 1, .manual_step = true };
	int steps = 0;
	struct verbs_wc wc;

	(void)state;
	f.value = 10;
	pair_prepare(&cfg, &default_caps);
	assert_int_equal(verbs_cm_connect(P.c.id, &default_param), 0);
	verbs_fake_run(P.fab, 5);
	{
		struct verbs_cm_event ev;

		assert_int_equal(verbs_cm_get_event(P.s.ch, &ev), 0);
		P.s.id = ev.id;
		qp_on(&P.s, &default_caps);
		assert_int_equal(verbs_cm_accept(P.s.id, &default_param), 0);
		verbs_fake_run(P.fab, 5);
	}
	assert_int_equal(verbs_fake_inject(P.fab, &f), 0);
	assert_int_equal(post_rdma(VERBS_WR_RDMA_WRITE, 1, 0, 8, 0, verbs_mr_rkey(P.s.mr)), 0);
	while (verbs_poll_cq(P.c.cq, 1, &wc) == 0 && steps < 100) {
		verbs_fake_step(P.fab);
		steps++;
	}
	/* One step to reach the head, then the ten of the delay. */
	assert_int_equal(steps, 11);
	assert_int_equal(wc.status, VERBS_WC_SUCCESS);
	pair_down();
}

static void test_fault_drop_connection_ends_in_retry_exc_err(void **state)
{
	struct verbs_fake_fault f = fault_of(VERBS_FAKE_FAULT_DROP_CONNECTION);

	(void)state;
	pair_up();
	f.opcodes = 1u << VERBS_WR_RDMA_READ;
	assert_int_equal(verbs_fake_inject(P.fab, &f), 0);
	assert_int_equal(post_rdma(VERBS_WR_RDMA_WRITE, 1, 0, 8, 0, verbs_mr_rkey(P.s.mr)), 0);
	assert_int_equal(post_rdma(VERBS_WR_RDMA_READ, 2, 0, 8, 0, verbs_mr_rkey(P.s.mr)), 0);
	expect_wc(P.c.cq, 1, VERBS_WC_SUCCESS);
	expect_wc(P.c.cq, 2, VERBS_WC_RETRY_EXC_ERR);
	assert_int_equal(counters(P.c.qp).retries, default_param.retry_count);
	pair_down();
}

static void test_dropped_connection_fails_both_ends_wrs(void **state)
{
	(void)state;
	pair_up();
	assert_int_equal(verbs_fake_drop_connection(P.c.qp), 0);
	assert_int_equal(post_rdma(VERBS_WR_RDMA_WRITE, 1, 0, 8, 0, verbs_mr_rkey(P.s.mr)), 0);
	assert_int_equal(post_send_msg(&P.s, 2, 0, 8), 0);
	expect_wc(P.c.cq, 1, VERBS_WC_RETRY_EXC_ERR);
	expect_wc(P.s.cq, 2, VERBS_WC_RETRY_EXC_ERR);
	pair_down();
}

static void test_fault_corrupt_flips_payload_bytes(void **state)
{
	struct verbs_fake_fault f = fault_of(VERBS_FAKE_FAULT_CORRUPT);
	int diff = 0, i;

	(void)state;
	pair_up();
	f.value = 1;
	f.count = 1;
	assert_int_equal(verbs_fake_inject(P.fab, &f), 0);
	memset(P.c.buf, 0x5a, 256);
	assert_int_equal(post_rdma(VERBS_WR_RDMA_WRITE, 1, 0, 256, 0, verbs_mr_rkey(P.s.mr)), 0);
	expect_wc(P.c.cq, 1, VERBS_WC_SUCCESS);  /* silent: no ICRC to catch it */
	for (i = 0; i < 256; i++)
		diff += P.s.buf[i] != 0x5a;
	assert_int_equal(diff, 1);
	/* count = 1: the next transfer is clean. */
	assert_int_equal(post_rdma(VERBS_WR_RDMA_WRITE, 2, 0, 256, 0, verbs_mr_rkey(P.s.mr)), 0);
	expect_wc(P.c.cq, 2, VERBS_WC_SUCCESS);
	assert_memory_equal(P.s.buf, P.c.buf, 256);
	pair_down();
}

static void test_fault_force_rnr_naks_then_delivers(void **state)
{
	struct verbs_fake_fault f = fault_of(VERBS_FAKE_FAULT_FORCE_RNR);

	(void)state;
	pair_up();
	f.value = 2;
	assert_int_equal(verbs_fake_inject(P.fab, &f), 0);
	assert_int_equal(post_recv_at(&P.s, 5, 0, 64), 0);
	assert_int_equal(post_send_msg(&P.c, 1, 0, 8), 0);
	expect_wc(P.c.cq, 1, VERBS_WC_SUCCESS);
	assert_int_equal(counters(P.c.qp).rnr_naks, 2);
	pair_down();
}

static void test_fault_force_rem_access_fails_a_valid_rdma(void **state)
{
	struct verbs_fake_fault f = fault_of(VERBS_FAKE_FAULT_REM_ACCESS);

	(void)state;
	pair_up();
	f.opcodes = 1u << VERBS_WR_RDMA_READ;
	assert_int_equal(verbs_fake_inject(P.fab, &f), 0);
	assert_int_equal(post_rdma(VERBS_WR_RDMA_READ, 1, 0, 8, 0, verbs_mr_rkey(P.s.mr)), 0);
	expect_wc(P.c.cq, 1, VERBS_WC_REM_ACCESS_ERR);
	pair_down();
}

static void test_fault_skip_and_count_pick_which_matches_fire(void **state)
{
	struct verbs_fake_fault f = fault_of(VERBS_FAKE_FAULT_REM_ACCESS);
	struct op op = { VERBS_WR_RDMA_WRITE, 0, 0, 8, VERBS_SEND_SIGNALED, 0, 0, 0 };
	int i;

	(void)state;
	pair_up();
	f.skip = 2;
	f.count = 1;
	assert_int_equal(verbs_fake_inject(P.fab, &f), 0);
	op.remote_addr = (uint64_t)(uintptr_t)P.s.buf;
	op.rkey = verbs_mr_rkey(P.s.mr);
	for (i = 0; i < 3; i++) {
		op.wr_id = (uint64_t)i;
		assert_int_equal(post_op(&P.c, &op), 0);
	}
	expect_wc(P.c.cq, 0, VERBS_WC_SUCCESS);
	expect_wc(P.c.cq, 1, VERBS_WC_SUCCESS);
	expect_wc(P.c.cq, 2, VERBS_WC_REM_ACCESS_ERR);
	pair_down();
}

static void test_fault_matches_only_its_qp(void **state)
{
	struct verbs_fake_fault f = fault_of(VERBS_FAKE_FAULT_REM_ACCESS);

	(void)state;
	pair_up();
	f.qp_num = verbs_qp_num(P.s.qp);
	assert_int_equal(verbs_fake_inject(P.fab, &f), 0);
	assert_int_equal(post_rdma(VERBS_WR_RDMA_WRITE, 1, 0, 8, 0, verbs_mr_rkey(P.s.mr)), 0);
	expect_wc(P.c.cq, 1, VERBS_WC_SUCCESS);
	pair_down();
}

static uint32_t seeded_fault_pattern(uint64_t seed)
{
	struct verbs_fake_config cfg = { .seed = seed };
	struct verbs_fake_fault f = fault_of(VERBS_FAKE_FAULT_CORRUPT);
	uint32_t pattern = 0;
	int i;

	pair_up_with(&cfg, &default_caps, &default_param);
	f.ppm = 500000;
	assert_int_equal(verbs_fake_inject(P.fab, &f), 0);
	for (i = 0; i < 16; i++) {
		memset(P.c.buf, 0, 64);
		memset(P.s.buf, 0, 64);
		assert_int_equal(post_rdma(VERBS_WR_RDMA_WRITE, 1, 0, 64, 0, verbs_mr_rkey(P.s.mr)), 0);
		expect_wc(P.c.cq, 1, VERBS_WC_SUCCESS);
		if (memcmp(P.c.buf, P.s.buf, 64) != 0)
			pattern |= 1u << i;
	}
	pair_down();
	return pattern;
}

static void test_seeded_fault_probability_is_reproducible(void **state)
{
	uint32_t a, b;

	(void)state;
	a = seeded_fault_pattern(77);
	b = seeded_fault_pattern(77);
	assert_int_equal(a, b);
	/* ppm = 50%: some hit and some missed. */
	assert_int_not_equal(a, 0);
	assert_int_not_equal(a, 0xffff);
}

static void test_inject_beyond_max_faults_is_enospc(void **state)
{
	struct verbs_fake_fault f = fault_of(VERBS_FAKE_FAULT_DELAY);
	struct verbs_fake_fabric *fab;
	int i;

	(void)state;
	assert_int_equal(verbs_fake_fabric_create(NULL, &fab), 0);
	for (i = 0; i < VERBS_FAKE_MAX_FAULTS; i++)
		assert_int_equal(verbs_fake_inject(fab, &f), 0);
	assert_int_equal(verbs_fake_inject(fab, &f), -ENOSPC);
	verbs_fake_clear_faults(fab);
	assert_int_equal(verbs_fake_inject(fab, &f), 0);
	f.ppm = 1000001;
	assert_int_equal(verbs_fake_inject(fab, &f), -EINVAL);
	assert_int_equal(verbs_fake_fabric_destroy(fab), 0);
}

static void test_fault_reject_connect_delivers_rejected_with_reason_and_pdata(void **state)
{
	struct verbs_fake_fault f = fault_of(VERBS_FAKE_FAULT_REJECT_CONNECT);
	struct verbs_cm_event ev;

	(void)state;
	pair_prepare(NULL, &default_caps);
	f.port = 4420;
	f.reject_reason = VERBS_REJ_STALE_CONN;
	f.private_data_len = 3;
	memcpy(f.private_data, "no!", 3);
	assert_int_equal(verbs_fake_inject(P.fab, &f), 0);
	assert_int_equal(verbs_cm_connect(P.c.id, &default_param), 0);
	expect_event(P.c.ch, VERBS_CM_EVENT_REJECTED, &ev);
	assert_int_equal(ev.status, VERBS_REJ_STALE_CONN);
	assert_memory_equal(ev.private_data, "no!", 3);
	assert_int_equal(verbs_cm_get_event(P.s.ch, &ev), -EAGAIN);  /* listener never saw it */
	pair_down();
}

/* ---- counters ---------------------------------------------------------------------------- */

static void test_counters_count_ops_and_bytes_per_qp(void **state)
{
	struct verbs_fake_qp_counters c, s;

	(void)state;
	pair_up();
	assert_int_equal(post_recv_at(&P.s, 5, 0, 64), 0);
	assert_int_equal(post_send_msg(&P.c, 1, 0, 10), 0);
	assert_int_equal(post_rdma(VERBS_WR_RDMA_WRITE, 2, 0, 100, 0, verbs_mr_rkey(P.s.mr)), 0);
	assert_int_equal(post_rdma(VERBS_WR_RDMA_READ, 3, 0, 1000, 0, verbs_mr_rkey(P.s.mr)), 0);
	expect_wc(P.c.cq, 1, VERBS_WC_SUCCESS);
	expect_wc(P.c.cq, 2, VERBS_WC_SUCCESS);
	expect_wc(P.c.cq, 3, VERBS_WC_SUCCESS);
	c = counters(P.c.qp);
	s = counters(P.s.qp);
	assert_int_equal(c.send_ops, 1);
	assert_int_equal(c.send_bytes, 10);
	assert_int_equal(c.write_ops, 1);
	assert_int_equal(c.write_bytes, 100);
	assert_int_equal(c.read_ops, 1);
	assert_int_equal(c.read_bytes, 1000);
	assert_int_equal(s.recv_ops, 1);
	assert_int_equal(s.recv_bytes, 10);
	assert_int_equal(s.send_ops + s.write_ops + s.read_ops, 0);
	pair_down();
}

/* ---- connection manager ------------------------------------------------------------------------ */

static void test_connect_request_exposes_private_data_and_rd_atoms(void **state)
{
	struct verbs_conn_param param = default_param;
	struct verbs_cm_event ev;

	(void)state;
	pair_prepare(NULL, &default_caps);
	param.private_data = "hello";
	param.private_data_len = 5;
	param.responder_resources = 3;
	param.initiator_depth = 6;
	assert_int_equal(verbs_cm_connect(P.c.id, &param), 0);
	expect_event(P.s.ch, VERBS_CM_EVENT_CONNECT_REQUEST, &ev);
	P.s.id = ev.id;
	assert_ptr_equal(ev.listen_id, P.listener);
	assert_int_equal(ev.private_data_len, VERBS_CONNECT_PDATA_MAX);
	assert_memory_equal(ev.private_data, "hello", 5);
	assert_int_equal(ev.private_data[5], 0);
	/* Seen from the receiver: the peer's initiator depth is what we must
	 * serve. */
	assert_int_equal(ev.responder_resources, 6);
	assert_int_equal(ev.initiator_depth, 3);
	pair_down();
}

static void test_accept_private_data_reaches_established_event(void **state)
{
	struct verbs_conn_param aparam = default_param;
	struct verbs_cm_event ev;

	(void)state;
	pair_prepare(NULL, &default_caps);
	assert_int_equal(verbs_cm_connect(P.c.id, &default_param), 0);
	expect_event(P.s.ch, VERBS_CM_EVENT_CONNECT_REQUEST, &ev);
	P.s.id = ev.id;
	qp_on(&P.s, &default_caps);
	aparam.private_data = "welcome";
	aparam.private_data_len = 7;
	assert_int_equal(verbs_cm_accept(P.s.id, &aparam), 0);
	expect_event(P.c.ch, VERBS_CM_EVENT_ESTABLISHED, &ev);
	assert_int_equal(ev.private_data_len, VERBS_ACCEPT_PDATA_MAX);
	assert_memory_equal(ev.private_data, "welcome", 7);
	expect_event(P.s.ch, VERBS_CM_EVENT_ESTABLISHED, NULL);
	pair_down();
}

static void test_reject_delivers_rejected_with_consumer_reason_and_pdata(void **state)
{
	struct verbs_cm_event ev;

	(void)state;
	pair_prepare(NULL, &default_caps);
	assert_int_equal(verbs_cm_connect(P.c.id, &default_param), 0);
	expect_event(P.s.ch, VERBS_CM_EVENT_CONNECT_REQUEST, &ev);
	P.s.id = ev.id;
	assert_int_equal(verbs_cm_reject(P.s.id, "busy", 4), 0);
	expect_event(P.c.ch, VERBS_CM_EVENT_REJECTED, &ev);
	assert_int_equal(ev.status, VERBS_REJ_CONSUMER_DEFINED);
	assert_int_equal(ev.private_data_len, VERBS_REJECT_PDATA_MAX);
	assert_memory_equal(ev.private_data, "busy", 4);
	pair_down();
}

static void test_connect_to_port_nobody_listens_on_is_rejected_invalid_service_id(void **state)
{
	struct verbs_cm_event ev;

	(void)state;
	fabric_up(NULL);
	side_open(&P.c, all_access);
	side_open(&P.s, all_access);
	assert_int_equal(verbs_cm_id_create(P.c.ch, NULL, &P.c.id), 0);
	assert_int_equal(verbs_cm_resolve(P.c.id, "fake:target:9", 1000), 0);
	expect_event(P.c.ch, VERBS_CM_EVENT_ROUTE_RESOLVED, NULL);
	qp_on(&P.c, &default_caps);
	assert_int_equal(verbs_cm_connect(P.c.id, &default_param), 0);
	expect_event(P.c.ch, VERBS_CM_EVENT_REJECTED, &ev);
	assert_int_equal(ev.status, VERBS_REJ_INVALID_SERVICE_ID);
	pair_down();
}

static void test_connect_private_data_over_56_bytes_is_einval(void **state)
{
	uint8_t big[VERBS_CONNECT_PDATA_MAX + 1] = { 0 };
	struct verbs_conn_param param = default_param;

	(void)state;
	pair_prepare(NULL, &default_caps);
	param.private_data = big;
	param.private_data_len = sizeof(big);
	assert_int_equal(verbs_cm_connect(P.c.id, &param), -EINVAL);
	param.private_data_len = VERBS_CONNECT_PDATA_MAX;
	assert_int_equal(verbs_cm_connect(P.c.id, &param), 0);
	pair_down();
}

static void test_initiator_depth_above_device_limit_is_einval(void **state)
{
	struct verbs_conn_param param = default_param;

	(void)state;
	pair_prepare(NULL, &default_caps);
	param.initiator_depth = 17;
	assert_int_equal(verbs_cm_connect(P.c.id, &param), -EINVAL);
	pair_down();
}

static void test_disconnect_gives_disconnected_on_both_sides(void **state)
{
	struct verbs_cm_event ev;

	(void)state;
	pair_up();
	assert_int_equal(verbs_cm_disconnect(P.c.id), 0);
	expect_event(P.s.ch, VERBS_CM_EVENT_DISCONNECTED, &ev);
	assert_int_equal(ev.status, 0);
	expect_event(P.c.ch, VERBS_CM_EVENT_DISCONNECTED, &ev);
	assert_int_equal(ev.status, 0);
	assert_int_equal(qp_state(P.s.qp), VERBS_QPS_ERR);
	pair_down();
}

static void test_disconnect_moves_qp_to_err_and_flushes_recvs(void **state)
{
	(void)state;
	pair_up();
	assert_int_equal(post_recv_at(&P.c, 21, 0, 64), 0);
	assert_int_equal(verbs_cm_disconnect(P.c.id), 0);
	assert_int_equal(qp_state(P.c.qp), VERBS_QPS_ERR);
	expect_wc(P.c.cq, 21, VERBS_WC_WR_FLUSH_ERR);
	pair_down();
}

static void test_disconnect_with_vanished_peer_times_out(void **state)
{
	struct verbs_cm_event ev;

	(void)state;
	pair_up();
	assert_int_equal(verbs_cm_disconnect(P.c.id), 0);
	/* The server goes away before our DREQ reaches it: nobody answers. */
	assert_int_equal(verbs_qp_destroy(P.s.qp), 0);
	P.s.qp = NULL;
	assert_int_equal(verbs_cm_id_destroy(P.s.id), 0);
	P.s.id = NULL;
	expect_event(P.c.ch, VERBS_CM_EVENT_DISCONNECTED, &ev);
	assert_int_equal(ev.status, -ETIMEDOUT);
	pair_down();
}

static void test_destroying_connected_id_disconnects_peer(void **state)
{
	(void)state;
	pair_up();
	assert_int_equal(verbs_qp_destroy(P.s.qp), 0);
	P.s.qp = NULL;
	assert_int_equal(verbs_cm_id_destroy(P.s.id), 0);
	P.s.id = NULL;
	expect_event(P.c.ch, VERBS_CM_EVENT_DISCONNECTED, NULL);
	assert_int_equal(qp_state(P.c.qp), VERBS_QPS_ERR);
	pair_down();
}

static void test_cm_id_with_qp_cannot_be_destroyed(void **state)
{
	(void)state;
	pair_up();
	assert_int_equal(verbs_cm_id_destroy(P.c.id), -EBUSY);
	pair_down();
}

static void test_device_removal_reports_event_and_peer_disconnects(void **state)
{
	struct verbs_cm_event ev;

	(void)state;
	pair_up();
	assert_int_equal(verbs_fake_device_remove(P.s.dev), 0);
	expect_event(P.s.ch, VERBS_CM_EVENT_DEVICE_REMOVAL, &ev);
	expect_event(P.c.ch, VERBS_CM_EVENT_DISCONNECTED, NULL);
	assert_int_equal(qp_state(P.s.qp), VERBS_QPS_ERR);
	assert_int_equal(qp_state(P.c.qp), VERBS_QPS_ERR);
	assert_int_equal(post_recv_at(&P.s, 1, 0, 4), -ENODEV);
	pair_down();
}

static void test_listen_twice_on_same_address_is_eaddrinuse(void **state)
{
	struct verbs_cm_id *second, *wild;

	(void)state;
	pair_prepare(NULL, &default_caps);
	assert_int_equal(verbs_cm_id_create(P.s.ch, NULL, &second), 0);
	assert_int_equal(verbs_cm_listen(second, LISTEN_ADDR, 8), -EADDRINUSE);
	assert_int_equal(verbs_cm_listen(second, "fake:other:4420", 8), 0);
	assert_int_equal(verbs_cm_id_create(P.s.ch, NULL, &wild), 0);
	assert_int_equal(verbs_cm_listen(wild, "*:4420", 8), -EADDRINUSE);
	assert_int_equal(verbs_cm_id_destroy(wild), 0);
	assert_int_equal(verbs_cm_id_destroy(second), 0);
	pair_down();
}

static void test_full_backlog_ends_in_unreachable(void **state)
{
	struct verbs_cm_event ev;
	struct verbs_cm_id *first_req;
	struct side extra = { 0 };

	(void)state;
	pair_prepare(NULL, &default_caps);
	assert_int_equal(verbs_cm_id_destroy(P.listener), 0);
	assert_int_equal(verbs_cm_id_create(P.s.ch, NULL, &P.listener), 0);
	assert_int_equal(verbs_cm_listen(P.listener, LISTEN_ADDR, 1), 0);
	assert_int_equal(verbs_cm_connect(P.c.id, &default_param), 0);
	expect_event(P.s.ch, VERBS_CM_EVENT_CONNECT_REQUEST, &ev);
	first_req = ev.id;  /* left unanswered: the backlog of 1 is full */
	side_open(&extra, all_access);
	assert_int_equal(verbs_cm_id_create(extra.ch, NULL, &extra.id), 0);
	assert_int_equal(verbs_cm_resolve(extra.id, LISTEN_ADDR, 1000), 0);
	expect_event(extra.ch, VERBS_CM_EVENT_ROUTE_RESOLVED, NULL);
	qp_on(&extra, &default_caps);
	assert_int_equal(verbs_cm_connect(extra.id, &default_param), 0);
	expect_event(extra.ch, VERBS_CM_EVENT_UNREACHABLE, &ev);
	assert_int_equal(ev.status, -ETIMEDOUT);
	side_close(&extra);
	assert_int_equal(verbs_cm_id_destroy(first_req), 0);
	expect_event(P.c.ch, VERBS_CM_EVENT_REJECTED, NULL);
	pair_down();
}

static void test_resolve_to_wildcard_address_is_addr_error(void **state)
{
	(void)state;
	fabric_up(NULL);
	side_open(&P.c, all_access);
	side_open(&P.s, all_access);
	assert_int_equal(verbs_cm_id_create(P.c.ch, NULL, &P.c.id), 0);
	assert_int_equal(verbs_cm_resolve(P.c.id, "0.0.0.0:4420", 1000), 0);
	expect_event(P.c.ch, VERBS_CM_EVENT_ADDR_ERROR, NULL);
	pair_down();
}

static void test_plain_host_port_and_fake_prefix_name_the_same_listener(void **state)
{
	(void)state;
	fabric_up(NULL);
	side_open(&P.c, all_access);
	side_open(&P.s, all_access);
	assert_int_equal(verbs_cm_id_create(P.s.ch, NULL, &P.listener), 0);
	assert_int_equal(verbs_cm_listen(P.listener, "target:4420", 8), 0);
	assert_int_equal(verbs_cm_id_create(P.c.ch, NULL, &P.c.id), 0);
	assert_int_equal(verbs_cm_resolve(P.c.id, LISTEN_ADDR, 1000), 0);
	expect_event(P.c.ch, VERBS_CM_EVENT_ROUTE_RESOLVED, NULL);
	qp_on(&P.c, &default_caps);
	pair_connect(&default_param, &default_param, &default_caps);
	pair_down();
}

static void test_resources_in_use_refuse_release_with_ebusy(void **state)
{
	(void)state;
	pair_up();
	assert_int_equal(verbs_pd_dealloc(P.c.pd), -EBUSY);
	assert_int_equal(verbs_cq_destroy(P.c.cq), -EBUSY);
	assert_int_equal(verbs_cm_channel_destroy(P.c.ch), -EBUSY);
	pair_down();
}

static void test_wildcard_listener_takes_connects_to_any_name(void **state)
{
	int ctx = 7;
	struct verbs_cm_event ev;

	(void)state;
	fabric_up(NULL);
	side_open(&P.c, all_access);
	side_open(&P.s, all_access);
	assert_int_equal(verbs_cm_id_create(P.s.ch, &ctx, &P.listener), 0);
	assert_int_equal(verbs_cm_listen(P.listener, "*:4420", 8), 0);
	assert_int_equal(verbs_cm_id_create(P.c.ch, NULL, &P.c.id), 0);
	assert_int_equal(verbs_cm_resolve(P.c.id, "fake:any-name:4420", 1000), 0);
	expect_event(P.c.ch, VERBS_CM_EVENT_ROUTE_RESOLVED, NULL);
	qp_on(&P.c, &default_caps);
	assert_int_equal(verbs_cm_connect(P.c.id, &default_param), 0);
	expect_event(P.s.ch, VERBS_CM_EVENT_CONNECT_REQUEST, &ev);
	P.s.id = ev.id;
	pair_down();
}

static void test_connect_request_id_inherits_listener_context(void **state)
{
	int ctx = 7;
	struct verbs_cm_event ev;

	(void)state;
	pair_prepare(NULL, &default_caps);
	verbs_cm_id_set_context(P.listener, &ctx);
	assert_int_equal(verbs_cm_connect(P.c.id, &default_param), 0);
	expect_event(P.s.ch, VERBS_CM_EVENT_CONNECT_REQUEST, &ev);
	P.s.id = ev.id;
	assert_ptr_not_equal(ev.id, P.listener);
	assert_ptr_equal(verbs_cm_id_context(ev.id), &ctx);
	pair_down();
}

static void test_zero_length_rdma_carries_no_rkey_check(void **state)
{
	(void)state;
	pair_up();
	assert_int_equal(post_rdma(VERBS_WR_RDMA_WRITE, 1, 0, 0, 0, 0xbad), 0);
	expect_wc(P.c.cq, 1, VERBS_WC_SUCCESS);
	assert_int_equal(post_rdma(VERBS_WR_RDMA_WRITE, 2, 0, 1, 0, 0xbad), 0);
	expect_wc(P.c.cq, 2, VERBS_WC_REM_ACCESS_ERR);
	pair_down();
}

static void test_message_above_max_msg_sz_gives_loc_len_err(void **state)
{
	struct verbs_fake_config cfg = { .seed = 1, .limits = { .max_msg_sz = 1024 } };

	(void)state;
	pair_up_with(&cfg, &default_caps, &default_param);
	assert_int_equal(post_rdma(VERBS_WR_RDMA_WRITE, 1, 0, 1024, 0, verbs_mr_rkey(P.s.mr)), 0);
	expect_wc(P.c.cq, 1, VERBS_WC_SUCCESS);
	assert_int_equal(post_rdma(VERBS_WR_RDMA_WRITE, 2, 0, 1025, 0, verbs_mr_rkey(P.s.mr)), 0);
	expect_wc(P.c.cq, 2, VERBS_WC_LOC_LEN_ERR);
	pair_down();
}

static void test_trace_reports_every_executed_wr_in_order(void **state)
{
	struct trace_log log;

	(void)state;
	memset(&log, 0, sizeof(log));
	pair_up();
	verbs_fake_set_trace(P.fab, record, &log);
	assert_int_equal(post_rdma(VERBS_WR_RDMA_WRITE, 1, 0, 8, 0, verbs_mr_rkey(P.s.mr)), 0);
	assert_int_equal(post_rdma(VERBS_WR_RDMA_READ, 2, 0, 8, 0, verbs_mr_rkey(P.s.mr)), 0);
	assert_int_equal(post_rdma(VERBS_WR_RDMA_WRITE, 3, 0, 8, 0, 0xbad), 0);
	verbs_fake_run(P.fab, 100);
	assert_int_equal(log.n, 3);
	assert_int_equal(log.wr[0], 1);
	assert_int_equal(log.wr[1], 2);
	assert_int_equal(log.wr[2], 3);
	assert_int_equal(log.qp[2], verbs_qp_num(P.c.qp));
	pair_down();
}

static void test_connect_request_names_the_requesters_address(void **state)
{
	struct verbs_cm_event ev;
	struct side extra = { 0 };
	char buf[VERBS_ADDR_STR_MAX];

	(void)state;
	pair_prepare(NULL, &default_caps);
	assert_int_equal(verbs_cm_connect(P.c.id, &default_param), 0);
	expect_event(P.s.ch, VERBS_CM_EVENT_CONNECT_REQUEST, &ev);
	P.s.id = ev.id;
	/* The source is the resolved host and the fabric's first ephemeral port. */
	assert_string_equal(ev.peer_addr, "target:49152");
	assert_int_equal(verbs_cm_id_peer_addr(ev.id, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "target:49152");
	assert_int_equal(verbs_cm_id_peer_addr(P.c.id, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "target:4420");
	assert_int_equal(verbs_cm_id_peer_addr(P.listener, buf, sizeof(buf)), -ENOTCONN);
	assert_int_equal(verbs_cm_id_peer_addr(ev.id, buf, 5), -ENOSPC);
	assert_string_equal(buf, "");
	/* A second connection from the same host gets the next port. */
	side_open(&extra, all_access);
	assert_int_equal(verbs_cm_id_create(extra.ch, NULL, &extra.id), 0);
	assert_int_equal(verbs_cm_resolve(extra.id, LISTEN_ADDR, 1000), 0);
	expect_event(extra.ch, VERBS_CM_EVENT_ROUTE_RESOLVED, NULL);
	qp_on(&extra, &default_caps);
	assert_int_equal(verbs_cm_connect(extra.id, &default_param), 0);
	expect_event(P.s.ch, VERBS_CM_EVENT_CONNECT_REQUEST, &ev);
	assert_string_equal(ev.peer_addr, "target:49153");
	assert_int_equal(verbs_cm_reject(ev.id, NULL, 0), 0);
	expect_event(extra.ch, VERBS_CM_EVENT_REJECTED, NULL);
	assert_int_equal(verbs_cm_id_destroy(ev.id), 0);
	side_close(&extra);
	pair_down();
}

static void test_ipv6_peer_address_is_bracketed(void **state)
{
	struct verbs_cm_event ev;

	(void)state;
	fabric_up(NULL);
	side_open(&P.c, all_access);
	side_open(&P.s, all_access);
	assert_int_equal(verbs_cm_id_create(P.s.ch, NULL, &P.listener), 0);
	assert_int_equal(verbs_cm_listen(P.listener, "[::]:4420", 8), 0);
	assert_int_equal(verbs_cm_id_create(P.c.ch, NULL, &P.c.id), 0);
	assert_int_equal(verbs_cm_resolve(P.c.id, "[fd00::1]:4420", 1000), 0);
	expect_event(P.c.ch, VERBS_CM_EVENT_ROUTE_RESOLVED, NULL);
	qp_on(&P.c, &default_caps);
	assert_int_equal(verbs_cm_connect(P.c.id, &default_param), 0);
	expect_event(P.s.ch, VERBS_CM_EVENT_CONNECT_REQUEST, &ev);
	P.s.id = ev.id;
	assert_string_equal(ev.peer_addr, "[fd00::1]:49152");
	pair_down();
}

static void test_resolve_of_host_too_long_to_print_is_enametoolong(void **state)
{
	char addr[80];

	(void)state;
	fabric_up(NULL);
	side_open(&P.c, all_access);
	side_open(&P.s, all_access);
	assert_int_equal(verbs_cm_id_create(P.c.ch, NULL, &P.c.id), 0);
	/* 56 characters: "[host]:65535" would not fit VERBS_ADDR_STR_MAX. */
	memset(addr, 'h', 56);
	strcpy(addr + 56, ":4420");
	assert_int_equal(verbs_cm_resolve(P.c.id, addr, 1000), -ENAMETOOLONG);
	addr[55] = '\0';
	strcat(addr, ":4420");
	assert_int_equal(verbs_cm_resolve(P.c.id, addr, 1000), 0);
	pair_down();
}

/* ---- device limits ---------------------------------------------------------------- */

static void test_default_limits_are_a_connectx6(void **state)
{
	struct verbs_device_attr a;

	(void)state;
	fabric_up(NULL);
	side_open(&P.c, all_access);
	side_open(&P.s, all_access);
	assert_int_equal(verbs_device_query(P.c.dev, &a), 0);
	/* ibv_devinfo -vv of a ConnectX-6 (initiators-tcp-scale.md section 3). */
	assert_int_equal(a.max_qp, 131072);
	assert_int_equal(a.max_qp_wr, 32768);
	assert_int_equal(a.max_srq, 8388608);
	assert_int_equal(a.max_srq_wr, 32767);
	assert_int_equal(a.max_srq_sge, 31);
	assert_int_equal(a.max_cq, 16777216);
	assert_int_equal(a.max_cqe, 4194303);
	assert_int_equal(a.max_sge, 30);
	assert_int_equal(a.max_qp_rd_atom, 16);
	assert_int_equal(a.max_mr, 16777216);
	pair_down();
}

static void test_config_limits_override_the_defaults(void **state)
{
	struct verbs_fake_config cfg = {
		.seed = 1, .limits = { .max_qp = 3, .max_srq_wr = 64, .max_mr = 5 },
	};
	struct verbs_device_attr a;

	(void)state;
	fabric_up(&cfg);
	side_open(&P.c, all_access);
	side_open(&P.s, all_access);
	assert_int_equal(verbs_device_query(P.c.dev, &a), 0);
	assert_int_equal(a.max_qp, 3);
	assert_int_equal(a.max_srq_wr, 64);
	assert_int_equal(a.max_mr, 5);
	assert_int_equal(a.max_qp_wr, 32768);  /* not named: the default */
	pair_down();
}

static void test_fabric_refuses_more_sges_than_it_models(void **state)
{
	struct verbs_fake_config cfg = { .seed = 1, .limits = { .max_srq_sge = 33 } };
	struct verbs_fake_fabric *fab;

	(void)state;
	assert_int_equal(verbs_fake_fabric_create(&cfg, &fab), -EINVAL);
	cfg.limits = (struct verbs_device_attr){ .max_sge = 33 };
	assert_int_equal(verbs_fake_fabric_create(&cfg, &fab), -EINVAL);
}

/* ---- source addresses ------------------------------------------------------------- */

/* A client id resolved to LISTEN_ADDR after binding bind_addr (NULL: none). */
static int client_id(struct side *sd, const char *bind_addr, struct verbs_cm_id **id)
{
	int rc;

	assert_int_equal(verbs_cm_id_create(sd->ch, NULL, id), 0);
	if (bind_addr) {
		rc = verbs_cm_bind(*id, bind_addr);
		if (rc)
			return rc;
	}
	rc = verbs_cm_resolve(*id, LISTEN_ADDR, 1000);
	if (rc)
		return rc;
	expect_event(sd->ch, VERBS_CM_EVENT_ROUTE_RESOLVED, NULL);
	return 0;
}

static void test_bind_names_the_source_address(void **state)
{
	struct verbs_cm_event ev;
	struct verbs_cm_id *b;
	struct verbs_qp *qp;
	struct verbs_qp_init_attr qa = { .cap = default_caps };

	(void)state;
	fabric_up(NULL);
	side_open(&P.c, all_access);
	side_open(&P.s, all_access);
	assert_int_equal(verbs_cm_id_create(P.s.ch, NULL, &P.listener), 0);
	assert_int_equal(verbs_cm_listen(P.listener, LISTEN_ADDR, 8), 0);
	/* Host named, port ephemeral. */
	assert_int_equal(client_id(&P.c, "fake:host-a:0", &P.c.id), 0);
	qp_on(&P.c, &default_caps);
	assert_int_equal(verbs_cm_connect(P.c.id, &default_param), 0);
	expect_event(P.s.ch, VERBS_CM_EVENT_CONNECT_REQUEST, &ev);
	P.s.id = ev.id;
	assert_string_equal(ev.peer_addr, "host-a:49152");
	/* Both named. */
	assert_int_equal(client_id(&P.c, "host-b:7000", &b), 0);
	qa.send_cq = qa.recv_cq = P.c.cq;
	assert_int_equal(verbs_qp_create(b, P.c.pd, &qa, &qp), 0);
	assert_int_equal(verbs_cm_connect(b, &default_param), 0);
	expect_event(P.s.ch, VERBS_CM_EVENT_CONNECT_REQUEST, &ev);
	assert_string_equal(ev.peer_addr, "host-b:7000");
	assert_int_equal(verbs_cm_id_destroy(ev.id), 0);
	expect_event(P.c.ch, VERBS_CM_EVENT_REJECTED, NULL);
	assert_int_equal(verbs_qp_destroy(qp), 0);
	assert_int_equal(verbs_cm_id_destroy(b), 0);
	pair_down();
}

static void test_bind_to_an_address_in_use_is_eaddrinuse(void **state)
{
	struct verbs_cm_id *a, *b, *c;
	char buf[VERBS_ADDR_STR_MAX];

	(void)state;
	fabric_up(NULL);
	side_open(&P.c, all_access);
	side_open(&P.s, all_access);
	assert_int_equal(verbs_cm_id_create(P.c.ch, NULL, &a), 0);
	assert_int_equal(verbs_cm_id_create(P.c.ch, NULL, &b), 0);
	assert_int_equal(verbs_cm_bind(a, "target:49152"), 0);
	assert_int_equal(verbs_cm_bind(b, "target:49152"), -EADDRINUSE);
	assert_int_equal(verbs_cm_bind(a, "target:1"), -EINVAL);  /* bound once */
	assert_int_equal(verbs_cm_listen(a, LISTEN_ADDR, 8), -EINVAL);
	/* An ephemeral port skips the one bound. */
	assert_int_equal(client_id(&P.c, NULL, &c), 0);
	assert_int_equal(verbs_cm_id_peer_addr(c, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "target:4420");
	assert_int_equal(verbs_cm_id_destroy(a), 0);
	/* Released with its id. */
	assert_int_equal(verbs_cm_bind(b, "target:49152"), 0);
	assert_int_equal(verbs_cm_id_destroy(b), 0);
	assert_int_equal(verbs_cm_id_destroy(c), 0);
	pair_down();
}

static void test_ephemeral_source_ports_skip_ports_in_use(void **state)
{
	struct verbs_cm_event ev;
	struct verbs_cm_id *a;

	(void)state;
	pair_prepare(NULL, &default_caps);  /* the client took target:49152 */
	assert_int_equal(verbs_cm_id_create(P.c.ch, NULL, &a), 0);
	assert_int_equal(verbs_cm_bind(a, "target:49153"), 0);
	assert_int_equal(verbs_cm_id_destroy(P.c.id), -EBUSY);  /* has a QP */
	assert_int_equal(verbs_qp_destroy(P.c.qp), 0);
	P.c.qp = NULL;
	assert_int_equal(verbs_cm_id_destroy(P.c.id), 0);
	/* Ports go up in order; 49153 is bound, so the next one is 49154. */
	assert_int_equal(client_id(&P.c, NULL, &P.c.id), 0);
	qp_on(&P.c, &default_caps);
	assert_int_equal(verbs_cm_connect(P.c.id, &default_param), 0);
	expect_event(P.s.ch, VERBS_CM_EVENT_CONNECT_REQUEST, &ev);
	P.s.id = ev.id;
	assert_string_equal(ev.peer_addr, "target:49154");
	assert_int_equal(verbs_cm_id_destroy(a), 0);
	pair_down();
}

/* ---- shared receive queues ----------------------------------------------------------- */

static const struct verbs_srq_attr srq_attr = { .max_wr = 8, .max_sge = 2 };

/* Takes the next CONNECT_REQUEST, gives it a QP on srq and accepts it. */
static void accept_on_srq(struct verbs_srq *srq, struct verbs_cm_id **id, struct verbs_qp **qp)
{
	struct verbs_qp_init_attr qa = { .send_cq = P.s.cq, .recv_cq = P.s.cq, .cap = default_caps,
					 .srq = srq };
	struct verbs_cm_event ev;

	expect_event(P.s.ch, VERBS_CM_EVENT_CONNECT_REQUEST, &ev);
	*id = ev.id;
	qa.cap.max_recv_wr = 0;  /* ignored with an SRQ */
	assert_int_equal(verbs_qp_create(*id, P.s.pd, &qa, qp), 0);
	assert_int_equal(verbs_cm_accept(*id, &default_param), 0);
	expect_event(P.s.ch, VERBS_CM_EVENT_ESTABLISHED, NULL);
}

/* The fixture pair, its server QP on a new SRQ. */
static struct verbs_srq *srq_pair_up(void)
{
	struct verbs_srq *srq;

	pair_prepare(NULL, &default_caps);
	assert_int_equal(verbs_srq_create(P.s.pd, &srq_attr, &srq), 0);
	assert_int_equal(verbs_cm_connect(P.c.id, &default_param), 0);
	accept_on_srq(srq, &P.s.id, &P.s.qp);
	expect_event(P.c.ch, VERBS_CM_EVENT_ESTABLISHED, NULL);
	return srq;
}

/* A second client connection, accepted onto srq. */
struct conn2 {
	struct side c;
	struct verbs_cm_id *sid;
	struct verbs_qp *sqp;
};

static void conn2_up(struct conn2 *k, struct verbs_srq *srq)
{
	memset(k, 0, sizeof(*k));
	side_open(&k->c, all_access);
	assert_int_equal(client_id(&k->c, NULL, &k->c.id), 0);
	qp_on(&k->c, &default_caps);
	assert_int_equal(verbs_cm_connect(k->c.id, &default_param), 0);
	accept_on_srq(srq, &k->sid, &k->sqp);
	expect_event(k->c.ch, VERBS_CM_EVENT_ESTABLISHED, NULL);
}

static void conn2_down(struct conn2 *k)
{
	assert_int_equal(verbs_qp_destroy(k->sqp), 0);
	assert_int_equal(verbs_cm_id_destroy(k->sid), 0);
	side_close(&k->c);
}

static void srq_pair_down(struct verbs_srq *srq)
{
	assert_int_equal(verbs_qp_destroy(P.s.qp), 0);
	P.s.qp = NULL;
	assert_int_equal(verbs_srq_destroy(srq), 0);
	pair_down();
}

static int post_srq_recv_at(struct verbs_srq *srq, struct verbs_mr *mr, uint64_t wr_id,
			    uint32_t off, uint32_t len)
{
	struct verbs_sge sge = { (uint64_t)(uintptr_t)(P.s.buf + off), len, verbs_mr_lkey(mr) };
	struct verbs_recv_wr wr = { .wr_id = wr_id, .sg_list = &sge, .num_sge = 1 };

	return verbs_post_srq_recv(srq, &wr, NULL);
}

static void test_srq_receives_serve_sends_of_every_attached_qp(void **state)
{
	struct verbs_srq *srq;
	struct conn2 k;
	struct verbs_wc wc;

	(void)state;
	srq = srq_pair_up();
	conn2_up(&k, srq);
	assert_int_equal(post_srq_recv_at(srq, P.s.mr, 1, 0, 64), 0);
	assert_int_equal(post_srq_recv_at(srq, P.s.mr, 2, 64, 64), 0);
	memcpy(k.c.buf, "second", 6);
	assert_int_equal(post_send_msg(&k.c, 20, 0, 6), 0);
	expect_wc(k.c.cq, 20, VERBS_WC_SUCCESS);
	/* The oldest SRQ receive, completed on the QP the SEND arrived on. */
	assert_int_equal(poll_n(P.s.cq, &wc, 1), 1);
	assert_int_equal(wc.wr_id, 1);
	assert_int_equal(wc.qp_num, verbs_qp_num(k.sqp));
	assert_int_equal(wc.src_qp, verbs_qp_num(k.c.qp));
	assert_memory_equal(P.s.buf, "second", 6);
	memcpy(P.c.buf, "first", 5);
	assert_int_equal(post_send_msg(&P.c, 10, 0, 5), 0);
	expect_wc(P.c.cq, 10, VERBS_WC_SUCCESS);
	assert_int_equal(poll_n(P.s.cq, &wc, 1), 1);
	assert_int_equal(wc.wr_id, 2);
	assert_int_equal(wc.qp_num, verbs_qp_num(P.s.qp));
	assert_memory_equal(P.s.buf + 64, "first", 5);
	conn2_down(&k);
	srq_pair_down(srq);
}

static void test_empty_srq_gives_rnr_until_a_receive_is_posted(void **state)
{
	struct verbs_srq *srq;

	(void)state;
	srq = srq_pair_up();
	assert_int_equal(post_send_msg(&P.c, 7, 0, 16), 0);
	expect_no_wc(P.c.cq, 2);
	assert_true(counters(P.c.qp).rnr_naks >= 1);
	assert_int_equal(post_srq_recv_at(srq, P.s.mr, 1, 0, 64), 0);
	expect_wc(P.c.cq, 7, VERBS_WC_SUCCESS);
	expect_wc(P.s.cq, 1, VERBS_WC_SUCCESS);
	srq_pair_down(srq);
}

static void test_srq_sizes_above_device_limits_are_einval(void **state)
{
	struct verbs_device_attr a, lim = { .max_srq = 1 };
	struct verbs_srq_attr at;
	struct verbs_srq *srq, *other;

	(void)state;
	pair_prepare(NULL, &default_caps);
	assert_int_equal(verbs_device_query(P.s.dev, &a), 0);
	at = (struct verbs_srq_attr){ .max_wr = a.max_srq_wr + 1, .max_sge = 1 };
	assert_int_equal(verbs_srq_create(P.s.pd, &at, &srq), -EINVAL);
	at = (struct verbs_srq_attr){ .max_wr = 1, .max_sge = a.max_srq_sge + 1 };
	assert_int_equal(verbs_srq_create(P.s.pd, &at, &srq), -EINVAL);
	at = (struct verbs_srq_attr){ .max_wr = 0, .max_sge = 1 };
	assert_int_equal(verbs_srq_create(P.s.pd, &at, &srq), -EINVAL);
	/* At the limits it is created, and reports what it got. */
	at = (struct verbs_srq_attr){ .max_wr = a.max_srq_wr, .max_sge = a.max_srq_sge };
	assert_int_equal(verbs_srq_create(P.s.pd, &at, &srq), 0);
	memset(&at, 0, sizeof(at));
	assert_int_equal(verbs_srq_query(srq, &at), 0);
	assert_int_equal(at.max_wr, a.max_srq_wr);
	assert_int_equal(at.max_sge, a.max_srq_sge);
	/* One more than max_srq. */
	assert_int_equal(verbs_fake_device_set_limits(P.s.dev, &lim), 0);
	assert_int_equal(verbs_srq_create(P.s.pd, &srq_attr, &other), -ENOMEM);
	assert_int_equal(verbs_srq_destroy(srq), 0);
	pair_down();
}

static void test_post_srq_recv_beyond_max_wr_is_enomem(void **state)
{
	struct verbs_sge sges[3];
	struct verbs_recv_wr wr = { .wr_id = 99, .sg_list = sges, .num_sge = 3 };
	struct verbs_srq *srq;
	int i;

	(void)state;
	srq = srq_pair_up();
	memset(sges, 0, sizeof(sges));
	assert_int_equal(verbs_post_srq_recv(srq, &wr, NULL), -EINVAL);  /* 3 > max_sge */
	for (i = 0; i < (int)srq_attr.max_wr; i++)
		assert_int_equal(post_srq_recv_at(srq, P.s.mr, (uint64_t)i, 0, 4), 0);
	assert_int_equal(post_srq_recv_at(srq, P.s.mr, 99, 0, 4), -ENOMEM);
	srq_pair_down(srq);
}

static void test_post_recv_on_qp_with_srq_is_einval(void **state)
{
	struct verbs_srq *srq;

	(void)state;
	srq = srq_pair_up();
	assert_int_equal(post_recv_at(&P.s, 1, 0, 64), -EINVAL);
	srq_pair_down(srq);
}

static void test_srq_with_attached_qp_cannot_be_destroyed(void **state)
{
	struct verbs_srq *srq;

	(void)state;
	srq = srq_pair_up();
	assert_int_equal(verbs_srq_destroy(srq), -EBUSY);
	assert_int_equal(verbs_pd_dealloc(P.s.pd), -EBUSY);
	srq_pair_down(srq);
}

static void test_qp_error_leaves_srq_receives_to_other_qps(void **state)
{
	struct verbs_srq *srq;
	struct conn2 k;
	struct verbs_wc wc;

	(void)state;
	srq = srq_pair_up();
	conn2_up(&k, srq);
	assert_int_equal(post_srq_recv_at(srq, P.s.mr, 1, 0, 64), 0);
	assert_int_equal(verbs_qp_to_error(P.s.qp), 0);
	expect_no_wc(P.s.cq, 3);  /* nothing of the SRQ is flushed */
	assert_int_equal(post_send_msg(&k.c, 20, 0, 6), 0);
	expect_wc(k.c.cq, 20, VERBS_WC_SUCCESS);
	assert_int_equal(poll_n(P.s.cq, &wc, 1), 1);
	assert_int_equal(wc.wr_id, 1);
	assert_int_equal(wc.status, VERBS_WC_SUCCESS);
	assert_int_equal(wc.qp_num, verbs_qp_num(k.sqp));
	conn2_down(&k);
	srq_pair_down(srq);
}

static void test_srq_receive_outside_the_srqs_pd_gives_loc_prot_err(void **state)
{
	struct verbs_qp_init_attr qa = { .send_cq = NULL, .cap = default_caps };
	struct verbs_cm_event ev;
	struct verbs_srq *srq;
	struct verbs_pd *pd2;

	(void)state;
	pair_prepare(NULL, &default_caps);
	/* The SRQ lives in another PD than the server's MR. */
	assert_int_equal(verbs_pd_alloc(P.s.dev, &pd2), 0);
	assert_int_equal(verbs_srq_create(pd2, &srq_attr, &srq), 0);
	assert_int_equal(verbs_cm_connect(P.c.id, &default_param), 0);
	expect_event(P.s.ch, VERBS_CM_EVENT_CONNECT_REQUEST, &ev);
	P.s.id = ev.id;
	qa.send_cq = qa.recv_cq = P.s.cq;
	qa.srq = srq;
	assert_int_equal(verbs_qp_create(P.s.id, P.s.pd, &qa, &P.s.qp), 0);
	assert_int_equal(verbs_cm_accept(P.s.id, &default_param), 0);
	expect_event(P.c.ch, VERBS_CM_EVENT_ESTABLISHED, NULL);
	assert_int_equal(post_srq_recv_at(srq, P.s.mr, 1, 0, 64), 0);
	assert_int_equal(post_send_msg(&P.c, 7, 0, 8), 0);
	expect_wc(P.c.cq, 7, VERBS_WC_REM_OP_ERR);
	expect_wc(P.s.cq, 1, VERBS_WC_LOC_PROT_ERR);
	assert_int_equal(verbs_qp_destroy(P.s.qp), 0);
	P.s.qp = NULL;
	assert_int_equal(verbs_srq_destroy(srq), 0);
	assert_int_equal(verbs_pd_dealloc(pd2), 0);
	pair_down();
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(test_send_consumes_oldest_posted_recv_of_peer),
	cmocka_unit_test(test_send_without_posted_recv_ends_in_rnr_retry_exc_err),
	cmocka_unit_test(test_rnr_nak_count_is_rnr_retry_count_plus_one),
	cmocka_unit_test(test_recv_posted_during_rnr_retries_completes_the_send),
	cmocka_unit_test(test_rnr_retry_count_seven_retries_forever),
	cmocka_unit_test(test_recv_buffer_too_small_gives_loc_len_err_on_receiver),
	cmocka_unit_test(test_recv_too_small_fails_sender_with_rem_inv_req_err),
	cmocka_unit_test(test_recv_sge_list_scatters_in_order),
	cmocka_unit_test(test_send_sge_list_gathers_in_order),
	cmocka_unit_test(test_recv_into_mr_without_local_write_gives_loc_prot_err),
	cmocka_unit_test(test_send_with_unknown_lkey_gives_loc_prot_err),
	cmocka_unit_test(test_send_sge_outside_its_mr_gives_loc_prot_err),
	cmocka_unit_test(test_rdma_write_places_bytes_in_remote_mr),
	cmocka_unit_test(test_rdma_read_returns_remote_bytes_and_byte_len),
	cmocka_unit_test(test_rdma_write_with_wrong_rkey_gives_rem_access_err),
	cmocka_unit_test(test_rdma_with_lkey_instead_of_rkey_gives_rem_access_err),
	cmocka_unit_test(test_rdma_write_past_mr_end_gives_rem_access_err),
	cmocka_unit_test(test_rdma_write_before_mr_start_gives_rem_access_err),
	cmocka_unit_test(test_rdma_remote_range_wrapping_u64_gives_rem_access_err),
	cmocka_unit_test(test_rdma_write_without_remote_write_access_gives_rem_access_err),
	cmocka_unit_test(test_rdma_read_without_remote_read_access_gives_rem_access_err),
	cmocka_unit_test(test_rkey_of_mr_in_another_pd_gives_rem_access_err),
	cmocka_unit_test(test_rdma_read_into_mr_without_local_write_gives_loc_prot_err),
	cmocka_unit_test(test_rdma_access_error_moves_responder_qp_to_err),
	cmocka_unit_test(test_rdma_read_after_write_on_same_qp_sees_written_data),
	cmocka_unit_test(test_send_with_inv_invalidates_named_rkey),
	cmocka_unit_test(test_send_with_inv_reports_with_inv_and_rkey_on_recv),
	cmocka_unit_test(test_send_with_inv_of_rkey_without_invalidate_access_fails_rem_op_err),
	cmocka_unit_test(test_error_flushes_outstanding_send_wrs_with_wr_flush_err),
	cmocka_unit_test(test_error_flushes_posted_recvs_with_wr_flush_err),
	cmocka_unit_test(test_error_completion_carries_invalid_opcode),
	cmocka_unit_test(test_qp_to_error_flushes_on_next_poll_not_before),
	cmocka_unit_test(test_post_send_in_err_completes_with_wr_flush_err),
	cmocka_unit_test(test_post_send_before_rts_is_einval),
	cmocka_unit_test(test_qp_moves_from_init_to_rts_when_connection_established),
	cmocka_unit_test(test_send_completions_follow_post_order_on_one_qp),
	cmocka_unit_test(test_sends_land_in_recvs_in_post_order),
	cmocka_unit_test(test_post_send_beyond_max_send_wr_is_enomem),
	cmocka_unit_test(test_post_recv_beyond_max_recv_wr_is_enomem),
	cmocka_unit_test(test_post_list_stops_at_bad_wr_and_keeps_earlier_ones),
	cmocka_unit_test(test_post_send_with_more_sges_than_max_send_sge_is_einval),
	cmocka_unit_test(test_post_recv_with_more_sges_than_max_recv_sge_is_einval),
	cmocka_unit_test(test_inline_beyond_max_inline_data_is_einval),
	cmocka_unit_test(test_inline_payload_is_captured_at_post_time),
	cmocka_unit_test(test_inline_rdma_read_is_einval),
	cmocka_unit_test(test_mr_registration_beyond_max_mr_is_enomem),
	cmocka_unit_test(test_qp_caps_above_device_limits_are_einval),
	cmocka_unit_test(test_device_limit_caps_lower_later_allocations),
	cmocka_unit_test(test_unsignaled_success_produces_no_completion),
	cmocka_unit_test(test_unsignaled_error_still_completes),
	cmocka_unit_test(test_unsignaled_wrs_hold_send_slots_until_a_signaled_completion),
	cmocka_unit_test(test_sq_sig_all_signals_every_wr),
	cmocka_unit_test(test_cq_overrun_makes_poll_return_eoverflow),
	cmocka_unit_test(test_armed_cq_makes_notify_fd_readable_once),
	cmocka_unit_test(test_nothing_moves_until_a_step),
	cmocka_unit_test(test_same_seed_gives_same_interleaving),
	cmocka_unit_test(test_fabric_reports_its_seed),
	cmocka_unit_test(test_fault_delay_holds_wr_for_n_steps),
	cmocka_unit_test(test_fault_drop_connection_ends_in_retry_exc_err),
	cmocka_unit_test(test_dropped_connection_fails_both_ends_wrs),
	cmocka_unit_test(test_fault_corrupt_flips_payload_bytes),
	cmocka_unit_test(test_fault_force_rnr_naks_then_delivers),
	cmocka_unit_test(test_fault_force_rem_access_fails_a_valid_rdma),
	cmocka_unit_test(test_fault_skip_and_count_pick_which_matches_fire),
	cmocka_unit_test(test_fault_matches_only_its_qp),
	cmocka_unit_test(test_seeded_fault_probability_is_reproducible),
	cmocka_unit_test(test_inject_beyond_max_faults_is_enospc),
	cmocka_unit_test(test_fault_reject_connect_delivers_rejected_with_reason_and_pdata),
	cmocka_unit_test(test_counters_count_ops_and_bytes_per_qp),
	cmocka_unit_test(test_connect_request_exposes_private_data_and_rd_atoms),
	cmocka_unit_test(test_accept_private_data_reaches_established_event),
	cmocka_unit_test(test_reject_delivers_rejected_with_consumer_reason_and_pdata),
	cmocka_unit_test(test_connect_to_port_nobody_listens_on_is_rejected_invalid_service_id),
	cmocka_unit_test(test_connect_private_data_over_56_bytes_is_einval),
	cmocka_unit_test(test_initiator_depth_above_device_limit_is_einval),
	cmocka_unit_test(test_disconnect_gives_disconnected_on_both_sides),
	cmocka_unit_test(test_disconnect_moves_qp_to_err_and_flushes_recvs),
	cmocka_unit_test(test_disconnect_with_vanished_peer_times_out),
	cmocka_unit_test(test_destroying_connected_id_disconnects_peer),
	cmocka_unit_test(test_cm_id_with_qp_cannot_be_destroyed),
	cmocka_unit_test(test_device_removal_reports_event_and_peer_disconnects),
	cmocka_unit_test(test_listen_twice_on_same_address_is_eaddrinuse),
	cmocka_unit_test(test_full_backlog_ends_in_unreachable),
	cmocka_unit_test(test_resolve_to_wildcard_address_is_addr_error),
	cmocka_unit_test(test_plain_host_port_and_fake_prefix_name_the_same_listener),
	cmocka_unit_test(test_resources_in_use_refuse_release_with_ebusy),
	cmocka_unit_test(test_wildcard_listener_takes_connects_to_any_name),
	cmocka_unit_test(test_connect_request_id_inherits_listener_context),
	cmocka_unit_test(test_zero_length_rdma_carries_no_rkey_check),
	cmocka_unit_test(test_message_above_max_msg_sz_gives_loc_len_err),
	cmocka_unit_test(test_trace_reports_every_executed_wr_in_order),
	cmocka_unit_test(test_connect_request_names_the_requesters_address),
	cmocka_unit_test(test_ipv6_peer_address_is_bracketed),
	cmocka_unit_test(test_resolve_of_host_too_long_to_print_is_enametoolong),
	cmocka_unit_test(test_default_limits_are_a_connectx6),
	cmocka_unit_test(test_config_limits_override_the_defaults),
	cmocka_unit_test(test_fabric_refuses_more_sges_than_it_models),
	cmocka_unit_test(test_bind_names_the_source_address),
	cmocka_unit_test(test_bind_to_an_address_in_use_is_eaddrinuse),
	cmocka_unit_test(test_ephemeral_source_ports_skip_ports_in_use),
	cmocka_unit_test(test_srq_receives_serve_sends_of_every_attached_qp),
	cmocka_unit_test(test_empty_srq_gives_rnr_until_a_receive_is_posted),
	cmocka_unit_test(test_srq_sizes_above_device_limits_are_einval),
	cmocka_unit_test(test_post_srq_recv_beyond_max_wr_is_enomem),
	cmocka_unit_test(test_post_recv_on_qp_with_srq_is_einval),
	cmocka_unit_test(test_srq_with_attached_qp_cannot_be_destroyed),
	cmocka_unit_test(test_qp_error_leaves_srq_receives_to_other_qps),
	cmocka_unit_test(test_srq_receive_outside_the_srqs_pd_gives_loc_prot_err),
};

NVMFSIM_TEST_MAIN(tests)
