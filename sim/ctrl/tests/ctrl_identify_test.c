/* Identify (docs/controller.md "Identify"; NVMe Base 2.0 §5.17 (approx.)):
 * CNS 00h namespace, 01h controller, 02h active namespace list, 03h
 * namespace identification descriptors, and the stable identifiers. */
#include "ctrl_harness.h"

static uint8_t id_buf[NVME_IDENTIFY_DATA_SIZE];

static void check_identify_fails(struct harness *h, uint8_t cns, uint32_t nsid, uint16_t sc,
				 uint32_t loc)
{
	struct nvsim_cqe cqe = h_identify(h, cns, nsid, id_buf);

	assert_generic_error(h, cqe, sc, loc);
}

/* Identify data is exactly 4096 bytes; the SGL must describe that. */
static void test_identify_data_must_be_4096_bytes(void **state)
{
	struct harness h;
	static uint8_t big[8192];
	struct nvsim_sqe s;

	(void)state;
	h_start(&h);
	s = h_sqe_identify(&h, NVME_IDENTIFY_CNS_CTRL, 0);
	assert_generic_error(&h, h_exec(&h, 0, &s, big, 4095), NVME_SC_SGL_INVALID_DATA, LOC_DPTR);
	s = h_sqe_identify(&h, NVME_IDENTIFY_CNS_CTRL, 0);
	assert_generic_error(&h, h_exec(&h, 0, &s, big, 8192), NVME_SC_SGL_INVALID_DATA, LOC_DPTR);
	h_stop(&h);
}

static void test_identify_ns_nsid_zero_is_invalid_namespace(void **state)
{
	struct harness h;

	(void)state;
	h_start(&h);
	h_add_ns(&h, 1, NVSIM_NS_NULL, 1 << 20, 512);
	check_identify_fails(&h, NVME_IDENTIFY_CNS_NS, 0, NVME_SC_INVALID_NS, LOC_NSID);
	h_stop(&h);
}

static void test_identify_ns_nsid_above_nn_is_invalid_namespace(void **state)
{
	struct harness h;

	(void)state;
	h_config(&h);
	h.cfg.max_namespaces = 8;
	h_create(&h);
	h_enable(&h);
	check_identify_fails(&h, NVME_IDENTIFY_CNS_NS, 9, NVME_SC_INVALID_NS, LOC_NSID);
	h_stop(&h);
}

/* FFFFFFFFh names all namespaces; without namespace management it is not
 * valid for Identify Namespace. */
static void test_identify_ns_nsid_ffffffff_is_invalid_namespace(void **state)
{
	struct harness h;

	(void)state;
	h_start(&h);
	h_add_ns(&h, 1, NVSIM_NS_NULL, 1 << 20, 512);
	check_identify_fails(&h, NVME_IDENTIFY_CNS_NS, 0xffffffffu, NVME_SC_INVALID_NS, LOC_NSID);
	h_stop(&h);
}

/* A valid NSID with no namespace attached reads as a zero-filled data
 * structure (NVMe Base 2.0 §5.17.2.1 (approx.)). */
static void test_identify_ns_inactive_nsid_returns_zeros(void **state)
{
	struct harness h;

	(void)state;
	h_start(&h);
	h_add_ns(&h, 1, NVSIM_NS_NULL, 1 << 20, 512);
	memset(id_buf, 0xa5, sizeof(id_buf));
	assert_success(h_identify(&h, NVME_IDENTIFY_CNS_NS, 2, id_buf));
	assert_true(h_all_bytes(id_buf, sizeof(id_buf), 0));
	h_stop(&h);
}

/* NSZE in blocks and the current LBA format's data size (2^LBADS). */
static void test_identify_ns_reports_size_and_lba_format(void **state)
{
	static const uint32_t lba[] = { 512, 4096 };
	struct harness h;

	(void)state;
	h_start(&h);
	h_add_ns(&h, 1, NVSIM_NS_RAM, 8 << 20, lba[0]);
	h_add_ns(&h, 2, NVSIM_NS_RAM, 8 << 20, lba[1]);
	for (unsigned i = 0; i < 2; i++) {
		struct nvme_id_ns *ns = (struct nvme_id_ns *)id_buf;
		unsigned fmt;

		assert_success(h_identify(&h, NVME_IDENTIFY_CNS_NS, i + 1, id_buf));
		assert_int_equal(le64toh(ns->nsze), (8u << 20) / lba[i]);
		fmt = ns->flbas & 0xf;
		assert_true(fmt <= ns->nlbaf);
		assert_int_equal(1u << ns->lbaf[fmt].ds, lba[i]);
	}
	h_stop(&h);
}

static void test_identify_ctrl_reports_configured_fields(void **state)
{
	struct harness h;
	struct nvme_id_ctrl *id = (struct nvme_id_ctrl *)id_buf;

	(void)state;
	h_config(&h);
	h.cfg.cntlid = 0x2a;
	h.cfg.mdts = 5;
	h.cfg.mqes = 127;
	h.cfg.aerl = 2;
	h.cfg.elpe = 15;
	h.cfg.kas = 5;
	h.cfg.max_namespaces = 77;
	h.cfg.ioccsz = 260;
	h.cfg.iorcsz = 2;
	h.cfg.icdoff = 0;
	h.cfg.msdbd = 1;
	strcpy(h.cfg.subnqn, "nqn.2026-11.io.nvmf-sim:identify-test");
	h_create(&h);
	h_enable(&h);
	assert_success(h_identify(&h, NVME_IDENTIFY_CNS_CTRL, 0, id_buf));
	assert_int_equal(id->mdts, 5);
	assert_int_equal(le16toh(id->cntlid), 0x2a);
	assert_int_equal(id->sqes, 0x66);
	assert_int_equal(id->cqes, 0x44);
	assert_int_equal(le16toh(id->maxcmd), 128);
	assert_int_equal(le32toh(id->nn), 77);
	assert_int_equal(id->aerl, 2);
	assert_int_equal(id->elpe, 15);
	assert_int_equal(le16toh(id->kas), 5);
	assert_string_equal(id->subnqn, "nqn.2026-11.io.nvmf-sim:identify-test");
	assert_int_equal(le32toh(id->ioccsz), 260);
	assert_int_equal(le32toh(id->iorcsz), 2);
	assert_int_equal(le16toh(id->icdoff), 0);
	assert_int_equal(id->msdbd, 1);
	assert_int_equal(id->cntrltype, NVME_CTRL_CNTRLTYPE_IO);
	assert_int_not_equal(le32toh(id->sgls) & 0x3, 0); /* SGLs supported */
	h_stop(&h);
}

static void test_identify_ctrl_discovery_controller_type(void **state)
{
	struct harness h;
	struct nvme_id_ctrl *id = (struct nvme_id_ctrl *)id_buf;

	(void)state;
	h_config(&h);
	h.cfg.discovery = true;
	h_create(&h);
	h_enable(&h);
	assert_success(h_identify(&h, NVME_IDENTIFY_CNS_CTRL, 0, id_buf));
	assert_int_equal(id->cntrltype, NVME_CTRL_CNTRLTYPE_DISCOVERY);
	h_stop(&h);
}

/* SGLS bit 2 (keyed SGL data block) follows the transport's setting. */
static void test_identify_ctrl_sgls_keyed_bit_follows_config(void **state)
{
	(void)state;
	for (int keyed = 0; keyed < 2; keyed++) {
		struct harness h;
		struct nvme_id_ctrl *id = (struct nvme_id_ctrl *)id_buf;

		h_config(&h);
		h.cfg.keyed_sgl = keyed;
		h_create(&h);
		h_enable(&h);
		assert_success(h_identify(&h, NVME_IDENTIFY_CNS_CTRL, 0, id_buf));
		assert_int_equal(!!(le32toh(id->sgls) & NVME_CTRL_SGLS_KEYED), keyed);
		h_stop(&h);
	}
}

/* SGLS bit 18 advertises that a longer data SGL is accepted. */
static void test_identify_ctrl_sgls_bit_18_follows_sgl_oversize_ok(void **state)
{
	(void)state;
	for (int ok = 0; ok < 2; ok++) {
		struct harness h;
		struct nvme_id_ctrl *id = (struct nvme_id_ctrl *)id_buf;

		h_config(&h);
		h.cfg.sgl_oversize_ok = ok;
		h_create(&h);
		h_enable(&h);
		assert_success(h_identify(&h, NVME_IDENTIFY_CNS_CTRL, 0, id_buf));
		assert_int_equal(!!(le32toh(id->sgls) & NVME_CTRL_SGLS_OVERSIZE), ok);
		h_stop(&h);
	}
}

/* CNS 02h: active NSIDs strictly greater than NSID, ascending, zero
 * terminated. */
static void test_identify_active_ns_list_ascending_above_nsid(void **state)
{
	struct harness h;

	(void)state;
	h_start(&h);
	h_add_ns(&h, 7, NVSIM_NS_NULL, 1 << 20, 512);
	h_add_ns(&h, 2, NVSIM_NS_NULL, 1 << 20, 512);
	h_add_ns(&h, 5, NVSIM_NS_NULL, 1 << 20, 512);
	memset(id_buf, 0xa5, sizeof(id_buf));
	assert_success(h_identify(&h, NVME_IDENTIFY_CNS_NS_ACTIVE_LIST, 0, id_buf));
	assert_int_equal(get_le32(id_buf + 0), 2);
	assert_int_equal(get_le32(id_buf + 4), 5);
	assert_int_equal(get_le32(id_buf + 8), 7);
	assert_true(h_all_bytes(id_buf + 12, sizeof(id_buf) - 12, 0));

	assert_success(h_identify(&h, NVME_IDENTIFY_CNS_NS_ACTIVE_LIST, 2, id_buf));
	assert_int_equal(get_le32(id_buf + 0), 5);
	assert_int_equal(get_le32(id_buf + 4), 7);
	assert_int_equal(get_le32(id_buf + 8), 0);
	h_stop(&h);
}

/* The list holds at most 1024 entries. */
static void test_identify_active_ns_list_holds_at_most_1024(void **state)
{
	struct harness h;

	(void)state;
	h_config(&h);
	h.cfg.max_namespaces = 1100;
	h_create(&h);
	h_enable(&h);
	for (uint32_t nsid = 1; nsid <= 1100; nsid++)
		h_add_ns(&h, nsid, NVSIM_NS_NULL, 4096, 512);
	assert_success(h_identify(&h, NVME_IDENTIFY_CNS_NS_ACTIVE_LIST, 0, id_buf));
	for (uint32_t i = 0; i < 1024; i++)
		assert_int_equal(get_le32(id_buf + 4 * i), i + 1);
	assert_success(h_identify(&h, NVME_IDENTIFY_CNS_NS_ACTIVE_LIST, 1024, id_buf));
	assert_int_equal(get_le32(id_buf), 1025);
	assert_int_equal(get_le32(id_buf + 4 * 75), 1100);
	assert_int_equal(get_le32(id_buf + 4 * 76), 0);
	h_stop(&h);
}

static void test_identify_active_ns_list_nsid_fffffffe_is_invalid_namespace(void **state)
{
	struct harness h;

	(void)state;
	h_start(&h);
	check_identify_fails(&h, NVME_IDENTIFY_CNS_NS_ACTIVE_LIST, 0xfffffffeu, NVME_SC_INVALID_NS,
			     LOC_NSID);
	h_stop(&h);
}

static void test_identify_active_ns_list_nsid_ffffffff_is_invalid_namespace(void **state)
{
	struct harness h;

	(void)state;
	h_start(&h);
	check_identify_fails(&h, NVME_IDENTIFY_CNS_NS_ACTIVE_LIST, 0xffffffffu, NVME_SC_INVALID_NS,
			     LOC_NSID);
	h_stop(&h);
}

/* Walk the descriptor list; returns a pointer to the NID of type nidt. */
static const uint8_t *find_desc(const uint8_t *buf, uint8_t nidt, uint8_t *len)
{
	size_t off = 0;

	while (off + 4 <= NVME_IDENTIFY_DATA_SIZE && buf[off] != 0) {
		if (buf[off] == nidt) {
			*len = buf[off + 1];
			return buf + off + 4;
		}
		off += 4u + buf[off + 1];
	}
	return NULL;
}

/* CNS 03h: EUI-64 (8 bytes), NGUID (16), UUID (16) and CSI (1, NVM = 0). */
static void test_identify_ns_descs_carry_eui64_nguid_uuid_csi(void **state)
{
	struct harness h;
	const uint8_t *nid;
	uint8_t len = 0;

	(void)state;
	h_start(&h);
	h_add_ns(&h, 1, NVSIM_NS_RAM, 1 << 20, 512);
	assert_success(h_identify(&h, NVME_IDENTIFY_CNS_NS_DESC_LIST, 1, id_buf));
	nid = find_desc(id_buf, NVME_NIDT_EUI64, &len);
	assert_non_null(nid);
	assert_int_equal(len, NVME_NIDT_EUI64_LEN);
	assert_false(h_all_bytes(nid, len, 0));
	nid = find_desc(id_buf, NVME_NIDT_NGUID, &len);
	assert_non_null(nid);
	assert_int_equal(len, NVME_NIDT_NGUID_LEN);
	assert_false(h_all_bytes(nid, len, 0));
	nid = find_desc(id_buf, NVME_NIDT_UUID, &len);
	assert_non_null(nid);
	assert_int_equal(len, NVME_NIDT_UUID_LEN);
	assert_false(h_all_bytes(nid, len, 0));
	nid = find_desc(id_buf, NVME_NIDT_CSI, &len);
	assert_non_null(nid);
	assert_int_equal(len, NVME_NIDT_CSI_LEN);
	assert_int_equal(nid[0], NVME_CSI_NVM);
	h_stop(&h);
}

/* An inactive NSID is valid: Invalid Field (NVMe Base 2.1 §5.1.13.2.3, §3.2.1.5). */
static void test_identify_ns_descs_inactive_nsid_is_invalid_field(void **state)
{
	struct harness h;

	(void)state;
	h_start(&h);
	h_add_ns(&h, 1, NVSIM_NS_RAM, 1 << 20, 512);
	check_identify_fails(&h, NVME_IDENTIFY_CNS_NS_DESC_LIST, 2, NVME_SC_INVALID_FIELD,
			     LOC_NSID);
	h_stop(&h);
}

static void test_identify_ns_descs_invalid_nsid_is_invalid_namespace(void **state)
{
	struct harness h;

	(void)state;
	h_start(&h);
	h_add_ns(&h, 1, NVSIM_NS_RAM, 1 << 20, 512);
	check_identify_fails(&h, NVME_IDENTIFY_CNS_NS_DESC_LIST, 0, NVME_SC_INVALID_NS, LOC_NSID);
	check_identify_fails(&h, NVME_IDENTIFY_CNS_NS_DESC_LIST, 0xffffffffu, NVME_SC_INVALID_NS,
			     LOC_NSID);
	h_stop(&h);
}

static void test_identify_other_cns_is_invalid_field_at_cns(void **state)
{
	struct harness h;

	(void)state;
	h_start(&h);
	h_add_ns(&h, 1, NVSIM_NS_RAM, 1 << 20, 512);
	check_identify_fails(&h, 0x04, 1, NVME_SC_INVALID_FIELD, LOC_CDW10);
	check_identify_fails(&h, 0x14, 0, NVME_SC_INVALID_FIELD, LOC_CDW10);
	check_identify_fails(&h, 0xff, 0, NVME_SC_INVALID_FIELD, LOC_CDW10);
	h_stop(&h);
}

/* The three identifiers of one namespace, read through CNS 03h. */
struct ns_ids {
	uint8_t eui64[8];
	uint8_t nguid[16];
	uint8_t uuid[16];
};

static void read_ids(struct harness *h, uint32_t nsid, struct ns_ids *ids)
{
	const uint8_t *nid;
	uint8_t len;

	assert_success(h_identify(h, NVME_IDENTIFY_CNS_NS_DESC_LIST, nsid, id_buf));
	nid = find_desc(id_buf, NVME_NIDT_EUI64, &len);
	assert_non_null(nid);
	memcpy(ids->eui64, nid, 8);
	nid = find_desc(id_buf, NVME_NIDT_NGUID, &len);
	assert_non_null(nid);
	memcpy(ids->nguid, nid, 16);
	nid = find_desc(id_buf, NVME_NIDT_UUID, &len);
	assert_non_null(nid);
	memcpy(ids->uuid, nid, 16);
}

static void start_with_ns(struct harness *h, const char *serial, const char *subnqn)
{
	h_config(h);
	strcpy(h->cfg.serial, serial);
	strcpy(h->cfg.subnqn, subnqn);
	h_create(h);
	h_enable(h);
	h_add_ns(h, 1, NVSIM_NS_NULL, 1 << 20, 512);
	h_add_ns(h, 2, NVSIM_NS_NULL, 1 << 20, 512);
}

/* Derived, not random: the same serial, NQN and NSID give the same IDs on
 * a new controller (a new run). */
static void test_namespace_ids_are_stable_across_runs(void **state)
{
	struct harness a, b;
	struct ns_ids ia, ib;

	(void)state;
	start_with_ns(&a, "SER-A", "nqn.2026-11.io.nvmf-sim:stable");
	read_ids(&a, 1, &ia);
	h_stop(&a);
	start_with_ns(&b, "SER-A", "nqn.2026-11.io.nvmf-sim:stable");
	read_ids(&b, 1, &ib);
	h_stop(&b);
	assert_memory_equal(&ia, &ib, sizeof(ia));
}

static void test_namespace_ids_are_distinct_across_namespaces(void **state)
{
	struct harness h;
	struct ns_ids i1, i2;

	(void)state;
	start_with_ns(&h, "SER-A", "nqn.2026-11.io.nvmf-sim:stable");
	read_ids(&h, 1, &i1);
	read_ids(&h, 2, &i2);
	assert_memory_not_equal(i1.eui64, i2.eui64, 8);
	assert_memory_not_equal(i1.nguid, i2.nguid, 16);
	assert_memory_not_equal(i1.uuid, i2.uuid, 16);
	h_stop(&h);
}

/* Two subsystems (or two serials) must not hand out the same NGUID/UUID. */
static void test_namespace_ids_depend_on_serial_and_subnqn(void **state)
{
	struct harness a, b, c;
	struct ns_ids ia, ib, ic;

	(void)state;
	start_with_ns(&a, "SER-A", "nqn.2026-11.io.nvmf-sim:one");
	read_ids(&a, 1, &ia);
	h_stop(&a);
	start_with_ns(&b, "SER-B", "nqn.2026-11.io.nvmf-sim:one");
	read_ids(&b, 1, &ib);
	h_stop(&b);
	start_with_ns(&c, "SER-A", "nqn.2026-11.io.nvmf-sim:two");
	read_ids(&c, 1, &ic);
	h_stop(&c);
	assert_memory_not_equal(ia.nguid, ib.nguid, 16);
	assert_memory_not_equal(ia.uuid, ib.uuid, 16);
	assert_memory_not_equal(ia.nguid, ic.nguid, 16);
	assert_memory_not_equal(ia.uuid, ic.uuid, 16);
}

/* Identify Namespace NGUID/EUI64 and the descriptors name the same IDs. */
static void test_identify_ns_ids_match_descriptors(void **state)
{
	struct harness h;
	struct ns_ids ids;
	struct nvme_id_ns *ns = (struct nvme_id_ns *)id_buf;

	(void)state;
	start_with_ns(&h, "SER-A", "nqn.2026-11.io.nvmf-sim:stable");
	read_ids(&h, 2, &ids);
	assert_success(h_identify(&h, NVME_IDENTIFY_CNS_NS, 2, id_buf));
	assert_memory_equal(ns->nguid, ids.nguid, 16);
	assert_memory_equal(ns->eui64, ids.eui64, 8);
	h_stop(&h);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(test_identify_data_must_be_4096_bytes),
	cmocka_unit_test(test_identify_ns_nsid_zero_is_invalid_namespace),
	cmocka_unit_test(test_identify_ns_nsid_above_nn_is_invalid_namespace),
	cmocka_unit_test(test_identify_ns_nsid_ffffffff_is_invalid_namespace),
	cmocka_unit_test(test_identify_ns_inactive_nsid_returns_zeros),
	cmocka_unit_test(test_identify_ns_reports_size_and_lba_format),
	cmocka_unit_test(test_identify_ctrl_reports_configured_fields),
	cmocka_unit_test(test_identify_ctrl_discovery_controller_type),
	cmocka_unit_test(test_identify_ctrl_sgls_keyed_bit_follows_config),
	cmocka_unit_test(test_identify_ctrl_sgls_bit_18_follows_sgl_oversize_ok),
	cmocka_unit_test(test_identify_active_ns_list_ascending_above_nsid),
	cmocka_unit_test(test_identify_active_ns_list_holds_at_most_1024),
	cmocka_unit_test(test_identify_active_ns_list_nsid_fffffffe_is_invalid_namespace),
	cmocka_unit_test(test_identify_active_ns_list_nsid_ffffffff_is_invalid_namespace),
	cmocka_unit_test(test_identify_ns_descs_carry_eui64_nguid_uuid_csi),
	cmocka_unit_test(test_identify_ns_descs_inactive_nsid_is_invalid_field),
	cmocka_unit_test(test_identify_ns_descs_invalid_nsid_is_invalid_namespace),
	cmocka_unit_test(test_identify_other_cns_is_invalid_field_at_cns),
	cmocka_unit_test(test_namespace_ids_are_stable_across_runs),
	cmocka_unit_test(test_namespace_ids_are_distinct_across_namespaces),
	cmocka_unit_test(test_namespace_ids_depend_on_serial_and_subnqn),
	cmocka_unit_test(test_identify_ns_ids_match_descriptors),
};

NVMFSIM_TEST_MAIN(tests)
