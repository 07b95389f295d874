/* Connect and Property rules over the wire: each malformed capsule is sent
 * through the raw host layer over NVMe/RDMA (fake fabric) to the embedded
 * target, and the exact status and IATTR/IPO are asserted (NVMe-oF 1.1
 * §3.3, NVMe Base 2.0 §6.3/§6.5/§6.6 (approx.); catalogue §4.2, §4.3). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli/embedded.h"
#include "cmocka_main.h"
#include "host/host.h"
#include "spec/rdma_cm.h"
#include "spec/status.h"

#define HOSTNQN "nqn.2014-08.org.nvmexpress:uuid:0f01fb42-9f7f-4856-b0b3-51e60b8de349"
#define HOSTNQN2 "nqn.2014-08.org.nvmexpress:uuid:11111111-2222-3333-4444-555555555555"
#define SUBNQN "nqn.2026-11.io.nvmf-sim:embedded0"

static const uint8_t hostid1[16] = { 0x0f, 0x01, 0xfb, 0x42, 0x9f, 0x7f, 0x48, 0x56,
				     0xb0, 0xb3, 0x51, 0xe6, 0x0b, 0x8d, 0xe3, 0x49 };

struct fixture {
	struct nvsim_embedded *e;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct nvsim_embedded_config cfg;

	nvsim_embedded_config_init(&cfg);
	cfg.ns_size_bytes = 16ull << 20;
	if (!f || nvsim_embedded_start(&cfg, &f->e))
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	nvsim_embedded_stop(f->e);
	free(f);
	return 0;
}

static struct nvsim_hq *open_queue(struct fixture *f, uint16_t qid, uint16_t sqsize)
{
	struct nvsim_hq_config qc;
	struct nvsim_host_status st;
	struct nvsim_hq *q = NULL;

	nvsim_hq_config_init(&qc);
	qc.fabric = f->e->fabric;
	qc.addr = NVSIM_EMBEDDED_ADDR;
	qc.progress = nvsim_embedded_poll;
	qc.progress_arg = f->e;
	qc.qid = qid;
	qc.sqsize = sqsize;
	assert_int_equal(nvsim_hq_connect(&qc, &q, &st), 0);
	return q;
}

struct connect_args {
	uint16_t qid, sqsize, cntlid, recfmt;
	uint32_t kato;
	const char *subnqn, *hostnqn;
	const uint8_t *hostid;
	size_t len;
};

static struct connect_args admin_args(void)
{
	return (struct connect_args){ .sqsize = 31, .cntlid = 0xffff, .kato = 30000,
				      .subnqn = SUBNQN, .hostnqn = HOSTNQN, .hostid = hostid1,
				      .len = 1024 };
}

static struct nvsim_host_status send_connect(struct nvsim_hq *q, const struct connect_args *a)
{
	struct nvsim_sqe sqe = { .opcode = NVSIM_FABRICS_OPCODE };
	struct nvsim_sqe_connect *c = (void *)&sqe;
	uint8_t *data = calloc(1, 2048);
	struct nvmf_connect_data *cd = (void *)data;
	struct nvsim_host_status st;

	assert_non_null(data);
	c->fctype = nvme_fabrics_type_connect;
	c->recfmt = htole16(a->recfmt);
	c->qid = htole16(a->qid);
	c->sqsize = htole16(a->sqsize);
	c->kato = htole32(a->kato);
	memcpy(cd->hostid, a->hostid, 16);
	cd->cntlid = htole16(a->cntlid);
	memcpy(cd->subsysnqn, a->subnqn, strnlen(a->subnqn, sizeof(cd->subsysnqn)));
	memcpy(cd->hostnqn, a->hostnqn, strnlen(a->hostnqn, sizeof(cd->hostnqn)));
	nvsim_hq_exec(q, &sqe, data, a->len, NVSIM_DIR_H2C, &st);
	free(data);
	assert_int_equal(st.err, 0);
	assert_true(st.has_cqe);
	return st;
}

static void assert_sf(const struct nvsim_host_status *st, unsigned sct, unsigned sc, bool dnr)
{
	assert_int_equal(nvsim_status_sct(st->sf), sct);
	assert_int_equal(nvsim_status_sc(st->sf), sc);
	assert_int_equal(nvsim_status_dnr(st->sf), dnr);
}

static void assert_ipo(const struct nvsim_host_status *st, unsigned iattr, unsigned ipo)
{
	assert_sf(st, NVME_SCT_CMD_SPECIFIC, NVME_SC_CONNECT_INVALID_PARAM, true);
	assert_int_equal(le32toh(st->cqe.dw0), nvsim_connect_invalid_param_dw0(iattr, (uint16_t)ipo));
}

/* Admin Connect with one field changed: expect Connect Invalid Parameters
 * pointing at it. */
static struct nvsim_host_status admin_try(void **state, struct connect_args a)
{
	struct fixture *f = *state;
	struct nvsim_hq *q = open_queue(f, 0, 31);
	struct nvsim_host_status st = send_connect(q, &a);

	nvsim_hq_close(q);
	return st;
}

static void test_wire_connect_recfmt_1_is_incompatible_format(void **state)
{
	struct connect_args a = admin_args();
	struct nvsim_host_status st;

	a.recfmt = 1;
	st = admin_try(state, a);
	assert_sf(&st, NVME_SCT_CMD_SPECIFIC, NVME_SC_CONNECT_FORMAT, true);
}

static void test_wire_connect_data_of_1023_bytes_is_data_sgl_length_invalid(void **state)
{
	struct connect_args a = admin_args();
	struct nvsim_host_status st;

	a.len = 1023;
	st = admin_try(state, a);
	assert_sf(&st, NVME_SCT_GENERIC, NVME_SC_SGL_INVALID_DATA, true);
}

static void test_wire_connect_unknown_subnqn_points_at_data_256(void **state)
{
	struct connect_args a = admin_args();
	struct nvsim_host_status st;

	a.subnqn = "nqn.2026-11.io.nvmf-sim:absent";
	st = admin_try(state, a);
	assert_ipo(&st, NVSIM_IATTR_CONNECT_DATA, 256);
}

/* A subsystem of the target that is not exported on the port the host came
 * in on is unknown there (Linux nvmet looks in the port's list). */
static void test_wire_connect_subsystem_of_another_port_points_at_data_256(void **state)
{
	struct fixture *f = *state;
	struct nvsim_subsys_config sc = { .nqn = "nqn.2026-11.io.nvmf-sim:elsewhere",
					  .allow_any_host = true };
	struct connect_args a = admin_args();
	struct nvsim_subsys *s;
	struct nvsim_host_status st;

	assert_int_equal(nvsim_subsys_add(f->e->target, &sc, &s), 0);
	a.subnqn = sc.nqn;
	st = admin_try(state, a);
	assert_ipo(&st, NVSIM_IATTR_CONNECT_DATA, 256);
	/* linked to the port, the same Connect is taken */
	assert_int_equal(nvsim_port_add_subsys(f->e->port, s), 0);
	st = admin_try(state, a);
	assert_int_equal(st.sf, 0);
}

static void test_wire_connect_malformed_hostnqn_points_at_data_512(void **state)
{
	struct connect_args a = admin_args();
	struct nvsim_host_status st;

	a.hostnqn = "host-without-nqn-prefix";
	st = admin_try(state, a);
	assert_ipo(&st, NVSIM_IATTR_CONNECT_DATA, 512);
}

static void test_wire_connect_zero_hostid_points_at_data_0(void **state)
{
	static const uint8_t zero[16];
	struct connect_args a = admin_args();
	struct nvsim_host_status st;

	a.hostid = zero;
	st = admin_try(state, a);
	assert_ipo(&st, NVSIM_IATTR_CONNECT_DATA, 0);
}

static void test_wire_connect_sqsize_0_points_at_sqe_44(void **state)
{
	struct connect_args a = admin_args();
	struct nvsim_host_status st;

	a.sqsize = 0;
	st = admin_try(state, a);
	assert_ipo(&st, NVSIM_IATTR_SQE, 44);
}

static void test_wire_connect_admin_sqsize_32_points_at_sqe_44(void **state)
{
	struct connect_args a = admin_args();
	struct nvsim_host_status st;

	a.sqsize = 32;
	st = admin_try(state, a);
	assert_ipo(&st, NVSIM_IATTR_SQE, 44);
}

static void test_wire_connect_admin_static_cntlid_points_at_data_16(void **state)
{
	struct connect_args a = admin_args();
	struct nvsim_host_status st;

	a.cntlid = 1;
	st = admin_try(state, a);
	assert_ipo(&st, NVSIM_IATTR_CONNECT_DATA, 16);
}

static void test_wire_connect_host_not_allowed_is_connect_invalid_host(void **state)
{
	struct fixture *f = *state;
	struct nvsim_subsys_config sc = { .nqn = "nqn.2026-11.io.nvmf-sim:private" };
	struct nvsim_subsys *s;
	struct connect_args a = admin_args();
	struct nvsim_host_status st;

	if (!nvsim_subsys_find(f->e->target, sc.nqn)) {
		assert_int_equal(nvsim_subsys_add(f->e->target, &sc, &s), 0);
		assert_int_equal(nvsim_subsys_allow_host(s, HOSTNQN2), 0);
		assert_int_equal(nvsim_port_add_subsys(f->e->port, s), 0);
	}
	a.subnqn = sc.nqn;
	st = admin_try(state, a);
	assert_sf(&st, NVME_SCT_CMD_SPECIFIC, NVME_SC_CONNECT_INVALID_HOST, true);
}

/* ---- I/O queue Connect -------------------------------------------------------- */

struct admin_side {
	struct nvsim_hq *q;
	uint16_t cntlid;
};

static struct admin_side admin_up(struct fixture *f, bool enable)
{
	struct connect_args a = admin_args();
	struct admin_side ad = { open_queue(f, 0, 31), 0 };
	struct nvsim_host_status st = send_connect(ad.q, &a);
	uint64_t csts = 0;

	assert_int_equal(st.sf, 0);
	ad.cntlid = (uint16_t)le32toh(st.cqe.dw0);
	if (enable) {
		assert_int_equal(nvsim_host_prop_set(ad.q, 0x14, false, 1u | 6u << 16 | 4u << 20, &st),
				 0);
		assert_int_equal(nvsim_host_prop_get(ad.q, 0x1c, false, &csts, &st), 0);
		assert_true(csts & 1);
	}
	return ad;
}

static struct nvsim_host_status io_try(struct fixture *f, struct connect_args a)
{
	struct nvsim_hq *q = open_queue(f, a.qid ? a.qid : 1, 127);
	struct nvsim_host_status st = send_connect(q, &a);

	nvsim_hq_close(q);
	return st;
}

static struct connect_args io_args(uint16_t cntlid)
{
	struct connect_args a = admin_args();

	a.qid = 1;
	a.sqsize = 127;
	a.cntlid = cntlid;
	a.kato = 0;
	return a;
}

static void test_wire_io_connect_unknown_cntlid_points_at_data_16(void **state)
{
	struct admin_side ad = admin_up(*state, true);
	struct connect_args a = io_args((uint16_t)(ad.cntlid + 100));
	struct nvsim_host_status st = io_try(*state, a);

	assert_ipo(&st, NVSIM_IATTR_CONNECT_DATA, 16);
	nvsim_hq_close(ad.q);
}

static void test_wire_io_connect_before_enable_points_at_sqe_42(void **state)
{
	struct admin_side ad = admin_up(*state, false);
	struct nvsim_host_status st = io_try(*state, io_args(ad.cntlid));

	assert_ipo(&st, NVSIM_IATTR_SQE, 42);
	nvsim_hq_close(ad.q);
}

static void test_wire_io_connect_other_hostid_points_at_data_0(void **state)
{
	static const uint8_t other[16] = { 9, 9, 9 };
	struct admin_side ad = admin_up(*state, true);
	struct connect_args a = io_args(ad.cntlid);
	struct nvsim_host_status st;

	a.hostid = other;
	st = io_try(*state, a);
	assert_ipo(&st, NVSIM_IATTR_CONNECT_DATA, 0);
	nvsim_hq_close(ad.q);
}

static void test_wire_io_connect_qid_above_granted_points_at_sqe_42(void **state)
{
	struct admin_side ad = admin_up(*state, true);
	struct connect_args a = io_args(ad.cntlid);
	struct nvsim_sqe sqe = { .opcode = nvme_admin_set_features, .cdw10 = htole32(7),
				 .cdw11 = htole32(0) }; /* one queue pair */
	struct nvsim_host_status st;

	assert_int_equal(nvsim_hq_exec(ad.q, &sqe, NULL, 0, NVSIM_DIR_NONE, &st), 0);
	a.qid = 2;
	st = io_try(*state, a);
	assert_ipo(&st, NVSIM_IATTR_SQE, 42);
	nvsim_hq_close(ad.q);
}

static void test_wire_second_connect_on_a_queue_is_controller_busy(void **state)
{
	struct admin_side ad = admin_up(*state, false);
	struct connect_args a = admin_args();
	struct nvsim_host_status st = send_connect(ad.q, &a);

	assert_sf(&st, NVME_SCT_CMD_SPECIFIC, NVME_SC_CONNECT_CTRL_BUSY, true);
	nvsim_hq_close(ad.q);
}

static void test_wire_command_before_connect_is_command_sequence_error(void **state)
{
	struct nvsim_hq *q = open_queue(*state, 0, 31);
	struct nvsim_sqe sqe = { .opcode = nvme_admin_keep_alive };
	struct nvsim_host_status st;

	nvsim_hq_exec(q, &sqe, NULL, 0, NVSIM_DIR_NONE, &st);
	assert_sf(&st, NVME_SCT_GENERIC, NVME_SC_CMD_SEQ_ERROR, true);
	nvsim_hq_close(q);
}

/* ---- Property Get/Set -------------------------------------------------------------- */

static void test_wire_property_get_cap_as_4_bytes_is_invalid_field(void **state)
{
	struct admin_side ad = admin_up(*state, false);
	struct nvsim_host_status st;
	uint64_t v;

	assert_int_equal(nvsim_host_prop_get(ad.q, 0x00, true, &v, &st), 0);
	assert_int_equal(v & 0xffff, 1023);
	nvsim_host_prop_get(ad.q, 0x00, false, &v, &st);
	assert_sf(&st, NVME_SCT_GENERIC, NVME_SC_INVALID_FIELD, true);
	nvsim_host_prop_get(ad.q, 0x30, false, &v, &st); /* reserved offset */
	assert_sf(&st, NVME_SCT_GENERIC, NVME_SC_INVALID_FIELD, true);
	nvsim_hq_close(ad.q);
}

static void test_wire_property_set_other_than_4_byte_cc_is_invalid_field(void **state)
{
	struct admin_side ad = admin_up(*state, false);
	struct nvsim_host_status st;

	nvsim_host_prop_set(ad.q, 0x08, false, 0x00010400, &st); /* VS is read-only */
	assert_sf(&st, NVME_SCT_GENERIC, NVME_SC_INVALID_FIELD, true);
	nvsim_host_prop_set(ad.q, 0x14, true, 0, &st); /* CC as 8 bytes */
	assert_sf(&st, NVME_SCT_GENERIC, NVME_SC_INVALID_FIELD, true);
	nvsim_hq_close(ad.q);
}

static void test_wire_enable_with_bad_iosqes_sets_cfs(void **state)
{
	struct admin_side ad = admin_up(*state, false);
	struct nvsim_host_status st;
	uint64_t csts = 0;

	assert_int_equal(nvsim_host_prop_set(ad.q, 0x14, false, 1u | 5u << 16 | 4u << 20, &st), 0);
	assert_int_equal(nvsim_host_prop_get(ad.q, 0x1c, false, &csts, &st), 0);
	assert_true(csts & 2);	 /* CFS */
	assert_false(csts & 1); /* not ready */
	nvsim_hq_close(ad.q);
}

/* ---- CM: IRD ------------------------------------------------------------------------ */

static void test_wire_cm_host_serving_no_reads_is_invalid_ird(void **state)
{
	struct fixture *f = *state;
	struct nvsim_hq_config qc;
	struct nvsim_host_status st;
	struct nvsim_hq *q = NULL;

	nvsim_hq_config_init(&qc);
	qc.fabric = f->e->fabric;
	qc.addr = NVSIM_EMBEDDED_ADDR;
	qc.progress = nvsim_embedded_poll;
	qc.progress_arg = f->e;
	qc.exact_rd_params = true; /* responder_resources 0: we would never serve a READ */
	assert_int_equal(nvsim_hq_connect(&qc, &q, &st), -ECONNREFUSED);
	assert_true(st.cm_rejected);
	assert_int_equal(st.cm_sts, NVSIM_RDMA_CM_INVALID_IRD);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(test_wire_connect_recfmt_1_is_incompatible_format),
	cmocka_unit_test(test_wire_connect_data_of_1023_bytes_is_data_sgl_length_invalid),
	cmocka_unit_test(test_wire_connect_unknown_subnqn_points_at_data_256),
	cmocka_unit_test(test_wire_connect_subsystem_of_another_port_points_at_data_256),
	cmocka_unit_test(test_wire_connect_malformed_hostnqn_points_at_data_512),
	cmocka_unit_test(test_wire_connect_zero_hostid_points_at_data_0),
	cmocka_unit_test(test_wire_connect_sqsize_0_points_at_sqe_44),
	cmocka_unit_test(test_wire_connect_admin_sqsize_32_points_at_sqe_44),
	cmocka_unit_test(test_wire_connect_admin_static_cntlid_points_at_data_16),
	cmocka_unit_test(test_wire_connect_host_not_allowed_is_connect_invalid_host),
	cmocka_unit_test(test_wire_io_connect_unknown_cntlid_points_at_data_16),
	cmocka_unit_test(test_wire_io_connect_before_enable_points_at_sqe_42),
	cmocka_unit_test(test_wire_io_connect_other_hostid_points_at_data_0),
	cmocka_unit_test(test_wire_io_connect_qid_above_granted_points_at_sqe_42),
	cmocka_unit_test(test_wire_second_connect_on_a_queue_is_controller_busy),
	cmocka_unit_test(test_wire_command_before_connect_is_command_sequence_error),
	cmocka_unit_test(test_wire_property_get_cap_as_4_bytes_is_invalid_field),
	cmocka_unit_test(test_wire_property_set_other_than_4_byte_cc_is_invalid_field),
	cmocka_unit_test(test_wire_enable_with_bad_iosqes_sets_cfs),
	cmocka_unit_test(test_wire_cm_host_serving_no_reads_is_invalid_ird),
};

int main(int argc, char **argv)
{
	return nvmfsim_run_tests(__FILE__, tests, sizeof(tests) / sizeof(tests[0]), setup, teardown,
				 argc, argv);
}
