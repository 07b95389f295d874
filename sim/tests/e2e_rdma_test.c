/* Host and target over NVMe/RDMA on the fake fabric: bring-up, Identify's
 * fabrics fields, discovery, data integrity through keyed SGLs and
 * in-capsule data, CM private-data rejections and SGL rejections sent
 * through the raw layer, keep-alive expiry, disconnect and reconnect. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli/embedded.h"
#include "cmocka_main.h"
#include "host/host.h"
#include "spec/rdma_cm.h"
#include "spec/status.h"

#define HOSTNQN "nqn.2014-08.org.nvmexpress:uuid:0f01fb42-9f7f-4856-b0b3-51e60b8de349"
#define SUBNQN "nqn.2026-11.io.nvmf-sim:embedded0"

struct world {
	uint64_t now_ns;
	struct nvsim_embedded *e;
};

static uint64_t fake_now(void *ctx)
{
	return *(uint64_t *)ctx;
}

static struct world *world_new(unsigned int nr_subsys, bool referral)
{
	struct world *w = calloc(1, sizeof(*w));
	struct nvsim_embedded_config cfg;

	assert_non_null(w);
	nvsim_embedded_config_init(&cfg);
	cfg.nr_subsystems = nr_subsys;
	cfg.referral = referral;
	cfg.ns_size_bytes = 256ull << 20;
	cfg.target.mqes = 127; /* queues of 128 entries */
	cfg.target.clock = (struct nvsim_clock){ .now_ns = fake_now, .ctx = &w->now_ns };
	assert_int_equal(nvsim_embedded_start(&cfg, &w->e), 0);
	return w;
}

static void world_free(struct world *w)
{
	nvsim_embedded_stop(w->e);
	free(w);
}

static void host_config(struct world *w, struct nvsim_host_config *hc, const char *subnqn)
{
	static const uint8_t hostid[16] = { 0x0f, 0x01, 0xfb, 0x42, 0x9f, 0x7f, 0x48, 0x56,
					    0xb0, 0xb3, 0x51, 0xe6, 0x0b, 0x8d, 0xe3, 0x49 };

	nvsim_host_config_init(hc);
	hc->transport.fabric = w->e->fabric;
	hc->transport.addr = NVSIM_EMBEDDED_ADDR;
	hc->transport.progress = nvsim_embedded_poll;
	hc->transport.progress_arg = w->e;
	hc->subnqn = subnqn;
	hc->hostnqn = HOSTNQN;
	memcpy(hc->hostid, hostid, sizeof(hostid));
}

static struct nvsim_host *connect_host(struct world *w, const char *subnqn, uint16_t nr_io)
{
	struct nvsim_host_config hc;
	struct nvsim_host_status st;
	struct nvsim_host *h = NULL;
	char msg[200];
	int ret;

	host_config(w, &hc, subnqn);
	hc.nr_io_queues = nr_io;
	ret = nvsim_host_connect(&hc, &h, &st);
	if (ret)
		fail_msg("connect: %s", nvsim_host_status_str(&st, true, msg, sizeof(msg)));
	return h;
}

static void test_bring_up_reports_fabrics_fields_in_identify(void **state)
{
	struct world *w = world_new(1, false);
	struct nvsim_host *h = connect_host(w, SUBNQN, 0);
	const struct nvme_id_ctrl *id = nvsim_host_id_ctrl(h);

	(void)state;
	/* NVMe-oF 1.1 §4.1 (approx.): capsule sizes in 16-byte units. */
	assert_int_equal(le32toh(id->ioccsz), (64 + 4096) / 16);
	assert_int_equal(le32toh(id->iorcsz), 1);
	assert_int_equal(le16toh(id->icdoff), 0);
	assert_int_equal(id->msdbd, 1);
	assert_true(le32toh(id->sgls) & NVME_CTRL_SGLS_KEYED);
	assert_string_equal(id->subnqn, SUBNQN);
	assert_int_equal(le16toh(id->cntlid), nvsim_host_cntlid(h));
	nvsim_host_disconnect(h);
	world_free(w);
}

static void test_discovery_lists_three_subsystems_and_a_referral(void **state)
{
	struct world *w = world_new(3, true);
	struct nvsim_host *h = connect_host(w, NVME_DISC_SUBSYS_NAME, 0);
	struct nvsim_host_status st;
	struct nvmf_discovery_log *log;
	void *buf;
	size_t len;

	(void)state;
	assert_int_equal(nvsim_host_discovery_log(h, &buf, &len, &st), 0);
	log = buf;
	assert_int_equal(le64toh(log->numrec), 4);
	assert_int_equal(len, 1024 + 4 * 1024);
	assert_string_equal(log->entries[0].subnqn, "nqn.2026-11.io.nvmf-sim:embedded0");
	assert_string_equal(log->entries[2].subnqn, "nqn.2026-11.io.nvmf-sim:embedded2");
	assert_int_equal(log->entries[3].subtype, NVME_NQN_DISC);
	free(buf);
	nvsim_host_disconnect(h);
	world_free(w);
}

static void fill_pattern(uint8_t *buf, size_t len, uint64_t seed)
{
	uint64_t x = seed * 0x9e3779b97f4a7c15ull + 1;

	for (size_t i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		buf[i] = (uint8_t)x;
	}
}

/* 8 I/O queues, 128 commands in flight on each, 64 MiB written and read
 * back through keyed SGLs; every 8th write rides in the capsule (4 KiB). */
enum { QUEUES = 8, DEPTH = 128, TOTAL = 64 * 1024 * 1024, CHUNK = 64 * 1024, ICD = 4096 };

struct inflight {
	struct nvsim_hcmd cmd;
	uint8_t *buf;
	uint64_t block;
	bool busy;
};

static size_t block_len(uint64_t block)
{
	return block % 8 == 7 ? ICD : CHUNK;
}

static void start_block(struct nvsim_host *h, uint16_t qid, struct inflight *f, uint64_t block,
			bool write)
{
	struct nvsim_sqe sqe = { .opcode = write ? nvme_cmd_write : nvme_cmd_read,
				 .nsid = htole32(1) };
	struct nvsim_sqe_rw *rw = (void *)&sqe;
	size_t len = block_len(block);

	rw->slba = htole64(block * (CHUNK / 512));
	rw->nlb = htole16((uint16_t)(len / 512 - 1));
	if (write)
		fill_pattern(f->buf, len, block);
	f->block = block;
	f->busy = true;
	assert_int_equal(nvsim_hq_start(nvsim_host_io(h, qid), &sqe, f->buf, len,
					write ? NVSIM_DIR_H2C : NVSIM_DIR_C2H, &f->cmd),
			 0);
}

static void run_pass(struct world *w, struct nvsim_host *h, struct inflight *fl, bool write,
		     uint8_t *want)
{
	uint64_t next = 0, done = 0, blocks = TOTAL / CHUNK;

	while (done < blocks) {
		for (unsigned int i = 0; i < QUEUES * DEPTH; i++) {
			struct inflight *f = &fl[i];
			uint16_t qid = (uint16_t)(i / DEPTH + 1);

			if (f->busy) {
				int ret = nvsim_hq_reap(nvsim_host_io(h, qid), &f->cmd);

				if (ret == -EAGAIN)
					continue;
				assert_int_equal(ret, 0);
				assert_int_equal(nvsim_cqe_status_field(&f->cmd.cqe), 0);
				if (!write) {
					fill_pattern(want, block_len(f->block), f->block);
					assert_memory_equal(want, f->buf, block_len(f->block));
				}
				f->busy = false;
				done++;
			}
			if (next < blocks)
				start_block(h, qid, f, next++, write);
		}
		nvsim_embedded_poll(w->e);
	}
}

static void test_64mib_over_8_queues_at_depth_128_reads_back_intact(void **state)
{
	struct world *w = world_new(1, false);
	struct nvsim_host_config hc;
	struct nvsim_host_status st;
	struct nvsim_host *h;
	struct inflight *fl = calloc(QUEUES * DEPTH, sizeof(*fl));
	uint8_t *want = malloc(CHUNK);

	(void)state;
	host_config(w, &hc, SUBNQN);
	hc.nr_io_queues = QUEUES;
	hc.io_sqsize = DEPTH - 1;
	assert_int_equal(nvsim_host_connect(&hc, &h, &st), 0);
	assert_int_equal(nvsim_host_nr_io_queues(h), QUEUES);
	for (unsigned int i = 0; i < QUEUES * DEPTH; i++)
		assert_non_null(fl[i].buf = malloc(CHUNK));
	for (uint16_t q = 1; q <= QUEUES; q++)
		nvsim_hq_allow_in_capsule(nvsim_host_io(h, q), true);
	run_pass(w, h, fl, true, want);
	run_pass(w, h, fl, false, want);
	for (unsigned int i = 0; i < QUEUES * DEPTH; i++)
		free(fl[i].buf);
	free(fl);
	free(want);
	nvsim_host_disconnect(h);
	world_free(w);
}

static void test_in_capsule_write_lands_on_the_namespace(void **state)
{
	struct world *w = world_new(1, false);
	struct nvsim_host *h = connect_host(w, SUBNQN, 1);
	uint8_t wbuf[4096], rbuf[4096];
	struct nvsim_host_status st;

	(void)state;
	fill_pattern(wbuf, sizeof(wbuf), 42);
	nvsim_hq_allow_in_capsule(nvsim_host_io(h, 1), true);
	assert_int_equal(nvsim_host_rw(h, 1, true, 1, 100, 8, wbuf, sizeof(wbuf), &st), 0);
	nvsim_hq_allow_in_capsule(nvsim_host_io(h, 1), false);
	assert_int_equal(nvsim_host_rw(h, 1, false, 1, 100, 8, rbuf, sizeof(rbuf), &st), 0);
	assert_memory_equal(wbuf, rbuf, sizeof(wbuf));
	nvsim_host_disconnect(h);
	world_free(w);
}

/* ---- CM private data (NVMe-oF 1.1 §7.3.3 (approx.); catalogue §4.8) ---------- */

static struct nvsim_host_status cm_try(struct world *w, const void *pdata, uint8_t len,
				       uint16_t qid, uint16_t sqsize, uint16_t hrqsize)
{
	struct nvsim_host_config hc;
	struct nvsim_host_status st;
	struct nvsim_hq *q = NULL;

	host_config(w, &hc, SUBNQN);
	hc.transport.qid = qid;
	hc.transport.sqsize = sqsize;
	hc.transport.hrqsize = hrqsize;
	hc.transport.cm_private_data = pdata;
	hc.transport.cm_private_data_len = len;
	if (nvsim_hq_connect(&hc.transport, &q, &st) == 0)
		nvsim_hq_close(q);
	return st;
}

static void assert_cm_reject(const struct nvsim_host_status *st, uint16_t sts)
{
	assert_true(st->cm_rejected);
	assert_true(st->cm_sts_valid);
	assert_int_equal(st->cm_sts, sts);
}

/* The IB/RoCE CM always delivers its whole private-data field, zero padded,
 * so a 16-byte request arrives as 56 bytes whose HRQSIZE is 0: the target
 * must still refuse it (INVALID_LEN itself is only reachable on transports
 * that report the exact length, such as iWARP). */
static void test_cm_short_private_data_arrives_padded_and_is_refused(void **state)
{
	struct world *w = world_new(1, false);
	uint8_t pdata[16] = { 0 };
	struct nvsim_host_status st = cm_try(w, pdata, sizeof(pdata), 0, 31, 0);

	(void)state;
	assert_cm_reject(&st, NVSIM_RDMA_CM_INVALID_HRQSIZE);
	world_free(w);
}

static void test_cm_recfmt_nonzero_is_invalid_recfmt(void **state)
{
	struct world *w = world_new(1, false);
	struct nvsim_rdma_cm_req req = { .recfmt = htole16(1), .hrqsize = htole16(32),
					 .hsqsize = htole16(31) };
	struct nvsim_host_status st = cm_try(w, &req, sizeof(req), 0, 31, 0);

	(void)state;
	assert_cm_reject(&st, NVSIM_RDMA_CM_INVALID_RECFMT);
	world_free(w);
}

static void test_cm_admin_hsqsize_31_is_accepted_and_32_rejected(void **state)
{
	struct world *w = world_new(1, false);
	struct nvsim_host_status st = cm_try(w, NULL, 0, 0, 31, 0);

	(void)state;
	assert_false(st.cm_rejected);
	assert_int_equal(st.err, 0);
	st = cm_try(w, NULL, 0, 0, 32, 0);
	assert_cm_reject(&st, NVSIM_RDMA_CM_INVALID_HSQSIZE);
	world_free(w);
}

static void test_cm_hrqsize_smaller_than_sq_is_invalid_hrqsize(void **state)
{
	struct world *w = world_new(1, false);
	struct nvsim_host_status st = cm_try(w, NULL, 0, 0, 31, 16);

	(void)state;
	assert_cm_reject(&st, NVSIM_RDMA_CM_INVALID_HRQSIZE);
	world_free(w);
}

static void test_cm_qid_above_the_target_maximum_is_invalid_qid(void **state)
{
	struct world *w = world_new(1, false);
	struct nvsim_host_status st = cm_try(w, NULL, 0, 129, 31, 0);

	(void)state;
	assert_cm_reject(&st, NVSIM_RDMA_CM_INVALID_QID);
	world_free(w);
}

/* ---- SGL rules over the wire (NVMe Base 2.0 §4.3.2; catalogue §4.7) ---------- */

static struct nvsim_cqe raw_io(struct nvsim_hq *q, struct nvsim_sqe *sqe, const void *icd,
			       size_t icd_len)
{
	uint8_t capsule[64 + 8192];
	struct nvsim_cqe cqe;

	sqe->flags = 1u << NVSIM_SQE_PSDT_SHIFT;
	sqe->cid = htole16(0x4242);
	memcpy(capsule, sqe, 64);
	if (icd_len)
		memcpy(capsule + 64, icd, icd_len);
	assert_int_equal(nvsim_hq_send_raw(q, capsule, 64 + icd_len), 0);
	assert_int_equal(nvsim_hq_wait_cqe(q, 0x4242, &cqe), 0);
	return cqe;
}

static void assert_cqe_status(const struct nvsim_cqe *cqe, unsigned sct, unsigned sc)
{
	uint16_t sf = nvsim_cqe_status_field(cqe);

	assert_int_equal(nvsim_status_sct(sf), sct);
	assert_int_equal(nvsim_status_sc(sf), sc);
	assert_true(nvsim_status_dnr(sf));
}

static struct nvsim_sqe rw_sqe(uint8_t opcode, uint16_t nlb0)
{
	struct nvsim_sqe sqe = { .opcode = opcode, .nsid = htole32(1) };

	((struct nvsim_sqe_rw *)&sqe)->nlb = htole16(nlb0);
	return sqe;
}

static void test_keyed_sgl_longer_than_mdts_is_invalid_field(void **state)
{
	struct world *w = world_new(1, false);
	struct nvsim_host *h = connect_host(w, SUBNQN, 1);
	struct nvsim_sqe sqe = rw_sqe(nvme_cmd_read, 0);
	struct nvsim_cqe cqe;

	(void)state;
	nvsim_sgl_keyed_set(&sqe.dptr.keyed, 0x1000, (1u << 20) + 512, 0x1234,
			    NVSIM_SGL_SUBTYPE_ADDRESS);
	cqe = raw_io(nvsim_host_io(h, 1), &sqe, NULL, 0);
	assert_cqe_status(&cqe, NVME_SCT_GENERIC, NVME_SC_INVALID_FIELD);
	nvsim_host_disconnect(h);
	world_free(w);
}

static void test_unknown_sgl_type_is_descriptor_type_invalid(void **state)
{
	struct world *w = world_new(1, false);
	struct nvsim_host *h = connect_host(w, SUBNQN, 1);
	struct nvsim_sqe sqe = rw_sqe(nvme_cmd_read, 0);
	struct nvsim_cqe cqe;

	(void)state;
	sqe.dptr.sgl.id = nvsim_sgl_id(NVSIM_SGL_TYPE_BIT_BUCKET, 0);
	cqe = raw_io(nvsim_host_io(h, 1), &sqe, NULL, 0);
	assert_cqe_status(&cqe, NVME_SCT_GENERIC, NVME_SC_SGL_INVALID_TYPE);
	/* a keyed block with a reserved subtype too */
	sqe.dptr.sgl.id = nvsim_sgl_id(NVSIM_SGL_TYPE_KEYED_DATA_BLOCK, 0x3);
	cqe = raw_io(nvsim_host_io(h, 1), &sqe, NULL, 0);
	assert_cqe_status(&cqe, NVME_SCT_GENERIC, NVME_SC_SGL_INVALID_TYPE);
	nvsim_host_disconnect(h);
	world_free(w);
}

static void test_in_capsule_offset_past_icd_is_sgl_offset_invalid(void **state)
{
	struct world *w = world_new(1, false);
	struct nvsim_host *h = connect_host(w, SUBNQN, 1);
	struct nvsim_sqe sqe = rw_sqe(nvme_cmd_write, 0);
	uint8_t data[512] = { 0 };
	struct nvsim_cqe cqe;

	(void)state;
	nvsim_sgl_unkeyed_set(&sqe.dptr.unkeyed, NVSIM_SGL_TYPE_DATA_BLOCK,
			      NVSIM_SGL_SUBTYPE_OFFSET, 4097, 512);
	cqe = raw_io(nvsim_host_io(h, 1), &sqe, data, sizeof(data));
	assert_cqe_status(&cqe, NVME_SCT_GENERIC, NVME_SC_SGL_INVALID_OFFSET);
	/* an offset that wraps u64 when the length is added */
	nvsim_sgl_unkeyed_set(&sqe.dptr.unkeyed, NVSIM_SGL_TYPE_DATA_BLOCK,
			      NVSIM_SGL_SUBTYPE_OFFSET, 0xfffffffffffffe00ull, 0x1000);
	cqe = raw_io(nvsim_host_io(h, 1), &sqe, data, sizeof(data));
	assert_cqe_status(&cqe, NVME_SCT_GENERIC, NVME_SC_SGL_INVALID_OFFSET);
	nvsim_host_disconnect(h);
	world_free(w);
}

static void test_in_capsule_length_past_data_sent_is_data_sgl_length_invalid(void **state)
{
	struct world *w = world_new(1, false);
	struct nvsim_host *h = connect_host(w, SUBNQN, 1);
	struct nvsim_sqe sqe = rw_sqe(nvme_cmd_write, 1);
	uint8_t data[512] = { 0 };
	struct nvsim_cqe cqe;

	(void)state;
	/* 1024 bytes described, 512 sent */
	nvsim_sgl_unkeyed_set(&sqe.dptr.unkeyed, NVSIM_SGL_TYPE_DATA_BLOCK,
			      NVSIM_SGL_SUBTYPE_OFFSET, 0, 1024);
	cqe = raw_io(nvsim_host_io(h, 1), &sqe, data, sizeof(data));
	assert_cqe_status(&cqe, NVME_SCT_GENERIC, NVME_SC_SGL_INVALID_DATA);
	nvsim_host_disconnect(h);
	world_free(w);
}

static void test_in_capsule_data_on_a_read_is_invalid_field(void **state)
{
	struct world *w = world_new(1, false);
	struct nvsim_host *h = connect_host(w, SUBNQN, 1);
	struct nvsim_sqe sqe = rw_sqe(nvme_cmd_read, 0);
	uint8_t data[512] = { 0 };
	struct nvsim_cqe cqe;

	(void)state;
	nvsim_sgl_unkeyed_set(&sqe.dptr.unkeyed, NVSIM_SGL_TYPE_DATA_BLOCK,
			      NVSIM_SGL_SUBTYPE_OFFSET, 0, 512);
	cqe = raw_io(nvsim_host_io(h, 1), &sqe, data, sizeof(data));
	assert_cqe_status(&cqe, NVME_SCT_GENERIC, NVME_SC_INVALID_FIELD);
	nvsim_host_disconnect(h);
	world_free(w);
}

static void test_more_descriptors_than_msdbd_is_invalid_sgl_count(void **state)
{
	struct world *w = world_new(1, false);
	struct nvsim_host *h = connect_host(w, SUBNQN, 1);
	struct nvsim_sqe sqe = rw_sqe(nvme_cmd_read, 1);
	struct nvsim_sgl_keyed list[2];
	struct nvsim_cqe cqe;

	(void)state;
	nvsim_sgl_keyed_set(&list[0], 0x1000, 512, 1, NVSIM_SGL_SUBTYPE_ADDRESS);
	nvsim_sgl_keyed_set(&list[1], 0x2000, 512, 1, NVSIM_SGL_SUBTYPE_ADDRESS);
	nvsim_sgl_unkeyed_set(&sqe.dptr.unkeyed, NVSIM_SGL_TYPE_LAST_SEGMENT,
			      NVSIM_SGL_SUBTYPE_OFFSET, 0, sizeof(list));
	cqe = raw_io(nvsim_host_io(h, 1), &sqe, list, sizeof(list));
	assert_cqe_status(&cqe, NVME_SCT_GENERIC, NVME_SC_SGL_INVALID_COUNT);
	nvsim_host_disconnect(h);
	world_free(w);
}

/* ---- life cycle ------------------------------------------------------------------ */

static void test_keep_alive_expiry_drops_the_host(void **state)
{
	struct world *w = world_new(1, false);
	struct nvsim_host *h = connect_host(w, SUBNQN, 1); /* KATO 30 s */
	struct nvsim_host_status st;

	(void)state;
	w->now_ns += 20ull * 1000000000ull;
	assert_int_equal(nvsim_host_keep_alive(h, &st), 0); /* resets the timer */
	w->now_ns += 20ull * 1000000000ull;
	nvsim_embedded_poll(w->e);
	assert_true(nvsim_hq_connected(nvsim_host_admin(h)));
	w->now_ns += 11ull * 1000000000ull;
	for (int i = 0; i < 200 && nvsim_hq_connected(nvsim_host_admin(h)); i++) {
		nvsim_embedded_poll(w->e);
		nvsim_hq_poll(nvsim_host_admin(h));
		nvsim_hq_poll(nvsim_host_io(h, 1));
	}
	assert_false(nvsim_hq_connected(nvsim_host_admin(h)));
	assert_false(nvsim_hq_connected(nvsim_host_io(h, 1)));
	/* the target reaps its side once its own DISCONNECTED events arrive */
	for (int i = 0; i < 200 && nvsim_subsys_nr_ctrls(w->e->subsys[0]); i++)
		nvsim_embedded_poll(w->e);
	assert_int_equal(nvsim_subsys_nr_ctrls(w->e->subsys[0]), 0);
	nvsim_host_disconnect(h);
	world_free(w);
}

static void test_disconnect_then_reconnect_gets_a_fresh_controller(void **state)
{
	struct world *w = world_new(1, false);
	struct nvsim_host *h = connect_host(w, SUBNQN, 2);
	uint16_t first = nvsim_host_cntlid(h);

	(void)state;
	nvsim_host_disconnect(h);
	for (int i = 0; i < 100; i++)
		nvsim_embedded_poll(w->e);
	assert_int_equal(nvsim_subsys_nr_ctrls(w->e->subsys[0]), 0);
	h = connect_host(w, SUBNQN, 2);
	assert_int_not_equal(nvsim_host_cntlid(h), first);
	assert_int_equal(nvsim_subsys_nr_ctrls(w->e->subsys[0]), 1);
	nvsim_host_disconnect(h);
	world_free(w);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(test_bring_up_reports_fabrics_fields_in_identify),
	cmocka_unit_test(test_discovery_lists_three_subsystems_and_a_referral),
	cmocka_unit_test(test_64mib_over_8_queues_at_depth_128_reads_back_intact),
	cmocka_unit_test(test_in_capsule_write_lands_on_the_namespace),
	cmocka_unit_test(test_cm_short_private_data_arrives_padded_and_is_refused),
	cmocka_unit_test(test_cm_recfmt_nonzero_is_invalid_recfmt),
	cmocka_unit_test(test_cm_admin_hsqsize_31_is_accepted_and_32_rejected),
	cmocka_unit_test(test_cm_hrqsize_smaller_than_sq_is_invalid_hrqsize),
	cmocka_unit_test(test_cm_qid_above_the_target_maximum_is_invalid_qid),
	cmocka_unit_test(test_keyed_sgl_longer_than_mdts_is_invalid_field),
	cmocka_unit_test(test_unknown_sgl_type_is_descriptor_type_invalid),
	cmocka_unit_test(test_in_capsule_offset_past_icd_is_sgl_offset_invalid),
	cmocka_unit_test(test_in_capsule_length_past_data_sent_is_data_sgl_length_invalid),
	cmocka_unit_test(test_in_capsule_data_on_a_read_is_invalid_field),
	cmocka_unit_test(test_more_descriptors_than_msdbd_is_invalid_sgl_count),
	cmocka_unit_test(test_keep_alive_expiry_drops_the_host),
	cmocka_unit_test(test_disconnect_then_reconnect_gets_a_fresh_controller),
};

NVMFSIM_TEST_MAIN(tests)
