/* Get Log Page (docs/controller.md "Get Log Page"; NVMe Base 2.0 §5.16
 * (approx.)): length and offset rules, scope, and the content of pages 00h
 * to 05h. */
#include "ctrl_harness.h"

static uint8_t log_buf[16384];

static struct nvsim_cqe get_log(struct harness *h, uint8_t lid, uint32_t nsid, size_t len,
				uint64_t lpo, bool rae)
{
	memset(log_buf, 0xa5, sizeof(log_buf));
	return h_get_log(h, lid, nsid, log_buf, len, lpo, rae);
}

static struct nvme_smart_log smart(struct harness *h, uint32_t nsid)
{
	struct nvme_smart_log s;

	assert_success(get_log(h, NVME_LOG_LID_SMART, nsid, sizeof(s), 0, false));
	memcpy(&s, log_buf, sizeof(s));
	return s;
}

/* Provoke one failed command (Identify with another CNS). */
static uint16_t fail_one(struct harness *h)
{
	static uint8_t id[4096];
	struct nvsim_sqe s = h_sqe_identify(h, 0xfe, 0);
	struct nvsim_cqe cqe = h_exec(h, 0, &s, id, sizeof(id));

	assert_int_not_equal(h_sf(&cqe), 0);
	return le16toh(s.cid);
}

/* The SGL describes exactly (NUMD + 1) dwords. */
static void test_log_data_must_be_numd_dwords_long(void **state)
{
	struct harness h;
	struct nvsim_sqe s;

	(void)state;
	h_start(&h);
	s = h_sqe_get_log(&h, NVME_LOG_LID_SMART, 0, 128, 0, false);
	assert_generic_error(&h, h_exec(&h, 0, &s, log_buf, 508), NVME_SC_SGL_INVALID_DATA,
			     LOC_DPTR);
	s = h_sqe_get_log(&h, NVME_LOG_LID_SMART, 0, 128, 0, false);
	assert_generic_error(&h, h_exec(&h, 0, &s, log_buf, 516), NVME_SC_SGL_INVALID_DATA,
			     LOC_DPTR);
	h_stop(&h);
}

/* MDTS 1 allows 8 KiB per command; one dword more is Invalid Field at NUMDL. */
static void test_log_longer_than_mdts_is_invalid_field_at_numdl(void **state)
{
	struct harness h;

	(void)state;
	h_config(&h);
	h.cfg.mdts = 1;
	h_create(&h);
	h_enable(&h);
	assert_success(get_log(&h, NVME_LOG_LID_CMD_EFFECTS, 0, 8192, 0, false));
	assert_generic_error(&h, get_log(&h, NVME_LOG_LID_CMD_EFFECTS, 0, 8196, 0, false),
			     NVME_SC_INVALID_FIELD, LOC_NUMDL);
	h_stop(&h);
}

static void test_log_lpo_not_dword_aligned_is_invalid_field_at_lpo(void **state)
{
	struct harness h;

	(void)state;
	h_start(&h);
	assert_generic_error(&h, get_log(&h, NVME_LOG_LID_SMART, 0, 4, 2, false),
			     NVME_SC_INVALID_FIELD, LOC_CDW12);
	h_stop(&h);
}

/* LPO greater than the page is refused (§5.16, LPOL: "greater than the
 * size"): SMART is 512 bytes, so LPO 516 is out; 512 leaves only zeros. */
static void test_log_lpo_past_page_size_is_invalid_field_at_lpo(void **state)
{
	struct harness h;

	(void)state;
	h_start(&h);
	assert_success(get_log(&h, NVME_LOG_LID_SMART, 0, 4, 508, false));
	assert_success(get_log(&h, NVME_LOG_LID_SMART, 0, 4, 512, false));
	assert_generic_error(&h, get_log(&h, NVME_LOG_LID_SMART, 0, 4, 516, false),
			     NVME_SC_INVALID_FIELD, LOC_CDW12);
	assert_generic_error(&h, get_log(&h, NVME_LOG_LID_CMD_EFFECTS, 0, 4, 1ull << 32, false),
			     NVME_SC_INVALID_FIELD, LOC_CDW12);
	h_stop(&h);
}

/* LPO selects where in the page the transfer starts: the second error log
 * entry read alone equals the second half of a two-entry read. */
static void test_log_lpo_reads_from_offset(void **state)
{
	struct harness h;
	uint8_t both[128];

	(void)state;
	h_start(&h);
	fail_one(&h);
	fail_one(&h);
	assert_success(get_log(&h, NVME_LOG_LID_ERROR, 0, 128, 0, true));
	memcpy(both, log_buf, sizeof(both));
	assert_success(get_log(&h, NVME_LOG_LID_ERROR, 0, 64, 64, true));
	assert_memory_equal(log_buf, both + 64, 64);
	assert_memory_not_equal(both, both + 64, 64);
	h_stop(&h);
}

/* A transfer reaching past the end of the page is served; the spec leaves
 * the extra dwords undefined (Figure "Get Log Page - Command Dword 10",
 * NUMDL) and we return zeros, as nvmet does. */
static void test_log_numd_past_page_end_returns_zeros(void **state)
{
	struct harness h;
	uint8_t page[512];

	(void)state;
	h_start(&h);
	assert_success(get_log(&h, NVME_LOG_LID_SMART, 0, 512, 0, false));
	memcpy(page, log_buf, sizeof(page));
	assert_success(get_log(&h, NVME_LOG_LID_SMART, 0, 1024, 0, false));
	assert_memory_equal(log_buf, page, 512);
	assert_true(h_all_bytes(log_buf + 512, 512, 0));
	/* the same from an offset: [256, 512) is the page, [512, 768) zeros */
	assert_success(get_log(&h, NVME_LOG_LID_SMART, 0, 512, 256, false));
	assert_memory_equal(log_buf, page + 256, 256);
	assert_true(h_all_bytes(log_buf + 256, 256, 0));
	h_stop(&h);
}

/* nvmet answers an unsupported LID with Invalid Field at the LID byte. */
static void test_log_unsupported_lid_is_invalid_field_at_lid(void **state)
{
	struct harness h;

	(void)state;
	h_start(&h);
	assert_generic_error(&h, get_log(&h, NVME_LOG_LID_DEVICE_SELF_TEST, 0, 512, 0, false),
			     NVME_SC_INVALID_FIELD, LOC_CDW10);
	assert_generic_error(&h, get_log(&h, 0xc0, 0, 512, 0, false), NVME_SC_INVALID_FIELD,
			     LOC_CDW10);
	h_stop(&h);
}

/* Pages of controller scope take NSID 0 or FFFFFFFFh only. */
static void test_log_controller_scope_with_nsid_is_invalid_field_at_nsid(void **state)
{
	static const uint8_t lids[] = { NVME_LOG_LID_SUPPORTED_LOG_PAGES, NVME_LOG_LID_ERROR,
					NVME_LOG_LID_FW_SLOT, NVME_LOG_LID_CHANGED_NS,
					NVME_LOG_LID_CMD_EFFECTS };
	struct harness h;

	(void)state;
	h_start(&h);
	h_add_ns(&h, 1, NVSIM_NS_NULL, 1 << 20, 512);
	for (unsigned i = 0; i < sizeof(lids); i++)
		assert_generic_error(&h, get_log(&h, lids[i], 1, 64, 0, true),
				     NVME_SC_INVALID_FIELD, LOC_NSID);
	h_stop(&h);
}

static void test_log_controller_scope_accepts_nsid_ffffffff(void **state)
{
	struct harness h;

	(void)state;
	h_start(&h);
	assert_success(get_log(&h, NVME_LOG_LID_ERROR, 0xffffffffu, 64, 0, true));
	assert_success(get_log(&h, NVME_LOG_LID_FW_SLOT, 0xffffffffu, 512, 0, false));
	h_stop(&h);
}

/* LID 00h: LSUPP (bit 0) of each entry names the pages we implement. */
static void test_supported_log_pages_lists_00_through_05(void **state)
{
	struct harness h;

	(void)state;
	h_start(&h);
	assert_success(get_log(&h, NVME_LOG_LID_SUPPORTED_LOG_PAGES, 0, 1024, 0, false));
	for (unsigned lid = 0; lid <= 5; lid++)
		assert_int_equal(get_le32(log_buf + 4 * lid) & 1, 1);
	assert_int_equal(get_le32(log_buf + 4 * NVME_LOG_LID_DEVICE_SELF_TEST) & 1, 0);
	assert_int_equal(get_le32(log_buf + 4 * 0xc0) & 1, 0);
	h_stop(&h);
}

/* ELPE + 1 entries, newest first, Error Count increasing with each error;
 * older errors fall off the end. */
static void test_error_log_holds_elpe_plus_one_entries_newest_first(void **state)
{
	struct harness h;
	uint16_t cids[6];
	const struct nvme_error_log_page *e = (const void *)log_buf;

	(void)state;
	h_config(&h);
	h.cfg.elpe = 3;
	h_create(&h);
	h_enable(&h);
	for (int i = 0; i < 6; i++)
		cids[i] = fail_one(&h);
	assert_success(get_log(&h, NVME_LOG_LID_ERROR, 0, 5 * 64, 0, true));
	for (int i = 0; i < 4; i++) {
		assert_int_equal(le16toh(e[i].cmdid), cids[5 - i]);
		assert_int_equal(le64toh(e[i].error_count), 6 - i);
	}
	/* the page is 4 entries long; a fifth is past its end and zero */
	assert_true(h_all_bytes(&e[4], 64, 0));
	h_stop(&h);
}

/* An entry names the queue, command, status (bits 15:1, phase in bit 0),
 * the byte at fault, the NSID and the transport type. */
static void test_error_log_entry_records_command_status_location_nsid_trtype(void **state)
{
	struct harness h;
	static uint8_t blk[512];
	struct nvsim_sqe s;
	struct nvsim_cqe cqe;
	struct nvme_error_log_page e;

	(void)state;
	h_config(&h);
	h.cfg.trtype = NVMF_TRTYPE_TCP;
	h_create(&h);
	h_enable(&h);
	h_add_ns(&h, 1, NVSIM_NS_RAM, 1 << 20, 512);
	h_io_queues(&h, 2, 63);
	s = h_sqe_rw(&h, nvme_cmd_read, 9, 0, 1);
	cqe = h_exec(&h, 2, &s, blk, sizeof(blk));
	assert_status(cqe, NVME_SCT_GENERIC, NVME_SC_INVALID_NS, 1);
	h_errlog_newest(&h, &e);
	assert_int_equal(le16toh(e.sqid), 2);
	assert_int_equal(le16toh(e.cmdid), le16toh(s.cid));
	assert_int_equal(le16toh(e.status_field) >> 1, h_sf(&cqe));
	assert_int_equal(le16toh(e.parm_error_location), LOC_NSID);
	assert_int_equal(le32toh(e.nsid), 9);
	assert_int_equal(e.trtype, NVMF_TRTYPE_TCP);
	h_stop(&h);
}

static void test_smart_counts_host_read_and_write_commands(void **state)
{
	struct harness h;
	static uint8_t blk[512];
	struct nvme_smart_log before, after;

	(void)state;
	h_start_io(&h, NVSIM_NS_RAM, 1 << 20, 512);
	before = smart(&h, 0);
	for (int i = 0; i < 3; i++)
		assert_success(h_io(&h, 1, nvme_cmd_write, 1, (uint64_t)i, 1, blk, sizeof(blk)));
	for (int i = 0; i < 2; i++)
		assert_success(h_io(&h, 1, nvme_cmd_read, 1, (uint64_t)i, 1, blk, sizeof(blk)));
	after = smart(&h, 0);
	assert_int_equal(h_le128_lo(after.host_writes) - h_le128_lo(before.host_writes), 3);
	assert_int_equal(h_le128_lo(after.host_reads) - h_le128_lo(before.host_reads), 2);
	h_stop(&h);
}

/* Data Units Read/Written count thousands of 512-byte units, rounded up:
 * 1 to 1000 units report 1, 1001 report 2 (NVMe Base 2.0 §5.16.1.3
 * (approx.)). */
static void test_smart_data_units_are_thousands_of_512_byte_units_rounded_up(void **state)
{
	struct harness h;
	static uint8_t big[1000 * 512];
	struct nvme_smart_log s;

	(void)state;
	h_start_io(&h, NVSIM_NS_RAM, 4 << 20, 512);
	s = smart(&h, 0);
	assert_int_equal(h_le128_lo(s.data_units_written), 0);
	assert_int_equal(h_le128_lo(s.data_units_read), 0);

	assert_success(h_io(&h, 1, nvme_cmd_write, 1, 0, 1, big, 512));
	assert_success(h_io(&h, 1, nvme_cmd_read, 1, 0, 1, big, 512));
	s = smart(&h, 0);
	assert_int_equal(h_le128_lo(s.data_units_written), 1);
	assert_int_equal(h_le128_lo(s.data_units_read), 1);

	assert_success(h_io(&h, 1, nvme_cmd_write, 1, 1, 999, big, 999 * 512));
	s = smart(&h, 0);
	assert_int_equal(h_le128_lo(s.data_units_written), 1); /* exactly 1000 units */
	assert_success(h_io(&h, 1, nvme_cmd_write, 1, 0, 1, big, 512));
	s = smart(&h, 0);
	assert_int_equal(h_le128_lo(s.data_units_written), 2); /* 1001 units */
	h_stop(&h);
}

static void test_smart_counts_error_log_entries(void **state)
{
	struct harness h;
	uint64_t before;

	(void)state;
	h_start(&h);
	before = h_le128_lo(smart(&h, 0).num_err_log_entries);
	fail_one(&h);
	fail_one(&h);
	assert_int_equal(h_le128_lo(smart(&h, 0).num_err_log_entries) - before, 2);
	h_stop(&h);
}

/* Composite temperature is in kelvins: a model at room temperature, not 0. */
static void test_smart_reports_temperature_in_kelvin(void **state)
{
	struct harness h;
	struct nvme_smart_log s;
	unsigned k;

	(void)state;
	h_start(&h);
	s = smart(&h, 0);
	k = get_le16(s.temperature);
	assert_in_range(k, 273, 373);
	h_stop(&h);
}

/* An active NSID selects that namespace's counters; NSID 0 and FFFFFFFFh
 * are the controller's. */
static void test_smart_for_namespace_counts_only_that_namespace(void **state)
{
	struct harness h;
	static uint8_t blk[512];

	(void)state;
	h_start(&h);
	h_add_ns(&h, 1, NVSIM_NS_RAM, 1 << 20, 512);
	h_add_ns(&h, 2, NVSIM_NS_RAM, 1 << 20, 512);
	h_io_queues(&h, 1, 63);
	for (int i = 0; i < 2; i++)
		assert_success(h_io(&h, 1, nvme_cmd_write, 1, 0, 1, blk, sizeof(blk)));
	assert_success(h_io(&h, 1, nvme_cmd_write, 2, 0, 1, blk, sizeof(blk)));
	assert_int_equal(h_le128_lo(smart(&h, 1).host_writes), 2);
	assert_int_equal(h_le128_lo(smart(&h, 2).host_writes), 1);
	assert_int_equal(h_le128_lo(smart(&h, 0).host_writes), 3);
	assert_int_equal(h_le128_lo(smart(&h, 0xffffffffu).host_writes), 3);
	h_stop(&h);
}

static void test_smart_inactive_nsid_is_invalid_namespace(void **state)
{
	struct harness h;

	(void)state;
	h_start(&h);
	h_add_ns(&h, 1, NVSIM_NS_RAM, 1 << 20, 512);
	assert_generic_error(&h, get_log(&h, NVME_LOG_LID_SMART, 2, 512, 0, false),
			     NVME_SC_INVALID_NS, LOC_NSID);
	h_stop(&h);
}

/* One read-only slot, active (AFI bits 2:0 = 1), FRS1 = the revision. */
static void test_firmware_slot_log_reports_afi_1_and_frs1(void **state)
{
	struct harness h;
	const struct nvme_firmware_slot *fw = (const void *)log_buf;
	size_t n;

	(void)state;
	h_config(&h);
	strcpy(h.cfg.firmware, "FW1.2");
	h_create(&h);
	h_enable(&h);
	assert_success(get_log(&h, NVME_LOG_LID_FW_SLOT, 0, 512, 0, false));
	assert_int_equal(fw->afi & 0x7, 1);
	n = strlen("FW1.2");
	assert_memory_equal(fw->frs[0], "FW1.2", n);
	for (size_t i = n; i < 8; i++)
		assert_true(fw->frs[0][i] == ' ' || fw->frs[0][i] == '\0');
	h_stop(&h);
}

/* LID 04h lists namespaces whose attributes changed (attach, detach). */
static void test_changed_ns_list_reports_attached_and_detached_nsids(void **state)
{
	struct harness h;

	(void)state;
	h_start(&h);
	assert_success(get_log(&h, NVME_LOG_LID_CHANGED_NS, 0, 4096, 0, false)); /* drain */
	h_add_ns(&h, 3, NVSIM_NS_NULL, 1 << 20, 512);
	h_add_ns(&h, 5, NVSIM_NS_NULL, 1 << 20, 512);
	assert_int_equal(nvsim_ctrl_remove_ns(h.ctrl, 3), 0);
	assert_success(get_log(&h, NVME_LOG_LID_CHANGED_NS, 0, 4096, 0, true));
	/* NSID 3 once (attached then detached), NSID 5 once, in any order */
	{
		uint32_t a = get_le32(log_buf), b = get_le32(log_buf + 4);

		assert_true((a == 3 && b == 5) || (a == 5 && b == 3));
		assert_true(h_all_bytes(log_buf + 8, 4096 - 8, 0));
	}
	h_stop(&h);
}

/* More than 1024 changed: the first entry is FFFFFFFFh and the rest zero
 * (NVMe Base 2.0 §5.16.1.5 (approx.)). */
static void test_changed_ns_list_over_1024_reports_ffffffff_first(void **state)
{
	struct harness h;

	(void)state;
	h_config(&h);
	h.cfg.max_namespaces = 1100;
	h_create(&h);
	h_enable(&h);
	assert_success(get_log(&h, NVME_LOG_LID_CHANGED_NS, 0, 4096, 0, false));
	for (uint32_t nsid = 1; nsid <= 1025; nsid++)
		h_add_ns(&h, nsid, NVSIM_NS_NULL, 4096, 512);
	assert_success(get_log(&h, NVME_LOG_LID_CHANGED_NS, 0, 4096, 0, false));
	assert_int_equal(get_le32(log_buf), 0xffffffffu);
	assert_true(h_all_bytes(log_buf + 4, 4096 - 4, 0));
	h_stop(&h);
}

/* RAE = 0 clears the list (and the retained event) (§5.16 (approx.)). */
static void test_changed_ns_list_read_with_rae0_clears_it(void **state)
{
	struct harness h;

	(void)state;
	h_start(&h);
	h_add_ns(&h, 4, NVSIM_NS_NULL, 1 << 20, 512);
	assert_success(get_log(&h, NVME_LOG_LID_CHANGED_NS, 0, 4096, 0, false));
	assert_int_equal(get_le32(log_buf), 4);
	assert_success(get_log(&h, NVME_LOG_LID_CHANGED_NS, 0, 4096, 0, false));
	assert_true(h_all_bytes(log_buf, 4096, 0));
	h_stop(&h);
}

static void test_changed_ns_list_read_with_rae1_keeps_it(void **state)
{
	struct harness h;

	(void)state;
	h_start(&h);
	h_add_ns(&h, 4, NVSIM_NS_NULL, 1 << 20, 512);
	assert_success(get_log(&h, NVME_LOG_LID_CHANGED_NS, 0, 4096, 0, true));
	assert_int_equal(get_le32(log_buf), 4);
	assert_success(get_log(&h, NVME_LOG_LID_CHANGED_NS, 0, 4096, 0, true));
	assert_int_equal(get_le32(log_buf), 4);
	h_stop(&h);
}

/* LID 05h: CSUPP for what we execute, nothing for what we refuse. */
static void test_cmd_effects_log_marks_supported_commands(void **state)
{
	static const uint8_t admin_ok[] = { nvme_admin_get_log_page, nvme_admin_identify,
					    nvme_admin_abort_cmd,    nvme_admin_set_features,
					    nvme_admin_get_features, nvme_admin_async_event,
					    nvme_admin_keep_alive };
	static const uint8_t io_ok[] = { nvme_cmd_flush,	nvme_cmd_write, nvme_cmd_read,
					 nvme_cmd_compare,	nvme_cmd_write_zeroes,
					 nvme_cmd_dsm,		nvme_cmd_verify };
	struct harness h;
	const struct nvme_cmd_effects_log *ce = (const void *)log_buf;

	(void)state;
	h_start(&h);
	assert_success(get_log(&h, NVME_LOG_LID_CMD_EFFECTS, 0, 4096, 0, false));
	for (unsigned i = 0; i < sizeof(admin_ok); i++)
		assert_int_equal(le32toh(ce->acs[admin_ok[i]]) & NVME_CMD_EFFECTS_CSUPP, 1);
	for (unsigned i = 0; i < sizeof(io_ok); i++)
		assert_int_equal(le32toh(ce->iocs[io_ok[i]]) & NVME_CMD_EFFECTS_CSUPP, 1);
	assert_int_equal(le32toh(ce->acs[nvme_admin_create_sq]), 0);
	assert_int_equal(le32toh(ce->acs[nvme_admin_dbbuf]), 0);
	assert_int_equal(le32toh(ce->acs[nvme_admin_format_nvm]), 0);
	assert_int_equal(le32toh(ce->iocs[nvme_cmd_write_uncor]), 0);
	h_stop(&h);
}

/* SMART Host Read Commands are Read, Compare and Verify; Host Write
 * Commands include Write Zeroes (NVM Command Set 1.0 §4.1.4 (approx.),
 * "SMART Host Read/Write Commands"). */
static void test_smart_counts_compare_verify_as_reads_and_write_zeroes_as_writes(void **state)
{
	struct harness h;
	static uint8_t blk[512];
	struct nvme_smart_log before, after;
	struct nvsim_sqe s;

	(void)state;
	h_start_io(&h, NVSIM_NS_RAM, 1 << 20, 512);
	before = smart(&h, 0);
	assert_success(h_io(&h, 1, nvme_cmd_compare, 1, 0, 1, blk, sizeof(blk)));
	s = h_sqe_rw(&h, nvme_cmd_verify, 1, 0, 1);
	assert_success(h_exec(&h, 1, &s, NULL, 0));
	s = h_sqe_rw(&h, nvme_cmd_write_zeroes, 1, 0, 1);
	assert_success(h_exec(&h, 1, &s, NULL, 0));
	after = smart(&h, 0);
	assert_int_equal(h_le128_lo(after.host_reads) - h_le128_lo(before.host_reads), 2);
	assert_int_equal(h_le128_lo(after.host_writes) - h_le128_lo(before.host_writes), 1);
	h_stop(&h);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(test_log_data_must_be_numd_dwords_long),
	cmocka_unit_test(test_log_longer_than_mdts_is_invalid_field_at_numdl),
	cmocka_unit_test(test_log_lpo_not_dword_aligned_is_invalid_field_at_lpo),
	cmocka_unit_test(test_log_lpo_past_page_size_is_invalid_field_at_lpo),
	cmocka_unit_test(test_log_lpo_reads_from_offset),
	cmocka_unit_test(test_log_numd_past_page_end_returns_zeros),
	cmocka_unit_test(test_log_unsupported_lid_is_invalid_field_at_lid),
	cmocka_unit_test(test_log_controller_scope_with_nsid_is_invalid_field_at_nsid),
	cmocka_unit_test(test_log_controller_scope_accepts_nsid_ffffffff),
	cmocka_unit_test(test_supported_log_pages_lists_00_through_05),
	cmocka_unit_test(test_error_log_holds_elpe_plus_one_entries_newest_first),
	cmocka_unit_test(test_error_log_entry_records_command_status_location_nsid_trtype),
	cmocka_unit_test(test_smart_counts_host_read_and_write_commands),
	cmocka_unit_test(test_smart_counts_compare_verify_as_reads_and_write_zeroes_as_writes),
	cmocka_unit_test(test_smart_data_units_are_thousands_of_512_byte_units_rounded_up),
	cmocka_unit_test(test_smart_counts_error_log_entries),
	cmocka_unit_test(test_smart_reports_temperature_in_kelvin),
	cmocka_unit_test(test_smart_for_namespace_counts_only_that_namespace),
	cmocka_unit_test(test_smart_inactive_nsid_is_invalid_namespace),
	cmocka_unit_test(test_firmware_slot_log_reports_afi_1_and_frs1),
	cmocka_unit_test(test_changed_ns_list_reports_attached_and_detached_nsids),
	cmocka_unit_test(test_changed_ns_list_over_1024_reports_ffffffff_first),
	cmocka_unit_test(test_changed_ns_list_read_with_rae0_clears_it),
	cmocka_unit_test(test_changed_ns_list_read_with_rae1_keeps_it),
	cmocka_unit_test(test_cmd_effects_log_marks_supported_commands),
};

NVMFSIM_TEST_MAIN(tests)
