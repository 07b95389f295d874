/* Submission and completion (docs/controller.md "Submission and
 * completion"): queue existence and overrun, CQE fields, the SGL-only and
 * no-fused rules of fabrics, data buffer length, and the error log. */
#include "ctrl_harness.h"

static void test_submit_to_missing_queue_is_enoent(void **state)
{
	struct harness h;
	struct h_cmd c;

	(void)state;
	h_start(&h);
	c.sqe = h_sqe(&h, nvme_cmd_flush, 1);
	assert_int_equal(h_submit(&h, 1, &c, NULL, 0), -ENOENT);
	assert_int_equal(c.done, 0);
	h_stop(&h);
}

/* A host may have at most sqsize + 1 commands outstanding on a queue; one
 * more means it overran the queue.  A slow namespace keeps reads
 * outstanding until the clock moves. */
static void test_submit_past_sqsize_plus_one_outstanding_is_ebusy(void **state)
{
	struct harness h;
	struct nvsim_ns_config ns = h_ns_config(NVSIM_NS_RAM, 1 << 20, 512);
	static uint8_t buf[5][512];
	struct h_cmd c[5];

	(void)state;
	h_start(&h);
	ns.latency_ns = MS(1);
	assert_int_equal(nvsim_ctrl_add_ns(h.ctrl, 1, &ns), 0);
	h_io_queues(&h, 1, 3);
	for (int i = 0; i < 4; i++) {
		c[i].sqe = h_sqe_rw(&h, nvme_cmd_read, 1, (uint64_t)i, 1);
		assert_int_equal(h_submit(&h, 1, &c[i], buf[i], 512), 0);
		assert_int_equal(c[i].done, 0);
	}
	c[4].sqe = h_sqe_rw(&h, nvme_cmd_read, 1, 4, 1);
	assert_int_equal(h_submit(&h, 1, &c[4], buf[4], 512), -EBUSY);
	assert_int_equal(c[4].done, 0);

	h_advance(&h, MS(1));
	assert_int_equal(nvsim_ctrl_poll(h.ctrl), 4);
	for (int i = 0; i < 4; i++)
		assert_int_equal(c[i].done, 1);
	/* Room again once they completed. */
	assert_int_equal(h_submit(&h, 1, &c[4], buf[4], 512), 0);
	h_stop(&h);
}

static void test_cqe_echoes_cid_and_carries_sqid(void **state)
{
	struct harness h;
	static uint8_t id[4096], blk[512];
	struct nvsim_sqe s;
	struct nvsim_cqe cqe;

	(void)state;
	h_start_io(&h, NVSIM_NS_RAM, 1 << 20, 512);
	s = h_sqe_identify(&h, NVME_IDENTIFY_CNS_CTRL, 0);
	s.cid = htole16(0xbeef);
	cqe = h_exec(&h, 0, &s, id, sizeof(id));
	assert_success(cqe);
	assert_int_equal(le16toh(cqe.cid), 0xbeef);
	assert_int_equal(le16toh(cqe.sqid), 0);

	s = h_sqe_rw(&h, nvme_cmd_read, 1, 0, 1);
	s.cid = htole16(0x1234);
	cqe = h_exec(&h, 1, &s, blk, sizeof(blk));
	assert_success(cqe);
	assert_int_equal(le16toh(cqe.cid), 0x1234);
	assert_int_equal(le16toh(cqe.sqid), 1);
	h_stop(&h);
}

/* SQHD moves by one per command consumed and wraps at the queue size
 * (NVMe Base 2.0 §4.6 (approx.)). */
static void test_cqe_sqhd_advances_and_wraps(void **state)
{
	struct harness h;
	static uint8_t blk[512];
	uint16_t prev = 0;

	(void)state;
	h_start(&h);
	h_add_ns(&h, 1, NVSIM_NS_NULL, 1 << 20, 512);
	h_io_queues(&h, 1, 7); /* 8 entries */
	for (int i = 0; i < 20; i++) {
		struct nvsim_cqe cqe = h_io(&h, 1, nvme_cmd_read, 1, 0, 1, blk, sizeof(blk));
		uint16_t sqhd = le16toh(cqe.sqhd);

		assert_success(cqe);
		assert_true(sqhd < 8);
		if (i)
			assert_int_equal(sqhd, (prev + 1) % 8);
		prev = sqhd;
	}
	h_stop(&h);
}

/* Fabrics transfer data only in SGLs: PSDT must be 01b (NVMe-oF 1.1 §2.3
 * (approx.)).  PRP (00b) is refused. */
static void test_psdt_prp_is_invalid_field_at_byte_1(void **state)
{
	struct harness h;
	static uint8_t id[4096];
	struct nvsim_sqe s;
	struct nvsim_cqe cqe;

	(void)state;
	h_start(&h);
	s = h_sqe_identify(&h, NVME_IDENTIFY_CNS_CTRL, 0);
	s.flags = 0x00;
	cqe = h_exec(&h, 0, &s, id, sizeof(id));
	assert_generic_error(&h, cqe, NVME_SC_INVALID_FIELD, LOC_FLAGS);
	h_stop(&h);
}

/* PSDT 10b (SGL with metadata SGL) is not 01b either; checked on I/O. */
static void test_psdt_10b_is_invalid_field_at_byte_1(void **state)
{
	struct harness h;
	static uint8_t blk[512];
	struct nvsim_sqe s;
	struct nvsim_cqe cqe;

	(void)state;
	h_start_io(&h, NVSIM_NS_RAM, 1 << 20, 512);
	s = h_sqe_rw(&h, nvme_cmd_read, 1, 0, 1);
	s.flags = 0x80;
	cqe = h_exec(&h, 1, &s, blk, sizeof(blk));
	assert_generic_error(&h, cqe, NVME_SC_INVALID_FIELD, LOC_FLAGS);
	h_stop(&h);
}

/* FUSE bits 1:0 of byte 1: fused operations are not supported (ONCS/FUSES
 * advertise none), so FUSE != 0 is Invalid Field. */
static void test_fused_command_is_invalid_field_at_byte_1(void **state)
{
	struct harness h;
	static uint8_t blk[512];
	struct nvsim_sqe s;
	struct nvsim_cqe cqe;

	(void)state;
	h_start_io(&h, NVSIM_NS_RAM, 1 << 20, 512);
	s = h_sqe_rw(&h, nvme_cmd_compare, 1, 0, 1);
	s.flags = SQE_FLAGS_SGL | 0x01; /* first command of a fused pair */
	cqe = h_exec(&h, 1, &s, blk, sizeof(blk));
	assert_generic_error(&h, cqe, NVME_SC_INVALID_FIELD, LOC_FLAGS);

	s = h_sqe_rw(&h, nvme_cmd_write, 1, 0, 1);
	s.flags = SQE_FLAGS_SGL | 0x02; /* second command */
	cqe = h_exec(&h, 1, &s, blk, sizeof(blk));
	assert_generic_error(&h, cqe, NVME_SC_INVALID_FIELD, LOC_FLAGS);
	h_stop(&h);
}

static void test_short_data_buffer_is_sgl_length_invalid_at_dptr(void **state)
{
	struct harness h;
	static uint8_t blk[1024];
	struct nvsim_cqe cqe;

	(void)state;
	h_start_io(&h, NVSIM_NS_RAM, 1 << 20, 512);
	/* Two blocks need 1024 bytes; the host described 1023. */
	cqe = h_io(&h, 1, nvme_cmd_write, 1, 0, 2, blk, 1023);
	assert_generic_error(&h, cqe, NVME_SC_SGL_INVALID_DATA, LOC_DPTR);
	h_stop(&h);
}

static void test_long_data_buffer_is_sgl_length_invalid_at_dptr(void **state)
{
	struct harness h;
	static uint8_t blk[1024];
	struct nvsim_cqe cqe;

	(void)state;
	h_start_io(&h, NVSIM_NS_RAM, 1 << 20, 512);
	cqe = h_io(&h, 1, nvme_cmd_read, 1, 0, 1, blk, sizeof(blk));
	assert_generic_error(&h, cqe, NVME_SC_SGL_INVALID_DATA, LOC_DPTR);
	h_stop(&h);
}

/* SGLS bit 18: a data SGL longer than the transfer is allowed; the extra
 * bytes are simply not used. */
static void test_long_data_buffer_accepted_with_sgl_oversize_ok(void **state)
{
	struct harness h;
	static uint8_t wr[512], rd[1024];
	struct nvsim_cqe cqe;

	(void)state;
	h_config(&h);
	h.cfg.sgl_oversize_ok = true;
	h_create(&h);
	h_enable(&h);
	h_add_ns(&h, 1, NVSIM_NS_RAM, 1 << 20, 512);
	h_io_queues(&h, 1, 63);
	h_fill_pattern(wr, sizeof(wr), 3);
	assert_success(h_io(&h, 1, nvme_cmd_write, 1, 5, 1, wr, sizeof(wr)));
	memset(rd, 0xee, sizeof(rd));
	cqe = h_io(&h, 1, nvme_cmd_read, 1, 5, 1, rd, sizeof(rd));
	assert_success(cqe);
	assert_memory_equal(rd, wr, sizeof(wr));
	h_stop(&h);
}

/* Every failed command, whatever failed it, gets an Error Information
 * entry; the count grows by one per failure (NVMe Base 2.0 §5.16.1.2
 * (approx.)). */
static void test_every_failed_command_is_recorded_in_error_log(void **state)
{
	struct harness h;
	static uint8_t id[4096], blk[512];
	struct failing_cmd {
		uint16_t qid;
		struct nvsim_sqe sqe;
		void *buf;
		size_t len;
	} cmds[4];
	struct nvme_error_log_page e;
	uint64_t before;

	(void)state;
	h_start_io(&h, NVSIM_NS_RAM, 1 << 20, 512);
	h_errlog_newest(&h, &e);
	before = le64toh(e.error_count);

	cmds[0] = (struct failing_cmd){ 0, h_sqe_identify(&h, 0x7e, 0), id, sizeof(id) };
	cmds[1] = (struct failing_cmd){ 0, h_sqe(&h, nvme_admin_create_sq, 0), NULL, 0 };
	cmds[2] = (struct failing_cmd){ 1, h_sqe_rw(&h, nvme_cmd_read, 9, 0, 1), blk, sizeof(blk) };
	cmds[3] = (struct failing_cmd){ 1, h_sqe_rw(&h, nvme_cmd_read, 1, 1u << 20, 1), blk,
				     sizeof(blk) };
	for (unsigned i = 0; i < 4; i++) {
		struct nvsim_cqe cqe = h_exec(&h, cmds[i].qid, &cmds[i].sqe, cmds[i].buf, cmds[i].len);

		assert_int_not_equal(h_sf(&cqe), 0);
		h_errlog_newest(&h, &e);
		assert_int_equal(le64toh(e.error_count), before + i + 1);
		assert_int_equal(le16toh(e.cmdid), le16toh(cmds[i].sqe.cid));
		assert_int_equal(le16toh(e.sqid), cmds[i].qid);
	}
	h_stop(&h);
}

/* A successful command leaves the error log alone. */
static void test_successful_command_is_not_recorded_in_error_log(void **state)
{
	struct harness h;
	static uint8_t id[4096];
	struct nvme_error_log_page e;
	uint64_t before;

	(void)state;
	h_start(&h);
	assert_success(h_identify(&h, NVME_IDENTIFY_CNS_CTRL, 0, id));
	h_errlog_newest(&h, &e);
	before = le64toh(e.error_count);
	assert_success(h_identify(&h, NVME_IDENTIFY_CNS_CTRL, 0, id));
	h_errlog_newest(&h, &e);
	assert_int_equal(le64toh(e.error_count), before);
	h_stop(&h);
}

/* The admin queue has admin_sqsize + 1 slots too: with sqsize 3, four
 * waiting AERs fill it and a fifth command overruns it before the AER limit
 * is even looked at. */
static void test_admin_queue_overrun_is_ebusy(void **state)
{
	struct harness h;
	struct h_cmd aer[4], ka;

	(void)state;
	h_start(&h);
	assert_int_equal(nvsim_ctrl_set_admin_queue_size(h.ctrl, 3), 0);
	for (int i = 0; i < 4; i++) {
		aer[i].sqe = h_sqe(&h, nvme_admin_async_event, 0);
		assert_int_equal(h_submit(&h, 0, &aer[i], NULL, 0), 0);
		assert_int_equal(aer[i].done, 0);
	}
	ka.sqe = h_sqe(&h, nvme_admin_keep_alive, 0);
	assert_int_equal(h_submit(&h, 0, &ka, NULL, 0), -EBUSY);
	assert_int_equal(ka.done, 0);
	h_stop(&h);
}

/* A command the transport already found wrong completes through the model
 * like any failed command: a queue slot, SQHD, the error log. */
static void test_owner_failed_command_completes_and_lands_in_error_log(void **state)
{
	struct harness h;
	struct h_cmd c;
	struct nvme_error_log_page e;
	const uint16_t sgl_bad = NVSIM_SC_GENERIC(NVME_SC_SGL_INVALID_DATA);

	(void)state;
	h_start_io(&h, NVSIM_NS_RAM, 1 << 20, 512);
	c.sqe = h_sqe_rw(&h, nvme_cmd_write, 1, 0, 1);
	c.done = 0;
	assert_int_equal(nvsim_ctrl_fail_command(h.ctrl, 1, &c.sqe, sgl_bad, LOC_DPTR, h_done, &c),
			 0);
	assert_int_equal(c.done, 1);
	assert_status(c.cqe, NVME_SCT_GENERIC, NVME_SC_SGL_INVALID_DATA, 1);
	assert_int_equal(le16toh(c.cqe.cid), le16toh(c.sqe.cid));
	assert_int_equal(le16toh(c.cqe.sqid), 1);
	h_errlog_newest(&h, &e);
	assert_int_equal(le16toh(e.cmdid), le16toh(c.sqe.cid));
	assert_int_equal(le16toh(e.parm_error_location), LOC_DPTR);
	assert_int_equal(nvsim_ctrl_fail_command(h.ctrl, 9, &c.sqe, sgl_bad, LOC_DPTR, h_done, &c),
			 -ENOENT);
	h_stop(&h);
}

/* Deleting an I/O queue ends what it still holds with Aborted - SQ
 * Deletion, without DNR (the command itself was fine). */
static void test_delete_io_queue_ends_outstanding_with_sq_deletion(void **state)
{
	struct harness h;
	struct nvsim_ns_config ns = h_ns_config(NVSIM_NS_RAM, 1 << 20, 512);
	static uint8_t blk[2][512];
	struct h_cmd c[2];

	(void)state;
	h_start(&h);
	ns.latency_ns = MS(10);
	assert_int_equal(nvsim_ctrl_add_ns(h.ctrl, 1, &ns), 0);
	h_io_queues(&h, 2, 63);
	c[0].sqe = h_sqe_rw(&h, nvme_cmd_read, 1, 0, 1);
	assert_int_equal(h_submit(&h, 1, &c[0], blk[0], 512), 0);
	c[1].sqe = h_sqe_rw(&h, nvme_cmd_read, 1, 0, 1);
	assert_int_equal(h_submit(&h, 2, &c[1], blk[1], 512), 0);
	assert_int_equal(nvsim_ctrl_delete_io_queue(h.ctrl, 1), 0);
	assert_int_equal(c[0].done, 1);
	assert_status(c[0].cqe, NVME_SCT_GENERIC, NVME_SC_ABORT_QUEUE, 0);
	assert_int_equal(c[1].done, 0); /* the other queue is untouched */
	h_advance(&h, MS(10));
	assert_int_equal(nvsim_ctrl_poll(h.ctrl), 1);
	assert_int_equal(c[0].done, 1);
	assert_int_equal(c[1].done, 1);
	assert_success(c[1].cqe);
	h_stop(&h);
}

/* Teardown completes delayed commands too, with Aborted - SQ Deletion. */
static void test_teardown_ends_delayed_completions_with_sq_deletion(void **state)
{
	struct harness h;
	struct nvsim_ns_config ns = h_ns_config(NVSIM_NS_RAM, 1 << 20, 512);
	static uint8_t blk[512];
	struct h_cmd c;

	(void)state;
	h_start(&h);
	ns.latency_ns = MS(10);
	assert_int_equal(nvsim_ctrl_add_ns(h.ctrl, 1, &ns), 0);
	h_io_queues(&h, 1, 63);
	c.sqe = h_sqe_rw(&h, nvme_cmd_read, 1, 0, 1);
	assert_int_equal(h_submit(&h, 1, &c, blk, 512), 0);
	nvsim_ctrl_teardown(h.ctrl);
	assert_int_equal(c.done, 1);
	assert_status(c.cqe, NVME_SCT_GENERIC, NVME_SC_ABORT_QUEUE, 0);
	h_advance(&h, MS(10));
	nvsim_ctrl_poll(h.ctrl);
	assert_int_equal(c.done, 1);
	h_stop(&h);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(test_submit_to_missing_queue_is_enoent),
	cmocka_unit_test(test_submit_past_sqsize_plus_one_outstanding_is_ebusy),
	cmocka_unit_test(test_cqe_echoes_cid_and_carries_sqid),
	cmocka_unit_test(test_cqe_sqhd_advances_and_wraps),
	cmocka_unit_test(test_psdt_prp_is_invalid_field_at_byte_1),
	cmocka_unit_test(test_psdt_10b_is_invalid_field_at_byte_1),
	cmocka_unit_test(test_fused_command_is_invalid_field_at_byte_1),
	cmocka_unit_test(test_short_data_buffer_is_sgl_length_invalid_at_dptr),
	cmocka_unit_test(test_long_data_buffer_is_sgl_length_invalid_at_dptr),
	cmocka_unit_test(test_long_data_buffer_accepted_with_sgl_oversize_ok),
	cmocka_unit_test(test_every_failed_command_is_recorded_in_error_log),
	cmocka_unit_test(test_successful_command_is_not_recorded_in_error_log),
	cmocka_unit_test(test_admin_queue_overrun_is_ebusy),
	cmocka_unit_test(test_owner_failed_command_completes_and_lands_in_error_log),
	cmocka_unit_test(test_delete_io_queue_ends_outstanding_with_sq_deletion),
	cmocka_unit_test(test_teardown_ends_delayed_completions_with_sq_deletion),
};

NVMFSIM_TEST_MAIN(tests)
