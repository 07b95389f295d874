/* The target wing over an in-process loopback: Connect and its rejections
 * (with IATTR/IPO), the other Fabrics commands, queue state, keep-alive
 * teardown and the Discovery log.  Statuses follow the catalogue in
 * ../shared/reference (NVMe-oF 1.1 §3.3, Linux nvmet, SPDK test_connect). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmocka_main.h"
#include "target/target.h"
#include "spec/status.h"

#define SUBNQN "nqn.2026-11.io.nvmf-sim:test"
#define SUBNQN2 "nqn.2026-11.io.nvmf-sim:second"
#define HOSTNQN "nqn.2014-08.org.nvmexpress:uuid:0f01fb42-9f7f-4856-b0b3-51e60b8de349"
#define HOSTNQN2 "nqn.2014-08.org.nvmexpress:uuid:11111111-2222-3333-4444-555555555555"
#define SGL_FLAGS 0x40 /* PSDT 01b: fabrics carry SGLs */

struct env {
	uint64_t now_ns;
	struct nvsim_target *t;
	struct nvsim_subsys *s;
};

struct queue {
	struct nvsim_tq *tq;
	int terminated;
};

struct capture {
	int n;
	struct nvsim_cqe cqe;
};

static uint64_t fake_now(void *ctx)
{
	return *(uint64_t *)ctx;
}

static void on_terminate(void *arg, struct nvsim_tq *tq)
{
	(void)tq;
	((struct queue *)arg)->terminated++;
}

static const struct nvsim_tq_ops queue_ops = { .terminate = on_terminate };

static void capture_done(void *arg, const struct nvsim_cqe *cqe)
{
	struct capture *c = arg;

	c->n++;
	c->cqe = *cqe;
}

static struct env *env_new_cfg(const struct nvsim_target_config *tcfg)
{
	struct env *e = calloc(1, sizeof(*e));
	struct nvsim_target_config cfg = *tcfg;
	struct nvsim_subsys_config sc = { .nqn = SUBNQN, .allow_any_host = true };
	struct nvsim_ns_config ns = { .backend = NVSIM_NS_RAM, .size_bytes = 1 << 20,
				      .lba_size = 512 };

	assert_non_null(e);
	cfg.clock = (struct nvsim_clock){ .now_ns = fake_now, .ctx = &e->now_ns };
	assert_int_equal(nvsim_target_create(&cfg, &e->t), 0);
	assert_int_equal(nvsim_subsys_add(e->t, &sc, &e->s), 0);
	assert_int_equal(nvsim_subsys_add_ns(e->s, 1, &ns), 0);
	return e;
}

static struct env *env_new(void)
{
	struct nvsim_target_config cfg;

	nvsim_target_config_init(&cfg);
	return env_new_cfg(&cfg);
}

static void env_free(struct env *e)
{
	nvsim_target_destroy(e->t);
	free(e);
}

static void queue_open(struct env *e, struct queue *q)
{
	memset(q, 0, sizeof(*q));
	assert_int_equal(nvsim_tq_create(e->t, NULL, &queue_ops, q, &q->tq), 0);
}

static void queue_close(struct queue *q)
{
	nvsim_tq_destroy(q->tq);
	q->tq = NULL;
}

static const uint8_t hostid1[16] = { 0x0f, 0x01, 0xfb, 0x42, 0x9f, 0x7f, 0x48, 0x56,
				     0xb0, 0xb3, 0x51, 0xe6, 0x0b, 0x8d, 0xe3, 0x49 };

struct connect_args {
	uint16_t qid, sqsize, cntlid, recfmt;
	uint8_t cattr;
	uint32_t kato;
	const char *subnqn, *hostnqn;
	const uint8_t *hostid;
	size_t data_len;
};

static struct connect_args admin_args(void)
{
	return (struct connect_args){ .qid = 0, .sqsize = 31, .cntlid = 0xffff, .kato = 5000,
				      .subnqn = SUBNQN, .hostnqn = HOSTNQN, .hostid = hostid1,
				      .data_len = 1024 };
}

static struct nvsim_cqe connect_raw(struct queue *q, const struct connect_args *a)
{
	struct nvsim_sqe_connect cmd = { .opcode = NVSIM_FABRICS_OPCODE, .rsvd1 = SGL_FLAGS,
					 .cid = htole16(0x1234), .fctype = 1 };
	uint8_t buf[2048] = { 0 };
	struct nvmf_connect_data *cd = (void *)buf;
	struct nvsim_iov iov;
	struct nvsim_data data;
	struct capture cap = { 0 };

	cmd.recfmt = htole16(a->recfmt);
	cmd.qid = htole16(a->qid);
	cmd.sqsize = htole16(a->sqsize);
	cmd.cattr = a->cattr;
	cmd.kato = htole32(a->kato);
	memcpy(cd->hostid, a->hostid, 16);
	cd->cntlid = htole16(a->cntlid);
	strncpy(cd->subsysnqn, a->subnqn, sizeof(cd->subsysnqn));
	strncpy(cd->hostnqn, a->hostnqn, sizeof(cd->hostnqn));
	nvsim_data_init_flat(&data, &iov, buf, a->data_len);
	assert_int_equal(nvsim_tq_submit(q->tq, (const struct nvsim_sqe *)&cmd, &data,
					 capture_done, &cap), 0);
	assert_int_equal(cap.n, 1);
	assert_int_equal(le16toh(cap.cqe.cid), 0x1234);
	return cap.cqe;
}

static void assert_status(const struct nvsim_cqe *cqe, unsigned sct, unsigned sc, bool dnr)
{
	uint16_t sf = nvsim_cqe_status_field(cqe);

	assert_int_equal(nvsim_status_sct(sf), sct);
	assert_int_equal(nvsim_status_sc(sf), sc);
	assert_int_equal(nvsim_status_dnr(sf), dnr);
}

static void assert_invalid_param(const struct nvsim_cqe *cqe, unsigned iattr, unsigned ipo)
{
	assert_status(cqe, NVME_SCT_CMD_SPECIFIC, NVME_SC_CONNECT_INVALID_PARAM, true);
	assert_int_equal(le32toh(cqe->dw0), nvsim_connect_invalid_param_dw0(iattr, (uint16_t)ipo));
}

static struct nvsim_cqe submit(struct queue *q, struct nvsim_sqe *sqe, void *buf, size_t len)
{
	struct nvsim_iov iov;
	struct nvsim_data data;
	struct capture cap = { 0 };

	sqe->flags |= SGL_FLAGS;
	nvsim_data_init_flat(&data, &iov, buf, len);
	assert_int_equal(nvsim_tq_submit(q->tq, sqe, buf ? &data : NULL, capture_done, &cap), 0);
	assert_int_equal(cap.n, 1);
	return cap.cqe;
}

static struct nvsim_cqe prop_set(struct queue *q, uint32_t ofst, uint64_t value, bool eight)
{
	struct nvsim_sqe sqe = { 0 };
	struct nvsim_sqe_prop_set *ps = (void *)&sqe;

	ps->opcode = NVSIM_FABRICS_OPCODE;
	ps->fctype = 0;
	ps->attrib = eight ? 1 : 0;
	ps->ofst = htole32(ofst);
	ps->value = htole64(value);
	return submit(q, &sqe, NULL, 0);
}

static void enable(struct queue *admin)
{
	struct nvsim_cqe cqe = prop_set(admin, 0x14, 1u | 6u << 16 | 4u << 20, false);

	assert_status(&cqe, 0, 0, false);
}

static uint16_t admin_connect(struct env *e, struct queue *q)
{
	struct connect_args a = admin_args();
	struct nvsim_cqe cqe;

	queue_open(e, q);
	cqe = connect_raw(q, &a);
	assert_status(&cqe, 0, 0, false);
	return (uint16_t)le32toh(cqe.dw0);
}

static struct nvsim_cqe io_connect(struct env *e, struct queue *q, uint16_t cntlid, uint16_t qid)
{
	struct connect_args a = admin_args();

	a.qid = qid;
	a.sqsize = 127;
	a.cntlid = cntlid;
	queue_open(e, q);
	return connect_raw(q, &a);
}

/* ---- Connect: admin ------------------------------------------------------- */

static void test_connect_admin_returns_dynamic_cntlid(void **state)
{
	struct env *e = env_new();
	struct queue q;
	uint16_t cntlid;

	(void)state;
	cntlid = admin_connect(e, &q);
	assert_true(cntlid >= 1 && cntlid <= 0xffef);
	assert_true(nvsim_tq_connected(q.tq));
	assert_int_equal(nvsim_tq_sqsize(q.tq), 31);
	assert_int_equal(nvsim_subsys_nr_ctrls(e->s), 1);
	queue_close(&q);
	assert_int_equal(nvsim_subsys_nr_ctrls(e->s), 0);
	env_free(e);
}

static void expect_admin_reject(struct connect_args *a, void (*check)(const struct nvsim_cqe *))
{
	struct env *e = env_new();
	struct queue q;
	struct nvsim_cqe cqe;

	queue_open(e, &q);
	cqe = connect_raw(&q, a);
	check(&cqe);
	assert_false(nvsim_tq_connected(q.tq));
	assert_int_equal(nvsim_subsys_nr_ctrls(e->s), 0);
	queue_close(&q);
	env_free(e);
}

static void check_sgl_len(const struct nvsim_cqe *c)
{
	assert_status(c, NVME_SCT_GENERIC, NVME_SC_SGL_INVALID_DATA, true);
}

static void test_connect_data_not_1024_bytes_is_data_sgl_length_invalid(void **state)
{
	struct connect_args a = admin_args();

	(void)state;
	a.data_len = 1023;
	expect_admin_reject(&a, check_sgl_len);
	a.data_len = 1025;
	expect_admin_reject(&a, check_sgl_len);
}

static void check_incompatible_format(const struct nvsim_cqe *c)
{
	assert_status(c, NVME_SCT_CMD_SPECIFIC, NVME_SC_CONNECT_FORMAT, true);
}

static void test_connect_recfmt_nonzero_is_incompatible_format(void **state)
{
	struct connect_args a = admin_args();

	(void)state;
	a.recfmt = 1;
	expect_admin_reject(&a, check_incompatible_format);
}

static void check_ipo_subnqn(const struct nvsim_cqe *c)
{
	assert_invalid_param(c, NVSIM_IATTR_CONNECT_DATA, 256);
}

static void test_connect_unknown_subnqn_is_invalid_param_at_data_256(void **state)
{
	struct connect_args a = admin_args();

	(void)state;
	a.subnqn = "nqn.2026-11.io.nvmf-sim:nobody";
	expect_admin_reject(&a, check_ipo_subnqn);
}

static void test_connect_subnqn_without_nul_is_invalid_param_at_data_256(void **state)
{
	char longnqn[300];
	struct connect_args a = admin_args();

	(void)state;
	memset(longnqn, 'a', sizeof(longnqn) - 1);
	memcpy(longnqn, "nqn.2026-11.io.x:", 17);
	longnqn[sizeof(longnqn) - 1] = 0;
	a.subnqn = longnqn; /* strncpy fills all 256 bytes: no NUL */
	expect_admin_reject(&a, check_ipo_subnqn);
}

static void check_ipo_hostnqn(const struct nvsim_cqe *c)
{
	assert_invalid_param(c, NVSIM_IATTR_CONNECT_DATA, 512);
}

static void test_connect_malformed_hostnqn_is_invalid_param_at_data_512(void **state)
{
	struct connect_args a = admin_args();

	(void)state;
	a.hostnqn = "blktests-host";
	expect_admin_reject(&a, check_ipo_hostnqn);
	a.hostnqn = "";
	expect_admin_reject(&a, check_ipo_hostnqn);
}

static void check_ipo_hostid(const struct nvsim_cqe *c)
{
	assert_invalid_param(c, NVSIM_IATTR_CONNECT_DATA, 0);
}

static void test_connect_zero_hostid_is_invalid_param_at_data_0(void **state)
{
	static const uint8_t zero[16];
	struct connect_args a = admin_args();

	(void)state;
	a.hostid = zero;
	expect_admin_reject(&a, check_ipo_hostid);
}

static void test_connect_host_not_allowed_is_connect_invalid_host(void **state)
{
	struct env *e = env_new();
	struct nvsim_subsys_config sc = { .nqn = SUBNQN2 };
	struct nvsim_subsys *s2;
	struct connect_args a = admin_args();
	struct queue q;
	struct nvsim_cqe cqe;

	(void)state;
	assert_int_equal(nvsim_subsys_add(e->t, &sc, &s2), 0);
	assert_int_equal(nvsim_subsys_allow_host(s2, HOSTNQN2), 0);
	a.subnqn = SUBNQN2;
	queue_open(e, &q);
	cqe = connect_raw(&q, &a);
	assert_status(&cqe, NVME_SCT_CMD_SPECIFIC, NVME_SC_CONNECT_INVALID_HOST, true);
	queue_close(&q);
	/* the allowed host gets in */
	a.hostnqn = HOSTNQN2;
	queue_open(e, &q);
	cqe = connect_raw(&q, &a);
	assert_status(&cqe, 0, 0, false);
	queue_close(&q);
	env_free(e);
}

static void check_ipo_sqsize(const struct nvsim_cqe *c)
{
	assert_invalid_param(c, NVSIM_IATTR_SQE, 44);
}

static void test_connect_sqsize_zero_is_invalid_param_at_sqe_44(void **state)
{
	struct connect_args a = admin_args();

	(void)state;
	a.sqsize = 0;
	expect_admin_reject(&a, check_ipo_sqsize);
}

static void test_connect_admin_sqsize_above_31_is_invalid_param_at_sqe_44(void **state)
{
	struct connect_args a = admin_args();

	(void)state;
	a.sqsize = 32;
	expect_admin_reject(&a, check_ipo_sqsize);
}

static void check_ipo_cntlid(const struct nvsim_cqe *c)
{
	assert_invalid_param(c, NVSIM_IATTR_CONNECT_DATA, 16);
}

static void test_connect_admin_cntlid_not_ffff_is_invalid_param_at_data_16(void **state)
{
	struct connect_args a = admin_args();

	(void)state;
	a.cntlid = 1;
	expect_admin_reject(&a, check_ipo_cntlid);
	a.cntlid = 0xfffe;
	expect_admin_reject(&a, check_ipo_cntlid);
}

static void test_connect_kato_is_rounded_up_to_kas(void **state)
{
	struct env *e = env_new();
	struct queue q;
	struct connect_args a = admin_args();
	struct nvsim_cqe cqe;
	struct nvsim_sqe sqe = { .opcode = nvme_admin_get_features, .cdw10 = htole32(0x0f) };

	(void)state;
	a.kato = 1234; /* KAS 1 s: becomes 2000 ms */
	queue_open(e, &q);
	cqe = connect_raw(&q, &a);
	assert_status(&cqe, 0, 0, false);
	enable(&q);
	cqe = submit(&q, &sqe, NULL, 0);
	assert_status(&cqe, 0, 0, false);
	assert_int_equal(le32toh(cqe.dw0), 2000);
	queue_close(&q);
	env_free(e);
}

static void test_discovery_connect_with_kato_zero_gets_default(void **state)
{
	struct env *e = env_new();
	struct queue q;
	struct connect_args a = admin_args();
	struct nvsim_cqe cqe;
	struct nvsim_sqe sqe = { .opcode = nvme_admin_get_features, .cdw10 = htole32(0x0f) };

	(void)state;
	a.subnqn = NVME_DISC_SUBSYS_NAME;
	a.kato = 0;
	queue_open(e, &q);
	cqe = connect_raw(&q, &a);
	assert_status(&cqe, 0, 0, false);
	enable(&q);
	cqe = submit(&q, &sqe, NULL, 0);
	assert_int_equal(le32toh(cqe.dw0), NVSIM_DISC_KATO_DEFAULT_MS);
	queue_close(&q);
	env_free(e);
}

static void test_cntlids_differ_per_association(void **state)
{
	struct env *e = env_new();
	struct queue q1, q2;

	(void)state;
	assert_int_not_equal(admin_connect(e, &q1), admin_connect(e, &q2));
	assert_int_equal(nvsim_subsys_nr_ctrls(e->s), 2);
	queue_close(&q1);
	queue_close(&q2);
	env_free(e);
}

/* ---- Connect: I/O --------------------------------------------------------- */

static void test_connect_io_joins_enabled_controller(void **state)
{
	struct env *e = env_new();
	struct queue admin, io;
	uint16_t cntlid = admin_connect(e, &admin);
	struct nvsim_cqe cqe;

	(void)state;
	enable(&admin);
	cqe = io_connect(e, &io, cntlid, 1);
	assert_status(&cqe, 0, 0, false);
	assert_int_equal(nvsim_tq_qid(io.tq), 1);
	assert_int_equal(nvsim_tq_cntlid(io.tq), cntlid);
	queue_close(&io);
	queue_close(&admin);
	env_free(e);
}

static void test_connect_io_unknown_cntlid_is_invalid_param_at_data_16(void **state)
{
	struct env *e = env_new();
	struct queue admin, io;
	uint16_t cntlid = admin_connect(e, &admin);
	struct nvsim_cqe cqe;

	(void)state;
	enable(&admin);
	cqe = io_connect(e, &io, (uint16_t)(cntlid + 1), 1);
	check_ipo_cntlid(&cqe);
	queue_close(&io);
	queue_close(&admin);
	env_free(e);
}

static void test_connect_io_from_other_hostnqn_is_invalid_param_at_data_16(void **state)
{
	struct env *e = env_new();
	struct queue admin, io;
	uint16_t cntlid = admin_connect(e, &admin);
	struct connect_args a = admin_args();
	struct nvsim_cqe cqe;

	(void)state;
	enable(&admin);
	a.qid = 1;
	a.cntlid = cntlid;
	a.hostnqn = HOSTNQN2;
	queue_open(e, &io);
	cqe = connect_raw(&io, &a);
	check_ipo_cntlid(&cqe);
	queue_close(&io);
	queue_close(&admin);
	env_free(e);
}

static void test_connect_io_with_other_hostid_is_invalid_param_at_data_0(void **state)
{
	static const uint8_t other[16] = { 1, 2, 3 };
	struct env *e = env_new();
	struct queue admin, io;
	uint16_t cntlid = admin_connect(e, &admin);
	struct connect_args a = admin_args();
	struct nvsim_cqe cqe;

	(void)state;
	enable(&admin);
	a.qid = 1;
	a.cntlid = cntlid;
	a.hostid = other;
	queue_open(e, &io);
	cqe = connect_raw(&io, &a);
	check_ipo_hostid(&cqe);
	queue_close(&io);
	queue_close(&admin);
	env_free(e);
}

static void check_ipo_qid(const struct nvsim_cqe *c)
{
	assert_invalid_param(c, NVSIM_IATTR_SQE, 42);
}

static void test_connect_io_before_enable_is_invalid_param_at_sqe_42(void **state)
{
	struct env *e = env_new();
	struct queue admin, io;
	uint16_t cntlid = admin_connect(e, &admin);
	struct nvsim_cqe cqe;

	(void)state;
	cqe = io_connect(e, &io, cntlid, 1);
	check_ipo_qid(&cqe);
	queue_close(&io);
	queue_close(&admin);
	env_free(e);
}

static void test_connect_io_qid_above_granted_is_invalid_param_at_sqe_42(void **state)
{
	struct env *e = env_new();
	struct queue admin, io;
	uint16_t cntlid = admin_connect(e, &admin);
	struct nvsim_sqe sqe = { .opcode = nvme_admin_set_features, .cdw10 = htole32(0x07),
				 .cdw11 = htole32(1u << 16 | 1u) }; /* two queue pairs */
	struct nvsim_cqe cqe;

	(void)state;
	enable(&admin);
	cqe = submit(&admin, &sqe, NULL, 0);
	assert_status(&cqe, 0, 0, false);
	cqe = io_connect(e, &io, cntlid, 3);
	check_ipo_qid(&cqe);
	queue_close(&io);
	cqe = io_connect(e, &io, cntlid, 2);
	assert_status(&cqe, 0, 0, false);
	queue_close(&io);
	queue_close(&admin);
	env_free(e);
}

static void test_connect_io_sqsize_above_mqes_is_invalid_param_at_sqe_44(void **state)
{
	struct env *e = env_new();
	struct queue admin, io;
	uint16_t cntlid = admin_connect(e, &admin);
	struct connect_args a = admin_args();
	struct nvsim_cqe cqe;

	(void)state;
	enable(&admin);
	a.qid = 1;
	a.cntlid = cntlid;
	a.sqsize = 1024; /* MQES 1023 */
	queue_open(e, &io);
	cqe = connect_raw(&io, &a);
	check_ipo_sqsize(&cqe);
	queue_close(&io);
	queue_close(&admin);
	env_free(e);
}

static void test_connect_io_duplicate_qid_is_command_sequence_error(void **state)
{
	struct env *e = env_new();
	struct queue admin, io1, io2;
	uint16_t cntlid = admin_connect(e, &admin);
	struct nvsim_cqe cqe;

	(void)state;
	enable(&admin);
	cqe = io_connect(e, &io1, cntlid, 1);
	assert_status(&cqe, 0, 0, false);
	cqe = io_connect(e, &io2, cntlid, 1);
	assert_status(&cqe, NVME_SCT_GENERIC, NVME_SC_CMD_SEQ_ERROR, true);
	queue_close(&io2);
	queue_close(&io1);
	queue_close(&admin);
	env_free(e);
}

static void test_connect_io_to_discovery_controller_is_invalid_param_at_sqe_42(void **state)
{
	struct env *e = env_new();
	struct queue admin, io;
	struct connect_args a = admin_args();
	struct nvsim_cqe cqe;
	uint16_t cntlid;

	(void)state;
	a.subnqn = NVME_DISC_SUBSYS_NAME;
	queue_open(e, &admin);
	cqe = connect_raw(&admin, &a);
	assert_status(&cqe, 0, 0, false);
	cntlid = (uint16_t)le32toh(cqe.dw0);
	enable(&admin);
	a.qid = 1;
	a.cntlid = cntlid;
	queue_open(e, &io);
	cqe = connect_raw(&io, &a);
	check_ipo_qid(&cqe);
	queue_close(&io);
	queue_close(&admin);
	env_free(e);
}

static void test_second_connect_on_connected_queue_is_controller_busy(void **state)
{
	struct env *e = env_new();
	struct queue q;
	struct connect_args a = admin_args();
	struct nvsim_cqe cqe;

	(void)state;
	admin_connect(e, &q);
	cqe = connect_raw(&q, &a);
	assert_status(&cqe, NVME_SCT_CMD_SPECIFIC, NVME_SC_CONNECT_CTRL_BUSY, true);
	assert_int_equal(nvsim_subsys_nr_ctrls(e->s), 1);
	queue_close(&q);
	env_free(e);
}

static void test_command_before_connect_is_command_sequence_error(void **state)
{
	struct env *e = env_new();
	struct queue q;
	struct nvsim_sqe sqe = { .opcode = nvme_admin_identify, .cdw10 = htole32(1) };
	uint8_t buf[4096];
	struct nvsim_cqe cqe;

	(void)state;
	queue_open(e, &q);
	cqe = submit(&q, &sqe, buf, sizeof(buf));
	assert_status(&cqe, NVME_SCT_GENERIC, NVME_SC_CMD_SEQ_ERROR, true);
	assert_false(nvsim_tq_connected(q.tq));
	queue_close(&q);
	env_free(e);
}

/* ---- queue state and other Fabrics commands ------------------------------- */

static void test_sqhd_advances_with_each_capsule(void **state)
{
	struct env *e = env_new();
	struct queue q;
	struct nvsim_cqe cqe;

	(void)state;
	admin_connect(e, &q); /* Connect took slot 0: head 1 */
	cqe = prop_set(&q, 0x14, 0, false);
	assert_int_equal(le16toh(cqe.sqhd), 2);
	cqe = prop_set(&q, 0x14, 0, false);
	assert_int_equal(le16toh(cqe.sqhd), 3);
	queue_close(&q);
	env_free(e);
}

static void test_sq_flow_control_disabled_reports_sqhd_ffff(void **state)
{
	struct env *e = env_new();
	struct queue q;
	struct connect_args a = admin_args();
	struct nvsim_cqe cqe;

	(void)state;
	a.cattr = NVSIM_CONNECT_CATTR_DISABLE_SQFLOW;
	queue_open(e, &q);
	cqe = connect_raw(&q, &a);
	assert_int_equal(le16toh(cqe.sqhd), 0xffff);
	cqe = prop_set(&q, 0x14, 0, false);
	assert_int_equal(le16toh(cqe.sqhd), 0xffff);
	queue_close(&q);
	env_free(e);
}

static void test_disconnect_on_admin_queue_is_invalid_queue_type(void **state)
{
	struct env *e = env_new();
	struct queue q;
	struct nvsim_sqe sqe = { .opcode = NVSIM_FABRICS_OPCODE };
	struct nvsim_cqe cqe;

	(void)state;
	admin_connect(e, &q);
	((struct nvsim_sqe_fabrics *)&sqe)->fctype = 0x08;
	cqe = submit(&q, &sqe, NULL, 0);
	assert_status(&cqe, NVME_SCT_CMD_SPECIFIC, NVSIM_SC_INVALID_QUEUE_TYPE, true);
	assert_int_equal(q.terminated, 0);
	queue_close(&q);
	env_free(e);
}

static void test_disconnect_on_io_queue_succeeds_then_terminates_it(void **state)
{
	struct env *e = env_new();
	struct queue admin, io;
	uint16_t cntlid = admin_connect(e, &admin);
	struct nvsim_sqe sqe = { .opcode = NVSIM_FABRICS_OPCODE };
	struct nvsim_cqe cqe;

	(void)state;
	enable(&admin);
	cqe = io_connect(e, &io, cntlid, 1);
	((struct nvsim_sqe_fabrics *)&sqe)->fctype = 0x08;
	cqe = submit(&io, &sqe, NULL, 0);
	assert_status(&cqe, 0, 0, false);
	assert_int_equal(io.terminated, 1);
	assert_int_equal(admin.terminated, 0);
	queue_close(&io);
	/* the controller lives on: the QID may be connected again */
	cqe = io_connect(e, &io, cntlid, 1);
	assert_status(&cqe, 0, 0, false);
	queue_close(&io);
	queue_close(&admin);
	env_free(e);
}

static void test_authentication_send_is_invalid_opcode(void **state)
{
	struct env *e = env_new();
	struct queue q;
	struct nvsim_sqe sqe = { .opcode = NVSIM_FABRICS_OPCODE };
	struct nvsim_cqe cqe;

	(void)state;
	admin_connect(e, &q);
	((struct nvsim_sqe_fabrics *)&sqe)->fctype = 0x05;
	cqe = submit(&q, &sqe, NULL, 0);
	assert_status(&cqe, NVME_SCT_GENERIC, NVME_SC_INVALID_OPCODE, true);
	queue_close(&q);
	env_free(e);
}

static void test_property_get_cap_and_set_vs_over_fabrics(void **state)
{
	struct env *e = env_new();
	struct queue q;
	struct nvsim_sqe sqe = { .opcode = NVSIM_FABRICS_OPCODE };
	struct nvsim_sqe_prop_get *pg = (void *)&sqe;
	struct nvsim_cqe cqe;

	(void)state;
	admin_connect(e, &q);
	pg->fctype = 4;
	pg->attrib = 1;
	pg->ofst = htole32(0);
	cqe = submit(&q, &sqe, NULL, 0);
	assert_status(&cqe, 0, 0, false);
	assert_int_equal(le32toh(cqe.dw0) & 0xffff, 1023); /* CAP.MQES */
	cqe = prop_set(&q, 0x08, 0x00010400, false);
	assert_status(&cqe, NVME_SCT_GENERIC, NVME_SC_INVALID_FIELD, true);
	queue_close(&q);
	env_free(e);
}

static void test_queue_overrun_is_refused(void **state)
{
	struct env *e = env_new();
	struct queue q;
	struct connect_args a = admin_args();
	struct nvsim_sqe aer = { .opcode = nvme_admin_async_event, .flags = SGL_FLAGS };
	struct capture cap[4] = { 0 };
	struct nvsim_cqe cqe;

	(void)state;
	a.sqsize = 2; /* three slots */
	queue_open(e, &q);
	cqe = connect_raw(&q, &a);
	assert_status(&cqe, 0, 0, false);
	enable(&q);
	/* AERs stay outstanding: three fill the queue, the fourth overruns */
	for (int i = 0; i < 3; i++) {
		aer.cid = htole16((uint16_t)(100 + i));
		assert_int_equal(nvsim_tq_submit(q.tq, &aer, NULL, capture_done, &cap[i]), 0);
	}
	aer.cid = htole16(103);
	assert_int_equal(nvsim_tq_submit(q.tq, &aer, NULL, capture_done, &cap[3]), -EBUSY);
	queue_close(&q);
	/* closing the admin queue aborted them */
	for (int i = 0; i < 3; i++) {
		assert_int_equal(cap[i].n, 1);
		assert_status(&cap[i].cqe, NVME_SCT_GENERIC, NVME_SC_ABORT_QUEUE, false);
	}
	env_free(e);
}

static void test_cid_reused_while_in_flight_is_command_id_conflict(void **state)
{
	struct env *e = env_new();
	struct queue q;
	struct nvsim_sqe aer = { .opcode = nvme_admin_async_event, .flags = SGL_FLAGS,
				 .cid = htole16(77) };
	struct nvsim_sqe ka = { .opcode = nvme_admin_keep_alive, .flags = SGL_FLAGS,
				.cid = htole16(77) };
	struct capture held = { 0 }, dup = { 0 }, later = { 0 };

	(void)state;
	admin_connect(e, &q);
	enable(&q);
	assert_int_equal(nvsim_tq_submit(q.tq, &aer, NULL, capture_done, &held), 0);
	assert_int_equal(held.n, 0);
	assert_int_equal(nvsim_tq_submit(q.tq, &ka, NULL, capture_done, &dup), 0);
	assert_int_equal(dup.n, 1);
	assert_status(&dup.cqe, NVME_SCT_GENERIC, NVME_SC_CMDID_CONFLICT, true);
	assert_int_equal(held.n, 0); /* the AER still waits */
	/* a fresh CID is fine, and so is 77 again once the AER is gone */
	ka.cid = htole16(78);
	assert_int_equal(nvsim_tq_submit(q.tq, &ka, NULL, capture_done, &later), 0);
	assert_status(&later.cqe, 0, 0, false);
	queue_close(&q);
	assert_int_equal(held.n, 1);
	env_free(e);
}

/* ---- the target says why ---------------------------------------------------- */

struct log_capture {
	int n[NVSIM_LOG_DEBUG + 1];
	char last[NVSIM_LOG_DEBUG + 1][512];
};

static void capture_log(void *arg, enum nvsim_log_level level, const char *line)
{
	struct log_capture *l = arg;

	l->n[level]++;
	snprintf(l->last[level], sizeof(l->last[level]), "%s", line);
	print_message("log %d: %s\n", (int)level, line);
}

static struct env *env_logging(struct log_capture *l, enum nvsim_log_level level)
{
	struct nvsim_target_config cfg;

	memset(l, 0, sizeof(*l));
	nvsim_target_config_init(&cfg);
	cfg.log = capture_log;
	cfg.log_level = level;
	cfg.event_arg = l;
	return env_new_cfg(&cfg);
}

static void test_refused_connect_is_logged_once_with_its_reason(void **state)
{
	struct log_capture l;
	struct env *e = env_logging(&l, NVSIM_LOG_INFO);
	struct connect_args a = admin_args();
	struct queue q;
	struct nvsim_cqe cqe;

	(void)state;
	queue_open(e, &q);
	nvsim_tq_set_peer(q.tq, "rdma conn 1 on 10.0.0.1:4420");
	a.hostnqn = "";
	cqe = connect_raw(&q, &a);
	assert_invalid_param(&cqe, NVSIM_IATTR_CONNECT_DATA, 512);
	queue_close(&q);
	assert_int_equal(l.n[NVSIM_LOG_WARN], 1);
	assert_int_equal(l.n[NVSIM_LOG_INFO] + l.n[NVSIM_LOG_ERROR], 0);
	assert_non_null(strstr(l.last[NVSIM_LOG_WARN], "rdma conn 1 on 10.0.0.1:4420"));
	assert_non_null(strstr(l.last[NVSIM_LOG_WARN], "Connect refused: HOSTNQN empty: "
						       "Connect Invalid Parameters at data byte "
						       "512"));
	assert_non_null(strstr(l.last[NVSIM_LOG_WARN], "hostid 0f01fb42-9f7f-4856-b0b3-"
						       "51e60b8de349"));
	env_free(e);
}

/* The first conflict is told at info, the next only at debug, and the
 * queue's close sums them up. */
static void test_cid_conflict_is_logged_once_then_counted(void **state)
{
	struct log_capture l;
	struct env *e = env_logging(&l, NVSIM_LOG_INFO);
	struct queue q;
	struct nvsim_sqe aer = { .opcode = nvme_admin_async_event, .flags = SGL_FLAGS,
				 .cid = htole16(77) };
	struct nvsim_sqe ka = { .opcode = nvme_admin_keep_alive, .flags = SGL_FLAGS,
				.cid = htole16(77) };
	struct capture held = { 0 }, dup = { 0 };

	(void)state;
	admin_connect(e, &q);
	enable(&q);
	assert_int_equal(nvsim_tq_submit(q.tq, &aer, NULL, capture_done, &held), 0);
	assert_int_equal(nvsim_tq_submit(q.tq, &ka, NULL, capture_done, &dup), 0);
	assert_status(&dup.cqe, NVME_SCT_GENERIC, NVME_SC_CMDID_CONFLICT, true);
	assert_int_equal(l.n[NVSIM_LOG_INFO], 1);
	assert_non_null(strstr(l.last[NVSIM_LOG_INFO], "controller 1 queue 0: Command ID "
						       "Conflict: Keep Alive (18h) CID 0x4d"));
	assert_int_equal(nvsim_tq_submit(q.tq, &ka, NULL, capture_done, &dup), 0);
	assert_int_equal(l.n[NVSIM_LOG_INFO], 1);
	queue_close(&q);
	/* the AER's abort at teardown is no host error */
	assert_int_equal(l.n[NVSIM_LOG_INFO], 2);
	assert_non_null(strstr(l.last[NVSIM_LOG_INFO], "Command ID Conflict x2"));
	assert_int_equal(l.n[NVSIM_LOG_WARN] + l.n[NVSIM_LOG_ERROR], 0);
	env_free(e);
}

static void test_debug_logs_every_occurrence_and_off_logs_nothing(void **state)
{
	enum nvsim_log_level levels[] = { NVSIM_LOG_DEBUG, NVSIM_LOG_ERROR };

	(void)state;
	for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++) {
		struct log_capture l;
		struct env *e = env_logging(&l, levels[i]);
		struct queue q;
		struct nvsim_sqe sqe = { .opcode = nvme_admin_identify, .cid = htole16(5) };
		struct nvsim_sqe_identify *id = (void *)&sqe;

		admin_connect(e, &q);
		enable(&q);
		id->cns = 0xff; /* reserved */
		for (int k = 0; k < 3; k++) {
			static uint8_t buf[4096];
			struct nvsim_cqe cqe = submit(&q, &sqe, buf, sizeof(buf));

			assert_status(&cqe, NVME_SCT_GENERIC, NVME_SC_INVALID_FIELD, true);
		}
		queue_close(&q);
		if (levels[i] == NVSIM_LOG_DEBUG) {
			assert_int_equal(l.n[NVSIM_LOG_INFO], 2); /* the first, and the close */
			assert_int_equal(l.n[NVSIM_LOG_DEBUG], 2);
			assert_non_null(strstr(l.last[NVSIM_LOG_DEBUG], "Identify (06h): Invalid "
									"Field in Command: CID 0x5 "
									"at SQE byte 40 (#3)"));
		} else {
			for (int lv = 0; lv <= NVSIM_LOG_DEBUG; lv++)
				assert_int_equal(l.n[lv], 0);
		}
		env_free(e);
	}
}

/* ---- data path, sharing, teardown ----------------------------------------- */

static struct nvsim_cqe rw(struct queue *q, uint8_t opcode, uint64_t slba, uint16_t nlb0,
			   void *buf, size_t len)
{
	struct nvsim_sqe_rw cmd = { .opcode = opcode, .nsid = htole32(1) };

	cmd.slba = htole64(slba);
	cmd.nlb = htole16(nlb0);
	return submit(q, (struct nvsim_sqe *)&cmd, buf, len);
}

static void test_namespace_data_is_shared_between_controllers(void **state)
{
	struct env *e = env_new();
	struct queue a1, a2, io1, io2;
	uint16_t c1 = admin_connect(e, &a1), c2 = admin_connect(e, &a2);
	uint8_t wbuf[1024], rbuf[1024] = { 0 };
	struct nvsim_cqe cqe;

	(void)state;
	enable(&a1);
	enable(&a2);
	io_connect(e, &io1, c1, 1);
	io_connect(e, &io2, c2, 1);
	for (size_t i = 0; i < sizeof(wbuf); i++)
		wbuf[i] = (uint8_t)(i * 7 + 3);
	cqe = rw(&io1, nvme_cmd_write, 10, 1, wbuf, sizeof(wbuf));
	assert_status(&cqe, 0, 0, false);
	cqe = rw(&io2, nvme_cmd_read, 10, 1, rbuf, sizeof(rbuf));
	assert_status(&cqe, 0, 0, false);
	assert_memory_equal(wbuf, rbuf, sizeof(wbuf));
	assert_int_equal(le16toh(cqe.sqid), 1);
	queue_close(&io1);
	queue_close(&io2);
	queue_close(&a1);
	queue_close(&a2);
	env_free(e);
}

static void test_keep_alive_expiry_terminates_every_queue(void **state)
{
	struct env *e = env_new();
	struct queue admin, io;
	uint16_t cntlid = admin_connect(e, &admin); /* KATO 5 s */

	(void)state;
	enable(&admin);
	io_connect(e, &io, cntlid, 1);
	e->now_ns += 4900000000ull;
	nvsim_target_poll(e->t);
	assert_int_equal(admin.terminated, 0);
	e->now_ns += 200000000ull;
	nvsim_target_poll(e->t);
	assert_int_equal(admin.terminated, 1);
	assert_int_equal(io.terminated, 1);
	nvsim_target_poll(e->t);
	assert_int_equal(admin.terminated, 1); /* once */
	queue_close(&io);
	queue_close(&admin);
	assert_int_equal(nvsim_subsys_nr_ctrls(e->s), 0);
	env_free(e);
}

static void test_admin_queue_loss_ends_association_and_its_io_queues(void **state)
{
	struct env *e = env_new();
	struct queue admin, io;
	uint16_t cntlid = admin_connect(e, &admin);
	struct nvsim_cqe cqe;

	(void)state;
	enable(&admin);
	io_connect(e, &io, cntlid, 1);
	queue_close(&admin);
	assert_int_equal(io.terminated, 1);
	assert_int_equal(nvsim_tq_submit(io.tq, &(struct nvsim_sqe){ 0 }, NULL, capture_done,
					 &(struct capture){ 0 }),
			 -ESHUTDOWN);
	queue_close(&io);
	assert_int_equal(nvsim_subsys_nr_ctrls(e->s), 0);
	/* a new admin connect creates a new controller */
	cqe = io_connect(e, &io, cntlid, 1);
	check_ipo_cntlid(&cqe);
	queue_close(&io);
	env_free(e);
}

static void test_dropped_command_is_released_with_its_queue(void **state)
{
	struct env *e = env_new();
	struct queue admin, io;
	uint16_t cntlid = admin_connect(e, &admin);
	struct nvsim_inject_rule rule;
	struct nvsim_sqe_rw cmd = { .opcode = nvme_cmd_read, .flags = SGL_FLAGS,
				    .nsid = htole32(1) };
	uint8_t buf[512];
	struct nvsim_iov iov;
	struct nvsim_data data;
	struct capture cap = { 0 };

	(void)state;
	nvsim_inject_rule_init(&rule);
	rule.action = NVSIM_INJECT_DROP;
	rule.io_only = true;
	assert_int_equal(nvsim_subsys_inject_add(e->s, &rule), 0);
	enable(&admin);
	io_connect(e, &io, cntlid, 1);
	nvsim_data_init_flat(&data, &iov, buf, sizeof(buf));
	assert_int_equal(nvsim_tq_submit(io.tq, (struct nvsim_sqe *)&cmd, &data, capture_done,
					 &cap),
			 0);
	assert_int_equal(cap.n, 0);
	/* ASan's leak check proves the wrapper is freed */
	queue_close(&io);
	assert_int_equal(cap.n, 0);
	queue_close(&admin);
	env_free(e);
}

/* ---- discovery -------------------------------------------------------------- */

static struct nvsim_port *add_port(struct env *e, uint16_t id, const char *addr)
{
	struct nvsim_port_config pc = { .portid = id, .trtype = NVMF_TRTYPE_RDMA,
					.adrfam = NVMF_ADDR_FAMILY_IP4, .traddr = addr,
					.trsvcid = "4420" };
	struct nvsim_port *p;

	assert_int_equal(nvsim_port_add(e->t, &pc, &p), 0);
	return p;
}

static void disc_connect(struct env *e, struct queue *q, const char *hostnqn)
{
	struct connect_args a = admin_args();
	struct nvsim_cqe cqe;

	a.subnqn = NVME_DISC_SUBSYS_NAME;
	a.hostnqn = hostnqn;
	queue_open(e, q);
	cqe = connect_raw(q, &a);
	assert_status(&cqe, 0, 0, false);
	enable(q);
}

static struct nvsim_cqe get_disc_log(struct queue *q, uint64_t lpo, void *buf, uint32_t len)
{
	struct nvsim_sqe_get_log_page cmd = { .opcode = nvme_admin_get_log_page, .lid = 0x70 };
	uint32_t numd = len / 4 - 1;

	cmd.numdl = htole16((uint16_t)numd);
	cmd.numdu = htole16((uint16_t)(numd >> 16));
	cmd.lpo = htole64(lpo);
	return submit(q, (struct nvsim_sqe *)&cmd, buf, len);
}

static void test_discovery_log_lists_subsystems_and_referral(void **state)
{
	struct env *e = env_new();
	struct nvsim_subsys_config sc = { .nqn = SUBNQN2, .allow_any_host = true };
	struct nvsim_subsys *s2;
	struct nvsim_port *p = add_port(e, 1, "192.0.2.1");
	struct nvsim_port_config ref = { .portid = 9, .trtype = NVMF_TRTYPE_RDMA,
					 .adrfam = NVMF_ADDR_FAMILY_IP4, .traddr = "192.0.2.9",
					 .trsvcid = "8009" };
	static uint8_t buf[4096];
	struct nvmf_discovery_log *log = (void *)buf;
	struct queue q;
	struct nvsim_cqe cqe;

	(void)state;
	assert_int_equal(nvsim_subsys_add(e->t, &sc, &s2), 0);
	assert_int_equal(nvsim_port_add_subsys(p, e->s), 0);
	assert_int_equal(nvsim_port_add_subsys(p, s2), 0);
	assert_int_equal(nvsim_port_add_referral(p, &ref), 0);
	disc_connect(e, &q, HOSTNQN);
	cqe = get_disc_log(&q, 0, buf, sizeof(buf));
	assert_status(&cqe, 0, 0, false);
	assert_int_equal(le64toh(log->numrec), 3);
	assert_int_equal(le64toh(log->genctr), nvsim_target_genctr(e->t));
	assert_string_equal(log->entries[0].subnqn, SUBNQN);
	assert_int_equal(log->entries[0].subtype, NVME_NQN_NVME);
	assert_int_equal(le16toh(log->entries[0].cntlid), 0xffff);
	assert_int_equal(log->entries[0].trtype, NVMF_TRTYPE_RDMA);
	assert_memory_equal(log->entries[0].traddr, "192.0.2.1 ", 10);
	assert_string_equal(log->entries[1].subnqn, SUBNQN2);
	assert_int_equal(log->entries[2].subtype, NVME_NQN_DISC);
	assert_string_equal(log->entries[2].subnqn, NVME_DISC_SUBSYS_NAME);
	assert_int_equal(le16toh(log->entries[2].portid), 9);
	queue_close(&q);
	env_free(e);
}

static void test_discovery_log_hides_subsystems_the_host_may_not_use(void **state)
{
	struct env *e = env_new();
	struct nvsim_subsys_config sc = { .nqn = SUBNQN2 };
	struct nvsim_subsys *s2;
	struct nvsim_port *p = add_port(e, 1, "192.0.2.1");
	static uint8_t buf[4096];
	struct nvmf_discovery_log *log = (void *)buf;
	struct queue q;

	(void)state;
	assert_int_equal(nvsim_subsys_add(e->t, &sc, &s2), 0);
	assert_int_equal(nvsim_subsys_allow_host(s2, HOSTNQN2), 0);
	nvsim_port_add_subsys(p, e->s);
	nvsim_port_add_subsys(p, s2);
	disc_connect(e, &q, HOSTNQN);
	get_disc_log(&q, 0, buf, sizeof(buf));
	assert_int_equal(le64toh(log->numrec), 1);
	queue_close(&q);
	disc_connect(e, &q, HOSTNQN2);
	get_disc_log(&q, 0, buf, sizeof(buf));
	assert_int_equal(le64toh(log->numrec), 2);
	queue_close(&q);
	env_free(e);
}

static void test_genctr_changes_with_every_configuration_change(void **state)
{
	struct env *e = env_new();
	struct nvsim_port *p = add_port(e, 1, "192.0.2.1");
	uint64_t g0 = nvsim_target_genctr(e->t);
	struct nvsim_port_config ref = { .portid = 2, .traddr = "192.0.2.2", .trsvcid = "8009" };

	(void)state;
	nvsim_port_add_subsys(p, e->s);
	assert_true(nvsim_target_genctr(e->t) > g0);
	g0 = nvsim_target_genctr(e->t);
	nvsim_port_add_referral(p, &ref);
	assert_true(nvsim_target_genctr(e->t) > g0);
	g0 = nvsim_target_genctr(e->t);
	nvsim_subsys_allow_host(e->s, HOSTNQN2);
	assert_true(nvsim_target_genctr(e->t) > g0);
	env_free(e);
}

static void test_discovery_log_reads_in_parts_by_lpo(void **state)
{
	struct env *e = env_new();
	struct nvsim_port *p = add_port(e, 1, "192.0.2.1");
	static uint8_t whole[2048], part[1024];
	struct queue q;
	struct nvsim_cqe cqe;

	(void)state;
	nvsim_port_add_subsys(p, e->s);
	disc_connect(e, &q, HOSTNQN);
	cqe = get_disc_log(&q, 0, whole, sizeof(whole));
	assert_status(&cqe, 0, 0, false);
	cqe = get_disc_log(&q, 1024, part, sizeof(part));
	assert_status(&cqe, 0, 0, false);
	assert_memory_equal(whole + 1024, part, sizeof(part));
	/* an offset past the end of the page is refused (at the end: zeros) */
	cqe = get_disc_log(&q, 2048, part, sizeof(part));
	assert_status(&cqe, 0, 0, false);
	cqe = get_disc_log(&q, 2052, part, sizeof(part));
	assert_status(&cqe, NVME_SCT_GENERIC, NVME_SC_INVALID_FIELD, true);
	cqe = get_disc_log(&q, UINT64_MAX - 3, part, sizeof(part));
	assert_status(&cqe, NVME_SCT_GENERIC, NVME_SC_INVALID_FIELD, true);
	queue_close(&q);
	env_free(e);
}

static void test_discovery_controller_refuses_other_commands(void **state)
{
	struct env *e = env_new();
	struct queue q;
	uint8_t buf[4096];
	struct nvsim_sqe idns = { .opcode = nvme_admin_identify, .nsid = htole32(1) };
	struct nvsim_sqe_get_log_page smart = { .opcode = nvme_admin_get_log_page, .lid = 2,
						.numdl = htole16(127) };
	struct nvsim_sqe abort_cmd = { .opcode = nvme_admin_abort_cmd };
	struct nvsim_cqe cqe;

	(void)state;
	disc_connect(e, &q, HOSTNQN);
	cqe = submit(&q, &idns, buf, sizeof(buf)); /* CNS 00h */
	assert_status(&cqe, NVME_SCT_GENERIC, NVME_SC_INVALID_FIELD, true);
	cqe = submit(&q, (struct nvsim_sqe *)&smart, buf, 512);
	assert_status(&cqe, NVME_SCT_GENERIC, NVME_SC_INVALID_FIELD, true);
	cqe = submit(&q, &abort_cmd, NULL, 0);
	assert_status(&cqe, NVME_SCT_GENERIC, NVME_SC_INVALID_OPCODE, true);
	queue_close(&q);
	env_free(e);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(test_connect_admin_returns_dynamic_cntlid),
	cmocka_unit_test(test_connect_data_not_1024_bytes_is_data_sgl_length_invalid),
	cmocka_unit_test(test_connect_recfmt_nonzero_is_incompatible_format),
	cmocka_unit_test(test_connect_unknown_subnqn_is_invalid_param_at_data_256),
	cmocka_unit_test(test_connect_subnqn_without_nul_is_invalid_param_at_data_256),
	cmocka_unit_test(test_connect_malformed_hostnqn_is_invalid_param_at_data_512),
	cmocka_unit_test(test_connect_zero_hostid_is_invalid_param_at_data_0),
	cmocka_unit_test(test_connect_host_not_allowed_is_connect_invalid_host),
	cmocka_unit_test(test_connect_sqsize_zero_is_invalid_param_at_sqe_44),
	cmocka_unit_test(test_connect_admin_sqsize_above_31_is_invalid_param_at_sqe_44),
	cmocka_unit_test(test_connect_admin_cntlid_not_ffff_is_invalid_param_at_data_16),
	cmocka_unit_test(test_connect_kato_is_rounded_up_to_kas),
	cmocka_unit_test(test_discovery_connect_with_kato_zero_gets_default),
	cmocka_unit_test(test_cntlids_differ_per_association),
	cmocka_unit_test(test_connect_io_joins_enabled_controller),
	cmocka_unit_test(test_connect_io_unknown_cntlid_is_invalid_param_at_data_16),
	cmocka_unit_test(test_connect_io_from_other_hostnqn_is_invalid_param_at_data_16),
	cmocka_unit_test(test_connect_io_with_other_hostid_is_invalid_param_at_data_0),
	cmocka_unit_test(test_connect_io_before_enable_is_invalid_param_at_sqe_42),
	cmocka_unit_test(test_connect_io_qid_above_granted_is_invalid_param_at_sqe_42),
	cmocka_unit_test(test_connect_io_sqsize_above_mqes_is_invalid_param_at_sqe_44),
	cmocka_unit_test(test_connect_io_duplicate_qid_is_command_sequence_error),
	cmocka_unit_test(test_connect_io_to_discovery_controller_is_invalid_param_at_sqe_42),
	cmocka_unit_test(test_second_connect_on_connected_queue_is_controller_busy),
	cmocka_unit_test(test_command_before_connect_is_command_sequence_error),
	cmocka_unit_test(test_sqhd_advances_with_each_capsule),
	cmocka_unit_test(test_sq_flow_control_disabled_reports_sqhd_ffff),
	cmocka_unit_test(test_disconnect_on_admin_queue_is_invalid_queue_type),
	cmocka_unit_test(test_disconnect_on_io_queue_succeeds_then_terminates_it),
	cmocka_unit_test(test_authentication_send_is_invalid_opcode),
	cmocka_unit_test(test_property_get_cap_and_set_vs_over_fabrics),
	cmocka_unit_test(test_queue_overrun_is_refused),
	cmocka_unit_test(test_cid_reused_while_in_flight_is_command_id_conflict),
	cmocka_unit_test(test_refused_connect_is_logged_once_with_its_reason),
	cmocka_unit_test(test_cid_conflict_is_logged_once_then_counted),
	cmocka_unit_test(test_debug_logs_every_occurrence_and_off_logs_nothing),
	cmocka_unit_test(test_namespace_data_is_shared_between_controllers),
	cmocka_unit_test(test_keep_alive_expiry_terminates_every_queue),
	cmocka_unit_test(test_admin_queue_loss_ends_association_and_its_io_queues),
	cmocka_unit_test(test_dropped_command_is_released_with_its_queue),
	cmocka_unit_test(test_discovery_log_lists_subsystems_and_referral),
	cmocka_unit_test(test_discovery_log_hides_subsystems_the_host_may_not_use),
	cmocka_unit_test(test_genctr_changes_with_every_configuration_change),
	cmocka_unit_test(test_discovery_log_reads_in_parts_by_lpo),
	cmocka_unit_test(test_discovery_controller_refuses_other_commands),
};

NVMFSIM_TEST_MAIN(tests)
