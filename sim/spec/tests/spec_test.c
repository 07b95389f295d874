/* Wire-format helpers: encode/decode round trips and status naming.  Sizes
 * and offsets are static asserts in the headers; these check behaviour. */
#include <string.h>

#include "cmocka_main.h"
#include "spec/cqe.h"
#include "spec/nqn.h"
#include "spec/rdma_cm.h"
#include "spec/sqe.h"
#include "spec/status.h"
#include "spec/tcp_pdu.h"

static void test_keyed_sgl_round_trips_24_bit_length_and_key(void **state)
{
	struct nvsim_sgl_keyed d;

	(void)state;
	nvsim_sgl_keyed_set(&d, 0x1122334455667788ull, 0xabcdef, 0xdeadbeef,
			    NVSIM_SGL_SUBTYPE_INVALIDATE_KEY);
	assert_int_equal(nvsim_sgl_keyed_len(&d), 0xabcdef);
	assert_int_equal(le32toh(d.key), 0xdeadbeef);
	assert_int_equal(le64toh(d.addr), 0x1122334455667788ull);
	assert_int_equal(nvsim_sgl_type_of(d.id), NVSIM_SGL_TYPE_KEYED_DATA_BLOCK);
	assert_int_equal(nvsim_sgl_subtype_of(d.id), NVSIM_SGL_SUBTYPE_INVALIDATE_KEY);
	/* Byte 15 is the identifier, type in the high nibble. */
	assert_int_equal(((uint8_t *)&d)[15], 0x4f);
}

static void test_status_field_packs_sct_sc_dnr_like_libnvme(void **state)
{
	uint16_t sf = nvsim_status(NVME_SCT_CMD_SPECIFIC, NVME_SC_CONNECT_INVALID_PARAM, true);

	(void)state;
	assert_int_equal(sf, 0x4182);
	assert_int_equal(nvsim_status_sct(sf), 1);
	assert_int_equal(nvsim_status_sc(sf), 0x82);
	assert_true(nvsim_status_dnr(sf));
	assert_int_equal(nvme_status_code_type(sf), 1);
}

static void test_status_describe_names_code_and_dnr(void **state)
{
	char buf[160];

	(void)state;
	nvsim_status_describe(NVSIM_SC_GENERIC(NVME_SC_INVALID_FIELD), false, buf, sizeof(buf));
	assert_non_null(strstr(buf, "SCT 0h/SC 02h"));
	assert_non_null(strstr(buf, "[DNR]"));
	assert_non_null(strstr(buf, "Invalid Field"));
}

static void test_cqe_status_separates_phase_from_status_field(void **state)
{
	struct nvsim_cqe cqe = { .status = htole16((uint16_t)(0x4002u << 1 | 1)) };

	(void)state;
	assert_int_equal(nvsim_cqe_status_field(&cqe), 0x4002);
	assert_int_equal(nvsim_cqe_phase(&cqe), 1);
}

static void test_connect_invalid_param_dw0_carries_ipo_and_iattr(void **state)
{
	(void)state;
	/* SUBNQN sits at byte 256 of the Connect data: IATTR 1 (bits 23:16),
	 * IPO 256 (bits 15:0), as Linux nvmet and SPDK encode it. */
	assert_int_equal(nvsim_connect_invalid_param_dw0(NVSIM_IATTR_CONNECT_DATA, 256), 0x00010100);
	assert_int_equal(nvsim_connect_invalid_param_dw0(NVSIM_IATTR_SQE, 44), 0x0000002c);
	assert_int_equal(nvsim_connect_iattr(0x00010100), 1);
	assert_int_equal(nvsim_connect_ipo(0x00010100), 256);
}

static void test_sqe_psdt_and_xfer_direction_decode(void **state)
{
	struct nvsim_sqe sqe = { .opcode = 0x02, .flags = 1u << NVSIM_SQE_PSDT_SHIFT };

	(void)state;
	assert_int_equal(nvsim_sqe_psdt(&sqe), NVSIM_PSDT_SGL_MPTR_CONTIG);
	assert_int_equal(nvsim_opcode_xfer(0x01), 1); /* write: host to controller */
	assert_int_equal(nvsim_opcode_xfer(0x02), 2); /* read: controller to host */
}

static void test_nqn_accepts_date_domain_and_uuid_forms(void **state)
{
	static const char *good[] = {
		"nqn.2014-08.org.nvmexpress.discovery",
		"nqn.2026-11.io.nvmf-sim:subsys0",
		"nqn.2014-08.org.nvmexpress:uuid:0f01fb42-9f7f-4856-b0b3-51e60b8de349",
		"nqn.1999-12.com.example:any printable: text",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		assert_null(nvsim_nqn_check(good[i], strlen(good[i]) + 1));
}

static void test_nqn_rejects_bad_prefix_month_domain_and_uuid(void **state)
{
	static const char *bad[] = {
		"",
		"blktests-subsystem-1",
		"nqn.2014-13.org.example:x",  /* month 13 */
		"nqn.2014-08.:x",             /* empty domain */
		"nqn.2014-08.org/example:x",  /* '/' in the domain */
		"nqn.2014-08.org.nvmexpress:uuid:0f01fb42-9f7f-4856-b0b3-51e60b8de34", /* short */
		"nqn.2014-08.org.example:tab\there",
	};
	char ctl[] = "nqn.2014-08.org.example:a?b";

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_non_null(nvsim_nqn_check(bad[i], strlen(bad[i]) + 1));
	ctl[25] = 0x01;
	assert_non_null(nvsim_nqn_check(ctl, sizeof(ctl)));
}

static void test_nqn_without_nul_in_its_field_or_over_223_bytes_is_rejected(void **state)
{
	char field[256];

	(void)state;
	memset(field, 'a', sizeof(field));
	memcpy(field, "nqn.2014-08.org.example:", 24);
	assert_string_equal(nvsim_nqn_check(field, sizeof(field)), "not NUL-terminated");
	field[224] = 0; /* 224 characters */
	assert_string_equal(nvsim_nqn_check(field, sizeof(field)), "longer than 223 bytes");
	field[223] = 0; /* exactly 223 */
	assert_null(nvsim_nqn_check(field, sizeof(field)));
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(test_nqn_accepts_date_domain_and_uuid_forms),
	cmocka_unit_test(test_nqn_rejects_bad_prefix_month_domain_and_uuid),
	cmocka_unit_test(test_nqn_without_nul_in_its_field_or_over_223_bytes_is_rejected),
	cmocka_unit_test(test_keyed_sgl_round_trips_24_bit_length_and_key),
	cmocka_unit_test(test_status_field_packs_sct_sc_dnr_like_libnvme),
	cmocka_unit_test(test_status_describe_names_code_and_dnr),
	cmocka_unit_test(test_cqe_status_separates_phase_from_status_field),
	cmocka_unit_test(test_connect_invalid_param_dw0_carries_ipo_and_iattr),
	cmocka_unit_test(test_sqe_psdt_and_xfer_direction_decode),
};

NVMFSIM_TEST_MAIN(tests)
