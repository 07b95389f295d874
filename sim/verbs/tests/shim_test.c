/* The generic layer of the verbs shim: provider selection by name, argument
 * checks common to every provider, address parsing and names. */
#include <errno.h>
#include <string.h>

#include "cmocka_main.h"
#include "verbs/fake.h"
#include "verbs/verbs.h"
#include "verbs/verbs_internal.h"

static void test_unknown_provider_name_is_enoent(void **state)
{
	struct verbs_open_opts opts = { .provider = "nosuch" };
	struct verbs_device *dev = (struct verbs_device *)&opts;

	(void)state;
	assert_int_equal(verbs_device_open(&opts, &dev), -ENOENT);
	assert_null(dev);
	assert_false(verbs_provider_available("nosuch"));
}

static void test_null_provider_opens_the_fake_on_the_default_fabric(void **state)
{
	struct verbs_device *dev;

	(void)state;
	assert_int_equal(verbs_device_open(NULL, &dev), 0);
	assert_string_equal(verbs_device_provider(dev), "fake");
	assert_non_null(verbs_fake_fabric_of(dev));
	assert_int_equal(verbs_fake_fabric_seed(verbs_fake_fabric_of(dev)), VERBS_FAKE_DEFAULT_SEED);
	verbs_device_close(dev);
}

static void test_ibv_provider_without_device_is_enodev(void **state)
{
	struct verbs_open_opts opts = { .provider = "ibv" };
	struct verbs_device *dev = NULL;
	int rc;

	(void)state;
	rc = verbs_device_open(&opts, &dev);
	if (rc == 0) {
		/* A machine with an RDMA device: the rule cannot be observed. */
		verbs_device_close(dev);
		skip();
	}
	if (verbs_provider_available("ibv"))
		assert_int_equal(rc, -ENODEV);
	else
		assert_int_equal(rc, -EPROTONOSUPPORT);
	assert_null(dev);
}

static void test_fabric_with_devices_open_refuses_destroy(void **state)
{
	struct verbs_fake_fabric *fab;
	struct verbs_open_opts opts = { .provider = "fake" };
	struct verbs_device *dev;

	(void)state;
	assert_int_equal(verbs_fake_fabric_create(NULL, &fab), 0);
	opts.fabric = fab;
	assert_int_equal(verbs_device_open(&opts, &dev), 0);
	assert_int_equal(verbs_fake_fabric_destroy(fab), -EBUSY);
	verbs_device_close(dev);
	assert_int_equal(verbs_fake_fabric_destroy(fab), 0);
}

static void test_remote_write_without_local_write_is_refused(void **state)
{
	struct verbs_device *dev;
	struct verbs_pd *pd;
	struct verbs_mr *mr;
	char buf[16];

	(void)state;
	assert_int_equal(verbs_device_open(NULL, &dev), 0);
	assert_int_equal(verbs_pd_alloc(dev, &pd), 0);
	assert_int_equal(verbs_mr_reg(pd, buf, sizeof(buf), VERBS_ACCESS_REMOTE_WRITE, &mr), -EINVAL);
	assert_int_equal(verbs_mr_reg(pd, buf, sizeof(buf), 1u << 7, &mr), -EINVAL);
	assert_int_equal(verbs_pd_dealloc(pd), 0);
	verbs_device_close(dev);
}

static void test_addr_parse_splits_host_and_port(void **state)
{
	struct verbs_addr a;

	(void)state;
	assert_int_equal(verbs_addr_parse("10.0.0.1:4420", false, &a), 0);
	assert_string_equal(a.host, "10.0.0.1");
	assert_int_equal(a.port, 4420);
	assert_false(a.wildcard);
}

static void test_addr_parse_accepts_bracketed_v6(void **state)
{
	struct verbs_addr a;

	(void)state;
	assert_int_equal(verbs_addr_parse("[fe80::1]:4791", false, &a), 0);
	assert_string_equal(a.host, "fe80::1");
	assert_int_equal(a.port, 4791);
	assert_int_equal(verbs_addr_parse("[::]:1", false, &a), 0);
	assert_true(a.wildcard);
}

static void test_addr_parse_strips_fake_prefix_only_when_asked(void **state)
{
	struct verbs_addr a;

	(void)state;
	assert_int_equal(verbs_addr_parse("fake:tgt:7", true, &a), 0);
	assert_string_equal(a.host, "tgt");
	assert_int_equal(a.port, 7);
	/* Without the fake namespace "fake:tgt:7" has two colons: ambiguous. */
	assert_int_equal(verbs_addr_parse("fake:tgt:7", false, &a), -EINVAL);
}

static void test_addr_parse_marks_wildcards(void **state)
{
	struct verbs_addr a;

	(void)state;
	assert_int_equal(verbs_addr_parse("*:1", false, &a), 0);
	assert_true(a.wildcard);
	assert_int_equal(verbs_addr_parse("0.0.0.0:1", false, &a), 0);
	assert_true(a.wildcard);
	assert_int_equal(verbs_addr_parse(":1", false, &a), 0);
	assert_true(a.wildcard);
}

static void test_addr_parse_rejects_bad_ports_and_long_hosts(void **state)
{
	char longhost[VERBS_HOST_MAX + 8];
	struct verbs_addr a;

	(void)state;
	assert_int_equal(verbs_addr_parse("h:65536", false, &a), -EINVAL);
	assert_int_equal(verbs_addr_parse("h:", false, &a), -EINVAL);
	assert_int_equal(verbs_addr_parse("h:12x", false, &a), -EINVAL);
	assert_int_equal(verbs_addr_parse("h", false, &a), -EINVAL);
	assert_int_equal(verbs_addr_parse("[::1]4420", false, &a), -EINVAL);
	assert_int_equal(verbs_addr_parse("h:99999999999999999999", false, &a), -EINVAL);
	memset(longhost, 'x', sizeof(longhost));
	memcpy(longhost + sizeof(longhost) - 4, ":1", 3);
	assert_int_equal(verbs_addr_parse(longhost, false, &a), -ENAMETOOLONG);
}

static void test_names_cover_every_value(void **state)
{
	(void)state;
	assert_string_equal(verbs_wc_status_str(VERBS_WC_RNR_RETRY_EXC_ERR),
			    "RNR retry counter exceeded");
	assert_string_equal(verbs_wc_status_str(VERBS_WC_GENERAL_ERR), "general error");
	assert_string_equal(verbs_wc_status_str((enum verbs_wc_status)99), "unknown");
	assert_string_equal(verbs_cm_event_str(VERBS_CM_EVENT_DEVICE_REMOVAL), "DEVICE_REMOVAL");
	assert_string_equal(verbs_cm_event_str((enum verbs_cm_event_type)99), "UNKNOWN");
	assert_string_equal(verbs_qp_state_str(VERBS_QPS_RTR), "RTR");
	assert_string_equal(verbs_qp_state_str((enum verbs_qp_state)99), "UNKNOWN");
}

static void test_null_arguments_are_einval_not_crashes(void **state)
{
	struct verbs_wc wc;

	(void)state;
	assert_int_equal(verbs_device_open(NULL, NULL), -EINVAL);
	assert_int_equal(verbs_poll_cq(NULL, 1, &wc), -EINVAL);
	assert_int_equal(verbs_post_send(NULL, NULL, NULL), -EINVAL);
	assert_int_equal(verbs_cm_listen(NULL, "x:1", 1), -EINVAL);
	assert_int_equal(verbs_qp_num(NULL), 0);
	assert_int_equal(verbs_cq_fd(NULL), -1);
	assert_int_equal(verbs_cm_bind(NULL, "x:1"), -EINVAL);
	assert_int_equal(verbs_srq_create(NULL, NULL, NULL), -EINVAL);
	assert_int_equal(verbs_srq_destroy(NULL), -EINVAL);
	assert_int_equal(verbs_post_srq_recv(NULL, NULL, NULL), -EINVAL);
	assert_int_equal(verbs_cm_id_peer_addr(NULL, NULL, 0), -EINVAL);
}

static void test_device_attr_format_names_every_limit(void **state)
{
	struct verbs_device_attr a = {
		.max_pd = 1, .max_mr = 2, .max_mr_size = 3, .max_cq = 4, .max_cqe = 5,
		.max_qp = 6, .max_qp_wr = 7, .max_sge = 8, .max_inline_data = 9,
		.max_msg_sz = 10, .max_qp_rd_atom = 11, .max_qp_init_rd_atom = 12,
		.max_srq = 13, .max_srq_wr = 14, .max_srq_sge = 15,
	};
	static const char *const lines[] = {
		"> max_pd               1\n", "> max_mr               2\n",
		"> max_mr_size          3\n", "> max_cq               4\n",
		"> max_cqe              5\n", "> max_qp               6\n",
		"> max_qp_wr            7\n", "> max_sge              8\n",
		"> max_inline_data      9\n", "> max_msg_sz           10\n",
		"> max_qp_rd_atom       11\n", "> max_qp_init_rd_atom  12\n",
		"> max_srq              13\n", "> max_srq_wr           14\n",
		"> max_srq_sge          15\n",
	};
	char buf[1024], small[16];
	size_t i, total = 0;
	int n;

	(void)state;
	n = verbs_device_attr_format(&a, "> ", buf, sizeof(buf));
	assert_true(n > 0 && (size_t)n == strlen(buf));
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		if (!strstr(buf, lines[i]))
			fail_msg("missing \"%s\" in:\n%s", lines[i], buf);
		total += strlen(lines[i]);
	}
	assert_int_equal((size_t)n, total);  /* nothing else */
	/* Too small: cut, NUL terminated, the full length returned. */
	assert_int_equal(verbs_device_attr_format(&a, "> ", small, sizeof(small)), n);
	assert_int_equal(strlen(small), sizeof(small) - 1);
	assert_int_equal(verbs_device_attr_format(&a, "> ", NULL, 0), n);
	assert_int_equal(verbs_device_attr_format(NULL, NULL, buf, sizeof(buf)), -EINVAL);
}

static void test_addr_format_brackets_v6_and_refuses_short_buffers(void **state)
{
	struct verbs_addr a;
	char buf[VERBS_ADDR_STR_MAX];

	(void)state;
	assert_int_equal(verbs_addr_parse("[fe80::1]:4420", false, &a), 0);
	assert_int_equal(verbs_addr_format(&a, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "[fe80::1]:4420");
	assert_int_equal(verbs_addr_parse("10.0.0.1:8009", false, &a), 0);
	assert_int_equal(verbs_addr_format(&a, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "10.0.0.1:8009");
	assert_int_equal(verbs_addr_format(&a, buf, 13), -ENOSPC);
	assert_string_equal(buf, "");
	assert_int_equal(verbs_addr_format(&a, buf, 14), 0);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(test_unknown_provider_name_is_enoent),
	cmocka_unit_test(test_null_provider_opens_the_fake_on_the_default_fabric),
	cmocka_unit_test(test_ibv_provider_without_device_is_enodev),
	cmocka_unit_test(test_fabric_with_devices_open_refuses_destroy),
	cmocka_unit_test(test_remote_write_without_local_write_is_refused),
	cmocka_unit_test(test_addr_parse_splits_host_and_port),
	cmocka_unit_test(test_addr_parse_accepts_bracketed_v6),
	cmocka_unit_test(test_addr_parse_strips_fake_prefix_only_when_asked),
	cmocka_unit_test(test_addr_parse_marks_wildcards),
	cmocka_unit_test(test_addr_parse_rejects_bad_ports_and_long_hosts),
	cmocka_unit_test(test_names_cover_every_value),
	cmocka_unit_test(test_null_arguments_are_einval_not_crashes),
	cmocka_unit_test(test_device_attr_format_names_every_limit),
	cmocka_unit_test(test_addr_format_brackets_v6_and_refuses_short_buffers),
};

NVMFSIM_TEST_MAIN(tests)
