/* The suite has teeth: with each misbehaviour switch of the embedded
 * simulator on, the cases listed for it fail; with none, every case passes
 * (issue 6 §6). */
#include <stdlib.h>
#include <string.h>

#include "cli/misbehave.h"
#include "cmocka_main.h"

static void run_suite(uint32_t quirks, struct conf_run *run)
{
	struct cli_sim_clock clock = { 1000000000ull };
	struct conf_run_opts ro = { .max_level = CONF_INFORMATIVE, .seed = 1 };
	struct nvsim_embedded *e;
	struct conf_target t;

	assert_int_equal(cli_conf_embedded(1, quirks, &clock, &t, &e), 0);
	assert_int_equal(conf_run(&t, &ro, run), 0);
	nvsim_embedded_stop(e);
}

static const struct conf_case_result *find(const struct conf_run *run, const char *id)
{
	for (size_t i = 0; i < run->n; i++)
		if (!strcmp(run->results[i].kase->id, id))
			return &run->results[i];
	return NULL;
}

static void test_every_case_passes_without_misbehaviour(void **state)
{
	struct conf_run run;

	(void)state;
	run_suite(0, &run);
	for (size_t i = 0; i < run.n; i++)
		if (run.results[i].result == CONF_FAIL || run.results[i].result == CONF_ERROR)
			fail_msg("%s %s:\n%s", conf_result_name(run.results[i].result),
				 run.results[i].kase->id, run.results[i].log ? run.results[i].log : "");
	assert_true(run.n >= 24);
	conf_run_free(&run);
}

static void check_switch(const char *name)
{
	const struct cli_quirk *q = NULL;
	struct conf_run run;
	char ids[512], *save = NULL;
	unsigned int caught = 0;

	for (size_t i = 0; i < cli_nr_quirks; i++)
		if (!strcmp(cli_quirks[i].name, name))
			q = &cli_quirks[i];
	assert_non_null(q);
	if (!q->caught_by[0])
		fail_msg("switch %s lists no case that catches it", name);
	run_suite(q->bit, &run);
	snprintf(ids, sizeof(ids), "%s", q->caught_by);
	for (char *id = strtok_r(ids, ",", &save); id; id = strtok_r(NULL, ",", &save)) {
		const struct conf_case_result *r = find(&run, id);

		if (!r)
			fail_msg("switch %s: case %s does not exist", name, id);
		if (r->result != CONF_FAIL)
			fail_msg("switch %s (%s): case %s gave %s, not FAIL", name, q->what, id,
				 conf_result_name(r->result));
		caught++;
	}
	print_message("switch %s: %u case(s) fail as they must, %u failures in all\n", name,
		      caught, run.counts[CONF_FAIL]);
	conf_run_free(&run);
}

#define SWITCH_TEST(fn, name)                                                                \
	static void fn(void **state)                                                         \
	{                                                                                    \
		(void)state;                                                                 \
		check_switch(name);                                                          \
	}

SWITCH_TEST(test_switch_wrong_lbaf_is_caught, "wrong-lbaf")
SWITCH_TEST(test_switch_opcode_not_field_is_caught, "opcode-not-field")
SWITCH_TEST(test_switch_no_kato_expiry_is_caught, "no-kato-expiry")
SWITCH_TEST(test_switch_lpo_off_by_one_is_caught, "lpo-off-by-one")
SWITCH_TEST(test_switch_no_lba_check_is_caught, "no-lba-check")
SWITCH_TEST(test_switch_no_aer_limit_is_caught, "no-aer-limit")
SWITCH_TEST(test_switch_wrong_id_cntlid_is_caught, "wrong-id-cntlid")
SWITCH_TEST(test_switch_property_set_ro_is_caught, "property-set-ro")
SWITCH_TEST(test_switch_nsid_all_ok_is_caught, "nsid-all-ok")
SWITCH_TEST(test_switch_hostid_settable_is_caught, "hostid-settable")
SWITCH_TEST(test_switch_wrong_sqhd_is_caught, "wrong-sqhd")
SWITCH_TEST(test_switch_no_ipo_is_caught, "no-ipo")
SWITCH_TEST(test_switch_cntlid_zero_is_caught, "cntlid-zero")
SWITCH_TEST(test_switch_static_cntlid_ok_is_caught, "static-cntlid-ok")
SWITCH_TEST(test_switch_recfmt_ignored_is_caught, "recfmt-ignored")
SWITCH_TEST(test_switch_disconnect_admin_ok_is_caught, "disconnect-admin-ok")
SWITCH_TEST(test_switch_wrong_sqid_is_caught, "wrong-sqid")
SWITCH_TEST(test_switch_no_host_filter_is_caught, "no-host-filter")

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(test_every_case_passes_without_misbehaviour),
	cmocka_unit_test(test_switch_wrong_lbaf_is_caught),
	cmocka_unit_test(test_switch_opcode_not_field_is_caught),
	cmocka_unit_test(test_switch_no_kato_expiry_is_caught),
	cmocka_unit_test(test_switch_lpo_off_by_one_is_caught),
	cmocka_unit_test(test_switch_no_lba_check_is_caught),
	cmocka_unit_test(test_switch_no_aer_limit_is_caught),
	cmocka_unit_test(test_switch_wrong_id_cntlid_is_caught),
	cmocka_unit_test(test_switch_property_set_ro_is_caught),
	cmocka_unit_test(test_switch_nsid_all_ok_is_caught),
	cmocka_unit_test(test_switch_hostid_settable_is_caught),
	cmocka_unit_test(test_switch_wrong_sqhd_is_caught),
	cmocka_unit_test(test_switch_no_ipo_is_caught),
	cmocka_unit_test(test_switch_cntlid_zero_is_caught),
	cmocka_unit_test(test_switch_static_cntlid_ok_is_caught),
	cmocka_unit_test(test_switch_recfmt_ignored_is_caught),
	cmocka_unit_test(test_switch_disconnect_admin_ok_is_caught),
	cmocka_unit_test(test_switch_wrong_sqid_is_caught),
	cmocka_unit_test(test_switch_no_host_filter_is_caught),
};

NVMFSIM_TEST_MAIN(tests)
