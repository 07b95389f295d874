/* nvmetcli saved configs as target configuration: what loads, and errors
 * that name the offending element. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
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

/* One subsystem and one rdma port around the given pieces. */
#define SUBSYS(ns) "{\"subsystems\":[{\"nqn\":\"nqn.2026-11.io.x:a\",\"namespaces\":" ns "}],"
#define PORT(portid)                                                                      \
	"{\"portid\":" portid ",\"addr\":{\"trtype\":\"rdma\",\"traddr\":\"192.0.2.1\"}}"
#define PORTS(p) "\"ports\":[" p "]}"

static void test_wrong_types_and_ranges_are_refused_by_path(void **state)
{
	static const struct {
		const char *json, *names;
	} rows[] = {
		{ SUBSYS("[]") PORTS(PORT("\"abc\"")), "ports[0].portid: want an integer 0 to 65535" },
		{ SUBSYS("[]") PORTS(PORT("-1")), "ports[0].portid: want an integer 0 to 65535, got -1" },
		{ SUBSYS("[]") PORTS(PORT("70000")), "got 70000" },
		{ SUBSYS("[{\"nsid\":1.9,\"device\":{\"path\":\"ram:1M\"}}]") PORTS(PORT("1")),
		  "subsystems[0].namespaces[0].nsid: want an integer 1 to 1024, got 1.9" },
		{ SUBSYS("[{\"nsid\":true,\"device\":{\"path\":\"ram:1M\"}}]") PORTS(PORT("1")),
		  "subsystems[0].namespaces[0].nsid: want an integer 1 to 1024, got a boolean" },
		{ SUBSYS("{\"nsid\":1}") PORTS(PORT("1")),
		  "subsystems[0].namespaces: want an array, got an object" },
		{ SUBSYS("[{\"nsid\":1,\"device\":{\"path\":\"ram:1000\"}}]") PORTS(PORT("1")),
		  "subsystems[0].namespaces[0].device.path: 'ram:1000'" },
		{ SUBSYS("[{\"nsid\":1,\"device\":{\"path\":\"ram:0\"}}]") PORTS(PORT("1")),
		  "subsystems[0].namespaces[0].device.path: 'ram:0': size 0" },
		{ SUBSYS("[{\"nsid\":1,\"device\":{\"path\":\"ram:1M\"}},"
			 "{\"nsid\":1,\"device\":{\"path\":\"ram:1M\"}}]") PORTS(PORT("1")),
		  "subsystems[0].namespaces[1].nsid: 1 is also namespaces[0]'s" },
		{ SUBSYS("[]") PORTS(PORT("1") "," PORT("2")),
		  "ports[1].addr: 192.0.2.1:4420 is also ports[0]'s address" },
		{ SUBSYS("[]") PORTS(PORT("1") "," PORT("1")), "ports[1].portid: 1 is also ports[0]'s" },
		{ "{\"subsystems\":\"nqn.2026-11.io.x:a\",\"ports\":[]}",
		  "subsystems: want an array, got a string" },
		{ "{\"subsystems\":[{\"nqn\":5}],\"ports\":[]}",
		  "subsystems[0].nqn: want a string, got an integer" },
		{ "{\"subsystems\":[{\"nqn\":\"nqn.2026-11.io.x:a\",\"allowed_hosts\":\"h\"}]}",
		  "subsystems[0].allowed_hosts: want an array, got a string" },
		{ "{\"subsystems\":[{\"nqn\":\"nqn.2026-11.io.x:a\",\"allowed_hosts\":"
		  "[\"nqn.2014-08.org.example:h\",\"nqn.2014-08.org.example:h\"]}]}",
		  "subsystems[0].allowed_hosts[1]: 'nqn.2014-08.org.example:h' is listed twice" },
		{ "{\"subsystems\":[{\"nqn\":\"nqn.2026-11.io.x:a\",\"attr\":"
		  "{\"allow_any_host\":\"yes\"}}]}",
		  "subsystems[0].attr.allow_any_host: want \"0\" or \"1\", got \"yes\"" },
		{ "{\"subsystems\":[{\"nqn\":\"nqn.2026-11.io.x:a\",\"attr\":{\"serial\":"
		  "\"123456789012345678901\"}}]}", "subsystems[0].attr.serial: 21 bytes, more than 20" },
		{ "{\"subsystems\":[{\"nqn\":\"nqn.2014-08.org.nvmexpress.discovery\"}]}",
		  "subsystems[0].nqn: 'nqn.2014-08.org.nvmexpress.discovery' is the discovery" },
		{ "{\"subsystems\":[{\"nqn\":\"nqn.2026-11.io.x:a\",\"passthru\":[{}]}]}",
		  "subsystems[0].passthru: passthru subsystems" },
		{ "{\"ports\":[]} x", "line 1, column 14: text after the JSON document" },
		{ "{\"ports\":[]}", "ports: empty: nothing to listen on" },
		{ "{\"subsystems\":[]}", "ports: missing" },
		{ "{\"prots\":[]}", "unknown key \"prots\"" },
		{ SUBSYS("[]") PORTS("{\"portid\":1,\"addr\":{\"trtype\":\"rdma\",\"traddr\":\"1.2.3\"}}"),
		  "ports[0].addr.traddr: '1.2.3' is not an IPv4 address" },
		{ SUBSYS("[]") PORTS("{\"portid\":1,\"addr\":{\"trtype\":\"rdma\",\"traddr\":\"::1\","
				     "\"trsvcid\":\"0x10\"}}"),
		  "ports[0].addr.trsvcid: '0x10' is not a port number" },
		{ SUBSYS("[]") PORTS("{\"portid\":1,\"addr\":{\"trtype\":\"rdma\",\"traddr\":\"::1\"},"
				     "\"subsystems\":[\"nqn.2026-11.io.x:a\",\"nqn.2026-11.io.x:a\"]}"),
		  "ports[0].subsystems[1]: 'nqn.2026-11.io.x:a' is listed twice" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		expect_error(rows[i].json, rows[i].names);
}

static void test_allowed_hosts_over_the_limit_say_the_limit(void **state)
{
	size_t len = 200 + 257 * 40, n;
	char *json = malloc(len);

	(void)state;
	assert_non_null(json);
	n = (size_t)snprintf(json, len, "{\"subsystems\":[{\"nqn\":\"nqn.2026-11.io.x:a\","
			     "\"allowed_hosts\":[");
	for (int i = 0; i < 257; i++)
		n += (size_t)snprintf(json + n, len - n, "%s\"nqn.2014-08.org.example:h%d\"",
				      i ? "," : "", i);
	snprintf(json + n, len - n, "]}]}");
	expect_error(json, "subsystems[0].allowed_hosts: 257 entries, more than the limit of 256");
	free(json);
}

static void expect_path_refused(const char *path, const char *kind)
{
	char json[512], names[256];

	snprintf(json, sizeof(json), SUBSYS("[{\"nsid\":1,\"device\":{\"path\":\"%s\"}}]")
		 PORTS(PORT("1")), path);
	snprintf(names, sizeof(names), "subsystems[0].namespaces[0].device.path: %s: %s, not a "
		 "regular file or a block device", path, kind);
	expect_error(json, names);
}

/* A FIFO used to block open() forever; a socket, a directory or a char
 * device is no namespace either. */
static void test_namespace_path_must_be_a_file_or_block_device(void **state)
{
	char dir[] = "/tmp/nvmfsim-nspath-XXXXXX", fifo[64], sock[64];
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
	snprintf(sock, sizeof(sock), "%s/sock", dir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	expect_path_refused(fifo, "a FIFO");
	expect_path_refused(sock, "a socket");
	expect_path_refused(dir, "a directory");
	expect_path_refused("/dev/null", "a character device");
	close(fd);
	unlink(sock);
	unlink(fifo);
	rmdir(dir);
}

/* Thousands of subsystems: each found by NQN (an index, not a scan), and
 * a duplicate at the end names the entry it repeats. */
static void test_many_subsystems_load_and_a_late_duplicate_is_named(void **state)
{
	enum { N = 3000 };
	size_t len = (size_t)N * 140 + 256, n;
	char *json = malloc(len), nqn[64];
	struct loaded l;

	(void)state;
	assert_non_null(json);
	n = (size_t)snprintf(json, len, "{\"subsystems\":[");
	for (int i = 0; i < N; i++)
		n += (size_t)snprintf(json + n, len - n, "%s{\"nqn\":\"nqn.2026-11.io.x:s%d\","
				      "\"namespaces\":[{\"nsid\":%d,\"device\":{\"path\":"
				      "\"null:1M\"}}]}", i ? "," : "", i, i % 1024 + 1);
	snprintf(json + n, len - n, "]," PORTS(PORT("1")));
	load_text(&l, json);
	if (l.ret)
		fail_msg("%s", l.err);
	assert_int_equal(l.cfg.nr_subsys, N);
	assert_int_equal(l.cfg.nr_ns, N);
	for (int i = 0; i < N; i++) {
		snprintf(nqn, sizeof(nqn), "nqn.2026-11.io.x:s%d", i);
		assert_non_null(nvsim_subsys_find(l.t, nqn));
	}
	assert_null(nvsim_subsys_find(l.t, "nqn.2026-11.io.x:s3000"));
	unload(&l);
	n = (size_t)snprintf(json, len, "{\"subsystems\":[");
	for (int i = 0; i <= N; i++)
		n += (size_t)snprintf(json + n, len - n, "%s{\"nqn\":\"nqn.2026-11.io.x:s%d\"}",
				      i ? "," : "", i < N ? i : 1234);
	snprintf(json + n, len - n, "]," PORTS(PORT("1")));
	expect_error(json, "subsystems[3000].nqn: 'nqn.2026-11.io.x:s1234' is also "
			   "subsystems[1234]'s");
	free(json);
}

/* A disabled namespace is type-checked but not opened (nvmetcli may leave
 * its path empty); tcp and loop ports load, listed but not served. */
static void test_disabled_namespace_and_other_transports_load(void **state)
{
	struct loaded l;

	(void)state;
	load_text(&l, SUBSYS("[{\"nsid\":2,\"enable\":0,\"device\":{\"path\":\"\"}},"
			     "{\"nsid\":1,\"enable\":1,\"ana_grpid\":1,\"device\":{\"path\":"
			     "\"ram:1M\",\"nguid\":\"\",\"uuid\":\"x\"}}]")
		  PORTS("{\"portid\":1,\"addr\":{\"trtype\":\"loop\",\"adrfam\":\"\",\"traddr\":"
			"\"\",\"trsvcid\":\"\"},\"subsystems\":[\"nqn.2026-11.io.x:a\"]},"
			"{\"portid\":2,\"addr\":{\"trtype\":\"tcp\",\"traddr\":\"192.0.2.1\","
			"\"treq\":\"not specified\"},\"param\":{\"inline_data_size\":\"16384\"}}"));
	if (l.ret)
		fail_msg("%s", l.err);
	assert_int_equal(l.cfg.nr_ns, 1);
	assert_int_equal(l.cfg.nr_ports, 2);
	assert_false(l.cfg.ports[0].rdma);
	assert_int_equal(l.cfg.ports[1].portid, 2);
	unload(&l);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(test_example_config_loads_ports_subsystems_and_referrals),
	cmocka_unit_test(test_subsystem_without_nqn_is_named),
	cmocka_unit_test(test_missing_namespace_file_is_named),
	cmocka_unit_test(test_port_naming_an_unknown_subsystem_is_named),
	cmocka_unit_test(test_unknown_transport_type_is_named),
	cmocka_unit_test(test_invalid_nqn_and_host_are_named),
	cmocka_unit_test(test_text_that_is_not_json_names_the_file),
	cmocka_unit_test(test_wrong_types_and_ranges_are_refused_by_path),
	cmocka_unit_test(test_allowed_hosts_over_the_limit_say_the_limit),
	cmocka_unit_test(test_namespace_path_must_be_a_file_or_block_device),
	cmocka_unit_test(test_many_subsystems_load_and_a_late_duplicate_is_named),
	cmocka_unit_test(test_disabled_namespace_and_other_transports_load),
};

NVMFSIM_TEST_MAIN(tests)
