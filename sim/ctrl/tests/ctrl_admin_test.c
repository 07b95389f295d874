/* Admin opcodes a fabrics controller refuses, fabrics commands that do not
 * belong to the model, and Abort (docs/controller.md "Admin commands";
 * NVMe-oF 1.1 §2.4 (approx.); NVMe Base 2.0 §5.1 (approx.)). */
#include "ctrl_harness.h"

static void check_invalid_admin_opcode(uint8_t opcode)
{
	struct harness h;
	struct nvsim_sqe s;

	h_start(&h);
	s = h_sqe(&h, opcode, 0);
	s.cdw10 = htole32(1); /* a plausible QID, so only the opcode is wrong */
	assert_generic_error(&h, h_exec(&h, 0, &s, NULL, 0), NVME_SC_INVALID_OPCODE, LOC_OPCODE);
	h_stop(&h);
}

/* On fabrics, I/O queues are created by Connect: the PCIe queue management
 * commands and Doorbell Buffer Config do not exist. */
static void test_create_io_sq_is_invalid_opcode(void **state)
{
	(void)state;
	check_invalid_admin_opcode(nvme_admin_create_sq);
}

static void test_delete_io_sq_is_invalid_opcode(void **state)
{
	(void)state;
	check_invalid_admin_opcode(nvme_admin_delete_sq);
}

static void test_create_io_cq_is_invalid_opcode(void **state)
{
	(void)state;
	check_invalid_admin_opcode(nvme_admin_create_cq);
}

static void test_delete_io_cq_is_invalid_opcode(void **state)
{
	(void)state;
	check_invalid_admin_opcode(nvme_admin_delete_cq);
}

static void test_doorbell_buffer_config_is_invalid_opcode(void **state)
{
	(void)state;
	check_invalid_admin_opcode(nvme_admin_dbbuf);
}

/* 03h is reserved in the admin command set; Format NVM (80h) is not
 * implemented. */
static void test_unknown_admin_opcode_is_invalid_opcode(void **state)
{
	(void)state;
	check_invalid_admin_opcode(0x03);
	check_invalid_admin_opcode(nvme_admin_format_nvm);
}

/* Connect belongs to the target wing; reaching the model it is an invalid
 * fabrics command, located at FCTYPE. */
static void test_fabrics_connect_reaching_model_is_invalid_opcode_at_fctype(void **state)
{
	struct harness h;
	struct nvsim_sqe s;

	(void)state;
	h_start(&h);
	s = h_sqe_fabrics(&h, nvme_fabrics_type_connect);
	assert_generic_error(&h, h_exec(&h, 0, &s, NULL, 0), NVME_SC_INVALID_OPCODE, LOC_NSID);
	h_stop(&h);
}

static void test_unknown_fabrics_type_is_invalid_opcode_at_fctype(void **state)
{
	struct harness h;
	struct nvsim_sqe s;

	(void)state;
	h_start(&h);
	s = h_sqe_fabrics(&h, 0x3f);
	assert_generic_error(&h, h_exec(&h, 0, &s, NULL, 0), NVME_SC_INVALID_OPCODE, LOC_NSID);
	h_stop(&h);
}

/* A waiting AER is held by the controller, so Abort can end it: the AER
 * completes with Command Abort Requested and Abort's DW0 bit 0 is 0. */
static void test_abort_waiting_aer_completes_it_with_aborted_by_request(void **state)
{
	struct harness h;
	struct h_cmd aer;
	struct nvsim_sqe s;
	struct nvsim_cqe cqe;

	(void)state;
	h_start(&h);
	aer.sqe = h_sqe(&h, nvme_admin_async_event, 0);
	assert_int_equal(h_submit(&h, 0, &aer, NULL, 0), 0);
	assert_int_equal(aer.done, 0);
	s = h_sqe_abort(&h, 0, le16toh(aer.sqe.cid));
	cqe = h_exec(&h, 0, &s, NULL, 0);
	assert_success(cqe);
	assert_int_equal(le32toh(cqe.dw0) & 1, 0);
	assert_int_equal(aer.done, 1);
	assert_status(aer.cqe, NVME_SCT_GENERIC, NVME_SC_ABORT_REQ, 0);
	assert_int_equal(le16toh(aer.cqe.cid), le16toh(aer.sqe.cid));
	h_stop(&h);
}

/* A completion held back by a slow namespace can be aborted too, and then
 * never completes a second time when the clock catches up. */
static void test_abort_delayed_io_completes_it_with_aborted_by_request(void **state)
{
	struct harness h;
	struct nvsim_ns_config ns = h_ns_config(NVSIM_NS_RAM, 1 << 20, 512);
	static uint8_t blk[512];
	struct h_cmd rd;
	struct nvsim_sqe s;
	struct nvsim_cqe cqe;

	(void)state;
	h_start(&h);
	ns.latency_ns = MS(5);
	assert_int_equal(nvsim_ctrl_add_ns(h.ctrl, 1, &ns), 0);
	h_io_queues(&h, 1, 63);
	rd.sqe = h_sqe_rw(&h, nvme_cmd_read, 1, 0, 1);
	assert_int_equal(h_submit(&h, 1, &rd, blk, sizeof(blk)), 0);
	assert_int_equal(rd.done, 0);
	s = h_sqe_abort(&h, 1, le16toh(rd.sqe.cid));
	cqe = h_exec(&h, 0, &s, NULL, 0);
	assert_success(cqe);
	assert_int_equal(le32toh(cqe.dw0) & 1, 0);
	assert_int_equal(rd.done, 1);
	assert_status(rd.cqe, NVME_SCT_GENERIC, NVME_SC_ABORT_REQ, 0);
	h_advance(&h, MS(10));
	nvsim_ctrl_poll(h.ctrl);
	assert_int_equal(rd.done, 1);
	h_stop(&h);
}

/* A command that already completed cannot be aborted: DW0 bit 0 = 1. */
static void test_abort_of_completed_command_reports_not_aborted(void **state)
{
	struct harness h;
	static uint8_t id[4096];
	struct nvsim_sqe idf, s;
	struct nvsim_cqe cqe;

	(void)state;
	h_start(&h);
	idf = h_sqe_identify(&h, NVME_IDENTIFY_CNS_CTRL, 0);
	assert_success(h_exec(&h, 0, &idf, id, sizeof(id)));
	s = h_sqe_abort(&h, 0, le16toh(idf.cid));
	cqe = h_exec(&h, 0, &s, NULL, 0);
	assert_success(cqe);
	assert_int_equal(le32toh(cqe.dw0) & 1, 1);
	h_stop(&h);
}

/* The CID matches only on the named SQ: an AER with the same CID on the
 * admin queue is not touched by an Abort naming SQ 1. */
static void test_abort_matches_sqid_and_cid(void **state)
{
	struct harness h;
	struct h_cmd aer;
	struct nvsim_sqe s;
	struct nvsim_cqe cqe;

	(void)state;
	h_start_io(&h, NVSIM_NS_NULL, 1 << 20, 512);
	aer.sqe = h_sqe(&h, nvme_admin_async_event, 0);
	assert_int_equal(h_submit(&h, 0, &aer, NULL, 0), 0);
	s = h_sqe_abort(&h, 1, le16toh(aer.sqe.cid));
	cqe = h_exec(&h, 0, &s, NULL, 0);
	assert_success(cqe);
	assert_int_equal(le32toh(cqe.dw0) & 1, 1);
	assert_int_equal(aer.done, 0);
	h_stop(&h);
}

/* ---- discovery controller (ctrl.h: as Linux nvmet_parse_discovery_cmd) ---- */

#define DISC_LOG_BYTES 3072u

static size_t disc_size(void *arg)
{
	(void)arg;
	return DISC_LOG_BYTES;
}

/* Byte i of the owner's page is (i / 4) & 0xff: a window shows where it
 * came from. */
static void disc_fill(void *arg, uint8_t *buf, size_t len)
{
	(void)arg;
	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)(i / 4);
}

static void start_discovery(struct harness *h)
{
	h_config(h);
	h->cfg.discovery = true;
	h->cfg.extra_log.lid = NVME_LOG_LID_DISCOVER;
	h->cfg.extra_log.size = disc_size;
	h->cfg.extra_log.fill = disc_fill;
	h_create(h);
	h_enable(h);
}

/* The owner's page (the Discovery log) is served with the usual window
 * rules: LPO, and zeros past the end of the page. */
static void test_discovery_controller_serves_owner_log_page(void **state)
{
	struct harness h;
	static uint8_t buf[4096];

	(void)state;
	start_discovery(&h);
	memset(buf, 0xa5, sizeof(buf));
	assert_success(h_get_log(&h, NVME_LOG_LID_DISCOVER, 0, buf, 1024, 1024, false));
	for (size_t i = 0; i < 1024; i++)
		assert_int_equal(buf[i], (uint8_t)((1024 + i) / 4));
	assert_success(h_get_log(&h, NVME_LOG_LID_DISCOVER, 0, buf, 4096, 0, false));
	assert_int_equal(buf[DISC_LOG_BYTES - 1], (uint8_t)((DISC_LOG_BYTES - 1) / 4));
	assert_true(h_all_bytes(buf + DISC_LOG_BYTES, 4096 - DISC_LOG_BYTES, 0));
	/* past the end (greater than the size, §5.16 LPOL) */
	assert_status(h_get_log(&h, NVME_LOG_LID_DISCOVER, 0, buf, 4, DISC_LOG_BYTES + 4, false),
		      NVME_SCT_GENERIC, NVME_SC_INVALID_FIELD, 1);
	h_stop(&h);
}

/* Identify Controller, Get/Set Features, Keep Alive and AER work; other
 * admin commands are Invalid Opcode, other CNS and LIDs Invalid Field.
 * (Its error log cannot be read: LID 01h is one of those other LIDs.) */
static void test_discovery_controller_allows_only_discovery_commands(void **state)
{
	struct harness h;
	static uint8_t id[4096], smart[512];
	struct nvsim_sqe s;
	struct h_cmd aer;

	(void)state;
	start_discovery(&h);
	nvsim_ctrl_set_kato(h.ctrl, 5000);
	assert_success(h_identify(&h, NVME_IDENTIFY_CNS_CTRL, 0, id));
	assert_int_equal(h_get_feat(&h, NVME_FEAT_FID_KATO, 0, 0), 5000);
	s = h_sqe(&h, nvme_admin_keep_alive, 0);
	assert_success(h_exec(&h, 0, &s, NULL, 0));
	aer.sqe = h_sqe(&h, nvme_admin_async_event, 0);
	assert_int_equal(h_submit(&h, 0, &aer, NULL, 0), 0);
	assert_int_equal(aer.done, 0);

	s = h_sqe_abort(&h, 0, le16toh(aer.sqe.cid));
	assert_status(h_exec(&h, 0, &s, NULL, 0), NVME_SCT_GENERIC, NVME_SC_INVALID_OPCODE, 1);
	assert_int_equal(aer.done, 0);
	assert_status(h_identify(&h, NVME_IDENTIFY_CNS_NS_ACTIVE_LIST, 0, id), NVME_SCT_GENERIC,
		      NVME_SC_INVALID_FIELD, 1);
	assert_status(h_get_log(&h, NVME_LOG_LID_SMART, 0, smart, sizeof(smart), 0, false),
		      NVME_SCT_GENERIC, NVME_SC_INVALID_FIELD, 1);
	h_stop(&h);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(test_create_io_sq_is_invalid_opcode),
	cmocka_unit_test(test_delete_io_sq_is_invalid_opcode),
	cmocka_unit_test(test_create_io_cq_is_invalid_opcode),
	cmocka_unit_test(test_delete_io_cq_is_invalid_opcode),
	cmocka_unit_test(test_doorbell_buffer_config_is_invalid_opcode),
	cmocka_unit_test(test_unknown_admin_opcode_is_invalid_opcode),
	cmocka_unit_test(test_fabrics_connect_reaching_model_is_invalid_opcode_at_fctype),
	cmocka_unit_test(test_unknown_fabrics_type_is_invalid_opcode_at_fctype),
	cmocka_unit_test(test_abort_waiting_aer_completes_it_with_aborted_by_request),
	cmocka_unit_test(test_abort_delayed_io_completes_it_with_aborted_by_request),
	cmocka_unit_test(test_abort_of_completed_command_reports_not_aborted),
	cmocka_unit_test(test_abort_matches_sqid_and_cid),
	cmocka_unit_test(test_discovery_controller_serves_owner_log_page),
	cmocka_unit_test(test_discovery_controller_allows_only_discovery_commands),
};

NVMFSIM_TEST_MAIN(tests)
