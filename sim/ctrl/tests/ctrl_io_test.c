/* The NVM command set (docs/controller.md "NVM command set"; NVM Command
 * Set 1.0 §3 (approx.)): each opcode, NSID and LBA range checks, MDTS,
 * Compare, Write Zeroes, Dataset Management, Verify and Flush. */
#include "ctrl_harness.h"

#define NS_BYTES (1u << 20)
#define NS_BLOCKS (NS_BYTES / 512u) /* 2048 blocks of 512 bytes */

static uint8_t wbuf[64 * 1024], rbuf[64 * 1024];

static void start(struct harness *h)
{
	h_start_io(h, NVSIM_NS_RAM, NS_BYTES, 512);
}

static struct nvsim_cqe io(struct harness *h, uint8_t opcode, uint32_t nsid, uint64_t slba,
			   uint32_t nlb, void *buf)
{
	return h_io(h, 1, opcode, nsid, slba, nlb, buf, buf ? (size_t)nlb * 512u : 0);
}

static void test_write_then_read_returns_the_data(void **state)
{
	struct harness h;

	(void)state;
	start(&h);
	h_fill_pattern(wbuf, 8 * 512, 11);
	assert_success(io(&h, nvme_cmd_write, 1, 100, 8, wbuf));
	memset(rbuf, 0, sizeof(rbuf));
	assert_success(io(&h, nvme_cmd_read, 1, 100, 8, rbuf));
	assert_memory_equal(rbuf, wbuf, 8 * 512);
	/* and the block before was not touched */
	assert_success(io(&h, nvme_cmd_read, 1, 99, 1, rbuf));
	assert_true(h_all_bytes(rbuf, 512, 0));
	h_stop(&h);
}

/* Write Uncorrectable (04h), Reservation Register (0Dh), Copy (19h) and
 * Zone Append (7Dh) are not implemented. */
static void test_unknown_io_opcode_is_invalid_opcode(void **state)
{
	static const uint8_t ops[] = { nvme_cmd_write_uncor, nvme_cmd_resv_register, nvme_cmd_copy,
				       nvme_zns_cmd_append };
	struct harness h;

	(void)state;
	start(&h);
	for (unsigned i = 0; i < sizeof(ops); i++) {
		struct nvsim_sqe s = h_sqe_rw(&h, ops[i], 1, 0, 1);

		assert_generic_error(&h, h_exec(&h, 1, &s, NULL, 0), NVME_SC_INVALID_OPCODE,
				     LOC_OPCODE);
	}
	h_stop(&h);
}

static void test_io_nsid_zero_is_invalid_namespace_at_nsid(void **state)
{
	struct harness h;

	(void)state;
	start(&h);
	assert_generic_error(&h, io(&h, nvme_cmd_read, 0, 0, 1, rbuf), NVME_SC_INVALID_NS,
			     LOC_NSID);
	h_stop(&h);
}

static void test_io_inactive_nsid_is_invalid_namespace_at_nsid(void **state)
{
	struct harness h;

	(void)state;
	start(&h);
	assert_generic_error(&h, io(&h, nvme_cmd_write, 2, 0, 1, wbuf), NVME_SC_INVALID_NS,
			     LOC_NSID);
	assert_generic_error(&h, io(&h, nvme_cmd_read, 2000000, 0, 1, rbuf), NVME_SC_INVALID_NS,
			     LOC_NSID);
	h_stop(&h);
}

/* FFFFFFFFh is valid for Flush only. */
static void test_io_nsid_ffffffff_read_is_invalid_namespace_at_nsid(void **state)
{
	struct harness h;

	(void)state;
	start(&h);
	assert_generic_error(&h, io(&h, nvme_cmd_read, 0xffffffffu, 0, 1, rbuf),
			     NVME_SC_INVALID_NS, LOC_NSID);
	h_stop(&h);
}

/* Blocks past the last one: LBA Out of Range at SLBA, and the error log
 * entry carries the SLBA (NVMe Base 2.0 §5.16.1.2 (approx.), LBA field). */
static void test_lba_past_end_is_lba_out_of_range_with_slba_in_error_log(void **state)
{
	struct harness h;
	struct nvme_error_log_page e;

	(void)state;
	start(&h);
	assert_generic_error(&h, io(&h, nvme_cmd_read, 1, NS_BLOCKS - 1, 2, rbuf),
			     NVME_SC_LBA_RANGE, LOC_CDW10);
	h_errlog_newest(&h, &e);
	assert_int_equal(le64toh(e.lba), NS_BLOCKS - 1);
	assert_int_equal(le32toh(e.nsid), 1);

	assert_generic_error(&h, io(&h, nvme_cmd_read, 1, NS_BLOCKS, 1, rbuf), NVME_SC_LBA_RANGE,
			     LOC_CDW10);
	h_errlog_newest(&h, &e);
	assert_int_equal(le64toh(e.lba), NS_BLOCKS);
	h_stop(&h);
}

/* The last block itself is in range. */
static void test_lba_range_ending_at_last_block_succeeds(void **state)
{
	struct harness h;

	(void)state;
	start(&h);
	h_fill_pattern(wbuf, 1024, 5);
	assert_success(io(&h, nvme_cmd_write, 1, NS_BLOCKS - 2, 2, wbuf));
	assert_success(io(&h, nvme_cmd_read, 1, NS_BLOCKS - 2, 2, rbuf));
	assert_memory_equal(rbuf, wbuf, 1024);
	h_stop(&h);
}

/* SLBA + NLB computed in 64 bits wraps to a small number; it is still out
 * of range. */
static void test_slba_plus_nlb_wrapping_u64_is_lba_out_of_range(void **state)
{
	struct harness h;
	struct nvme_error_log_page e;

	(void)state;
	start(&h);
	assert_generic_error(&h, io(&h, nvme_cmd_write, 1, UINT64_MAX, 2, wbuf), NVME_SC_LBA_RANGE,
			     LOC_CDW10);
	h_errlog_newest(&h, &e);
	assert_int_equal(le64toh(e.lba), UINT64_MAX);
	assert_generic_error(&h, io(&h, nvme_cmd_read, 1, UINT64_MAX - 2, 8, rbuf),
			     NVME_SC_LBA_RANGE, LOC_CDW10);
	h_stop(&h);
}

/* The range check applies to every command that names blocks. */
static void test_write_compare_write_zeroes_verify_check_lba_range(void **state)
{
	static const uint8_t ops[] = { nvme_cmd_write, nvme_cmd_compare, nvme_cmd_write_zeroes,
				       nvme_cmd_verify };
	struct harness h;

	(void)state;
	start(&h);
	for (unsigned i = 0; i < sizeof(ops); i++) {
		bool data = ops[i] == nvme_cmd_write || ops[i] == nvme_cmd_compare;

		assert_generic_error(&h, io(&h, ops[i], 1, NS_BLOCKS - 1, 2, data ? wbuf : NULL),
				     NVME_SC_LBA_RANGE, LOC_CDW10);
	}
	h_stop(&h);
}

/* MDTS 1: 8 KiB per command, i.e. 16 blocks of 512 bytes; 17 is Invalid
 * Field at NLB. */
static void test_io_more_than_mdts_is_invalid_field_at_nlb(void **state)
{
	struct harness h;

	(void)state;
	h_config(&h);
	h.cfg.mdts = 1;
	h_create(&h);
	h_enable(&h);
	h_add_ns(&h, 1, NVSIM_NS_RAM, NS_BYTES, 512);
	h_add_ns(&h, 2, NVSIM_NS_RAM, NS_BYTES, 4096);
	h_io_queues(&h, 1, 63);
	assert_success(io(&h, nvme_cmd_read, 1, 0, 16, rbuf));
	assert_generic_error(&h, io(&h, nvme_cmd_read, 1, 0, 17, rbuf), NVME_SC_INVALID_FIELD,
			     LOC_CDW12);
	assert_generic_error(&h, io(&h, nvme_cmd_write, 1, 0, 17, wbuf), NVME_SC_INVALID_FIELD,
			     LOC_CDW12);
	assert_success(h_io(&h, 1, nvme_cmd_read, 2, 0, 2, rbuf, 8192));
	assert_generic_error(&h, h_io(&h, 1, nvme_cmd_read, 2, 0, 3, rbuf, 12288),
			     NVME_SC_INVALID_FIELD, LOC_CDW12);
	h_stop(&h);
}

static void test_compare_matching_data_succeeds(void **state)
{
	struct harness h;

	(void)state;
	start(&h);
	h_fill_pattern(wbuf, 4 * 512, 21);
	assert_success(io(&h, nvme_cmd_write, 1, 10, 4, wbuf));
	memcpy(rbuf, wbuf, 4 * 512);
	assert_success(io(&h, nvme_cmd_compare, 1, 10, 4, rbuf));
	h_stop(&h);
}

/* One differing byte: Media and Data Integrity / Compare Failure. */
static void test_compare_mismatch_is_compare_failure(void **state)
{
	struct harness h;

	(void)state;
	start(&h);
	h_fill_pattern(wbuf, 4 * 512, 21);
	assert_success(io(&h, nvme_cmd_write, 1, 10, 4, wbuf));
	memcpy(rbuf, wbuf, 4 * 512);
	rbuf[3 * 512 + 77] ^= 0x01;
	assert_error(&h, io(&h, nvme_cmd_compare, 1, 10, 4, rbuf), NVME_SCT_MEDIA,
		     NVME_SC_COMPARE_FAILED, LOC_ANY);
	h_stop(&h);
}

static void write_pattern_then_zero(uint16_t control)
{
	struct harness h;
	struct nvsim_sqe s;

	start(&h);
	h_fill_pattern(wbuf, 8 * 512, 9);
	assert_success(io(&h, nvme_cmd_write, 1, 40, 8, wbuf));
	s = h_sqe_rw(&h, nvme_cmd_write_zeroes, 1, 42, 4);
	((struct nvsim_sqe_rw *)&s)->control = htole16(control);
	assert_success(h_exec(&h, 1, &s, NULL, 0));
	assert_success(io(&h, nvme_cmd_read, 1, 40, 8, rbuf));
	assert_memory_equal(rbuf, wbuf, 2 * 512);
	assert_true(h_all_bytes(rbuf + 2 * 512, 4 * 512, 0));
	assert_memory_equal(rbuf + 6 * 512, wbuf + 6 * 512, 2 * 512);
	h_stop(&h);
}

/* Write Zeroes: the blocks read as zeros afterwards, neighbours intact. */
static void test_write_zeroes_makes_range_read_zeros(void **state)
{
	(void)state;
	write_pattern_then_zero(0);
}

/* DEAC (CDW12 bit 25) deallocates as well; DLFEAT says deallocated blocks
 * read as zeros. */
static void test_write_zeroes_with_deac_makes_range_read_zeros(void **state)
{
	(void)state;
	write_pattern_then_zero(NVSIM_WZ_CONTROL_DEAC);
}

static struct nvsim_cqe dsm(struct harness *h, const struct nvme_dsm_range *r, unsigned n,
			    size_t len)
{
	struct nvsim_sqe s = h_sqe_dsm(h, 1, n, NVSIM_DSM_ATTR_DEALLOCATE);

	return h_exec(h, 1, &s, (void *)r, len);
}

static struct nvme_dsm_range range(uint64_t slba, uint32_t nlb)
{
	struct nvme_dsm_range r = { .cattr = 0, .nlb = htole32(nlb), .slba = htole64(slba) };

	return r;
}

/* Dataset Management with AD: (NR + 1) ranges, each reading zeros after. */
static void test_dsm_deallocate_then_read_returns_zeros(void **state)
{
	struct harness h;
	struct nvme_dsm_range r[2];

	(void)state;
	start(&h);
	h_fill_pattern(wbuf, 64 * 512, 13);
	assert_success(io(&h, nvme_cmd_write, 1, 0, 64, wbuf));
	r[0] = range(0, 8);  /* a whole 4 KiB chunk */
	r[1] = range(20, 3); /* part of one */
	assert_success(dsm(&h, r, 2, sizeof(r)));
	assert_success(io(&h, nvme_cmd_read, 1, 0, 64, rbuf));
	assert_true(h_all_bytes(rbuf, 8 * 512, 0));
	assert_memory_equal(rbuf + 8 * 512, wbuf + 8 * 512, 12 * 512);
	assert_true(h_all_bytes(rbuf + 20 * 512, 3 * 512, 0));
	assert_memory_equal(rbuf + 23 * 512, wbuf + 23 * 512, 41 * 512);
	h_stop(&h);
}

static void test_dsm_range_beyond_namespace_is_lba_out_of_range(void **state)
{
	struct harness h;
	struct nvme_dsm_range r[2];

	(void)state;
	start(&h);
	r[0] = range(0, 1);
	r[1] = range(NS_BLOCKS - 1, 2);
	assert_error(&h, dsm(&h, r, 2, sizeof(r)), NVME_SCT_GENERIC, NVME_SC_LBA_RANGE, LOC_ANY);
	h_stop(&h);
}

/* The buffer holds exactly NR + 1 16-byte ranges. */
static void test_dsm_buffer_must_hold_nr_plus_one_ranges(void **state)
{
	struct harness h;
	struct nvme_dsm_range r[2];

	(void)state;
	start(&h);
	r[0] = range(0, 1);
	r[1] = range(8, 1);
	assert_generic_error(&h, dsm(&h, r, 2, sizeof(r[0])), NVME_SC_SGL_INVALID_DATA, LOC_DPTR);
	h_stop(&h);
}

/* Verify reads the media and transfers nothing. */
static void test_verify_in_range_succeeds_without_data(void **state)
{
	struct harness h;

	(void)state;
	start(&h);
	assert_success(io(&h, nvme_cmd_verify, 1, 0, 64, NULL));
	assert_success(io(&h, nvme_cmd_verify, 1, NS_BLOCKS - 1, 1, NULL));
	h_stop(&h);
}

static void test_flush_succeeds(void **state)
{
	struct harness h;
	struct nvsim_sqe s;

	(void)state;
	start(&h);
	assert_success(io(&h, nvme_cmd_write, 1, 0, 1, wbuf));
	s = h_sqe(&h, nvme_cmd_flush, 1);
	assert_success(h_exec(&h, 1, &s, NULL, 0));
	h_stop(&h);
}

/* Flush with NSID FFFFFFFFh applies to all namespaces (VWC bits 2:1 = 11b). */
static void test_flush_nsid_ffffffff_flushes_all(void **state)
{
	struct harness h;
	struct nvsim_sqe s;

	(void)state;
	start(&h);
	h_add_ns(&h, 2, NVSIM_NS_RAM, NS_BYTES, 4096);
	s = h_sqe(&h, nvme_cmd_flush, 0xffffffffu);
	assert_success(h_exec(&h, 1, &s, NULL, 0));
	h_stop(&h);
}

static void test_flush_inactive_nsid_is_invalid_namespace(void **state)
{
	struct harness h;
	struct nvsim_sqe s;

	(void)state;
	start(&h);
	s = h_sqe(&h, nvme_cmd_flush, 3);
	assert_generic_error(&h, h_exec(&h, 1, &s, NULL, 0), NVME_SC_INVALID_NS, LOC_NSID);
	h_stop(&h);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(test_write_then_read_returns_the_data),
	cmocka_unit_test(test_unknown_io_opcode_is_invalid_opcode),
	cmocka_unit_test(test_io_nsid_zero_is_invalid_namespace_at_nsid),
	cmocka_unit_test(test_io_inactive_nsid_is_invalid_namespace_at_nsid),
	cmocka_unit_test(test_io_nsid_ffffffff_read_is_invalid_namespace_at_nsid),
	cmocka_unit_test(test_lba_past_end_is_lba_out_of_range_with_slba_in_error_log),
	cmocka_unit_test(test_lba_range_ending_at_last_block_succeeds),
	cmocka_unit_test(test_slba_plus_nlb_wrapping_u64_is_lba_out_of_range),
	cmocka_unit_test(test_write_compare_write_zeroes_verify_check_lba_range),
	cmocka_unit_test(test_io_more_than_mdts_is_invalid_field_at_nlb),
	cmocka_unit_test(test_compare_matching_data_succeeds),
	cmocka_unit_test(test_compare_mismatch_is_compare_failure),
	cmocka_unit_test(test_write_zeroes_makes_range_read_zeros),
	cmocka_unit_test(test_write_zeroes_with_deac_makes_range_read_zeros),
	cmocka_unit_test(test_dsm_deallocate_then_read_returns_zeros),
	cmocka_unit_test(test_dsm_range_beyond_namespace_is_lba_out_of_range),
	cmocka_unit_test(test_dsm_buffer_must_hold_nr_plus_one_ranges),
	cmocka_unit_test(test_verify_in_range_succeeds_without_data),
	cmocka_unit_test(test_flush_succeeds),
	cmocka_unit_test(test_flush_nsid_ffffffff_flushes_all),
	cmocka_unit_test(test_flush_inactive_nsid_is_invalid_namespace),
};

NVMFSIM_TEST_MAIN(tests)
