/* nvmetcli saved configs as target configuration: what loads, and errors
 * that name the offending element. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/config.h"
#include "cmocka_main.h"

#ifndef EXAMPLE_CONFIG
#error "EXAMPLE_CONFIG must name fixtures/configs/nvmetcli-example.json"
#endif

struct loaded {
	struct nvsim_target *t;
	struct cli_config cfg;
	char err[512];
	int ret;
};

static void load_text(struct loaded *l, const char *json)
{
	char path[] = "/tmp/nvmfsim-config-XXXXXX";
	struct nvsim_target_config tc;
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, json, strlen(json)), (ssize_t)strlen(json));
	close(fd);
	nvsim_target_config_init(&tc);
	assert_int_equal(nvsim_target_create(&tc, &l->t), 0);
	l->ret = cli_config_load(path, 512, l->t, &l->cfg, l->err, sizeof(l->err));
	unlink(path);
}

static void unload(struct loaded *l)
{
	nvsim_target_destroy(l->t);
}

static void test_example_config_loads_ports_subsystems_and_referrals(void **state)
{
	struct nvsim_target_config tc;
	struct loaded l;

	(void)state;
	nvsim_target_config_init(&tc);
	assert_int_equal(nvsim_target_create(&tc, &l.t), 0);
	l.ret = cli_config_load(EXAMPLE_CONFIG, 512, l.t, &l.cfg, l.err, sizeof(l.err));
	if (l.ret)
		fail_msg("%s", l.err);
	assert_int_equal(l.cfg.nr_ports, 1);
	assert_true(l.cfg.ports[0].rdma);
	assert_string_equal(l.cfg.ports[0].addr, "192.0.2.20:4420");
	assert_non_null(nvsim_subsys_find(l.t, "nqn.2026-11.io.nvmf-sim:lab-ram"));
	assert_non_null(nvsim_subsys_find(l.t, "nqn.2026-11.io.nvmf-sim:lab-null"));
	/* two subsystems on the port, one allowed host and one referral */
	assert_true(nvsim_target_genctr(l.t) >= 4);
	unload(&l);
}

static void expect_error(const char *json, const char *names)
{
	struct loaded l;

	load_text(&l, json);
	assert_int_not_equal(l.ret, 0);
	if (!strstr(l.err, names))
		fail_msg("error '%s' does not name '%s'", l.err, names);
	unload(&l);
}

static void test_subsystem_without_nqn_is_named(void **state)
{
	(void)state;
	expect_error("{\"subsystems\":[{\"attr\":{}}],\"ports\":[]}", "subsystems[0].nqn");
}

static void test_missing_namespace_file_is_named(void **state)
{
	(void)state;
	expect_error("{\"subsystems\":[{\"nqn\":\"nqn.2026-11.io.x:a\",\"namespaces\":[{\"nsid\":1,"
		     "\"device\":{\"path\":\"/nonexistent/ns.img\"}}]}],\"ports\":[]}",
		     "subsystems[0].namespaces[0].device.path");
}

static void test_port_naming_an_unknown_subsystem_is_named(void **state)
{
	(void)state;
	expect_error("{\"subsystems\":[],\"ports\":[{\"portid\":1,\"addr\":{\"trtype\":\"rdma\","
		     "\"traddr\":\"192.0.2.1\",\"trsvcid\":\"4420\"},\"subsystems\":[\"nqn.2026-11.io.x:b\"]}]}",
		     "ports[0].subsystems[0]");
}

static void test_unknown_transport_type_is_named(void **state)
{
	(void)state;
	expect_error("{\"ports\":[{\"portid\":1,\"addr\":{\"trtype\":\"carrier-pigeon\","
		     "\"traddr\":\"192.0.2.1\"}}]}",
		     "ports[0].addr.trtype");
}

static void test_invalid_nqn_and_host_are_named(void **state)
{
	(void)state;
	expect_error("{\"subsystems\":[{\"nqn\":\"not-an-nqn\"}]}", "subsystems[0]");
	expect_error("{\"subsystems\":[{\"nqn\":\"nqn.2026-11.io.x:c\",\"allowed_hosts\":[\"bob\"]}]}",
		     "subsystems[0].allowed_hosts[0]");
}

static void test_text_that_is_not_json_names_the_file(void **state)
{
	(void)state;
	expect_error("{ this is not json", "/tmp/nvmfsim-config-");
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(test_example_config_loads_ports_subsystems_and_referrals),
	cmocka_unit_test(test_subsystem_without_nqn_is_named),
	cmocka_unit_test(test_missing_namespace_file_is_named),
	cmocka_unit_test(test_port_naming_an_unknown_subsystem_is_named),
	cmocka_unit_test(test_unknown_transport_type_is_named),
	cmocka_unit_test(test_invalid_nqn_and_host_are_named),
	cmocka_unit_test(test_text_that_is_not_json_names_the_file),
};

NVMFSIM_TEST_MAIN(tests)
