/* Registers as fabrics properties, enable, shutdown and reset
 * (docs/controller.md "Registers and enable"; NVMe Base 2.0 §3.1.4 and
 * §3.5 (approx.); Property Get/Set in §6.5/§6.6 (approx.)). */
#include "ctrl_harness.h"

#define CAP_MQES(cap) ((unsigned)((cap) & 0xffff))
#define CAP_CQR(cap) ((unsigned)(((cap) >> 16) & 0x1))
#define CAP_TO(cap) ((unsigned)(((cap) >> 24) & 0xff))
#define CAP_CSS(cap) ((unsigned)(((cap) >> 37) & 0xff))
#define CAP_MPSMIN(cap) ((unsigned)(((cap) >> 48) & 0xf))
#define CAP_MPSMAX(cap) ((unsigned)(((cap) >> 52) & 0xf))

static uint64_t get_prop(struct harness *h, uint32_t ofst, unsigned size)
{
	uint64_t v = 0;
	uint16_t loc = 0;

	assert_int_equal(nvsim_ctrl_prop_get(h->ctrl, ofst, size, &v, &loc), 0);
	return v;
}

static void test_cap_mqes_follows_configuration_up_to_65535(void **state)
{
	static const uint16_t mqes[] = { 1, 511, 65535 };

	(void)state;
	for (unsigned i = 0; i < 3; i++) {
		struct harness h;

		h_config(&h);
		h.cfg.mqes = mqes[i];
		h_create(&h);
		assert_int_equal(CAP_MQES(get_prop(&h, NVME_REG_CAP, 8)), mqes[i]);
		h_stop(&h);
	}
}

/* CQR = 1 (queues contiguous), TO = 15 (7.5 s), CSS bit 0 (NVM command
 * set), MPSMIN = MPSMAX = 0 (4 KiB pages only). */
static void test_cap_reports_cqr_to_css_and_4k_pages(void **state)
{
	struct harness h;
	uint64_t cap;

	(void)state;
	h_config(&h);
	h_create(&h);
	cap = get_prop(&h, NVME_REG_CAP, 8);
	assert_int_equal(CAP_CQR(cap), 1);
	assert_int_equal(CAP_TO(cap), 15);
	assert_true(CAP_CSS(cap) & 0x01);
	assert_int_equal(CAP_MPSMIN(cap), 0);
	assert_int_equal(CAP_MPSMAX(cap), 0);
	h_stop(&h);
}

static void test_vs_is_2_0_0(void **state)
{
	struct harness h;

	(void)state;
	h_config(&h);
	h_create(&h);
	assert_int_equal(get_prop(&h, NVME_REG_VS, 4), 0x00020000);
	h_stop(&h);
}

/* Property Get returns the value in CQE bytes 07:00 (NVMe Base 2.0 §6.6
 * (approx.), Property Get Response). */
static void test_property_get_command_returns_value_in_dw0_dw1(void **state)
{
	struct harness h;
	struct nvsim_sqe s;
	struct nvsim_cqe cqe;
	uint64_t cap;

	(void)state;
	h_start(&h);
	cap = get_prop(&h, NVME_REG_CAP, 8);
	s = h_sqe_prop_get(&h, NVME_REG_CAP, NVSIM_PROP_ATTRIB_SIZE_8);
	cqe = h_exec(&h, 0, &s, NULL, 0);
	assert_success(cqe);
	assert_int_equal((uint64_t)le32toh(cqe.dw1) << 32 | le32toh(cqe.dw0), cap);

	s = h_sqe_prop_get(&h, NVME_REG_CSTS, 0);
	cqe = h_exec(&h, 0, &s, NULL, 0);
	assert_success(cqe);
	assert_int_equal(le32toh(cqe.dw0) & CSTS_RDY, CSTS_RDY);
	h_stop(&h);
}

/* CAP is an 8-byte property only; a 4-byte read is Invalid Field at ATTRIB. */
static void test_property_get_cap_as_4_bytes_is_invalid_field_at_attrib(void **state)
{
	struct harness h;
	struct nvsim_sqe s;
	uint64_t v;
	uint16_t loc = 0;

	(void)state;
	h_start(&h);
	assert_int_equal(nvsim_ctrl_prop_get(h.ctrl, NVME_REG_CAP, 4, &v, &loc),
			 NVSIM_SC_GENERIC(NVME_SC_INVALID_FIELD));
	assert_int_equal(loc, LOC_CDW10);
	s = h_sqe_prop_get(&h, NVME_REG_CAP, 0);
	assert_generic_error(&h, h_exec(&h, 0, &s, NULL, 0), NVME_SC_INVALID_FIELD, LOC_CDW10);
	h_stop(&h);
}

/* VS, CC and CSTS are 4-byte properties only. */
static void test_property_get_vs_cc_csts_as_8_bytes_is_invalid_field_at_attrib(void **state)
{
	static const uint32_t regs[] = { NVME_REG_VS, NVME_REG_CC, NVME_REG_CSTS };
	struct harness h;

	(void)state;
	h_start(&h);
	for (unsigned i = 0; i < 3; i++) {
		struct nvsim_sqe s = h_sqe_prop_get(&h, regs[i], NVSIM_PROP_ATTRIB_SIZE_8);
		uint64_t v;
		uint16_t loc = 0;

		assert_int_equal(nvsim_ctrl_prop_get(h.ctrl, regs[i], 8, &v, &loc),
				 NVSIM_SC_GENERIC(NVME_SC_INVALID_FIELD));
		assert_int_equal(loc, LOC_CDW10);
		assert_generic_error(&h, h_exec(&h, 0, &s, NULL, 0), NVME_SC_INVALID_FIELD,
				     LOC_CDW10);
	}
	h_stop(&h);
}

static void test_property_get_unknown_offset_is_invalid_field_at_ofst(void **state)
{
	struct harness h;
	struct nvsim_sqe s;
	uint64_t v;
	uint16_t loc = 0;

	(void)state;
	h_start(&h);
	assert_int_equal(nvsim_ctrl_prop_get(h.ctrl, 0x40, 4, &v, &loc),
			 NVSIM_SC_GENERIC(NVME_SC_INVALID_FIELD));
	assert_int_equal(loc, LOC_CDW11);
	s = h_sqe_prop_get(&h, 0x40, 0);
	assert_generic_error(&h, h_exec(&h, 0, &s, NULL, 0), NVME_SC_INVALID_FIELD, LOC_CDW11);
	h_stop(&h);
}

/* ATTRIB bits 7:1 are reserved. */
static void test_property_get_reserved_attrib_bits_are_invalid_field_at_attrib(void **state)
{
	struct harness h;
	struct nvsim_sqe s;

	(void)state;
	h_start(&h);
	s = h_sqe_prop_get(&h, NVME_REG_VS, 0x02);
	assert_generic_error(&h, h_exec(&h, 0, &s, NULL, 0), NVME_SC_INVALID_FIELD, LOC_CDW10);
	h_stop(&h);
}

/* Like Linux nvmet, Property Set writes CC only, and only as 4 bytes. */
static void test_property_set_8_byte_cc_is_invalid_field_at_attrib(void **state)
{
	struct harness h;
	struct nvsim_sqe s;
	uint16_t loc = 0;

	(void)state;
	h_config(&h);
	h_create(&h);
	assert_int_equal(nvsim_ctrl_prop_set(h.ctrl, NVME_REG_CC, 8, CC_READY_VALUE, &loc),
			 NVSIM_SC_GENERIC(NVME_SC_INVALID_FIELD));
	assert_int_equal(loc, LOC_CDW10);
	assert_false(nvsim_ctrl_ready(h.ctrl)); /* and nothing was written */
	h_enable(&h);
	s = h_sqe_prop_set(&h, NVME_REG_CC, NVSIM_PROP_ATTRIB_SIZE_8, CC_READY_VALUE);
	assert_generic_error(&h, h_exec(&h, 0, &s, NULL, 0), NVME_SC_INVALID_FIELD, LOC_CDW10);
	h_stop(&h);
}

static void test_property_set_other_offset_is_invalid_field_at_ofst(void **state)
{
	static const uint32_t regs[] = { NVME_REG_CAP, NVME_REG_VS, NVME_REG_CSTS, NVME_REG_AQA };
	struct harness h;

	(void)state;
	h_start(&h);
	for (unsigned i = 0; i < 4; i++) {
		struct nvsim_sqe s = h_sqe_prop_set(&h, regs[i], 0, 0);
		uint16_t loc = 0;

		assert_int_equal(nvsim_ctrl_prop_set(h.ctrl, regs[i], 4, 0, &loc),
				 NVSIM_SC_GENERIC(NVME_SC_INVALID_FIELD));
		assert_int_equal(loc, LOC_CDW11);
		assert_generic_error(&h, h_exec(&h, 0, &s, NULL, 0), NVME_SC_INVALID_FIELD,
				     LOC_CDW11);
	}
	h_stop(&h);
}

/* The host enables the controller with a Property Set command of CC. */
static void test_property_set_command_writes_cc(void **state)
{
	struct harness h;
	struct nvsim_sqe s;

	(void)state;
	h_config(&h);
	h_create(&h);
	s = h_sqe_prop_set(&h, NVME_REG_CC, 0, CC_READY_VALUE);
	assert_success(h_exec(&h, 0, &s, NULL, 0));
	assert_true(nvsim_ctrl_ready(h.ctrl));
	assert_int_equal(get_prop(&h, NVME_REG_CC, 4), CC_READY_VALUE);
	h_stop(&h);
}

static void test_enable_sets_csts_rdy(void **state)
{
	struct harness h;

	(void)state;
	h_config(&h);
	h_create(&h);
	assert_int_equal(h_csts(&h) & (CSTS_RDY | CSTS_CFS), 0);
	h_write_cc(&h, CC_READY_VALUE);
	assert_int_equal(h_csts(&h) & (CSTS_RDY | CSTS_CFS), CSTS_RDY);
	h_stop(&h);
}

/* Enable with one bad CC field: CSTS.CFS set, RDY stays 0. */
static void check_enable_fails(uint32_t cc, bool discovery)
{
	struct harness h;

	h_config(&h);
	h.cfg.discovery = discovery;
	h_create(&h);
	h_write_cc(&h, cc);
	assert_int_equal(h_csts(&h) & (CSTS_RDY | CSTS_CFS), CSTS_CFS);
	assert_false(nvsim_ctrl_ready(h.ctrl));
	h_stop(&h);
}

/* I/O controllers need 64-byte SQEs (IOSQES 6) and 16-byte CQEs (IOCQES 4). */
static void test_enable_with_iosqes_5_sets_cfs(void **state)
{
	(void)state;
	check_enable_fails(CC_EN | CC_IOSQES(5) | CC_IOCQES(4), false);
}

static void test_enable_with_iocqes_5_sets_cfs(void **state)
{
	(void)state;
	check_enable_fails(CC_EN | CC_IOSQES(6) | CC_IOCQES(5), false);
}

/* A discovery controller has no I/O queues: nvmet does not check the queue
 * entry sizes there. */
static void test_discovery_controller_enables_without_iosqes_iocqes(void **state)
{
	struct harness h;

	(void)state;
	h_config(&h);
	h.cfg.discovery = true;
	h_create(&h);
	h_write_cc(&h, CC_EN);
	assert_int_equal(h_csts(&h) & (CSTS_RDY | CSTS_CFS), CSTS_RDY);
	h_stop(&h);
}

/* MPS 1 (8 KiB) is outside CAP.MPSMIN..MPSMAX = 0..0. */
static void test_enable_with_mps_outside_cap_sets_cfs(void **state)
{
	(void)state;
	check_enable_fails(CC_READY_VALUE | CC_MPS(1), false);
}

/* AMS 001b (weighted round robin) is not offered (CAP.AMS = 0). */
static void test_enable_with_ams_not_round_robin_sets_cfs(void **state)
{
	(void)state;
	check_enable_fails(CC_READY_VALUE | CC_AMS(1), false);
}

/* CSS 110b and 111b need CAP.CSS bits 6 and 7, which are not offered; 001b
 * is reserved. */
static void test_enable_with_css_not_offered_sets_cfs(void **state)
{
	(void)state;
	check_enable_fails(CC_READY_VALUE | CC_CSS(1), false);
	check_enable_fails(CC_READY_VALUE | CC_CSS(6), false);
	check_enable_fails(CC_READY_VALUE | CC_CSS(7), false);
}

/* The keep-alive timer restarts at enable: time spent before it does not
 * count towards KATO (NVMe Base 2.0 §3.9 (approx.)). */
static void test_enable_restarts_keep_alive_timer(void **state)
{
	struct harness h;

	(void)state;
	h_config(&h);
	h_create(&h);
	nvsim_ctrl_set_kato(h.ctrl, 2000);
	h_advance(&h, MS(1500));
	h_enable(&h);
	h_advance(&h, MS(1500)); /* 3 s since creation, 1.5 s since enable */
	nvsim_ctrl_poll(h.ctrl);
	assert_int_equal(h.kato_expired, 0);
	h_advance(&h, MS(600));
	nvsim_ctrl_poll(h.ctrl);
	assert_int_equal(h.kato_expired, 1);
	h_stop(&h);
}

static void test_disable_clears_rdy(void **state)
{
	struct harness h;

	(void)state;
	h_start(&h);
	h_write_cc(&h, CC_READY_VALUE & ~CC_EN);
	assert_int_equal(h_csts(&h) & CSTS_RDY, 0);
	assert_false(nvsim_ctrl_ready(h.ctrl));
	h_stop(&h);
}

static void test_disable_deletes_io_queues(void **state)
{
	struct harness h;
	struct h_cmd c;

	(void)state;
	h_start_io(&h, NVSIM_NS_NULL, 1 << 20, 512);
	h_write_cc(&h, 0);
	c.sqe = h_sqe(&h, nvme_cmd_flush, 1);
	assert_int_equal(h_submit(&h, 1, &c, NULL, 0), -ENOENT);
	h_stop(&h);
}

/* Outstanding I/O of a deleted queue ends with Aborted - SQ Deletion. */
static void test_disable_aborts_outstanding_io_with_sq_deletion(void **state)
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
	assert_int_equal(h_submit(&h, 1, &c, blk, sizeof(blk)), 0);
	assert_int_equal(c.done, 0);
	h_write_cc(&h, 0);
	assert_int_equal(c.done, 1);
	assert_status(c.cqe, NVME_SCT_GENERIC, NVME_SC_ABORT_QUEUE, 0);
	assert_int_equal(le16toh(c.cqe.cid), le16toh(c.sqe.cid));
	/* and it does not complete a second time */
	h_advance(&h, MS(20));
	nvsim_ctrl_poll(h.ctrl);
	assert_int_equal(c.done, 1);
	h_stop(&h);
}

static void test_disable_ends_waiting_aers_with_sq_deletion(void **state)
{
	struct harness h;
	struct h_cmd aer[2];

	(void)state;
	h_start(&h);
	for (int i = 0; i < 2; i++) {
		aer[i].sqe = h_sqe(&h, nvme_admin_async_event, 0);
		assert_int_equal(h_submit(&h, 0, &aer[i], NULL, 0), 0);
		assert_int_equal(aer[i].done, 0);
	}
	h_write_cc(&h, 0);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(aer[i].done, 1);
		assert_status(aer[i].cqe, NVME_SCT_GENERIC, NVME_SC_ABORT_QUEUE, 0);
	}
	h_stop(&h);
}

/* Controller reset returns every feature to its default. */
static void test_disable_returns_features_to_defaults(void **state)
{
	struct harness h;
	uint32_t arb, vwc, tler;

	(void)state;
	h_start(&h);
	arb = h_get_feat(&h, NVME_FEAT_FID_ARBITRATION, 0, 0);
	vwc = h_get_feat(&h, NVME_FEAT_FID_VOLATILE_WC, 0, 0);
	tler = h_get_feat(&h, NVME_FEAT_FID_ERR_RECOVERY, 0, 0);
	assert_success(h_set_feat(&h, NVME_FEAT_FID_ARBITRATION, arb ^ 0x01020300u));
	assert_success(h_set_feat(&h, NVME_FEAT_FID_VOLATILE_WC, vwc ^ 1u));
	assert_success(h_set_feat(&h, NVME_FEAT_FID_ERR_RECOVERY, (tler ^ 0x10u) & 0xffffu));
	assert_int_not_equal(h_get_feat(&h, NVME_FEAT_FID_ARBITRATION, 0, 0), arb);

	h_write_cc(&h, 0);
	h_enable(&h);
	assert_int_equal(h_get_feat(&h, NVME_FEAT_FID_ARBITRATION, 0, 0), arb);
	assert_int_equal(h_get_feat(&h, NVME_FEAT_FID_VOLATILE_WC, 0, 0), vwc);
	assert_int_equal(h_get_feat(&h, NVME_FEAT_FID_ERR_RECOVERY, 0, 0), tler);
	h_stop(&h);
}

/* Shutdown completes at once: SHN 01b (normal) or 10b (abrupt) sets
 * CSTS.SHST to 10b (complete) (NVMe Base 2.0 §3.6 (approx.)). */
static void test_normal_shutdown_sets_shst_complete(void **state)
{
	struct harness h;

	(void)state;
	h_start(&h);
	h_write_cc(&h, CC_READY_VALUE | CC_SHN(1));
	assert_int_equal(CSTS_SHST(h_csts(&h)), NVME_CSTS_SHST_CMPLT);
	h_stop(&h);
}

static void test_abrupt_shutdown_sets_shst_complete(void **state)
{
	struct harness h;

	(void)state;
	h_start(&h);
	h_write_cc(&h, CC_READY_VALUE | CC_SHN(2));
	assert_int_equal(CSTS_SHST(h_csts(&h)), NVME_CSTS_SHST_CMPLT);
	h_stop(&h);
}

static void test_clearing_shn_clears_shst(void **state)
{
	struct harness h;

	(void)state;
	h_start(&h);
	h_write_cc(&h, CC_READY_VALUE | CC_SHN(1));
	assert_int_equal(CSTS_SHST(h_csts(&h)), NVME_CSTS_SHST_CMPLT);
	h_write_cc(&h, CC_READY_VALUE);
	assert_int_equal(CSTS_SHST(h_csts(&h)), NVME_CSTS_SHST_NORMAL);
	h_stop(&h);
}

/* Before CSTS.RDY only fabrics commands are accepted (Linux
 * nvmet_check_ctrl_status); the error is located at the opcode. */
static void test_admin_command_before_ready_is_command_sequence_error(void **state)
{
	struct harness h;
	static uint8_t id[4096];
	struct nvsim_sqe s;
	struct nvsim_cqe cqe;
	struct nvme_error_log_page e;

	(void)state;
	h_config(&h);
	h_create(&h);
	s = h_sqe_identify(&h, NVME_IDENTIFY_CNS_CTRL, 0);
	cqe = h_exec(&h, 0, &s, id, sizeof(id));
	assert_status(cqe, NVME_SCT_GENERIC, NVME_SC_CMD_SEQ_ERROR, 1);
	s = h_sqe_get_feat(&h, NVME_FEAT_FID_ARBITRATION, 0, 0);
	cqe = h_exec(&h, 0, &s, NULL, 0);
	assert_status(cqe, NVME_SCT_GENERIC, NVME_SC_CMD_SEQ_ERROR, 1);
	/* Once ready, the log shows where it failed. */
	h_enable(&h);
	h_errlog_newest(&h, &e);
	assert_int_equal(le16toh(e.cmdid), le16toh(s.cid));
	assert_int_equal(le16toh(e.parm_error_location), LOC_OPCODE);
	h_stop(&h);
}

/* Property Get/Set are how a host gets to ready, so they work before it. */
static void test_property_commands_accepted_before_ready(void **state)
{
	struct harness h;
	struct nvsim_sqe s;
	struct nvsim_cqe cqe;

	(void)state;
	h_config(&h);
	h_create(&h);
	s = h_sqe_prop_get(&h, NVME_REG_VS, 0);
	cqe = h_exec(&h, 0, &s, NULL, 0);
	assert_success(cqe);
	assert_int_equal(le32toh(cqe.dw0), 0x00020000);
	s = h_sqe_prop_set(&h, NVME_REG_CC, 0, CC_READY_VALUE);
	assert_success(h_exec(&h, 0, &s, NULL, 0));
	assert_true(nvsim_ctrl_ready(h.ctrl));
	h_stop(&h);
}

static void test_io_queue_cannot_be_added_before_ready(void **state)
{
	struct harness h;

	(void)state;
	h_config(&h);
	h_create(&h);
	assert_true(nvsim_ctrl_add_io_queue(h.ctrl, 1, 63) < 0);
	/* The same call succeeds once the controller is ready and queues
	 * were granted, so the refusal above was about readiness. */
	h_enable(&h);
	h_io_queues(&h, 1, 63);
	h_stop(&h);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(test_cap_mqes_follows_configuration_up_to_65535),
	cmocka_unit_test(test_cap_reports_cqr_to_css_and_4k_pages),
	cmocka_unit_test(test_vs_is_2_0_0),
	cmocka_unit_test(test_property_get_command_returns_value_in_dw0_dw1),
	cmocka_unit_test(test_property_get_cap_as_4_bytes_is_invalid_field_at_attrib),
	cmocka_unit_test(test_property_get_vs_cc_csts_as_8_bytes_is_invalid_field_at_attrib),
	cmocka_unit_test(test_property_get_unknown_offset_is_invalid_field_at_ofst),
	cmocka_unit_test(test_property_get_reserved_attrib_bits_are_invalid_field_at_attrib),
	cmocka_unit_test(test_property_set_8_byte_cc_is_invalid_field_at_attrib),
	cmocka_unit_test(test_property_set_other_offset_is_invalid_field_at_ofst),
	cmocka_unit_test(test_property_set_command_writes_cc),
	cmocka_unit_test(test_enable_sets_csts_rdy),
	cmocka_unit_test(test_enable_with_iosqes_5_sets_cfs),
	cmocka_unit_test(test_enable_with_iocqes_5_sets_cfs),
	cmocka_unit_test(test_discovery_controller_enables_without_iosqes_iocqes),
	cmocka_unit_test(test_enable_with_mps_outside_cap_sets_cfs),
	cmocka_unit_test(test_enable_with_ams_not_round_robin_sets_cfs),
	cmocka_unit_test(test_enable_with_css_not_offered_sets_cfs),
	cmocka_unit_test(test_enable_restarts_keep_alive_timer),
	cmocka_unit_test(test_disable_clears_rdy),
	cmocka_unit_test(test_disable_deletes_io_queues),
	cmocka_unit_test(test_disable_aborts_outstanding_io_with_sq_deletion),
	cmocka_unit_test(test_disable_ends_waiting_aers_with_sq_deletion),
	cmocka_unit_test(test_disable_returns_features_to_defaults),
	cmocka_unit_test(test_normal_shutdown_sets_shst_complete),
	cmocka_unit_test(test_abrupt_shutdown_sets_shst_complete),
	cmocka_unit_test(test_clearing_shn_clears_shst),
	cmocka_unit_test(test_admin_command_before_ready_is_command_sequence_error),
	cmocka_unit_test(test_property_commands_accepted_before_ready),
	cmocka_unit_test(test_io_queue_cannot_be_added_before_ready),
};

NVMFSIM_TEST_MAIN(tests)
