/* Set/Get Features (docs/controller.md "Set / Get Features"; NVMe Base 2.0
 * §5.27 (approx.)): each supported feature, SEL, SV, Number of Queues, Host
 * Identifier and the Keep Alive Timer. */
#include "ctrl_harness.h"

#define SEL_CURRENT 0u
#define SEL_DEFAULT 1u
#define SEL_SAVED 2u
#define SEL_SUPPORTED 3u

#define CAP_SAVEABLE (1u << 0)
#define CAP_CHANGEABLE (1u << 2)

static struct nvsim_cqe get_feat_cqe(struct harness *h, uint8_t fid, unsigned sel, uint32_t cdw11)
{
	struct nvsim_sqe s = h_sqe_get_feat(h, fid, sel, cdw11);

	return h_exec(h, 0, &s, NULL, 0);
}

/* Set a value and read it back as the current one. */
static void check_set_get(struct harness *h, uint8_t fid, uint32_t value)
{
	assert_success(h_set_feat(h, fid, value));
	assert_int_equal(h_get_feat(h, fid, SEL_CURRENT, 0), value);
}

/* 01h Arbitration: AB, LPW, MPW, HPW. */
static void test_arbitration_set_then_get_current(void **state)
{
	struct harness h;

	(void)state;
	h_start(&h);
	check_set_get(&h, NVME_FEAT_FID_ARBITRATION, 0x04030201u);
	h_stop(&h);
}

/* 02h Power Management: one power state, PS0. */
static void test_power_management_ps0_accepted(void **state)
{
	struct harness h;

	(void)state;
	h_start(&h);
	check_set_get(&h, NVME_FEAT_FID_POWER_MGMT, 0);
	h_stop(&h);
}

static void test_power_management_other_ps_is_invalid_field(void **state)
{
	struct harness h;

	(void)state;
	h_start(&h);
	assert_generic_error(&h, h_set_feat(&h, NVME_FEAT_FID_POWER_MGMT, 1), NVME_SC_INVALID_FIELD,
			     LOC_CDW11);
	assert_int_equal(h_get_feat(&h, NVME_FEAT_FID_POWER_MGMT, SEL_CURRENT, 0) & 0x1f, 0);
	h_stop(&h);
}

/* 04h Temperature Threshold: TMPTH bits 15:0, TMPSEL 19:16, THSEL 21:20
 * (00b over, 01b under).  Get selects the threshold with the same bits. */
#define THSEL_UNDER (1u << 20)

static void test_temperature_over_threshold_set_then_get(void **state)
{
	struct harness h;

	(void)state;
	h_start(&h);
	assert_success(h_set_feat(&h, NVME_FEAT_FID_TEMP_THRESH, 350));
	assert_int_equal(h_get_feat(&h, NVME_FEAT_FID_TEMP_THRESH, SEL_CURRENT, 0) & 0xffff, 350);
	h_stop(&h);
}

static void test_temperature_under_threshold_set_then_get(void **state)
{
	struct harness h;
	uint32_t over;

	(void)state;
	h_start(&h);
	over = h_get_feat(&h, NVME_FEAT_FID_TEMP_THRESH, SEL_CURRENT, 0) & 0xffff;
	assert_success(h_set_feat(&h, NVME_FEAT_FID_TEMP_THRESH, THSEL_UNDER | 260));
	assert_int_equal(h_get_feat(&h, NVME_FEAT_FID_TEMP_THRESH, SEL_CURRENT, THSEL_UNDER) &
				 0xffff,
			 260);
	/* the over threshold is a separate value */
	assert_int_equal(h_get_feat(&h, NVME_FEAT_FID_TEMP_THRESH, SEL_CURRENT, 0) & 0xffff, over);
	h_stop(&h);
}

/* Only the composite temperature (TMPSEL 0) exists. */
static void test_temperature_threshold_other_tmpsel_is_invalid_field(void **state)
{
	struct harness h;

	(void)state;
	h_start(&h);
	assert_generic_error(&h, h_set_feat(&h, NVME_FEAT_FID_TEMP_THRESH, 1u << 16 | 350),
			     NVME_SC_INVALID_FIELD, LOC_CDW11);
	h_stop(&h);
}

/* THSEL 10b and 11b are reserved. */
static void test_temperature_threshold_reserved_thsel_is_invalid_field(void **state)
{
	struct harness h;

	(void)state;
	h_start(&h);
	assert_generic_error(&h, h_set_feat(&h, NVME_FEAT_FID_TEMP_THRESH, 2u << 20 | 350),
			     NVME_SC_INVALID_FIELD, LOC_CDW11);
	h_stop(&h);
}

/* 05h Error Recovery: TLER (15:0) is kept; DULBE (bit 16) is not supported. */
static void test_error_recovery_tler_set_then_get(void **state)
{
	struct harness h;

	(void)state;
	h_start(&h);
	check_set_get(&h, NVME_FEAT_FID_ERR_RECOVERY, 30);
	h_stop(&h);
}

static void test_error_recovery_dulbe_is_invalid_field(void **state)
{
	struct harness h;

	(void)state;
	h_start(&h);
	assert_generic_error(&h, h_set_feat(&h, NVME_FEAT_FID_ERR_RECOVERY, 1u << 16),
			     NVME_SC_INVALID_FIELD, LOC_CDW11);
	h_stop(&h);
}

/* 06h Volatile Write Cache: WCE (bit 0). */
static void test_volatile_write_cache_set_then_get(void **state)
{
	struct harness h;

	(void)state;
	h_start(&h);
	check_set_get(&h, NVME_FEAT_FID_VOLATILE_WC, 0);
	check_set_get(&h, NVME_FEAT_FID_VOLATILE_WC, 1);
	h_stop(&h);
}

/* 07h Number of Queues: NSQR 15:0, NCQR 31:16, 0's based; DW0 reports
 * what was granted in the same layout. */
static void test_number_of_queues_grants_requested_below_maximum(void **state)
{
	struct harness h;
	struct nvsim_cqe cqe;

	(void)state;
	h_start(&h);
	cqe = h_set_feat(&h, NVME_FEAT_FID_NUM_QUEUES, 3u << 16 | 3u);
	assert_success(cqe);
	assert_int_equal(le32toh(cqe.dw0), 3u << 16 | 3u);
	assert_int_equal(nvsim_ctrl_io_queues_granted(h.ctrl), 4);
	h_stop(&h);
}

static void test_number_of_queues_grants_at_most_configured_maximum(void **state)
{
	struct harness h;
	struct nvsim_cqe cqe;

	(void)state;
	h_config(&h);
	h.cfg.max_io_queues = 8;
	h_create(&h);
	h_enable(&h);
	cqe = h_set_feat(&h, NVME_FEAT_FID_NUM_QUEUES, 63u << 16 | 63u);
	assert_success(cqe);
	assert_int_equal(le32toh(cqe.dw0) & 0xffff, 7);
	assert_int_equal(le32toh(cqe.dw0) >> 16, 7);
	assert_int_equal(nvsim_ctrl_io_queues_granted(h.ctrl), 8);
	/* Get reports the grant too */
	assert_int_equal(h_get_feat(&h, NVME_FEAT_FID_NUM_QUEUES, SEL_CURRENT, 0), 7u << 16 | 7u);
	h_stop(&h);
}

/* FFFFh would be 65536 queues, which cannot exist (§5.27.1.7 (approx.)). */
static void test_number_of_queues_nsqr_ffff_is_invalid_field_at_cdw11(void **state)
{
	struct harness h;

	(void)state;
	h_start(&h);
	assert_generic_error(&h, h_set_feat(&h, NVME_FEAT_FID_NUM_QUEUES, 0xffffu),
			     NVME_SC_INVALID_FIELD, LOC_CDW11);
	h_stop(&h);
}

static void test_number_of_queues_ncqr_ffff_is_invalid_field_at_cdw11(void **state)
{
	struct harness h;

	(void)state;
	h_start(&h);
	assert_generic_error(&h, h_set_feat(&h, NVME_FEAT_FID_NUM_QUEUES, 0xffffu << 16),
			     NVME_SC_INVALID_FIELD, LOC_CDW11);
	h_stop(&h);
}

/* The count is fixed once any I/O queue exists. */
static void test_number_of_queues_after_io_queue_is_command_sequence_error(void **state)
{
	struct harness h;
	struct nvsim_cqe cqe;

	(void)state;
	h_start(&h);
	h_io_queues(&h, 2, 63);
	cqe = h_set_feat(&h, NVME_FEAT_FID_NUM_QUEUES, 7u << 16 | 7u);
	assert_error(&h, cqe, NVME_SCT_GENERIC, NVME_SC_CMD_SEQ_ERROR, LOC_ANY);
	assert_int_equal(nvsim_ctrl_io_queues_granted(h.ctrl), 2);
	h_stop(&h);
}

/* 0Ah Write Atomicity Normal: DN (bit 0). */
static void test_write_atomicity_set_then_get(void **state)
{
	struct harness h;

	(void)state;
	h_start(&h);
	check_set_get(&h, NVME_FEAT_FID_WRITE_ATOMIC, 1);
	check_set_get(&h, NVME_FEAT_FID_WRITE_ATOMIC, 0);
	h_stop(&h);
}

/* 0Bh Asynchronous Event Configuration: bit 8 namespace attribute notices. */
static void test_async_event_config_set_then_get(void **state)
{
	struct harness h;

	(void)state;
	h_start(&h);
	check_set_get(&h, NVME_FEAT_FID_ASYNC_EVENT, 1u << 8);
	check_set_get(&h, NVME_FEAT_FID_ASYNC_EVENT, 0);
	h_stop(&h);
}

/* 0Fh Keep Alive Timer: KATO in ms, rounded up to KAS x 100 ms. */
static void test_kato_is_rounded_up_to_kas_granularity(void **state)
{
	struct harness h;

	(void)state;
	h_config(&h);
	h.cfg.kas = 10; /* 1 s */
	h_create(&h);
	h_enable(&h);
	assert_success(h_set_feat(&h, NVME_FEAT_FID_KATO, 1500));
	assert_int_equal(h_get_feat(&h, NVME_FEAT_FID_KATO, SEL_CURRENT, 0), 2000);
	assert_int_equal(nvsim_ctrl_kato_ms(h.ctrl), 2000);
	assert_success(h_set_feat(&h, NVME_FEAT_FID_KATO, 3000));
	assert_int_equal(h_get_feat(&h, NVME_FEAT_FID_KATO, SEL_CURRENT, 0), 3000);
	h_stop(&h);
}

/* The KATO given at Connect follows the same rounding. */
static void test_connect_kato_is_rounded_up_to_kas_granularity(void **state)
{
	struct harness h;

	(void)state;
	h_config(&h);
	h.cfg.kas = 5; /* 500 ms */
	h_create(&h);
	nvsim_ctrl_set_kato(h.ctrl, 1);
	assert_int_equal(nvsim_ctrl_kato_ms(h.ctrl), 500);
	nvsim_ctrl_set_kato(h.ctrl, 1001);
	assert_int_equal(nvsim_ctrl_kato_ms(h.ctrl), 1500);
	h_stop(&h);
}

/* Default policy (Linux nvmet): KATO 0 disables the timer (§5.27.1.12
 * (approx.)); no expiry however long the host is silent. */
static void test_kato_zero_disables_timer_by_default(void **state)
{
	struct harness h;

	(void)state;
	h_start(&h);
	nvsim_ctrl_set_kato(h.ctrl, 2000);
	assert_success(h_set_feat(&h, NVME_FEAT_FID_KATO, 0));
	assert_int_equal(h_get_feat(&h, NVME_FEAT_FID_KATO, SEL_CURRENT, 0), 0);
	h_advance(&h, MS(3600 * 1000));
	nvsim_ctrl_poll(h.ctrl);
	assert_int_equal(h.kato_expired, 0);
	h_stop(&h);
}

/* SPDK policy: a transport requiring keep alive rejects KATO 0 with Keep
 * Alive Timeout Invalid (§4.6.1.2.1 (approx.)); the old value stays. */
static void test_kato_zero_is_kato_invalid_with_invalid_policy(void **state)
{
	struct harness h;

	(void)state;
	h_config(&h);
	h.cfg.kato_zero = NVSIM_KATO_ZERO_INVALID;
	h_create(&h);
	h_enable(&h);
	assert_success(h_set_feat(&h, NVME_FEAT_FID_KATO, 5000));
	assert_error(&h, h_set_feat(&h, NVME_FEAT_FID_KATO, 0), NVME_SCT_GENERIC,
		     NVME_SC_KAT_INVALID, LOC_ANY);
	assert_int_equal(h_get_feat(&h, NVME_FEAT_FID_KATO, SEL_CURRENT, 0), 5000);
	h_stop(&h);
}

/* 81h Host Identifier: over fabrics the host ID comes from Connect, so Set
 * Features is a Command Sequence Error (§5.27.1.26 (approx.)). */
static void test_host_identifier_set_is_command_sequence_error(void **state)
{
	struct harness h;
	static uint8_t hostid[16];
	struct nvsim_sqe s;

	(void)state;
	h_start(&h);
	s = h_sqe_set_feat(&h, NVME_FEAT_FID_HOST_ID, 1, false);
	assert_error(&h, h_exec(&h, 0, &s, hostid, sizeof(hostid)), NVME_SCT_GENERIC,
		     NVME_SC_CMD_SEQ_ERROR, LOC_ANY);
	h_stop(&h);
}

static void test_host_identifier_get_returns_connect_hostid(void **state)
{
	struct harness h;
	static const uint8_t want[16] = { 0x10, 0x32, 0x54, 0x76, 0x98, 0xba, 0xdc, 0xfe,
					  0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef };
	uint8_t got[16];
	struct nvsim_sqe s;

	(void)state;
	h_start(&h);
	nvsim_ctrl_set_hostid(h.ctrl, want);
	s = h_sqe_get_feat(&h, NVME_FEAT_FID_HOST_ID, SEL_CURRENT, 1); /* EXHID */
	memset(got, 0, sizeof(got));
	assert_success(h_exec(&h, 0, &s, got, sizeof(got)));
	assert_memory_equal(got, want, 16);
	h_stop(&h);
}

/* Fabrics use the 128-bit host ID only: EXHID = 0 asks for 64 bits. */
static void test_host_identifier_get_without_exhid_is_invalid_field(void **state)
{
	struct harness h;
	static uint8_t got[16];
	struct nvsim_sqe s;

	(void)state;
	h_start(&h);
	s = h_sqe_get_feat(&h, NVME_FEAT_FID_HOST_ID, SEL_CURRENT, 0);
	assert_generic_error(&h, h_exec(&h, 0, &s, got, 8), NVME_SC_INVALID_FIELD, LOC_CDW11);
	h_stop(&h);
}

static void test_host_identifier_get_needs_16_byte_buffer(void **state)
{
	struct harness h;
	static uint8_t got[32];
	struct nvsim_sqe s;

	(void)state;
	h_start(&h);
	s = h_sqe_get_feat(&h, NVME_FEAT_FID_HOST_ID, SEL_CURRENT, 1);
	assert_generic_error(&h, h_exec(&h, 0, &s, got, 8), NVME_SC_SGL_INVALID_DATA, LOC_DPTR);
	h_stop(&h);
}

/* Anything else, e.g. LBA Range Type (03h) or Timestamp (0Eh). */
static void test_unsupported_feature_is_invalid_field_at_fid(void **state)
{
	static const uint8_t fids[] = { NVME_FEAT_FID_LBA_RANGE, NVME_FEAT_FID_IRQ_COALESCE,
					NVME_FEAT_FID_TIMESTAMP, 0x00 };
	struct harness h;

	(void)state;
	h_start(&h);
	for (unsigned i = 0; i < sizeof(fids); i++) {
		assert_generic_error(&h, h_set_feat(&h, fids[i], 0), NVME_SC_INVALID_FIELD,
				     LOC_CDW10);
		assert_generic_error(&h, get_feat_cqe(&h, fids[i], SEL_CURRENT, 0),
				     NVME_SC_INVALID_FIELD, LOC_CDW10);
	}
	h_stop(&h);
}

/* SEL 001b returns the default, not the current value. */
static void test_get_sel_default_returns_default_not_current(void **state)
{
	struct harness h;
	uint32_t def;

	(void)state;
	h_start(&h);
	def = h_get_feat(&h, NVME_FEAT_FID_ARBITRATION, SEL_CURRENT, 0);
	assert_success(h_set_feat(&h, NVME_FEAT_FID_ARBITRATION, def ^ 0x11223300u));
	assert_int_equal(h_get_feat(&h, NVME_FEAT_FID_ARBITRATION, SEL_DEFAULT, 0), def);
	assert_int_equal(h_get_feat(&h, NVME_FEAT_FID_ARBITRATION, SEL_CURRENT, 0),
			 def ^ 0x11223300u);
	h_stop(&h);
}

/* Nothing is saveable, so the saved value is the default. */
static void test_get_sel_saved_returns_default(void **state)
{
	struct harness h;
	uint32_t def;

	(void)state;
	h_start(&h);
	def = h_get_feat(&h, NVME_FEAT_FID_VOLATILE_WC, SEL_DEFAULT, 0);
	assert_success(h_set_feat(&h, NVME_FEAT_FID_VOLATILE_WC, def ^ 1u));
	assert_int_equal(h_get_feat(&h, NVME_FEAT_FID_VOLATILE_WC, SEL_SAVED, 0), def);
	h_stop(&h);
}

/* SEL 011b: DW0 bit 2 changeable, bit 0 saveable (never here). */
static void test_get_sel_supported_reports_changeable_not_saveable(void **state)
{
	static const uint8_t fids[] = { NVME_FEAT_FID_ARBITRATION, NVME_FEAT_FID_POWER_MGMT,
					NVME_FEAT_FID_TEMP_THRESH, NVME_FEAT_FID_ERR_RECOVERY,
					NVME_FEAT_FID_VOLATILE_WC, NVME_FEAT_FID_NUM_QUEUES,
					NVME_FEAT_FID_WRITE_ATOMIC, NVME_FEAT_FID_ASYNC_EVENT,
					NVME_FEAT_FID_KATO };
	struct harness h;

	(void)state;
	h_start(&h);
	for (unsigned i = 0; i < sizeof(fids); i++) {
		uint32_t caps = h_get_feat(&h, fids[i], SEL_SUPPORTED, 0);

		assert_int_equal(caps & CAP_CHANGEABLE, CAP_CHANGEABLE);
		assert_int_equal(caps & CAP_SAVEABLE, 0);
	}
	h_stop(&h);
}

static void test_get_sel_supported_host_identifier_not_changeable(void **state)
{
	struct harness h;

	(void)state;
	h_start(&h);
	assert_int_equal(h_get_feat(&h, NVME_FEAT_FID_HOST_ID, SEL_SUPPORTED, 1) & CAP_CHANGEABLE,
			 0);
	h_stop(&h);
}

/* SEL 100b-111b are reserved. */
static void test_get_reserved_sel_is_invalid_field_at_cdw10(void **state)
{
	struct harness h;

	(void)state;
	h_start(&h);
	for (unsigned sel = 4; sel <= 7; sel++)
		assert_generic_error(&h, get_feat_cqe(&h, NVME_FEAT_FID_ARBITRATION, sel, 0),
				     NVME_SC_INVALID_FIELD, LOC_CDW10);
	h_stop(&h);
}

/* SV = 1 asks to save: no feature is saveable (§5.27 (approx.)). */
static void test_set_with_sv_is_feature_not_saveable(void **state)
{
	struct harness h;
	struct nvsim_sqe s;
	uint32_t before;

	(void)state;
	h_start(&h);
	before = h_get_feat(&h, NVME_FEAT_FID_ARBITRATION, SEL_CURRENT, 0);
	s = h_sqe_set_feat(&h, NVME_FEAT_FID_ARBITRATION, before ^ 0x01000000u, true);
	assert_error(&h, h_exec(&h, 0, &s, NULL, 0), NVME_SCT_CMD_SPECIFIC,
		     NVME_SC_FEATURE_NOT_SAVEABLE, LOC_ANY);
	h_stop(&h);
}

/* Every supported feature is controller-wide: a namespace NSID is Feature
 * Not Namespace Specific at NSID; 0 and FFFFFFFFh are fine. */
static void test_feature_with_namespace_nsid_is_feature_not_namespace_specific(void **state)
{
	struct harness h;
	struct nvsim_sqe s;

	(void)state;
	h_start(&h);
	h_add_ns(&h, 1, NVSIM_NS_NULL, 1 << 20, 512);
	s = h_sqe_set_feat(&h, NVME_FEAT_FID_ARBITRATION, 0, false);
	s.nsid = htole32(1);
	assert_error(&h, h_exec(&h, 0, &s, NULL, 0), NVME_SCT_CMD_SPECIFIC,
		     NVME_SC_FEATURE_NOT_PER_NS, LOC_NSID);
	s = h_sqe_get_feat(&h, NVME_FEAT_FID_VOLATILE_WC, SEL_CURRENT, 0);
	s.nsid = htole32(1);
	assert_error(&h, h_exec(&h, 0, &s, NULL, 0), NVME_SCT_CMD_SPECIFIC,
		     NVME_SC_FEATURE_NOT_PER_NS, LOC_NSID);
	s = h_sqe_get_feat(&h, NVME_FEAT_FID_VOLATILE_WC, SEL_CURRENT, 0);
	s.nsid = htole32(0xffffffffu);
	assert_success(h_exec(&h, 0, &s, NULL, 0));
	s = h_sqe_set_feat(&h, NVME_FEAT_FID_ARBITRATION, 0, false);
	s.nsid = htole32(0xffffffffu);
	assert_success(h_exec(&h, 0, &s, NULL, 0));
	h_stop(&h);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(test_arbitration_set_then_get_current),
	cmocka_unit_test(test_power_management_ps0_accepted),
	cmocka_unit_test(test_power_management_other_ps_is_invalid_field),
	cmocka_unit_test(test_temperature_over_threshold_set_then_get),
	cmocka_unit_test(test_temperature_under_threshold_set_then_get),
	cmocka_unit_test(test_temperature_threshold_other_tmpsel_is_invalid_field),
	cmocka_unit_test(test_temperature_threshold_reserved_thsel_is_invalid_field),
	cmocka_unit_test(test_error_recovery_tler_set_then_get),
	cmocka_unit_test(test_error_recovery_dulbe_is_invalid_field),
	cmocka_unit_test(test_volatile_write_cache_set_then_get),
	cmocka_unit_test(test_number_of_queues_grants_requested_below_maximum),
	cmocka_unit_test(test_number_of_queues_grants_at_most_configured_maximum),
	cmocka_unit_test(test_number_of_queues_nsqr_ffff_is_invalid_field_at_cdw11),
	cmocka_unit_test(test_number_of_queues_ncqr_ffff_is_invalid_field_at_cdw11),
	cmocka_unit_test(test_number_of_queues_after_io_queue_is_command_sequence_error),
	cmocka_unit_test(test_write_atomicity_set_then_get),
	cmocka_unit_test(test_async_event_config_set_then_get),
	cmocka_unit_test(test_kato_is_rounded_up_to_kas_granularity),
	cmocka_unit_test(test_connect_kato_is_rounded_up_to_kas_granularity),
	cmocka_unit_test(test_kato_zero_disables_timer_by_default),
	cmocka_unit_test(test_kato_zero_is_kato_invalid_with_invalid_policy),
	cmocka_unit_test(test_host_identifier_set_is_command_sequence_error),
	cmocka_unit_test(test_host_identifier_get_returns_connect_hostid),
	cmocka_unit_test(test_host_identifier_get_without_exhid_is_invalid_field),
	cmocka_unit_test(test_host_identifier_get_needs_16_byte_buffer),
	cmocka_unit_test(test_unsupported_feature_is_invalid_field_at_fid),
	cmocka_unit_test(test_get_sel_default_returns_default_not_current),
	cmocka_unit_test(test_get_sel_saved_returns_default),
	cmocka_unit_test(test_get_sel_supported_reports_changeable_not_saveable),
	cmocka_unit_test(test_get_sel_supported_host_identifier_not_changeable),
	cmocka_unit_test(test_get_reserved_sel_is_invalid_field_at_cdw10),
	cmocka_unit_test(test_set_with_sv_is_feature_not_saveable),
	cmocka_unit_test(test_feature_with_namespace_nsid_is_feature_not_namespace_specific),
};

NVMFSIM_TEST_MAIN(tests)
